package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/wardauth/ward/internal/browsertest"
	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/server/store/dbtest"
)

const secondRow = `[data-testid="passkey-row"]:nth-child(2)`

// signUp creates an account on the sign-up page and waits for the account page.
func signUp(b *browsertest.Browser, issuer, email string) {
	b.Navigate(issuer + "/signup")
	b.SetValue("signup-email", email)
	b.SetValue("signup-name", "Test Person")
	b.Click("signup-submit")
	b.WaitFor("account-email")
}

// TestPasskeyLifecycle walks a person through Ward in Chromium: sign up with
// a platform passkey, sign out, sign back in with it, add a security key,
// rename and remove passkeys, and be stopped from removing the last one.
func TestPasskeyLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st store.Store) {
		issuer := browsertest.ServeWeb(t, st)
		b := browsertest.New(t)

		signUp(b, issuer, "Grace@Example.com")
		if got := b.Text("account-email"); got != "grace@example.com" {
			t.Errorf("account page shows %q, want the normalised email", got)
		}
		if n := b.Count("passkey-row"); n != 1 {
			t.Fatalf("%d passkeys listed after sign-up, want 1", n)
		}
		if got := b.Text("passkey-kind"); got != "Passkey" {
			t.Errorf("first passkey is shown as %q, want Passkey", got)
		}

		// Chromium's virtual authenticator answers the login page's
		// conditional (autofill) request by itself, as a person choosing
		// their passkey from the username field's suggestions would.
		b.ClickAndLoad("logout")
		b.WaitFor("account-email")
		if got := b.Text("passkey-last-used"); got == "never" {
			t.Errorf("after signing in, the passkey's last use still reads %q", got)
		}

		b.AddSecurityKey()
		b.SetValue("new-passkey-name", "YubiKey")
		b.Click("add-passkey")
		b.WaitFor(secondRow)
		if got := b.Text(secondRow + ` [data-testid="passkey-name"]`); got != "YubiKey" {
			t.Errorf("second passkey is named %q, want YubiKey", got)
		}
		if got := b.Text(secondRow + ` [data-testid="passkey-kind"]`); got != "Security key" {
			t.Errorf("second passkey is shown as %q, want Security key", got)
		}

		b.SetValue("passkey-rename-input", "Laptop")
		b.ClickAndLoad("passkey-rename")
		if got := b.Text("passkey-name"); got != "Laptop" {
			t.Errorf("renamed passkey shows %q, want Laptop", got)
		}

		b.ClickAndLoad(secondRow + ` [data-testid="passkey-remove"]`)
		if n := b.Count("passkey-row"); n != 1 {
			t.Fatalf("%d passkeys listed after removing one of two, want 1", n)
		}

		b.ClickAndLoad("passkey-remove")
		if got := b.Text("error"); !strings.Contains(got, "only passkey") {
			t.Errorf("removing the last passkey says %q, want a refusal naming it the only passkey", got)
		}
		if n := b.Count("passkey-row"); n != 1 {
			t.Errorf("%d passkeys listed after trying to remove the last, want 1", n)
		}
	})
}

// TestSignInWithButton signs in with the passkey button in a browser that
// lacks conditional UI (as older browsers do), and from a security key
// alone: roaming keys work, not only platform passkeys.
func TestSignInWithButton(t *testing.T) {
	issuer := browsertest.ServeWeb(t, dbtest.SQLite(t))
	b := browsertest.New(t)
	b.RemoveAuthenticator(b.Platform)
	b.AddSecurityKey()
	_, err := chromedp.Call(b.Context(), page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `delete PublicKeyCredential.isConditionalMediationAvailable`,
	})
	if err != nil {
		t.Fatal(err)
	}

	signUp(b, issuer, "ken@example.com")
	if got := b.Text("passkey-kind"); got != "Security key" {
		t.Errorf("a USB key is shown as %q, want Security key", got)
	}

	b.ClickAndLoad("logout")
	b.Click("login-passkey")
	b.WaitFor("account-email")
	if got := b.Text("account-email"); got != "ken@example.com" {
		t.Errorf("signed in as %q, want ken@example.com", got)
	}
}
