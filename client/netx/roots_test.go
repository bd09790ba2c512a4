package netx

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBadCAFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ca := newTestCA(t)
	keyDER, err := x509.MarshalECPrivateKey(ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyOnly := write("key.pem", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	notPEM := write("ca.der", ca.cert.Raw)
	damaged := write("damaged.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("nonsense")}))
	missing := filepath.Join(dir, "missing.pem")

	tests := []struct {
		name     string
		variable string
		path     string
		want     string
	}{
		{"missing file", "WARD_CA_CERTIFICATE", missing, "no such file"},
		{"missing file via SSL_CERT_FILE", "SSL_CERT_FILE", missing, "no such file"},
		{"not PEM", "WARD_CA_CERTIFICATE", notPEM, "not a PEM file (a DER certificate can be converted"},
		{"PEM with no certificate", "WARD_CA_CERTIFICATE", keyOnly, "holds no certificate, only EC PRIVATE KEY"},
		{"damaged certificate", "SSL_CERT_FILE", damaged, "certificate 1 is damaged"},
		{"a directory", "WARD_CA_CERTIFICATE", dir, "cannot read it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := HTTPClient(Options{Getenv: envOf(map[string]string{tt.variable: tt.path})})
			if err == nil {
				t.Fatal("got no error")
			}
			for _, frag := range []string{tt.variable + "=" + tt.path, tt.want, "set " + tt.variable + " to a file holding the CA certificate in PEM format"} {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("error %q does not contain %q", err, frag)
				}
			}
		})
	}
}

func TestCAFileWithSeveralCertificates(t *testing.T) {
	a, b := newTestCA(t), newTestCA(t)
	var bundle []byte
	for _, ca := range []*testCA{a, b} {
		bundle = append(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})...)
	}
	path := filepath.Join(t.TempDir(), "bundle.pem")
	if err := os.WriteFile(path, bundle, 0o600); err != nil {
		t.Fatal(err)
	}
	// The server's CA is the second in the bundle: every certificate counts.
	_, url := startTLSServer(t, b)
	if _, err := get(t, map[string]string{"WARD_CA_CERTIFICATE": path}, url); err != nil {
		t.Fatal(err)
	}
}
