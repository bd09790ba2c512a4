package sqlstore

import (
	"context"
	"database/sql"

	"github.com/wardauth/ward/server/store"
)

// querier is what *sql.DB, *sql.Conn and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// A handle runs queries written with ? placeholders on a pool or inside a
// transaction, in the engine's dialect, and classifies the errors.
type handle struct {
	q querier
	d *dialect
	// st, if set, caches prepared statements for the pool; tx is set when
	// the handle runs inside a transaction on that pool.
	st *stmts
	tx *sql.Tx
	// group, if set, runs each write of a pool handle as its own
	// transaction in the next group commit (SQLite's writer).
	group *group
	// shared marks a transaction that other callers' work shares: its
	// statements must not be cancelled by one caller's context, as an
	// interrupted write rolls the whole transaction back.
	shared bool
}

func (h handle) detach(ctx context.Context) context.Context {
	if h.shared {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// stmt returns a prepared statement for query, or nil to run it as text.
func (h handle) stmt(ctx context.Context, query string) *sql.Stmt {
	if h.st == nil {
		return nil
	}
	if h.tx == nil {
		return h.st.get(ctx, query)
	}
	if s := h.st.lookup(query); s != nil {
		return h.tx.StmtContext(ctx, s)
	}
	h.st.warm(query)
	return nil
}

func (h handle) execContext(ctx context.Context, query string, args []any) (sql.Result, error) {
	ctx = h.detach(ctx)
	if s := h.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return h.q.ExecContext(ctx, h.d.rebind(query), args...)
}

func (h handle) queryRow(ctx context.Context, query string, args []any) *sql.Row {
	ctx = h.detach(ctx)
	if s := h.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return h.q.QueryRowContext(ctx, h.d.rebind(query), args...)
}

func (h handle) query(ctx context.Context, query string, args []any) (*sql.Rows, error) {
	ctx = h.detach(ctx)
	if s := h.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return h.q.QueryContext(ctx, h.d.rebind(query), args...)
}

type scanner interface{ Scan(dest ...any) error }

func (h handle) exec(ctx context.Context, query string, args ...any) (int64, error) {
	if h.group != nil {
		var n int64
		err := h.group.do(ctx, true, func(t handle) (err error) { n, err = t.exec(ctx, query, args...); return err })
		return n, err
	}
	res, err := h.execContext(ctx, query, args)
	if err != nil {
		return 0, h.d.classify(err)
	}
	n, err := res.RowsAffected()
	return n, h.d.classify(err)
}

// scan runs a query for one row and scans it into dest.
func (h handle) scan(ctx context.Context, query string, args []any, dest ...any) error {
	if h.group != nil {
		return h.group.do(ctx, true, func(t handle) error { return t.scan(ctx, query, args, dest...) })
	}
	return h.d.classify(h.queryRow(ctx, query, args).Scan(dest...))
}

// updateOne runs a write that must change one row, or ErrNotFound.
func (h handle) updateOne(ctx context.Context, query string, args ...any) error {
	n, err := h.exec(ctx, query, args...)
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return err
}

// swap runs a compare-and-set write that must change one row. When it
// changes none, it tells a missing row (ErrNotFound) from one whose state
// failed the write's condition (ErrConflict) by running exists, a query for
// the row by its key.
func (h handle) swap(ctx context.Context, query string, args []any, exists string, key ...any) error {
	n, err := h.exec(ctx, query, args...)
	if err != nil || n == 1 {
		return err
	}
	var one int
	if err := h.scan(ctx, exists, key, &one); err != nil {
		return err
	}
	return store.ErrConflict
}

// one runs a query for one row and scans it with scan.
func one[T any](ctx context.Context, h handle, scan func(scanner) (T, error), query string, args ...any) (T, error) {
	if h.group != nil {
		var v T
		err := h.group.do(ctx, true, func(t handle) (err error) { v, err = one(ctx, t, scan, query, args...); return err })
		return v, err
	}
	v, err := scan(h.queryRow(ctx, query, args))
	return v, h.d.classify(err)
}

// all runs a query and scans every row with scan.
func all[T any](ctx context.Context, h handle, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	if h.group != nil {
		var v []T
		err := h.group.do(ctx, true, func(t handle) (err error) { v, err = all(ctx, t, scan, query, args...); return err })
		return v, err
	}
	rows, err := h.query(ctx, query, args)
	if err != nil {
		return nil, h.d.classify(err)
	}
	defer rows.Close()
	var list []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, h.d.classify(rows.Err())
}
