package netx

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testHost is the name the test server's certificate is for. It is not
// "localhost" and not an IP address on purpose: Go's proxy selection
// (http.ProxyFromEnvironment and x/net's httpproxy alike) never proxies
// requests to localhost or loopback addresses, so a request to 127.0.0.1
// could not show that the proxy is used. ".test" is reserved (RFC 2606) and
// never resolves, so the tests map it to loopback themselves: in the proxy
// they run, and in the client's dialer for direct connections (mapTestHost).
const testHost = "ward.test"

// testCA is a certificate authority made for one test.
type testCA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	pemPath string // the CA certificate, PEM-encoded, in a temporary file
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Ward test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, pemPath: path}
}

// serverCert returns a certificate for testHost signed by the CA.
func (ca *testCA) serverCert(t *testing.T) tls.Certificate {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: testHost},
		DNSNames:     []string{testHost},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// startTLSServer starts a real HTTPS server on loopback, with HTTP/2,
// presenting a certificate for testHost signed by ca. It answers with the
// protocol and User-Agent it saw. It returns the URL to use, with testHost
// in place of the IP address.
func startTLSServer(t *testing.T, ca *testCA) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Proto + " " + r.UserAgent()))
	}))
	srv.EnableHTTP2 = true
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.serverCert(t)}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return srv, "https://" + net.JoinHostPort(testHost, port)
}

// mapTestHost makes the client's direct connections to testHost go to
// loopback, in place of the name resolution a real deployment has. It
// replaces only the dial function: the timeouts, TLS and proxy settings
// under test are untouched.
func mapTestHost(t *testing.T, c *http.Client) {
	t.Helper()
	tr := c.Transport.(*wardTransport).base.(*http.Transport)
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dial(ctx, network, loopbackFor(addr))
	}
	t.Cleanup(c.CloseIdleConnections)
}

// loopbackFor maps testHost:port to 127.0.0.1:port.
func loopbackFor(addr string) string {
	if host, port, err := net.SplitHostPort(addr); err == nil && host == testHost {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}

// envOf returns a Getenv reading only m.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}
