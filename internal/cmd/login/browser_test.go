package login_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wardauth/ward/internal/browsertest"
	"github.com/wardauth/ward/internal/cmd/cmdtest"
)

// The CLI's two interactive logins with a real browser: headless Chromium
// with a virtual passkey opens the URL `ward login` prints, and approves
// the code `ward login --device-auth` shows.
func TestLoginInChromium(t *testing.T) {
	e := cmdtest.New(t)
	b := browsertest.New(t)
	b.Navigate(e.Srv.URL + "/signup")
	b.SetValue("signup-email", "ana@example.com")
	b.SetValue("signup-name", "Ana")
	b.Click("signup-submit")
	b.WaitFor("account-email")

	// Browser login: the command waits on its loopback listener while the
	// test drives the browser, as a person at a desktop would.
	urls := make(chan string, 1)
	e.Open = func(u string) error { urls <- u; return nil }
	done := make(chan cmdtest.Result, 1)
	go func() { done <- e.Run(t, "", "login", "--port", cmdtest.FreePort(t)) }()
	select {
	case u := <-urls:
		b.Navigate(u)
	case r := <-done:
		t.Fatalf("browser login ended before opening a browser: exit %d, %s", r.Exit, r.Stderr)
	}
	b.WaitFor("cli-result")
	if got := b.Text("cli-result"); !strings.Contains(got, "You are signed in") {
		t.Errorf("the browser shows %q after the redirect", got)
	}
	if r := <-done; r.Exit != 0 || !strings.Contains(r.Stderr, "as ana@example.com") {
		t.Fatalf("browser login: exit %d, %s", r.Exit, r.Stderr)
	}
	if r := e.Must(t, "", "api", "/v1/me"); !strings.Contains(r.Stdout, "ana@example.com") {
		t.Errorf("/v1/me after the browser login: %s", r.Stdout)
	}

	// Device login, approved in the same browser.
	e.Must(t, "", "logout")
	delete(e.Env, "DISPLAY")
	link := regexp.MustCompile(`(http://\S+/device\?user_code=[A-Z-]+)`)
	links := make(chan string, 1)
	sent := false
	go func() {
		done <- e.RunWatching(t, "", func(stderr string) {
			if m := link.FindStringSubmatch(stderr); m != nil && !sent {
				sent = true
				links <- m[1]
			}
		}, "login", "--device-auth")
	}()
	select {
	case l := <-links:
		b.Navigate(l)
	case r := <-done:
		t.Fatalf("device login ended before showing a link: exit %d, %s", r.Exit, r.Stderr)
	case <-time.After(30 * time.Second):
		t.Fatal("ward login --device-auth printed no verification link within 30 s")
	}
	b.ClickAndLoad("device-continue")
	if got := b.Text("device-client"); !strings.Contains(got, "Ward CLI") {
		t.Errorf("approval page: %q", got)
	}
	b.ClickAndLoad("device-approve")
	if r := <-done; r.Exit != 0 || !strings.Contains(r.Stderr, "as ana@example.com") {
		t.Fatalf("device login: exit %d, %s", r.Exit, r.Stderr)
	}
}
