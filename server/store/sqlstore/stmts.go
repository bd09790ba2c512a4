package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// stmts caches prepared statements on one pool. On SQLite, parsing and
// planning a query costs about as much as running one of Ward's small
// ones, so the hot paths (rotation, polling, introspection) prepare once.
// PostgreSQL needs no help: pgx caches statements per connection itself.
type stmts struct {
	pool *sql.DB

	mu      sync.RWMutex
	m       map[string]*sql.Stmt
	warming map[string]bool
}

func newStmts(pool *sql.DB) *stmts {
	return &stmts{pool: pool, m: map[string]*sql.Stmt{}, warming: map[string]bool{}}
}

func (c *stmts) lookup(query string) *sql.Stmt {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[query]
}

// get returns the statement for query, preparing it on the pool if need
// be. It must not be called while holding a transaction on the pool: on
// SQLite's single write connection that would wait for itself.
func (c *stmts) get(ctx context.Context, query string) *sql.Stmt {
	if s := c.lookup(query); s != nil {
		return s
	}
	s, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil // the caller runs the query unprepared and sees the error
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[query]; old != nil {
		s.Close()
		return old
	}
	c.m[query] = s
	return s
}

// warm prepares query in the background, for a query first seen inside a
// transaction: it waits for the connection the transaction holds.
func (c *stmts) warm(query string) {
	c.mu.Lock()
	if c.m[query] != nil || c.warming[query] {
		c.mu.Unlock()
		return
	}
	c.warming[query] = true
	c.mu.Unlock()
	go c.get(context.Background(), query)
}

func (c *stmts) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		s.Close()
	}
	c.m = map[string]*sql.Stmt{}
}
