// Package dbtest opens real databases for tests: SQLite in a temporary
// directory, and PostgreSQL in a fresh schema that is dropped when the test
// ends. There are no fakes here; a test that wants PostgreSQL fails, loudly,
// when PostgreSQL is not running.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/server/store/sqlstore"
)

// DefaultPostgresURL is where tests find PostgreSQL unless
// WARD_TEST_POSTGRES_URL says otherwise.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// SQLite returns a store on a new SQLite database in t's temporary
// directory, closed when t ends.
func SQLite(t testing.TB) store.Store {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "ward.db"))
}

// Postgres returns a store in a fresh PostgreSQL schema, closed and
// dropped when t ends.
func Postgres(t testing.TB) store.Store {
	t.Helper()
	return open(t, PostgresURL(t))
}

// Each runs fn as a subtest per engine, named "sqlite" and "postgres".
func Each(t *testing.T, fn func(t *testing.T, s store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// PostgresURL creates a fresh, uniquely named schema, drops it when t
// ends, and returns a URL that selects it (search_path=...), for tests that
// hand the database to a real `ward serve` process.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("WARD_TEST_POSTGRES_URL")
	if base == "" {
		base = DefaultPostgresURL
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("WARD_TEST_POSTGRES_URL=%q is not a URL: %v", base, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		t.Fatalf("PostgreSQL does not answer at %s: %v\n"+
			"Start it (for example `pg_ctlcluster 15 main start`, or "+
			"`docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres`), "+
			"or set WARD_TEST_POSTGRES_URL to a database the tests may create schemas in.", u.Redacted(), err)
	}
	schema := "ward_test_" + randomHex(8)
	quoted := pgx.Identifier{schema}.Sanitize()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+quoted); err != nil {
		admin.Close()
		t.Fatalf("create test schema in %s: %v", u.Redacted(), err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+quoted+" CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t testing.TB, url string) store.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close test database: %v", err)
		}
	})
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
