package flow_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wardauth/ward/client/flow"
	"github.com/wardauth/ward/internal/softauthn"
	"github.com/wardauth/ward/internal/testserver"
	"github.com/wardauth/ward/secret"
	"github.com/wardauth/ward/server/store/dbtest"
)

func setup(t *testing.T) (*testserver.Server, *softauthn.Client, *flow.Endpoints) {
	t.Helper()
	srv := testserver.Start(t, dbtest.SQLite(t), nil)
	user := srv.SignUp(t, "kim@example.com")
	user.HTTP.CheckRedirect = nil // a browser follows the redirect to the CLI's listener
	ep, err := flow.Discover(context.Background(), http.DefaultClient, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return srv, user, ep
}

func TestDiscoverRefusesAnotherIssuer(t *testing.T) {
	srv := testserver.Start(t, dbtest.SQLite(t), nil)
	other := strings.Replace(srv.URL, "localhost", "127.0.0.1", 1)
	if _, err := flow.Discover(context.Background(), http.DefaultClient, other); err == nil || !strings.Contains(err.Error(), "not the one you named") {
		t.Fatalf("discovery through another name: %v", err)
	}
}

// The browser flow as `ward login` runs it: the printed URL is opened by
// a browser (here a signed-in HTTP client), which lands on the listener.
func TestBrowserLogin(t *testing.T) {
	_, user, ep := setup(t)
	var out bytes.Buffer
	b := &flow.Browser{
		Config: ep.Config("ward-cli", []string{"openid", "offline_access"}),
		Port:   freePort(t),
		Out:    &out,
		Open: func(u string) error {
			resp, err := user.HTTP.Get(u)
			if err == nil {
				resp.Body.Close()
			}
			return err
		},
	}
	tok, err := b.Login(context.Background())
	if err != nil {
		t.Fatalf("login: %v\n%s", err, out.String())
	}
	if secret.Check(tok.RefreshToken, secret.RefreshToken) != nil || tok.AccessToken == "" {
		t.Errorf("tokens %+v", tok)
	}
	if !strings.Contains(out.String(), ep.Authorization+"?") {
		t.Errorf("the URL was not printed: %q", out.String())
	}
}

// The listener answers only its own state and its own Host, so another
// page cannot complete or forge the login.
func TestBrowserCallbackRefusesForgeries(t *testing.T) {
	_, user, ep := setup(t)
	var out bytes.Buffer
	urls := make(chan string, 1)
	b := &flow.Browser{
		Config:  ep.Config("ward-cli", []string{"openid"}),
		Port:    freePort(t),
		Out:     &out,
		Open:    func(u string) error { urls <- u; return nil },
		Timeout: 20 * time.Second,
	}
	done := make(chan error, 1)
	go func() { _, err := b.Login(context.Background()); done <- err }()
	authURL, _ := url.Parse(<-urls)
	redirect, _ := url.Parse(authURL.Query().Get("redirect_uri"))

	forged := *redirect
	forged.RawQuery = url.Values{"state": {"forged"}, "code": {"x"}}.Encode()
	if resp, err := http.Get(forged.String()); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a callback with a forged state: %v %v", resp.Status, err)
	}
	req, _ := http.NewRequest("GET", redirect.String(), nil)
	req.Host = "evil.example:" + redirect.Port()
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("a callback under another Host (DNS rebinding): %v %v", resp.Status, err)
	}
	// The real browser still completes the login afterwards.
	resp, err := user.HTTP.Get(authURL.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := <-done; err != nil {
		t.Fatalf("login after forgeries: %v", err)
	}
}

func TestBrowserTimesOut(t *testing.T) {
	_, _, ep := setup(t)
	b := &flow.Browser{Config: ep.Config("ward-cli", []string{"openid"}), Port: freePort(t), Out: new(bytes.Buffer), Timeout: 50 * time.Millisecond}
	if _, err := b.Login(context.Background()); !errors.Is(err, flow.ErrTimeout) || !strings.Contains(err.Error(), "--device-auth") {
		t.Fatalf("want a timeout suggesting --device-auth, got %v", err)
	}
}

func TestBrowserExplicitPortInUse(t *testing.T) {
	_, _, ep := setup(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	b := &flow.Browser{Config: ep.Config("ward-cli", nil), Out: new(bytes.Buffer), Port: ln.Addr().(*net.TCPAddr).Port}
	if _, err := b.Login(context.Background()); err == nil || !strings.Contains(err.Error(), "--port") {
		t.Fatalf("want an error suggesting --port, got %v", err)
	}
}

func TestDeviceLogin(t *testing.T) {
	srv, user, ep := setup(t)
	d := &flow.Device{Config: ep.Config("ward-cli", []string{"openid", "offline_access"})}
	ctx := context.Background()
	da, err := d.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	decide(t, srv, user, da.UserCode, "deny")
	if _, err := d.Wait(ctx, da); err == nil || !strings.Contains(err.Error(), "denied") {
		t.Fatalf("a denied login: %v", err)
	}

	da, err = d.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	decide(t, srv, user, da.UserCode, "approve")
	tok, err := d.Wait(ctx, da)
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("an approved login: %v %+v", err, tok)
	}
}

func decide(t *testing.T, srv *testserver.Server, user *softauthn.Client, code, decision string) {
	t.Helper()
	csrf, err := user.CSRF(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"csrf": {csrf}, "user_code": {code}, "decision": {decision}}
	req, _ := http.NewRequest("POST", srv.URL+"/device/decide", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL)
	resp, err := user.HTTP.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("deciding %s: %v %v", code, resp.Status, err)
	}
	resp.Body.Close()
}

func TestDeviceDisabled(t *testing.T) {
	_, _, ep := setup(t)
	ep.DeviceAuthorization = ""
	if _, err := (&flow.Device{Config: ep.Config("ward-cli", nil)}).Start(context.Background()); !errors.Is(err, flow.ErrDeviceDisabled) {
		t.Fatalf("no device endpoint: %v", err)
	}
}

func TestReadAPIKey(t *testing.T) {
	key := secret.New(secret.APIKey)
	if got, err := flow.ReadAPIKey(strings.NewReader("  "+key+"\n"), false); err != nil || got != key {
		t.Errorf("a piped key: %q, %v", got, err)
	}
	if _, err := flow.ReadAPIKey(strings.NewReader(key), true); !errors.Is(err, flow.ErrAPIKeyFromTerminal) {
		t.Errorf("a terminal: %v", err)
	}
	typo := key[:20] + "x" + key[21:]
	if typo == key {
		typo = key[:20] + "y" + key[21:]
	}
	if _, err := flow.ReadAPIKey(strings.NewReader(typo), false); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("a mistyped key: %v", err)
	}
	for _, bad := range []string{"", "sk-proj-abc", secret.New(secret.RefreshToken)} {
		if _, err := flow.ReadAPIKey(strings.NewReader(bad), false); err == nil {
			t.Errorf("ReadAPIKey(%q) accepted it", bad)
		}
	}
}

// freePort is a loopback port nothing listens on: tests of other packages
// run at the same time and would contend for the default port.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
