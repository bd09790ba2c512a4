package sqlstore_test

import (
	"crypto/sha256"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/server/store/dbtest"
	"github.com/wardauth/ward/server/store/sqlstore"
	"github.com/wardauth/ward/server/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return dbtest.SQLite(t) })
}

func TestPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return dbtest.Postgres(t) })
}

// TestOpenConcurrently starts several nodes at once against one database:
// each must come up, with the migrations applied once.
func TestOpenConcurrently(t *testing.T) {
	urls := map[string]string{
		"sqlite":   "sqlite://" + filepath.Join(t.TempDir(), "ward.db"),
		"postgres": dbtest.PostgresURL(t),
	}
	for engine, url := range urls {
		t.Run(engine, func(t *testing.T) {
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					db, err := sqlstore.Open(t.Context(), url)
					if err != nil {
						t.Error(err)
						return
					}
					defer db.Close()
					if err := db.Ping(t.Context()); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
		})
	}
}

// TestWithSchema opens PostgreSQL in a schema that does not exist yet.
func TestWithSchema(t *testing.T) {
	url := dbtest.PostgresURL(t) // only to have a database that answers
	schema := fmt.Sprintf("ward_test_with_schema_%d", time.Now().UnixNano())
	db, err := sqlstore.Open(t.Context(), url, sqlstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	defer admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	var n int
	if err := admin.QueryRow("SELECT COUNT(*) FROM " + schema + ".schema_migrations").Scan(&n); err != nil || n == 0 {
		t.Fatalf("migrations in schema %s: %d rows, %v", schema, n, err)
	}
	if _, err := sqlstore.Open(t.Context(), "sqlite:x.db", sqlstore.WithSchema(schema)); err == nil {
		t.Error("WithSchema on SQLite: no error")
	}
}

func TestOpenFailure(t *testing.T) {
	_, err := sqlstore.Open(t.Context(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=2")
	if err == nil || !strings.Contains(err.Error(), "is the server running") {
		t.Errorf("opening an absent PostgreSQL: got %v, want advice", err)
	}
}

// BenchmarkRotate measures refresh-token rotation, the hottest write path,
// with several clients rotating their own token chains at once.
func BenchmarkRotate(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchmarkRotate(b, dbtest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchmarkRotate(b, dbtest.Postgres(b)) })
}

func benchmarkRotate(b *testing.B, s store.Store) {
	ctx := b.Context()
	var clients, tokens atomic.Int64
	newToken := func(family string) *store.RefreshToken {
		hash := sha256.Sum256(fmt.Appendf(nil, "token-%d", tokens.Add(1)))
		now := time.Now()
		return &store.RefreshToken{
			Hash: hash[:], FamilyID: family, ClientID: "ward-cli", AccountID: "acct", SessionID: "sid",
			Scopes: []string{"openid", "offline_access"}, AMR: []string{"passkey"},
			AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour),
		}
	}
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		family := fmt.Sprintf("fam-%d", clients.Add(1))
		token := newToken(family)
		if err := s.RefreshTokens().CreateFamily(ctx, &store.Family{ID: family, CreatedAt: time.Now()}, token); err != nil {
			b.Error(err)
			return
		}
		for pb.Next() {
			next := newToken(family)
			if err := s.RefreshTokens().Rotate(ctx, token.Hash, next, time.Now()); err != nil {
				b.Error(err)
				return
			}
			token = next
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rotations/s")
}
