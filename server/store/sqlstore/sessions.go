package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wardauth/ward/server/store"
)

type sessions struct{ db *DB }

const sessionColumns = "id, token_hash, account_id, amr, auth_time, created_at, expires_at, revoked_at, ip, user_agent"

func scanSession(s scanner) (*store.Session, error) {
	var x store.Session
	err := s.Scan(&x.ID, &x.TokenHash, &x.AccountID, listCol{&x.AMR}, timeCol{&x.AuthTime}, timeCol{&x.CreatedAt},
		timeCol{&x.ExpiresAt}, timeCol{&x.RevokedAt}, &x.IP, &x.UserAgent)
	return &x, err
}

func (s sessions) Create(ctx context.Context, x *store.Session) error {
	_, err := s.db.w().exec(ctx, "INSERT INTO sessions ("+sessionColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		x.ID, nullBytes(x.TokenHash), x.AccountID, encodeList(x.AMR), micros(x.AuthTime), micros(x.CreatedAt),
		micros(x.ExpiresAt), micros(x.RevokedAt), x.IP, x.UserAgent)
	if err != nil {
		return fmt.Errorf("create session %s: %w", x.ID, err)
	}
	return nil
}

func (s sessions) ByTokenHash(ctx context.Context, hash []byte, now time.Time) (*store.Session, error) {
	x, err := one(ctx, s.db.r(), scanSession, "SELECT "+sessionColumns+
		" FROM sessions WHERE token_hash = ? AND revoked_at = 0 AND expires_at > ?", hash, micros(now))
	if err != nil {
		return nil, fmt.Errorf("find active session: %w", err)
	}
	return x, nil
}

func (s sessions) Get(ctx context.Context, id string) (*store.Session, error) {
	x, err := one(ctx, s.db.r(), scanSession, "SELECT "+sessionColumns+" FROM sessions WHERE id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("get session %s: %w", id, err)
	}
	return x, nil
}

// Revoke is idempotent: revoking a revoked session keeps the first time.
func (s sessions) Revoke(ctx context.Context, id string, at time.Time) error {
	err := s.db.w().swap(ctx, "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at = 0",
		[]any{micros(at), id}, "SELECT 1 FROM sessions WHERE id = ?", id)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("revoke session %s: %w", id, err)
	}
	return nil
}

func (s sessions) ListByAccount(ctx context.Context, accountID string) ([]*store.Session, error) {
	list, err := all(ctx, s.db.r(), scanSession,
		"SELECT "+sessionColumns+" FROM sessions WHERE account_id = ? ORDER BY created_at, id", accountID)
	if err != nil {
		return nil, fmt.Errorf("list sessions of account %s: %w", accountID, err)
	}
	return list, nil
}
