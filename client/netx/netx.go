// Package netx builds the HTTP client a CLI uses to talk to a Ward issuer:
// trusting an organisation's own CA on top of the system's, going through
// the proxy the environment names, and timing out where a hung network
// would otherwise hang the CLI.
//
// Its behaviour is documented for users in docs/network.md.
package netx

import (
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"time"
)

// Timeouts for each phase of a connection. There is deliberately no overall
// request timeout: device-code polling and `ward api` responses may
// legitimately take minutes, and callers bound those with a context.
const (
	dialTimeout           = 10 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 30 * time.Second
	idleConnTimeout       = 90 * time.Second
)

// Options configure HTTPClient.
type Options struct {
	// Getenv reads the environment (WARD_CA_CERTIFICATE, SSL_CERT_FILE and
	// the proxy variables); nil means os.Getenv. Tests pass their own so
	// they need not change the process environment.
	Getenv func(string) string
	// UserAgent is sent with every request that does not set its own;
	// empty means "ward". The Ward CLI passes "ward/<version>".
	UserAgent string
}

// HTTPClient returns a client for talking to the issuer. Its error, about a
// CA file that cannot be used, names the variable, the file and the fix.
func HTTPClient(opts Options) (*http.Client, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	roots, err := rootCAs(getenv)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy:       proxyFunc(getenv),
		DialContext: dialer.DialContext,
		TLSClientConfig: &tls.Config{
			RootCAs:    roots,
			MinVersion: tls.VersionTLS12,
		},
		// A custom TLS config turns HTTP/2 off unless asked for.
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		IdleConnTimeout:       idleConnTimeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          10,
	}
	userAgent := opts.UserAgent
	if userAgent == "" {
		userAgent = "ward"
	}
	return &http.Client{Transport: &wardTransport{base: transport, userAgent: userAgent}}, nil
}
