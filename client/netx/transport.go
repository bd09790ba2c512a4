package netx

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
)

// wardTransport sets the User-Agent and rewords certificate failures, the
// network error people most often cannot act on as Go states it.
type wardTransport struct {
	base      http.RoundTripper
	userAgent string
}

func (t *wardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("User-Agent") == "" {
		// A RoundTripper must not modify the caller's request.
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", t.userAgent)
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, explainTLS(err)
	}
	return resp, nil
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// underlying transport.
func (t *wardTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// explainTLS adds what to do to certificate errors, keeping the original
// error in the chain for errors.As.
func explainTLS(err error) error {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return fmt.Errorf("%w: the server's certificate is signed by a CA this computer does not trust; "+
			"if your organisation runs its own CA (or a proxy that inspects TLS), "+
			"set WARD_CA_CERTIFICATE to the path of that CA's certificate in PEM format", err)
	case errors.As(err, &hostname):
		return fmt.Errorf("%w: the server's certificate is for another name; check the issuer URL", err)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return fmt.Errorf("%w: the server's certificate has expired, or this computer's clock is wrong; check the clock, then tell the server's administrator", err)
	}
	return err
}
