package account_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wardauth/ward/internal/softauthn"
	"github.com/wardauth/ward/server/account"
	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/server/store/dbtest"
)

const issuer = "https://id.example.com:8443"
const origin = issuer

// clock is a settable time for expiry tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t *testing.T, st store.Store) (*account.Service, *clock) {
	t.Helper()
	svc, err := account.New(st, issuer)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	svc.Now = c.now
	return svc, c
}

func asJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func signUp(t *testing.T, svc *account.Service, key *softauthn.Authenticator, email string) *account.SignedIn {
	t.Helper()
	ctx := context.Background()
	id, opts, err := svc.BeginSignup(ctx, email, "Test Person")
	if err != nil {
		t.Fatalf("begin sign-up: %v", err)
	}
	cred, err := key.Create(origin, asJSON(t, opts))
	if err != nil {
		t.Fatal(err)
	}
	in, err := svc.FinishSignup(ctx, id, cred, account.Client{IP: "192.0.2.1", UserAgent: "test"})
	if err != nil {
		t.Fatalf("finish sign-up: %v", err)
	}
	return in
}

func signIn(t *testing.T, svc *account.Service, key *softauthn.Authenticator) (*account.SignedIn, error) {
	t.Helper()
	ctx := context.Background()
	id, opts, err := svc.BeginLogin(ctx)
	if err != nil {
		t.Fatalf("begin sign-in: %v", err)
	}
	cred, err := key.Get(origin, asJSON(t, opts))
	if err != nil {
		t.Fatal(err)
	}
	return svc.FinishLogin(ctx, id, cred, account.Client{})
}

func TestCreationOptions(t *testing.T) {
	svc, _ := newService(t, dbtest.SQLite(t))
	_, opts, err := svc.BeginSignup(context.Background(), "a@example.com", "A")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		RP                     struct{ ID string }
		User                   struct{ ID, Name string }
		PubKeyCredParams       []struct{ Alg int }
		Attestation            string
		AuthenticatorSelection map[string]any
	}
	if err := json.Unmarshal(asJSON(t, opts), &got); err != nil {
		t.Fatal(err)
	}
	if got.RP.ID != "id.example.com" {
		t.Errorf("rp.id = %q, want the issuer's host without port", got.RP.ID)
	}
	if got.User.ID == "" || got.User.ID == got.User.Name {
		t.Errorf("user.id = %q: want random bytes, never the email", got.User.ID)
	}
	var algs []int
	for _, p := range got.PubKeyCredParams {
		algs = append(algs, p.Alg)
	}
	if !slices.Equal(algs, []int{-7, -8, -257}) {
		t.Errorf("algorithms = %v, want ES256, EdDSA, RS256", algs)
	}
	if got.Attestation != "none" {
		t.Errorf("attestation = %q, want none", got.Attestation)
	}
	sel := got.AuthenticatorSelection
	if sel["residentKey"] != "required" || sel["userVerification"] != "required" {
		t.Errorf("authenticatorSelection = %v, want resident key and user verification required", sel)
	}
	if _, set := sel["authenticatorAttachment"]; set {
		t.Errorf("authenticatorAttachment is set (%v): security keys and platform passkeys must both work", sel)
	}
}

func TestEmails(t *testing.T) {
	for in, want := range map[string]string{" Ada@Example.COM ": "ada@example.com", "a.b+c@x.io": "a.b+c@x.io"} {
		if got, err := account.NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ada", "Ada <ada@example.com>", "ada@", "@example.com", "ada@example"} {
		if _, err := account.NormalizeEmail(bad); !errors.Is(err, account.ErrInvalidEmail) {
			t.Errorf("NormalizeEmail(%q) = %v, want ErrInvalidEmail", bad, err)
		}
	}
}

func TestSignInRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		svc, clk := newService(t, st)
		key := softauthn.New()
		up := signUp(t, svc, key, "rules@example.com")

		t.Run("email taken", func(t *testing.T) {
			if _, _, err := svc.BeginSignup(ctx, "RULES@example.com", "Other"); !errors.Is(err, account.ErrEmailTaken) {
				t.Errorf("second sign-up with the same email: %v, want ErrEmailTaken", err)
			}
		})
		t.Run("session", func(t *testing.T) {
			s := up.Session
			if !s.ExpiresAt.Equal(clk.t.Add(account.DefaultSessionLifetime)) || s.IP != "192.0.2.1" || !slices.Equal(s.AMR, []string{"passkey"}) {
				t.Errorf("session = %+v, want 12h lifetime, the client's IP and amr [passkey]", s)
			}
			if _, _, err := svc.Session(ctx, up.Token); err != nil {
				t.Errorf("the new session's token is not accepted: %v", err)
			}
			if err := svc.SignOut(ctx, s.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.Session(ctx, up.Token); !errors.Is(err, account.ErrNotSignedIn) {
				t.Errorf("token after sign-out: %v, want ErrNotSignedIn", err)
			}
		})
		t.Run("account session lifetime", func(t *testing.T) {
			up.Account.SessionLifetime = time.Hour
			if err := st.Accounts().Update(ctx, up.Account); err != nil {
				t.Fatal(err)
			}
			in, err := signIn(t, svc, key)
			if err != nil {
				t.Fatal(err)
			}
			if want := clk.t.Add(time.Hour); !in.Session.ExpiresAt.Equal(want) {
				t.Errorf("session expires %v, want the account's 1h lifetime (%v)", in.Session.ExpiresAt, want)
			}
		})
		t.Run("without user verification", func(t *testing.T) {
			key.SkipUserVerification = true
			defer func() { key.SkipUserVerification = false }()
			if _, err := signIn(t, svc, key); !errors.Is(err, account.ErrPasskeyRejected) {
				t.Errorf("assertion without UV: %v, want ErrPasskeyRejected", err)
			}
		})
		t.Run("counter goes backwards", func(t *testing.T) {
			if _, err := signIn(t, svc, key); err != nil {
				t.Fatal(err)
			}
			key.Credentials()[0].SignCount = 0 // a copy of the key, made earlier
			if _, err := signIn(t, svc, key); !errors.Is(err, account.ErrClonedPasskey) {
				t.Errorf("assertion with a lower counter: %v, want ErrClonedPasskey", err)
			}
		})
		t.Run("expired ceremony", func(t *testing.T) {
			id, opts, err := svc.BeginLogin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			cred, err := key.Get(origin, asJSON(t, opts))
			if err != nil {
				t.Fatal(err)
			}
			clk.t = clk.t.Add(5*time.Minute + time.Second)
			if _, err := svc.FinishLogin(ctx, id, cred, account.Client{}); !errors.Is(err, account.ErrCeremonyExpired) {
				t.Errorf("answer after 5 minutes: %v, want ErrCeremonyExpired", err)
			}
		})
	})
}

func TestPasskeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		svc, _ := newService(t, st)
		laptop := softauthn.New()
		up := signUp(t, svc, laptop, "keys@example.com")
		a := up.Account

		// Adding the same authenticator again is refused by exclusion.
		id, opts, err := svc.BeginAddPasskey(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := laptop.Create(origin, asJSON(t, opts)); !errors.Is(err, softauthn.ErrExcluded) {
			t.Errorf("options for another passkey do not exclude the existing one: %v", err)
		}

		yubikey := softauthn.NewSecurityKey()
		cred, err := yubikey.Create(origin, asJSON(t, opts))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.FinishAddPasskey(ctx, "someone-else", id, cred, "Mine now"); !errors.Is(err, account.ErrCeremonyExpired) {
			t.Errorf("finishing another account's ceremony: %v, want refusal", err)
		}
		id, opts, _ = svc.BeginAddPasskey(ctx, a.ID)
		cred, _ = yubikey.Create(origin, asJSON(t, opts))
		added, err := svc.FinishAddPasskey(ctx, a.ID, id, cred, "YubiKey 5C")
		if err != nil {
			t.Fatal(err)
		}
		if added.Method != account.MethodHardwareKey || added.Name != "YubiKey 5C" {
			t.Errorf("added passkey = %+v, want a hardware key named YubiKey 5C", added)
		}

		in, err := signIn(t, svc, yubikey)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(in.Session.AMR, []string{"hwk"}) {
			t.Errorf("amr after a USB key = %v, want [hwk]", in.Session.AMR)
		}

		// An account limited to hardware keys refuses the platform passkey.
		a.AllowedMethods = []string{account.MethodHardwareKey}
		if err := st.Accounts().Update(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := signIn(t, svc, laptop); !errors.Is(err, account.ErrMethodNotAllowed) {
			t.Errorf("platform passkey on a hardware-key-only account: %v, want ErrMethodNotAllowed", err)
		}

		keys, err := svc.Passkeys(ctx, a.ID)
		if err != nil || len(keys) != 2 {
			t.Fatalf("Passkeys = %v, %v; want 2", keys, err)
		}
		if err := svc.RenamePasskey(ctx, a.ID, keys[0].ID, "  Work laptop "); err != nil {
			t.Fatal(err)
		}
		if err := svc.RemovePasskey(ctx, a.ID, keys[1].ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.RemovePasskey(ctx, a.ID, keys[0].ID); !errors.Is(err, account.ErrLastPasskey) {
			t.Errorf("removing the last passkey: %v, want ErrLastPasskey", err)
		}
		keys, _ = svc.Passkeys(ctx, a.ID)
		if len(keys) != 1 || keys[0].Name != "Work laptop" {
			t.Errorf("passkeys left = %+v, want only the renamed laptop", keys)
		}
	})
}
