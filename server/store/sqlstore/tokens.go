package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wardauth/ward/server/store"
)

// refreshTokens keeps refresh tokens and their families.
//
// Lock order: every transaction that writes both tables touches the family
// row before any token row, so on PostgreSQL a rotation racing a revocation
// waits instead of deadlocking, and no token is stored into a family after
// the family was revoked.
type refreshTokens struct{ db *DB }

const tokenColumns = `hash, family_id, client_id, account_id, session_id, scopes, amr, auth_time,
	created_at, expires_at, used_at, replaced_by, revoked_at`

func scanToken(s scanner) (*store.RefreshToken, error) {
	var t store.RefreshToken
	err := s.Scan(&t.Hash, &t.FamilyID, &t.ClientID, &t.AccountID, &t.SessionID, listCol{&t.Scopes}, listCol{&t.AMR},
		timeCol{&t.AuthTime}, timeCol{&t.CreatedAt}, timeCol{&t.ExpiresAt}, timeCol{&t.UsedAt}, &t.ReplacedBy, timeCol{&t.RevokedAt})
	return &t, err
}

const familyColumns = "id, client_id, account_id, session_id, created_at, revoked_at, reason"

func scanFamily(s scanner) (*store.Family, error) {
	var f store.Family
	err := s.Scan(&f.ID, &f.ClientID, &f.AccountID, &f.SessionID, timeCol{&f.CreatedAt}, timeCol{&f.RevokedAt}, &f.Reason)
	return &f, err
}

func insertToken(ctx context.Context, h handle, t *store.RefreshToken) error {
	_, err := h.exec(ctx, "INSERT INTO refresh_tokens ("+tokenColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		nullBytes(t.Hash), t.FamilyID, t.ClientID, t.AccountID, t.SessionID, encodeList(t.Scopes), encodeList(t.AMR),
		micros(t.AuthTime), micros(t.CreatedAt), micros(t.ExpiresAt), micros(t.UsedAt), nullBytes(t.ReplacedBy), micros(t.RevokedAt))
	return err
}

// CreateFamily stores first under f.ID whatever its FamilyID says.
func (s refreshTokens) CreateFamily(ctx context.Context, f *store.Family, first *store.RefreshToken) error {
	err := s.db.tx(ctx, func(h handle) error {
		_, err := h.exec(ctx, "INSERT INTO token_families ("+familyColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			f.ID, f.ClientID, f.AccountID, f.SessionID, micros(f.CreatedAt), micros(f.RevokedAt), f.Reason)
		if err != nil || first == nil {
			return err
		}
		t := *first
		t.FamilyID = f.ID
		return insertToken(ctx, h, &t)
	})
	if err != nil {
		return fmt.Errorf("create token family %s: %w", f.ID, err)
	}
	return nil
}

func (s refreshTokens) Get(ctx context.Context, hash []byte) (*store.RefreshToken, error) {
	t, err := one(ctx, s.db.r(), scanToken, "SELECT "+tokenColumns+" FROM refresh_tokens WHERE hash = ?", hash)
	if err != nil {
		return nil, fmt.Errorf("get refresh token: %w", err)
	}
	return t, nil
}

func (s refreshTokens) Family(ctx context.Context, id string) (*store.Family, error) {
	f, err := one(ctx, s.db.r(), scanFamily, "SELECT "+familyColumns+" FROM token_families WHERE id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("get token family %s: %w", id, err)
	}
	return f, nil
}

// FamilyRevoked may answer from a cache: see revokedTTL.
func (s refreshTokens) FamilyRevoked(ctx context.Context, id string) (bool, error) {
	if revoked, ok := s.db.revoked.get(id); ok {
		return revoked, nil
	}
	var revokedAt int64
	if err := s.db.r().scan(ctx, "SELECT revoked_at FROM token_families WHERE id = ?", []any{id}, &revokedAt); err != nil {
		return false, fmt.Errorf("get token family %s: %w", id, err)
	}
	s.db.revoked.put(id, revokedAt != 0)
	return revokedAt != 0, nil
}

// errFamilyRevoked explains an ErrConflict from Rotate or Regrant.
var errFamilyRevoked = errors.New("the token family has been revoked")

// lockFamily holds next's family against revocation until the transaction
// ends, and refuses a revoked one.
func lockFamily(ctx context.Context, h handle, familyID string) error {
	var revokedAt int64
	err := h.scan(ctx, "SELECT revoked_at FROM token_families WHERE id = ?"+h.d.forShare, []any{familyID}, &revokedAt)
	if err == nil && revokedAt != 0 {
		err = fmt.Errorf("%w: %w", store.ErrConflict, errFamilyRevoked)
	}
	return err
}

// Rotate requires next to belong to old's family: a mismatch is a
// conflict.
func (s refreshTokens) Rotate(ctx context.Context, oldHash []byte, next *store.RefreshToken, at time.Time) error {
	err := s.db.tx(ctx, func(h handle) error {
		if err := lockFamily(ctx, h, next.FamilyID); err != nil {
			return err
		}
		err := h.swap(ctx, `UPDATE refresh_tokens SET used_at = ?, replaced_by = ?
			WHERE hash = ? AND family_id = ? AND used_at = 0 AND revoked_at = 0`,
			[]any{micros(at), nullBytes(next.Hash), oldHash, next.FamilyID},
			"SELECT 1 FROM refresh_tokens WHERE hash = ?", oldHash)
		if err != nil {
			return err
		}
		return insertToken(ctx, h, next)
	})
	if err != nil {
		return fmt.Errorf("rotate refresh token of family %s: %w", next.FamilyID, err)
	}
	return nil
}

// Regrant locks the spent token, so racing regrants run one after another,
// each revoking the successor the one before stored.
func (s refreshTokens) Regrant(ctx context.Context, oldHash []byte, next *store.RefreshToken, at time.Time) error {
	err := s.db.tx(ctx, func(h handle) error {
		if err := lockFamily(ctx, h, next.FamilyID); err != nil {
			return err
		}
		var usedAt, revokedAt int64
		var successor []byte
		if err := h.scan(ctx, "SELECT used_at, revoked_at, replaced_by FROM refresh_tokens WHERE hash = ? AND family_id = ?"+h.d.forUpdate,
			[]any{oldHash, next.FamilyID}, &usedAt, &revokedAt, &successor); err != nil {
			return err
		}
		if usedAt == 0 || revokedAt != 0 || successor == nil {
			return fmt.Errorf("%w: the token is unspent or revoked", store.ErrConflict)
		}
		if err := h.swap(ctx, "UPDATE refresh_tokens SET revoked_at = ? WHERE hash = ? AND used_at = 0 AND revoked_at = 0",
			[]any{micros(at), successor}, "SELECT 1 FROM refresh_tokens WHERE hash = ?", successor); err != nil {
			return err
		}
		if _, err := h.exec(ctx, "UPDATE refresh_tokens SET replaced_by = ? WHERE hash = ?", nullBytes(next.Hash), oldHash); err != nil {
			return err
		}
		return insertToken(ctx, h, next)
	})
	if err != nil {
		return fmt.Errorf("regrant refresh token of family %s: %w", next.FamilyID, err)
	}
	return nil
}

// RevokeFamily is idempotent: a second revocation keeps the first time and
// reason.
func (s refreshTokens) RevokeFamily(ctx context.Context, familyID, reason string, at time.Time) error {
	err := s.db.tx(ctx, func(h handle) error {
		err := h.swap(ctx, "UPDATE token_families SET revoked_at = ?, reason = ? WHERE id = ? AND revoked_at = 0",
			[]any{micros(at), reason, familyID}, "SELECT 1 FROM token_families WHERE id = ?", familyID)
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
		_, err = h.exec(ctx, "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at = 0", micros(at), familyID)
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke token family %s: %w", familyID, err)
	}
	s.db.revoked.put(familyID, true)
	return nil
}

func (s refreshTokens) RevokeSession(ctx context.Context, sessionID, reason string, at time.Time) error {
	err := s.db.tx(ctx, func(h handle) error {
		_, err := h.exec(ctx, "UPDATE token_families SET revoked_at = ?, reason = ? WHERE session_id = ? AND revoked_at = 0",
			micros(at), reason, sessionID)
		if err != nil {
			return err
		}
		_, err = h.exec(ctx, `UPDATE refresh_tokens SET revoked_at = ? WHERE revoked_at = 0
			AND family_id IN (SELECT id FROM token_families WHERE session_id = ?)`, micros(at), sessionID)
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke token families of session %s: %w", sessionID, err)
	}
	s.db.revoked.forget()
	return nil
}

func (s refreshTokens) RevokedFamiliesSince(ctx context.Context, since time.Time) ([]*store.Family, error) {
	list, err := all(ctx, s.db.r(), scanFamily, "SELECT "+familyColumns+
		" FROM token_families WHERE revoked_at <> 0 AND revoked_at >= ? ORDER BY revoked_at, id", micros(since))
	if err != nil {
		return nil, fmt.Errorf("list revoked token families: %w", err)
	}
	return list, nil
}
