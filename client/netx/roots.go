package netx

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// rootCAs returns the system's roots plus the certificates in the file
// named by WARD_CA_CERTIFICATE, or else SSL_CERT_FILE. Only one of the two
// is read: WARD_CA_CERTIFICATE is specific to Ward and so is taken to be
// the user's intent for it when both are set.
//
// On Unix, Go's own system pool already reads SSL_CERT_FILE, from the real
// process environment, in place of the distribution's bundle (the OpenSSL
// convention); adding its certificates again here is harmless and makes
// the variable work when the environment is injected through Options.
func rootCAs(getenv func(string) string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		// Only platforms without a readable system store get here; the
		// extra file can still make the client usable.
		pool = x509.NewCertPool()
	}
	for _, name := range []string{"WARD_CA_CERTIFICATE", "SSL_CERT_FILE"} {
		if path := getenv(name); path != "" {
			certs, err := readPEMCertificates(name, path)
			if err != nil {
				return nil, err
			}
			for _, c := range certs {
				pool.AddCert(c)
			}
			break
		}
	}
	return pool, nil
}

// readPEMCertificates reads every certificate in the PEM file at path. The
// errors name the variable that pointed there, since that is what the
// person has to change.
func readPEMCertificates(variable, path string) ([]*x509.Certificate, error) {
	fix := fmt.Sprintf("set %s to a file holding the CA certificate in PEM format (-----BEGIN CERTIFICATE-----), or unset it", variable)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s=%s: no such file; %s", variable, path, fix)
	case err != nil:
		return nil, fmt.Errorf("%s=%s: cannot read it (%w); %s", variable, path, err, fix)
	}
	var certs []*x509.Certificate
	var others []string
	for rest := data; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			others = append(others, block.Type)
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s=%s: certificate %d is damaged (%w); %s", variable, path, len(certs)+1, err, fix)
		}
		certs = append(certs, c)
	}
	switch {
	case len(certs) > 0:
		return certs, nil
	case len(others) > 0:
		return nil, fmt.Errorf("%s=%s: the PEM file holds no certificate, only %s; %s",
			variable, path, strings.Join(others, ", "), fix)
	}
	return nil, fmt.Errorf("%s=%s: not a PEM file (a DER certificate can be converted with `openssl x509 -inform der -in FILE -out ca.pem`); %s",
		variable, path, fix)
}
