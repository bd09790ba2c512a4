// Package sqlstore keeps Ward's state in SQLite or PostgreSQL through
// database/sql. One implementation serves both engines: the queries are
// written once, and a small dialect holds what differs.
//
// SQLite is the default for one node. PostgreSQL lets any number of nodes
// share one database; every rule that needs atomicity (rotating a refresh
// token, spending a code, counting a rate limit) is a single conditional
// write or a transaction, never a read followed by a blind write.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/wardauth/ward/server/store"
)

// DB is a store.Store on SQLite or PostgreSQL.
type DB struct {
	d *dialect
	// write runs every write. On SQLite it holds one connection, so writers
	// queue in Go, first come first served, instead of sleeping in
	// busy_timeout's back-off and retrying. Measured with BenchmarkRotate
	// (8 writers, 2 cores) four writer connections were no faster, so one
	// it is: it cannot see SQLITE_BUSY from its own process at all.
	write *sql.DB
	// read runs reads. On SQLite it is a separate pool that WAL lets read
	// while a write is in progress; on PostgreSQL it is the same pool.
	read *sql.DB
	// wst and rst cache prepared statements on SQLite's pools (nil on
	// PostgreSQL, where pgx caches them).
	wst, rst *stmts
	// group batches SQLite's write transactions (nil on PostgreSQL).
	group *group
	// revoked caches FamilyRevoked answers briefly (see revokedTTL).
	revoked revokedCache
}

var _ store.Store = (*DB)(nil)

// An Option configures Open.
type Option func(*options)

type options struct {
	schema string
}

// WithSchema keeps Ward's tables in the named PostgreSQL schema, creating it
// if need be, by setting each connection's search_path. Tests use a fresh
// schema per run so that runs never collide. A URL may instead carry
// search_path=name, which selects a schema that already exists.
func WithSchema(name string) Option {
	return func(o *options) { o.schema = name }
}

// Open opens the database at url and brings its schema up to date. The url
// is postgres://... or postgresql://... for PostgreSQL, and sqlite:///abs/path.db,
// sqlite:relative.db or a plain file path for SQLite.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var db *DB
	var err error
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		db, err = openPostgres(ctx, url, o.schema)
	} else if o.schema != "" {
		return nil, errors.New("open database: a schema applies only to PostgreSQL, and this URL names SQLite")
	} else {
		db, err = openSQLite(ctx, sqlitePath(url))
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx, o.schema); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func sqlitePath(url string) string {
	if p, ok := strings.CutPrefix(url, "sqlite://"); ok {
		return p
	}
	if p, ok := strings.CutPrefix(url, "sqlite:"); ok {
		return p
	}
	return url
}

// sqlitePragmas are set on every connection as it opens. WAL lets reads
// run beside the writer; synchronous=NORMAL is durable across a crash of
// the process (only power loss can drop the last commits) and spares an
// fsync per commit; busy_timeout makes a connection wait for another
// process's write instead of failing.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)"

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open SQLite database: the path is empty")
	}
	// BEGIN IMMEDIATE takes the write lock when a transaction starts, so a
	// transaction never fails to upgrade a read lock halfway through.
	write, err := sql.Open("sqlite", path+"?"+sqlitePragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	// Open the writer first: it creates the file and switches it to WAL.
	if err := pingSQLite(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", path+"?"+sqlitePragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	wst := newStmts(write)
	return &DB{d: sqliteDialect, write: write, read: read, wst: wst, rst: newStmts(read),
		group: newGroup(write, sqliteDialect, wst)}, nil
}

// pingSQLite opens the first connection. Switching a database to WAL takes
// an exclusive lock for which SQLite does not wait (busy_timeout does not
// apply), so a second process opening the file at that moment (ward admin
// beside ward serve, say) is told SQLITE_BUSY; it tries again for a while.
func pingSQLite(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := db.PingContext(ctx)
		if err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func openPostgres(ctx context.Context, url, schema string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL database: %w", err)
	}
	if schema != "" {
		cfg.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	}
	pool := stdlib.OpenDB(*cfg)
	// Keep as many idle connections as open ones: the default of two idle
	// would close and reopen connections under any real concurrency.
	pool.SetMaxOpenConns(16)
	pool.SetMaxIdleConns(16)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s:%d as %s: %w; is the server running and the URL right?",
			cfg.Host, cfg.Port, cfg.User, err)
	}
	return &DB{d: postgresDialect, write: pool, read: pool}, nil
}

func (db *DB) w() handle { return handle{q: db.write, d: db.d, st: db.wst, group: db.group} }
func (db *DB) r() handle { return handle{q: db.read, d: db.d, st: db.rst} }

// tx runs fn in a write transaction, committing if fn returns nil. On
// SQLite the transaction may share its commit with others (see group).
func (db *DB) tx(ctx context.Context, fn func(h handle) error) error {
	if db.group != nil {
		return db.group.do(ctx, false, fn)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return db.d.classify(err)
	}
	if err := fn(handle{q: tx, d: db.d, st: db.wst, tx: tx}); err != nil {
		tx.Rollback()
		return err
	}
	return db.d.classify(tx.Commit())
}

func (db *DB) Accounts() store.Accounts           { return accounts{db} }
func (db *DB) Sessions() store.Sessions           { return sessions{db} }
func (db *DB) Ceremonies() store.Ceremonies       { return ceremonies{db} }
func (db *DB) Clients() store.Clients             { return clients{db} }
func (db *DB) AuthRequests() store.AuthRequests   { return authRequests{db} }
func (db *DB) RefreshTokens() store.RefreshTokens { return refreshTokens{db} }
func (db *DB) Devices() store.Devices             { return devices{db} }
func (db *DB) Counters() store.Counters           { return counters{db} }
func (db *DB) Keys() store.Keys                   { return keys{db} }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s database: %w", db.d.name, err)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	if db.group != nil {
		db.group.close()
	}
	for _, c := range []*stmts{db.wst, db.rst} {
		if c != nil {
			c.close()
		}
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}
