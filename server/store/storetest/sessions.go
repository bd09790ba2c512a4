package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/wardauth/ward/server/store"
)

func newSession(accountID string, n int) *store.Session {
	return &store.Session{
		ID:        fmt.Sprintf("sid-%d", n),
		TokenHash: []byte(fmt.Sprintf("session-hash-%d", n)),
		AccountID: accountID,
		AMR:       []string{"passkey", "user"},
		AuthTime:  at(-time.Minute),
		CreatedAt: at(time.Duration(n) * time.Second),
		ExpiresAt: at(time.Hour),
		IP:        "192.0.2.1",
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64)",
	}
}

func testSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := createAccount(t, s, 1)
	b := createAccount(t, s, 2)
	one, two, other := newSession(a.ID, 1), newSession(a.ID, 2), newSession(b.ID, 3)
	for _, x := range []*store.Session{two, one, other} {
		check(t, s.Sessions().Create(ctx, x))
	}
	dup := newSession(a.ID, 4)
	dup.ID = one.ID
	wantErr(t, s.Sessions().Create(ctx, dup), store.ErrConflict)
	dup = newSession(a.ID, 5)
	dup.TokenHash = one.TokenHash
	wantErr(t, s.Sessions().Create(ctx, dup), store.ErrConflict)

	got, err := s.Sessions().Get(ctx, one.ID)
	check(t, err)
	wantEqual(t, got, one)
	got, err = s.Sessions().ByTokenHash(ctx, one.TokenHash, at(0))
	check(t, err)
	wantEqual(t, got, one)
	list, err := s.Sessions().ListByAccount(ctx, a.ID)
	check(t, err)
	wantEqual(t, list, []*store.Session{one, two})

	_, err = s.Sessions().Get(ctx, "nobody")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.Sessions().ByTokenHash(ctx, []byte("nothing"), at(0))
	wantErr(t, err, store.ErrNotFound)
	wantErr(t, s.Sessions().Revoke(ctx, "nobody", at(0)), store.ErrNotFound)

	// Revoking is idempotent and keeps the first time.
	check(t, s.Sessions().Revoke(ctx, one.ID, at(time.Minute)))
	check(t, s.Sessions().Revoke(ctx, one.ID, at(2*time.Minute)))
	got, err = s.Sessions().Get(ctx, one.ID)
	check(t, err)
	one.RevokedAt = at(time.Minute)
	wantEqual(t, got, one)
	_, err = s.Sessions().ByTokenHash(ctx, one.TokenHash, at(0))
	wantErr(t, err, store.ErrNotFound)
}

func testSessionExpiry(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := createAccount(t, s, 1)
	x := newSession(a.ID, 1)
	check(t, s.Sessions().Create(ctx, x))
	_, err := s.Sessions().ByTokenHash(ctx, x.TokenHash, x.ExpiresAt.Add(-time.Microsecond))
	check(t, err)
	_, err = s.Sessions().ByTokenHash(ctx, x.TokenHash, x.ExpiresAt)
	wantErr(t, err, store.ErrNotFound)
	// Get still finds it, expired, for the record.
	_, err = s.Sessions().Get(ctx, x.ID)
	check(t, err)
}
