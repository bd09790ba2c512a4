// Package browsertest runs Ward's pages in a real headless Chromium with a
// virtual WebAuthn authenticator, so tests sign up and sign in with passkeys
// the way a person does.
//
//	issuer := browsertest.Serve(t, func(issuer string) http.Handler { ... })
//	b := browsertest.New(t) // Chromium with a platform passkey authenticator
//	b.Navigate(issuer + "/signup")
//	b.SetValue("signup-email", "ada@example.com")
//	b.Click("signup-submit")
//	b.WaitFor("account-email")
//
// Elements are found by their data-testid. An argument holding any of the
// characters `[ .#:>` is used as a CSS selector instead, for the rare test
// that must pick, say, the second row of a list.
package browsertest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// Timeout bounds each helper's wait for the page.
var Timeout = 15 * time.Second

// Browser is one headless Chromium tab with WebAuthn emulation on.
type Browser struct {
	t   testing.TB
	ctx context.Context
	// Platform is the virtual platform authenticator New attaches:
	// CTAP2 over the internal transport, with resident keys and user
	// verification that always succeeds.
	Platform webauthn.AuthenticatorID
}

// ChromiumPath finds the browser: $WARD_TEST_CHROMIUM, else chromium on
// PATH. It fails the test when there is none: browser tests never skip.
func ChromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("WARD_TEST_CHROMIUM"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("no Chromium for browser tests: set WARD_TEST_CHROMIUM or put chromium on PATH; scripts/test installs it and runs the tests")
	}
	return p
}

// New starts headless Chromium for the rest of the test, enables WebAuthn
// emulation in its tab, and attaches a platform authenticator.
func New(t testing.TB) *Browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	ctx, cancel := chromedp.NewContext(context.Background(), chromedp.WithAllocatorOptions(opts...))
	t.Cleanup(cancel)
	b := &Browser{t: t, ctx: ctx}
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatalf("starting Chromium with WebAuthn emulation: %v", err)
	}
	b.Platform = b.addAuthenticator(webauthn.AuthenticatorTransportInternal)
	return b
}

// Context is the tab's chromedp context, for actions the helpers lack.
func (b *Browser) Context() context.Context { return b.ctx }

// AddSecurityKey attaches a roaming security key (CTAP2 over USB, resident
// keys, user verification) and returns its ID.
func (b *Browser) AddSecurityKey() webauthn.AuthenticatorID {
	b.t.Helper()
	return b.addAuthenticator(webauthn.AuthenticatorTransportUsb)
}

func (b *Browser) addAuthenticator(transport webauthn.AuthenticatorTransport) webauthn.AuthenticatorID {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol:                    webauthn.AuthenticatorProtocolCtap2,
			Ctap2version:                webauthn.Ctap2versionCtap21,
			Transport:                   transport,
			HasResidentKey:              true,
			HasUserVerification:         true,
			IsUserVerified:              true,
			AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		b.t.Fatalf("adding a virtual %s authenticator: %v", transport, err)
	}
	return res.AuthenticatorID
}

// RemoveAuthenticator detaches an authenticator, like unplugging a key.
func (b *Browser) RemoveAuthenticator(id webauthn.AuthenticatorID) {
	b.t.Helper()
	_, err := chromedp.Call(b.ctx, webauthn.RemoveVirtualAuthenticator, webauthn.RemoveVirtualAuthenticatorParams{AuthenticatorID: id})
	if err != nil {
		b.t.Fatalf("removing virtual authenticator %s: %v", id, err)
	}
}

// Credentials lists the credentials an authenticator holds.
func (b *Browser) Credentials(id webauthn.AuthenticatorID) []*webauthn.Credential {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: id})
	if err != nil {
		b.t.Fatalf("listing credentials of authenticator %s: %v", id, err)
	}
	return res.Credentials
}

// selector turns a data-testid (or a CSS selector) into a CSS selector.
func selector(target string) string {
	if strings.ContainsAny(target, "[ .#:>") {
		return target
	}
	return `[data-testid="` + target + `"]`
}

// do runs steps within Timeout, failing the test with what was being done.
func (b *Browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			b.t.Fatalf("%s: nothing happened within %v (page %s)", what, Timeout, b.Location())
		}
		b.t.Fatalf("%s: %v", what, err)
	}
}

// Navigate loads url and waits for it.
func (b *Browser) Navigate(url string) {
	b.t.Helper()
	b.do("opening "+url, chromedp.Navigate(url))
}

// WaitFor waits until the element is visible.
func (b *Browser) WaitFor(target string) {
	b.t.Helper()
	b.do("waiting for "+target, chromedp.WaitVisible(chromedp.CSS(selector(target))))
}

// Click clicks the element once it is visible.
func (b *Browser) Click(target string) {
	b.t.Helper()
	b.do("clicking "+target, chromedp.Click(chromedp.CSS(selector(target))))
}

// ClickAndLoad clicks the element and waits until the page it leads to has
// loaded: for a form post that renders the same page again, where waiting
// for an element would find it on the old page.
func (b *Browser) ClickAndLoad(target string) {
	b.t.Helper()
	Eval[bool](b, `window.browsertestOldPage = true`)
	b.Click(target)
	deadline := time.Now().Add(Timeout)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.browsertestOldPage && document.readyState === "complete"`))
		cancel()
		if err == nil && loaded {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.t.Fatalf("clicking %s: no new page loaded within %v (page %s)", target, Timeout, b.Location())
}

// SetValue replaces the value of an input.
func (b *Browser) SetValue(target, value string) {
	b.t.Helper()
	b.do("typing into "+target, chromedp.SetValue(chromedp.CSS(selector(target)), value))
}

// Text returns the visible text of the element, once it is visible.
func (b *Browser) Text(target string) string {
	b.t.Helper()
	return run(b, "reading "+target, chromedp.Text(chromedp.CSS(selector(target))))
}

// Count returns how many elements match now, without waiting.
func (b *Browser) Count(target string) int {
	b.t.Helper()
	return Eval[int](b, `document.querySelectorAll(`+jsString(selector(target))+`).length`)
}

// Location returns the tab's current URL.
func (b *Browser) Location() string {
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return loc
}

// Screenshot saves a PNG of the page to path, for a person to look at.
func (b *Browser) Screenshot(path string) {
	b.t.Helper()
	png := run(b, "taking a screenshot", chromedp.CaptureScreenshot())
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("saving screenshot: %v", err)
	}
}

// Eval evaluates a JavaScript expression in the page, awaiting a promise,
// and decodes its value as T.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	return run(b, "evaluating "+expr, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

func run[T any](b *Browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v (page %s)", what, err, b.Location())
	}
	return v
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
