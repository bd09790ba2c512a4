package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Migrations are the files in migrations/, named NNNN_what.sql and applied
// in order, each in its own transaction together with its row in
// schema_migrations. A migration, once released, never changes: a new
// change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var list []migration
	for _, e := range entries { // ReadDir sorts by name
		prefix, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(prefix)
		if err != nil {
			return nil, fmt.Errorf("migration %s: the name must start with a number: %w", e.Name(), err)
		}
		text, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		list = append(list, migration{version: v, name: e.Name(), sql: string(text)})
	}
	return list, nil
}

// migrate applies the migrations the database lacks. It runs on one
// connection so that PostgreSQL's advisory lock, which belongs to a session,
// covers every step: a second node starting at the same time waits, then
// finds nothing left to do. On SQLite each migration's BEGIN IMMEDIATE
// serializes processes the same way.
func (db *DB) migrate(ctx context.Context, schema string) error {
	list, err := migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s database: %w", db.d.name, err)
	}
	defer conn.Close()
	if db.d.lock != "" {
		if _, err := conn.ExecContext(ctx, db.d.lock); err != nil {
			return fmt.Errorf("migrate %s database: take the migration lock: %w", db.d.name, err)
		}
		// Unlock even if ctx has ended, or the lock outlives us in the pool.
		defer conn.ExecContext(context.WithoutCancel(ctx), db.d.unlock)
	}
	if schema != "" {
		if _, err := conn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
			return fmt.Errorf("create schema %s: %w", schema, err)
		}
	}
	const create = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
	if _, err := conn.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("migrate %s database: %w", db.d.name, err)
	}
	for _, m := range list {
		if err := db.apply(ctx, conn, m); err != nil {
			return fmt.Errorf("migrate %s database: apply %s: %w", db.d.name, m.name, err)
		}
	}
	return nil
}

// apply applies m unless schema_migrations says it already has been.
func (db *DB) apply(ctx context.Context, conn *sql.Conn, m migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // a no-op after Commit
	h := handle{q: tx, d: db.d}
	var n int
	if err := h.scan(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", []any{m.version}, &n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, db.d.ddl(m.sql)); err != nil {
		return err
	}
	if _, err := h.exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, micros(time.Now())); err != nil {
		return err
	}
	return tx.Commit()
}
