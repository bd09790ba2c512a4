package softauthn_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wardauth/ward/internal/browsertest"
	"github.com/wardauth/ward/internal/softauthn"
	"github.com/wardauth/ward/server/account"
	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/server/store/dbtest"
)

func TestSignUpThenSignIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		issuer := browsertest.ServeWeb(t, st)
		key := softauthn.New()

		next, err := softauthn.NewClient(issuer, key).SignUp(ctx, " Ada@Example.COM ", "Ada Lovelace")
		if err != nil {
			t.Fatalf("sign up: %v", err)
		}
		if next != "/account" {
			t.Errorf("after sign-up the page goes to %q, want /account", next)
		}
		a, err := st.Accounts().GetByEmail(ctx, "ada@example.com")
		if err != nil {
			t.Fatalf("the account was not stored under its normalised email: %v", err)
		}

		// A fresh client (no cookies) signs in with the same passkey.
		c := softauthn.NewClient(issuer, key)
		if _, err := c.SignIn(ctx, ""); err != nil {
			t.Fatalf("sign in: %v", err)
		}
		sessions, err := st.Sessions().ListByAccount(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sessions) != 2 {
			t.Fatalf("%d sessions after sign-up and sign-in, want 2", len(sessions))
		}
		for _, s := range sessions {
			if len(s.AMR) != 1 || s.AMR[0] != account.MethodPasskey {
				t.Errorf("session amr = %v, want [passkey] for a platform authenticator", s.AMR)
			}
		}
	})
}

func TestSignInWithoutPasskeyIsRefused(t *testing.T) {
	st := dbtest.SQLite(t)
	issuer := browsertest.ServeWeb(t, st)
	_, err := softauthn.NewClient(issuer, softauthn.New()).SignIn(context.Background(), "")
	if !errors.Is(err, softauthn.ErrNotAllowed) {
		t.Fatalf("signing in with an empty authenticator: %v, want ErrNotAllowed", err)
	}
}
