package serve

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/wardauth/ward/internal/browsertest"
	"github.com/wardauth/ward/internal/iostreams"
	"github.com/wardauth/ward/server/store/dbtest"
)

// TestBrowserEndToEnd drives a real `ward serve` from headless Chromium with
// a virtual passkey, as a person and their CLI would: sign up, sign out,
// sign in, then log a CLI in through a loopback redirect, and approve a
// device code for a headless machine. Both engines.
func TestBrowserEndToEnd(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			o := &Options{Listen: "127.0.0.1:0", DataDir: t.TempDir()}
			o.IO, _, _, _ = iostreams.Test()
			if engine == "postgres" {
				o.Database = dbtest.PostgresURL(t)
			}
			addr, stop := serve(t, o)
			defer stop()
			issuer := "http://localhost:" + portOf(addr)
			b := browsertest.New(t)

			b.Navigate(issuer + "/signup")
			b.SetValue("signup-email", "lin@example.com")
			b.SetValue("signup-name", "Lin")
			b.Click("signup-submit")
			b.WaitFor("account-email")
			b.ClickAndLoad("logout")
			// The virtual authenticator answers the login page's autofill
			// request, as a person picking their passkey would.
			b.WaitFor("account-email")

			conf := cliConfig(issuer)
			browserLogin(t, b, conf)
			deviceLogin(t, b, conf, issuer)
		})
	}
}

func cliConfig(issuer string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: "ward-cli",
		Endpoint: oauth2.Endpoint{
			AuthURL: issuer + "/authorize", TokenURL: issuer + "/oauth/token",
			DeviceAuthURL: issuer + "/oauth/device_authorization", AuthStyle: oauth2.AuthStyleInParams,
		},
		Scopes: []string{"openid", "email", "offline_access"},
	}
}

// browserLogin is `ward login`'s browser flow: a loopback listener on a
// free port receives the code from the browser.
func browserLogin(t *testing.T, b *browsertest.Browser, conf *oauth2.Config) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	codes := make(chan string, 1)
	cb := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/callback" && r.URL.Query().Get("state") == "xyz" {
			codes <- r.URL.Query().Get("code")
		}
		w.Write([]byte("<p data-testid=cli-done>You can close this window.</p>"))
	})}
	go cb.Serve(ln)
	defer cb.Close()

	c := *conf
	c.RedirectURL = "http://" + ln.Addr().String() + "/callback"
	v := oauth2.GenerateVerifier()
	b.Navigate(c.AuthCodeURL("xyz", oauth2.S256ChallengeOption(v)))
	var code string
	select {
	case code = <-codes:
	case <-time.After(20 * time.Second):
		t.Fatalf("no code reached the loopback listener; the browser is at %s", b.Location())
	}
	b.WaitFor("cli-done")
	tok, err := c.Exchange(context.Background(), code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("exchanging the code: %v", err)
	}
	wantMe(t, conf, tok, "lin@example.com")
}

// deviceLogin is `ward login --device-auth`: the person opens the
// verification link, checks who is asking, and approves.
func deviceLogin(t *testing.T, b *browsertest.Browser, conf *oauth2.Config, issuer string) {
	ctx := context.Background()
	da, err := conf.DeviceAuth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b.Navigate(da.VerificationURIComplete)
	b.ClickAndLoad("device-continue")
	if got := b.Text("device-client"); !strings.Contains(got, "Ward CLI") {
		t.Errorf("approval page says %q; want it to name Ward CLI", got)
	}
	if got := b.Text("device-ip"); got != "127.0.0.1" {
		t.Errorf("approval page shows the requesting IP %q, want 127.0.0.1", got)
	}
	if b.Text("device-time") == "" {
		t.Error("approval page shows no request time")
	}
	b.ClickAndLoad("device-approve")
	if got := b.Text("device-result"); !strings.Contains(strings.ToLower(got), "approved") {
		t.Errorf("result page says %q", got)
	}
	tok, err := conf.DeviceAccessToken(ctx, da)
	if err != nil {
		t.Fatalf("device token: %v", err)
	}
	wantMe(t, conf, tok, "lin@example.com")
}

func wantMe(t *testing.T, conf *oauth2.Config, tok *oauth2.Token, email string) {
	t.Helper()
	issuer := strings.TrimSuffix(conf.Endpoint.TokenURL, "/oauth/token")
	resp, err := conf.Client(context.Background(), tok).Get(issuer + "/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body strings.Builder
	buf := make([]byte, 4096)
	n, _ := resp.Body.Read(buf)
	body.Write(buf[:n])
	if resp.StatusCode != 200 || !strings.Contains(body.String(), email) {
		t.Fatalf("/v1/me: %s %s", resp.Status, body.String())
	}
}
