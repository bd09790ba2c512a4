package sqlstore

import (
	"context"
	"fmt"
	"time"
)

type counters struct{ db *DB }

// Incr is one upsert, so concurrent increments on any number of nodes all
// count.
func (s counters) Incr(ctx context.Context, key string, window, expiresAt time.Time) (int64, error) {
	var n int64
	err := s.db.w().scan(ctx, `INSERT INTO counters (name, window_start, count, expires_at) VALUES (?, ?, 1, ?)
		ON CONFLICT (name, window_start) DO UPDATE SET count = counters.count + 1 RETURNING count`,
		[]any{key, micros(window), micros(expiresAt)}, &n)
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", key, err)
	}
	return n, nil
}

func (s counters) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.db.w().exec(ctx, "DELETE FROM counters WHERE expires_at <= ?", micros(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired counters: %w", err)
	}
	return n, nil
}
