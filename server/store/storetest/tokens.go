package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wardauth/ward/server/store"
)

func newFamily(id, sessionID string) *store.Family {
	return &store.Family{ID: id, ClientID: "ward-cli", AccountID: "acct-1", SessionID: sessionID, CreatedAt: at(0)}
}

func newToken(familyID, hash string, created time.Duration) *store.RefreshToken {
	return &store.RefreshToken{
		Hash:      []byte(hash),
		FamilyID:  familyID,
		ClientID:  "ward-cli",
		AccountID: "acct-1",
		SessionID: "sid-1",
		Scopes:    []string{"openid", "offline_access"},
		AMR:       []string{"passkey"},
		AuthTime:  at(-time.Minute),
		CreatedAt: at(created),
		ExpiresAt: at(24 * time.Hour),
	}
}

// startFamily stores family id with its first token, whose hash is id+"/0".
func startFamily(t *testing.T, s store.Store, id, sessionID string) (*store.Family, *store.RefreshToken) {
	t.Helper()
	f, first := newFamily(id, sessionID), newToken(id, id+"/0", 0)
	check(t, s.RefreshTokens().CreateFamily(t.Context(), f, first))
	return f, first
}

func getToken(t *testing.T, s store.Store, hash []byte) *store.RefreshToken {
	t.Helper()
	tok, err := s.RefreshTokens().Get(t.Context(), hash)
	check(t, err)
	return tok
}

func testRefreshTokenRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, first := newFamily("fam", "sid-1"), newToken("other", "fam/0", 0)
	check(t, s.RefreshTokens().CreateFamily(ctx, f, first))
	first.FamilyID = f.ID // CreateFamily files the first token under the family
	wantEqual(t, getToken(t, s, first.Hash), first)
	got, err := s.RefreshTokens().Family(ctx, f.ID)
	check(t, err)
	wantEqual(t, got, f)

	wantErr(t, s.RefreshTokens().CreateFamily(ctx, f, newToken(f.ID, "fam/1", 0)), store.ErrConflict)
	wantErr(t, s.RefreshTokens().CreateFamily(ctx, newFamily("fam-2", "sid-1"), newToken("fam-2", "fam/0", 0)), store.ErrConflict)
	_, err = s.RefreshTokens().Family(ctx, "fam-2")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.RefreshTokens().Get(ctx, []byte("nothing"))
	wantErr(t, err, store.ErrNotFound)

	// A login without offline access has a family but no refresh token.
	bare := newFamily("bare", "sid-1")
	check(t, s.RefreshTokens().CreateFamily(ctx, bare, nil))
	got, err = s.RefreshTokens().Family(ctx, bare.ID)
	check(t, err)
	wantEqual(t, got, bare)
}

func testRotate(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, first := startFamily(t, s, "fam", "sid-1")
	next := newToken("fam", "fam/1", time.Minute)
	check(t, s.RefreshTokens().Rotate(ctx, first.Hash, next, at(time.Minute)))
	first.UsedAt, first.ReplacedBy = at(time.Minute), next.Hash
	wantEqual(t, getToken(t, s, first.Hash), first)
	wantEqual(t, getToken(t, s, next.Hash), next)

	// A spent token does not rotate again, and nothing is stored.
	again := newToken("fam", "fam/2", 2*time.Minute)
	wantErr(t, s.RefreshTokens().Rotate(ctx, first.Hash, again, at(2*time.Minute)), store.ErrConflict)
	_, err := s.RefreshTokens().Get(ctx, again.Hash)
	wantErr(t, err, store.ErrNotFound)

	wantErr(t, s.RefreshTokens().Rotate(ctx, []byte("nothing"), again, at(2*time.Minute)), store.ErrNotFound)
	// A successor must stay in its family.
	startFamily(t, s, "fam-b", "sid-1")
	wantErr(t, s.RefreshTokens().Rotate(ctx, next.Hash, newToken("fam-b", "fam-b/1", 0), at(0)), store.ErrConflict)

	check(t, s.RefreshTokens().Rotate(ctx, next.Hash, again, at(2*time.Minute)))
}

func testRotateRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, first := startFamily(t, s, "fam", "sid-1")
	errs := race(func(i int) error {
		return s.RefreshTokens().Rotate(ctx, first.Hash, newToken("fam", fmt.Sprintf("fam/%d", i+1), 0), at(time.Second))
	})
	wantOneWinner(t, errs, store.ErrConflict)
	got := getToken(t, s, first.Hash)
	for i, err := range errs {
		hash := []byte(fmt.Sprintf("fam/%d", i+1))
		_, getErr := s.RefreshTokens().Get(ctx, hash)
		if won := err == nil; won != (getErr == nil) || won != (string(got.ReplacedBy) == string(hash)) {
			t.Errorf("racer %d: rotate error %v, successor stored: %v, recorded as replacement: %v",
				i, err, getErr == nil, string(got.ReplacedBy) == string(hash))
		}
	}
}

func testRegrant(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, first := startFamily(t, s, "fam", "sid-1")
	lost := newToken("fam", "fam/lost", time.Minute)

	// Regrant is for spent tokens only.
	wantErr(t, s.RefreshTokens().Regrant(ctx, first.Hash, lost, at(time.Minute)), store.ErrConflict)
	wantErr(t, s.RefreshTokens().Regrant(ctx, []byte("nothing"), lost, at(time.Minute)), store.ErrNotFound)

	check(t, s.RefreshTokens().Rotate(ctx, first.Hash, lost, at(time.Minute)))
	again := newToken("fam", "fam/again", 2*time.Minute)
	check(t, s.RefreshTokens().Regrant(ctx, first.Hash, again, at(2*time.Minute)))
	lost.RevokedAt = at(2 * time.Minute)
	wantEqual(t, getToken(t, s, lost.Hash), lost)
	wantEqual(t, getToken(t, s, again.Hash), again)
	if got := getToken(t, s, first.Hash); string(got.ReplacedBy) != string(again.Hash) || !got.UsedAt.Equal(at(time.Minute)) {
		t.Errorf("after regrant the spent token says replaced by %q at %v, want %q at %v",
			got.ReplacedBy, got.UsedAt, again.Hash, at(time.Minute))
	}

	// Once the successor is used, the grace is over.
	check(t, s.RefreshTokens().Rotate(ctx, again.Hash, newToken("fam", "fam/3", 0), at(3*time.Minute)))
	wantErr(t, s.RefreshTokens().Regrant(ctx, first.Hash, newToken("fam", "fam/4", 0), at(4*time.Minute)), store.ErrConflict)
	_, err := s.RefreshTokens().Get(ctx, []byte("fam/4"))
	wantErr(t, err, store.ErrNotFound)
}

func testRegrantRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, first := startFamily(t, s, "fam", "sid-1")
	check(t, s.RefreshTokens().Rotate(ctx, first.Hash, newToken("fam", "fam/lost", 0), at(time.Minute)))
	errs := race(func(i int) error {
		return s.RefreshTokens().Regrant(ctx, first.Hash, newToken("fam", fmt.Sprintf("fam/r%d", i), 0), at(2*time.Minute))
	})
	// Whatever order they ran in, one successor is left live: the one the
	// spent token names.
	replacedBy := string(getToken(t, s, first.Hash).ReplacedBy)
	live := 0
	for i, err := range errs {
		if err != nil && !errors.Is(err, store.ErrConflict) {
			t.Errorf("regrant %d: %v", i, err)
		}
		tok, err := s.RefreshTokens().Get(ctx, []byte(fmt.Sprintf("fam/r%d", i)))
		if err == nil && tok.RevokedAt.IsZero() {
			live++
			if string(tok.Hash) != replacedBy {
				t.Errorf("live successor %s is not the one the spent token names, %s", tok.Hash, replacedBy)
			}
		}
	}
	if live != 1 {
		t.Errorf("%d live successors after racing regrants, want 1", live)
	}
}

func testRevokeFamily(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, first := startFamily(t, s, "fam", "sid-1")
	_, bystander := startFamily(t, s, "other", "sid-1")
	next := newToken("fam", "fam/1", time.Minute)
	check(t, s.RefreshTokens().Rotate(ctx, first.Hash, next, at(time.Minute)))

	if revoked, err := s.RefreshTokens().FamilyRevoked(ctx, f.ID); err != nil || revoked {
		t.Fatalf("FamilyRevoked before revocation = %v, %v", revoked, err)
	}
	check(t, s.RefreshTokens().RevokeFamily(ctx, f.ID, "refresh token reused", at(time.Hour)))
	if revoked, err := s.RefreshTokens().FamilyRevoked(ctx, f.ID); err != nil || !revoked {
		t.Fatalf("FamilyRevoked after revocation = %v, %v", revoked, err)
	}
	if _, err := s.RefreshTokens().FamilyRevoked(ctx, "nothing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("FamilyRevoked of an unknown family: %v, want ErrNotFound", err)
	}
	// Again: idempotent, the first time and reason stay.
	check(t, s.RefreshTokens().RevokeFamily(ctx, f.ID, "second thoughts", at(2*time.Hour)))
	got, err := s.RefreshTokens().Family(ctx, f.ID)
	check(t, err)
	f.RevokedAt, f.Reason = at(time.Hour), "refresh token reused"
	wantEqual(t, got, f)
	for _, hash := range [][]byte{first.Hash, next.Hash} {
		if tok := getToken(t, s, hash); !tok.RevokedAt.Equal(at(time.Hour)) {
			t.Errorf("token %s: revoked at %v, want %v", hash, tok.RevokedAt, at(time.Hour))
		}
	}
	if tok := getToken(t, s, bystander.Hash); !tok.RevokedAt.IsZero() {
		t.Errorf("a token of another family was revoked")
	}

	// Nothing rotates or regrants in a revoked family.
	wantErr(t, s.RefreshTokens().Rotate(ctx, next.Hash, newToken("fam", "fam/2", 0), at(2*time.Hour)), store.ErrConflict)
	wantErr(t, s.RefreshTokens().Regrant(ctx, first.Hash, newToken("fam", "fam/2", 0), at(2*time.Hour)), store.ErrConflict)
	wantErr(t, s.RefreshTokens().RevokeFamily(ctx, "nothing", "x", at(0)), store.ErrNotFound)
}

func testRevokeSession(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, _ := startFamily(t, s, "a", "sid-1")
	b, bt := startFamily(t, s, "b", "sid-1")
	c, ct := startFamily(t, s, "c", "sid-2")
	check(t, s.RefreshTokens().RevokeFamily(ctx, a.ID, "reused", at(time.Minute)))
	// Asked before the session is revoked, so a cached answer must not
	// survive the revocation.
	if revoked, err := s.RefreshTokens().FamilyRevoked(ctx, b.ID); err != nil || revoked {
		t.Fatalf("FamilyRevoked before the session's revocation = %v, %v", revoked, err)
	}
	check(t, s.RefreshTokens().RevokeSession(ctx, "sid-1", "signed out", at(time.Hour)))
	if revoked, err := s.RefreshTokens().FamilyRevoked(ctx, b.ID); err != nil || !revoked {
		t.Errorf("FamilyRevoked after the session's revocation = %v, %v", revoked, err)
	}
	check(t, s.RefreshTokens().RevokeSession(ctx, "sid-unknown", "signed out", at(time.Hour)))

	got, err := s.RefreshTokens().RevokedFamiliesSince(ctx, time.Time{})
	check(t, err)
	a.RevokedAt, a.Reason = at(time.Minute), "reused"
	b.RevokedAt, b.Reason = at(time.Hour), "signed out"
	wantEqual(t, got, []*store.Family{a, b})
	got, err = s.RefreshTokens().RevokedFamiliesSince(ctx, at(time.Hour))
	check(t, err)
	wantEqual(t, got, []*store.Family{b})
	got, err = s.RefreshTokens().RevokedFamiliesSince(ctx, at(time.Hour+time.Microsecond))
	check(t, err)
	wantEqual(t, got, []*store.Family(nil))

	if tok := getToken(t, s, bt.Hash); !tok.RevokedAt.Equal(at(time.Hour)) {
		t.Errorf("token of a revoked session: revoked at %v, want %v", tok.RevokedAt, at(time.Hour))
	}
	if tok := getToken(t, s, ct.Hash); !tok.RevokedAt.IsZero() {
		t.Errorf("token of another session revoked at %v", tok.RevokedAt)
	}
	if f, err := s.RefreshTokens().Family(ctx, c.ID); err != nil || !f.RevokedAt.IsZero() {
		t.Errorf("family of another session: %+v, %v", f, err)
	}
}
