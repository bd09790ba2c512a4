package oidc_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wardauth/ward/server/store/dbtest"
)

// The token endpoint's own rules (RFC 6749 §2.3, §3.2, §5.2), before any
// grant is looked at.
func TestTokenEndpointRequests(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	addResourceServer(t, e.srv.Store, "api", "api-secret")
	token := e.srv.URL + "/oauth/token"
	device := "urn:ietf:params:oauth:grant-type:device_code"

	for name, tc := range map[string]struct {
		body, contentType, user, pass string
		status                        int
		code, challenge               string
	}{
		"repeated parameter":        {body: "grant_type=refresh_token&grant_type=refresh_token&client_id=ward-cli", status: 400, code: "invalid_request"},
		"JSON body":                 {body: `{"grant_type":"refresh_token"}`, contentType: "application/json", status: 400, code: "invalid_request"},
		"no client":                 {body: "grant_type=refresh_token&refresh_token=x", status: 400, code: "invalid_client"},
		"unknown client":            {body: "grant_type=refresh_token&client_id=nobody", status: 400, code: "invalid_client"},
		"public client with secret": {body: "grant_type=refresh_token&client_id=ward-cli&client_secret=guess", status: 400, code: "invalid_client"},
		"wrong secret over Basic":   {body: "grant_type=" + device, user: "api", pass: "nope", status: 401, code: "invalid_client", challenge: "Basic"},
		"two methods":               {body: "grant_type=" + device + "&client_secret=api-secret", user: "api", pass: "api-secret", status: 400, code: "invalid_request"},
		"grant not allowed":         {body: "grant_type=" + url.QueryEscape(device) + "&device_code=x", user: "api", pass: "api-secret", status: 400, code: "unauthorized_client"},
		"unsupported grant":         {body: "grant_type=password&client_id=ward-cli&username=a&password=b", status: 400, code: "unsupported_grant_type"},
		"missing grant":             {body: "client_id=ward-cli", status: 400, code: "invalid_request"},
	} {
		req, _ := http.NewRequest("POST", token, strings.NewReader(tc.body))
		ct := tc.contentType
		if ct == "" {
			ct = "application/x-www-form-urlencoded"
		}
		req.Header.Set("Content-Type", ct)
		if tc.user != "" {
			req.SetBasicAuth(tc.user, tc.pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), `"error":"`+tc.code+`"`) ||
			!strings.Contains(resp.Header.Get("WWW-Authenticate"), tc.challenge) || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %s %s (WWW-Authenticate %q); want %d %s", name, resp.Status, body, resp.Header.Get("WWW-Authenticate"), tc.status, tc.code)
		}
	}

	resp, err := http.Get(token)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /oauth/token answered %s", resp.Status)
	}
}
