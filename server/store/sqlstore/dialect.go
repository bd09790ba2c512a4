package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/wardauth/ward/server/store"
)

// A dialect holds everything that differs between the engines, so the
// queries themselves are written once, in the SQL both understand, with ?
// placeholders.
type dialect struct {
	name string
	// numbered reports whether placeholders are $1, $2, ... rather than ?.
	numbered bool
	// bytes is the column type for byte strings, written BLOB in migrations.
	bytes string
	// forShare and forUpdate lock the rows a SELECT reads until the
	// transaction ends. SQLite needs neither: it runs one writer at a time.
	forShare, forUpdate string
	// lock and unlock bracket migrations so that two nodes starting at once
	// do not both apply them; empty where transactions already serialize.
	lock, unlock string
	// uniqueViolation and foreignKeyViolation recognise the engine's errors.
	uniqueViolation, foreignKeyViolation func(error) bool
}

// migrationLockKey names Ward's PostgreSQL advisory lock ("ward" in ASCII).
const migrationLockKey = 0x77617264

var sqliteDialect = &dialect{
	name:                "sqlite",
	bytes:               "BLOB",
	uniqueViolation:     sqliteCode(sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY),
	foreignKeyViolation: sqliteCode(sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY),
}

var postgresDialect = &dialect{
	name:                "postgres",
	numbered:            true,
	bytes:               "BYTEA",
	forShare:            " FOR SHARE",
	forUpdate:           " FOR UPDATE",
	lock:                "SELECT pg_advisory_lock(" + strconv.Itoa(migrationLockKey) + ")",
	unlock:              "SELECT pg_advisory_unlock(" + strconv.Itoa(migrationLockKey) + ")",
	uniqueViolation:     postgresCode("23505"),
	foreignKeyViolation: postgresCode("23503"),
}

func sqliteCode(codes ...int) func(error) bool {
	return func(err error) bool {
		var e *sqlite.Error
		if !errors.As(err, &e) {
			return false
		}
		for _, c := range codes {
			if e.Code() == c {
				return true
			}
		}
		return false
	}
}

func postgresCode(code string) func(error) bool {
	return func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == code
	}
}

// rebind rewrites ? placeholders as $n where the engine wants them. Ward's
// queries never hold a literal question mark, so a plain scan is enough.
func (d *dialect) rebind(query string) string {
	if !d.numbered || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for _, r := range query {
		if r != '?' {
			b.WriteRune(r)
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// ddl adapts a migration to the engine.
func (d *dialect) ddl(migration string) string {
	return strings.ReplaceAll(migration, "BLOB", d.bytes)
}

// classify turns the driver errors callers act on into the store's
// sentinels, keeping the driver's words for the person reading the log.
func (d *dialect) classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	case d.uniqueViolation(err):
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	case d.foreignKeyViolation(err):
		// The row refers to one that does not exist, such as a
		// credential for an unknown account.
		return fmt.Errorf("%w: %w", store.ErrNotFound, err)
	}
	return err
}
