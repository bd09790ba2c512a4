package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/wardauth/ward/server/store"
)

type keys struct{ db *DB }

func (s keys) Add(ctx context.Context, k *store.Key) error {
	_, err := s.db.w().exec(ctx, `INSERT INTO signing_keys (id, algorithm, private_key, created_at, retired_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		k.ID, k.Algorithm, nullBytes(k.Private), micros(k.CreatedAt), micros(k.RetiredAt), micros(k.ExpiresAt))
	if err != nil {
		return fmt.Errorf("add signing key %s: %w", k.ID, err)
	}
	return nil
}

func (s keys) Published(ctx context.Context, now time.Time) ([]*store.Key, error) {
	list, err := all(ctx, s.db.r(), func(sc scanner) (*store.Key, error) {
		var k store.Key
		return &k, sc.Scan(&k.ID, &k.Algorithm, &k.Private, timeCol{&k.CreatedAt}, timeCol{&k.RetiredAt}, timeCol{&k.ExpiresAt})
	}, `SELECT id, algorithm, private_key, created_at, retired_at, expires_at FROM signing_keys
		WHERE expires_at = 0 OR expires_at > ? ORDER BY created_at DESC, id DESC`, micros(now))
	if err != nil {
		return nil, fmt.Errorf("list published signing keys: %w", err)
	}
	return list, nil
}

func (s keys) Retire(ctx context.Context, id string, retiredAt, expiresAt time.Time) error {
	err := s.db.w().updateOne(ctx, "UPDATE signing_keys SET retired_at = ?, expires_at = ? WHERE id = ?",
		micros(retiredAt), micros(expiresAt), id)
	if err != nil {
		return fmt.Errorf("retire signing key %s: %w", id, err)
	}
	return nil
}
