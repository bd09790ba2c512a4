package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/wardauth/ward/server/store"
)

type ceremonies struct{ db *DB }

func (s ceremonies) Put(ctx context.Context, c *store.Ceremony) error {
	_, err := s.db.w().exec(ctx, "INSERT INTO ceremonies (id, kind, data, expires_at) VALUES (?, ?, ?, ?)",
		c.ID, c.Kind, nullBytes(c.Data), micros(c.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store %s ceremony: %w", c.Kind, err)
	}
	return nil
}

// Take deletes the row whether or not it has expired, so an expired
// ceremony is cleaned up by the attempt to answer it.
func (s ceremonies) Take(ctx context.Context, id string, now time.Time) (*store.Ceremony, error) {
	c, err := one(ctx, s.db.w(), func(sc scanner) (*store.Ceremony, error) {
		var c store.Ceremony
		return &c, sc.Scan(&c.ID, &c.Kind, &c.Data, timeCol{&c.ExpiresAt})
	}, "DELETE FROM ceremonies WHERE id = ? RETURNING id, kind, data, expires_at", id)
	if err == nil && !now.Before(c.ExpiresAt) {
		err = fmt.Errorf("%w: it expired at %s", store.ErrNotFound, c.ExpiresAt.Format(time.RFC3339))
	}
	if err != nil {
		return nil, fmt.Errorf("take ceremony: %w", err)
	}
	return c, nil
}
