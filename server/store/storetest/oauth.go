package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/wardauth/ward/server/store"
)

func testCeremonies(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := &store.Ceremony{ID: "cer-1", Kind: "login", Data: []byte(`{"challenge":"abc"}`), ExpiresAt: at(5 * time.Minute)}
	check(t, s.Ceremonies().Put(ctx, c))
	wantErr(t, s.Ceremonies().Put(ctx, c), store.ErrConflict)

	got, err := s.Ceremonies().Take(ctx, c.ID, at(0))
	check(t, err)
	wantEqual(t, got, c)
	_, err = s.Ceremonies().Take(ctx, c.ID, at(0))
	wantErr(t, err, store.ErrNotFound)
	_, err = s.Ceremonies().Take(ctx, "nothing", at(0))
	wantErr(t, err, store.ErrNotFound)

	// An expired ceremony is not found, at its expiry exactly, and is gone
	// afterwards even for a caller whose clock is behind.
	old := &store.Ceremony{ID: "cer-2", Kind: "register", Data: []byte("x"), ExpiresAt: at(time.Minute)}
	check(t, s.Ceremonies().Put(ctx, old))
	_, err = s.Ceremonies().Take(ctx, old.ID, old.ExpiresAt)
	wantErr(t, err, store.ErrNotFound)
	_, err = s.Ceremonies().Take(ctx, old.ID, at(0))
	wantErr(t, err, store.ErrNotFound)
}

func testCeremonyTakeRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	check(t, s.Ceremonies().Put(ctx, &store.Ceremony{ID: "cer", Kind: "add", ExpiresAt: at(time.Minute)}))
	errs := race(func(int) error {
		_, err := s.Ceremonies().Take(ctx, "cer", at(0))
		return err
	})
	wantOneWinner(t, errs, store.ErrNotFound)
}

func testClients(t *testing.T, s store.Store) {
	ctx := t.Context()
	native := &store.Client{
		ID:           "ward-cli",
		Name:         "Ward CLI",
		RedirectURIs: []string{"http://127.0.0.1/callback", "http://[::1]/callback"},
		GrantTypes:   []string{"authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"},
		Scopes:       []string{"openid", "offline_access"},
		Native:       true,
		CreatedAt:    at(0),
	}
	web := &store.Client{
		ID:           "dashboard",
		Name:         "Dashboard",
		SecretHash:   []byte("0123456789abcdef0123456789abcdef"),
		RedirectURIs: []string{"https://dash.example.com/cb?x=a b"},
		GrantTypes:   []string{"authorization_code"},
		Scopes:       []string{"openid"},
		CreatedAt:    at(time.Second),
	}
	check(t, s.Clients().Put(ctx, native))
	check(t, s.Clients().Put(ctx, web))
	got, err := s.Clients().Get(ctx, native.ID)
	check(t, err)
	wantEqual(t, got, native)
	list, err := s.Clients().List(ctx)
	check(t, err)
	wantEqual(t, list, []*store.Client{web, native})

	// Put replaces.
	web.Name, web.Scopes, web.SecretHash = "Dashboard 2", []string{"openid", "email"}, nil
	check(t, s.Clients().Put(ctx, web))
	got, err = s.Clients().Get(ctx, web.ID)
	check(t, err)
	wantEqual(t, got, web)

	check(t, s.Clients().Delete(ctx, web.ID))
	wantErr(t, s.Clients().Delete(ctx, web.ID), store.ErrNotFound)
	_, err = s.Clients().Get(ctx, web.ID)
	wantErr(t, err, store.ErrNotFound)
}

func newAuthRequest(n int) *store.AuthRequest {
	return &store.AuthRequest{
		ID:                  fmt.Sprintf("ar-%d", n),
		ClientID:            "ward-cli",
		RedirectURI:         "http://127.0.0.1:49152/callback",
		Scopes:              []string{"openid", "offline_access"},
		State:               "state-value",
		Nonce:               "nonce-value",
		ResponseType:        "code",
		CodeChallenge:       "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256",
		CreatedAt:           at(0),
		ExpiresAt:           at(10 * time.Minute),
	}
}

func testAuthRequests(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := newAuthRequest(1)
	check(t, s.AuthRequests().Create(ctx, r))
	wantErr(t, s.AuthRequests().Create(ctx, r), store.ErrConflict)
	// Requests without a code coexist.
	check(t, s.AuthRequests().Create(ctx, newAuthRequest(2)))
	got, err := s.AuthRequests().Get(ctx, r.ID)
	check(t, err)
	wantEqual(t, got, r)

	check(t, s.AuthRequests().Complete(ctx, r.ID, "acct-1", "sid-1", []string{"passkey"}, at(time.Minute)))
	check(t, s.AuthRequests().SetCode(ctx, r.ID, []byte("code-hash-1"), at(2*time.Minute)))
	wantErr(t, s.AuthRequests().SetCode(ctx, "ar-2", []byte("code-hash-1"), at(2*time.Minute)), store.ErrConflict)
	r.AccountID, r.SessionID, r.AMR, r.AuthTime, r.Done = "acct-1", "sid-1", []string{"passkey"}, at(time.Minute), true
	r.CodeHash, r.CodeExpiresAt = []byte("code-hash-1"), at(2*time.Minute)
	got, err = s.AuthRequests().ByCodeHash(ctx, r.CodeHash)
	check(t, err)
	wantEqual(t, got, r)

	check(t, s.AuthRequests().UseCode(ctx, r.ID, "fam-1", at(90*time.Second)))
	wantErr(t, s.AuthRequests().UseCode(ctx, r.ID, "fam-2", at(100*time.Second)), store.ErrConflict)
	r.CodeUsedAt, r.FamilyID = at(90*time.Second), "fam-1"
	got, err = s.AuthRequests().Get(ctx, r.ID)
	check(t, err)
	wantEqual(t, got, r)

	check(t, s.AuthRequests().Delete(ctx, r.ID))
	for name, err := range map[string]error{
		"Delete":     s.AuthRequests().Delete(ctx, r.ID),
		"Complete":   s.AuthRequests().Complete(ctx, r.ID, "a", "s", nil, at(0)),
		"SetCode":    s.AuthRequests().SetCode(ctx, r.ID, []byte("h"), at(0)),
		"UseCode":    s.AuthRequests().UseCode(ctx, r.ID, "f", at(0)),
		"Get":        second(s.AuthRequests().Get(ctx, r.ID)),
		"ByCodeHash": second(s.AuthRequests().ByCodeHash(ctx, r.CodeHash)),
	} {
		if !isNotFound(err) {
			t.Errorf("%s of a deleted request: got %v, want ErrNotFound", name, err)
		}
	}
}

func testUseCodeRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := newAuthRequest(1)
	check(t, s.AuthRequests().Create(ctx, r))
	check(t, s.AuthRequests().SetCode(ctx, r.ID, []byte("code"), at(time.Minute)))
	errs := race(func(i int) error {
		return s.AuthRequests().UseCode(ctx, r.ID, fmt.Sprintf("fam-%d", i), at(time.Second))
	})
	wantOneWinner(t, errs, store.ErrConflict)
	got, err := s.AuthRequests().Get(ctx, r.ID)
	check(t, err)
	for i, err := range errs {
		if err == nil && got.FamilyID != fmt.Sprintf("fam-%d", i) {
			t.Errorf("racer %d won but the recorded family is %q", i, got.FamilyID)
		}
	}
}
