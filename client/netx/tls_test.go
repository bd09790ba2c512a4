package netx

import (
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// get fetches url with a client built from env and returns the body.
func get(t *testing.T, env map[string]string, url string) (string, error) {
	t.Helper()
	c, err := HTTPClient(Options{Getenv: envOf(env), UserAgent: "ward/1.2.3"})
	if err != nil {
		t.Fatalf("HTTPClient: %v", err)
	}
	mapTestHost(t, c)
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

func TestTLSTrust(t *testing.T) {
	ca := newTestCA(t)
	other := newTestCA(t)
	_, url := startTLSServer(t, ca)
	missing := filepath.Join(t.TempDir(), "missing.pem")

	tests := []struct {
		name string
		env  map[string]string
		ok   bool
	}{
		{name: "system roots alone do not trust the test CA", env: nil},
		{name: "WARD_CA_CERTIFICATE", env: map[string]string{"WARD_CA_CERTIFICATE": ca.pemPath}, ok: true},
		{name: "SSL_CERT_FILE", env: map[string]string{"SSL_CERT_FILE": ca.pemPath}, ok: true},
		{
			name: "WARD_CA_CERTIFICATE wins: SSL_CERT_FILE not even read",
			env:  map[string]string{"WARD_CA_CERTIFICATE": ca.pemPath, "SSL_CERT_FILE": missing},
			ok:   true,
		},
		{
			name: "WARD_CA_CERTIFICATE wins: SSL_CERT_FILE's CA not added",
			env:  map[string]string{"WARD_CA_CERTIFICATE": other.pemPath, "SSL_CERT_FILE": ca.pemPath},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := get(t, tt.env, url)
			if !tt.ok {
				var unknown x509.UnknownAuthorityError
				if !errors.As(err, &unknown) {
					t.Fatalf("err = %v, want an unknown-authority error", err)
				}
				if !strings.Contains(err.Error(), "set WARD_CA_CERTIFICATE to the path of that CA's certificate") {
					t.Errorf("error %q does not say what to do", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if body != "HTTP/2.0 ward/1.2.3" {
				t.Errorf("server saw %q, want HTTP/2.0 and the User-Agent", body)
			}
		})
	}
}

func TestUserAgentDefaultAndOverride(t *testing.T) {
	ca := newTestCA(t)
	_, url := startTLSServer(t, ca)
	c, err := HTTPClient(Options{Getenv: envOf(map[string]string{"WARD_CA_CERTIFICATE": ca.pemPath})})
	if err != nil {
		t.Fatal(err)
	}
	mapTestHost(t, c)
	for _, tt := range []struct{ set, want string }{{"", "ward"}, {"other-cli/2", "other-cli/2"}} {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if tt.set != "" {
			req.Header.Set("User-Agent", tt.set)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := strings.TrimPrefix(string(body), "HTTP/2.0 "); got != tt.want {
			t.Errorf("User-Agent = %q, want %q", got, tt.want)
		}
	}
}
