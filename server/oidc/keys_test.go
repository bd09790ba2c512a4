package oidc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardauth/ward/server/store/dbtest"
)

func jwksKids(t *testing.T, issuer string) []string {
	t.Helper()
	resp, err := http.Get(issuer + "/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			Alg string `json:"alg"`
			Use string `json:"use"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		if k.Alg != "ES256" || k.Use != "sig" {
			t.Errorf("published key %+v: want an ES256 signing key", k)
		}
		kids = append(kids, k.Kid)
	}
	return kids
}

// Keys rotate every 30 days; the retired key stays published until every
// token it signed has expired, then leaves.
func TestSigningKeyRotation(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	first := jwksKids(t, e.srv.URL)
	if len(first) != 1 {
		t.Fatalf("a new server publishes %v, want one key", first)
	}
	// A token signed a minute before the key is due to retire.
	e.srv.Clock.Advance(30*24*time.Hour - time.Minute)
	if _, err := e.user.SignIn(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	late := e.login(t)

	e.srv.Clock.Advance(2 * time.Minute)
	both := jwksKids(t, e.srv.URL)
	if len(both) != 2 || both[0] == both[1] {
		t.Fatalf("after 30 days JWKS has %v, want the new key and the retired one", both)
	}
	mustMe(t, e.srv.URL, late.AccessToken) // still verifies against the retired key
	fresh := e.login(t)
	if kid(fresh.AccessToken) == kid(late.AccessToken) {
		t.Error("the retired key still signs new tokens")
	}

	e.srv.Clock.Advance(12 * time.Minute) // past the access-token lifetime and caches
	last := jwksKids(t, e.srv.URL)
	if len(last) != 1 || last[0] == first[0] {
		t.Fatalf("after the retired key's tokens expired JWKS has %v, want only the new key (old %s)", last, first[0])
	}
}

func kid(jwt string) string {
	h, _ := base64.RawURLEncoding.DecodeString(strings.Split(jwt, ".")[0])
	var header struct {
		Kid string `json:"kid"`
	}
	json.Unmarshal(h, &header)
	return header.Kid
}
