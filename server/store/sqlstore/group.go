package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// group commits SQLite write transactions in batches.
//
// SQLite has one writer, and Ward serialises its writes on one connection.
// Under load most of a small transaction's time is not its SQL but what
// surrounds it: taking the locks, appending the commit to the WAL, and the
// goroutine waiting for a CPU between those system calls while holding
// the writer. So transactions that arrive together run together: one
// goroutine takes every transaction waiting, runs each inside its own
// SAVEPOINT of one shared transaction (a failing one rolls back alone),
// and commits once. The effect is the same as running them one after
// another, which is what the single writer did anyway.
type group struct {
	db  *sql.DB // the write pool: one connection
	d   *dialect
	st  *stmts
	ops chan *groupOp
	// busy is held by whoever is using the writer: the batching goroutine,
	// or a caller that found the writer idle and runs its transaction
	// itself, sparing a hand-off to another goroutine and back.
	busy chan struct{}

	quit     chan struct{}
	quitOnce sync.Once
}

type groupOp struct {
	fn   func(handle) error
	done chan error
}

// maxGroup bounds a batch so that one commit's latency stays small.
const maxGroup = 64

func newGroup(db *sql.DB, d *dialect, st *stmts) *group {
	g := &group{db: db, d: d, st: st, ops: make(chan *groupOp), busy: make(chan struct{}, 1), quit: make(chan struct{})}
	go g.run()
	return g
}

// do runs fn in the next batch and waits for its commit. Cancelling ctx
// stops the wait only before fn has started: a statement interrupted
// inside the shared transaction would roll back the whole batch.
//
// A single statement (single) that finds the writer idle runs on its own
// in autocommit mode: SQLite makes one statement atomic by itself, and the
// BEGIN and COMMIT round cost as much as the statement.
func (g *group) do(ctx context.Context, single bool, fn func(handle) error) error {
	op := &groupOp{fn: fn, done: make(chan error, 1)}
	select {
	case g.busy <- struct{}{}:
		defer func() { <-g.busy }()
		if single {
			return guard(fn, handle{q: g.db, d: g.d, st: g.st})
		}
		g.commit([]*groupOp{op})
		return <-op.done
	default:
	}
	select {
	case g.ops <- op:
	case <-ctx.Done():
		return ctx.Err()
	case <-g.quit:
		return errClosed
	}
	return <-op.done
}

var errClosed = errors.New("the database is closed")

func (g *group) run() {
	for {
		var batch []*groupOp
		select {
		case op := <-g.ops:
			batch = append(batch, op)
		case <-g.quit:
			return
		}
		g.busy <- struct{}{}
	drain:
		for len(batch) < maxGroup {
			select {
			case op := <-g.ops:
				batch = append(batch, op)
			default:
				break drain
			}
		}
		g.commit(batch)
		<-g.busy
	}
}

func (g *group) commit(batch []*groupOp) {
	ctx := context.Background()
	results := make([]error, len(batch))
	tx, err := g.db.BeginTx(ctx, nil)
	if err == nil {
		h := handle{q: tx, d: g.d, st: g.st, tx: tx, shared: true}
		if len(batch) == 1 {
			// Alone in the batch: the transaction is the operation's own,
			// and needs no savepoint.
			h.shared = false
			if results[0] = guard(batch[0].fn, h); results[0] != nil {
				tx.Rollback()
				batch[0].done <- results[0]
				return
			}
		} else {
			for i, op := range batch {
				results[i] = g.one(ctx, h, op.fn)
			}
		}
		err = tx.Commit()
	}
	if err != nil {
		err = g.d.classify(err)
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
	}
	for i, op := range batch {
		op.done <- results[i]
	}
}

// one runs fn inside a savepoint, rolling back to it if fn fails.
func (g *group) one(ctx context.Context, h handle, fn func(handle) error) error {
	if _, err := h.execContext(ctx, "SAVEPOINT op", nil); err != nil {
		return g.d.classify(err)
	}
	err := guard(fn, h)
	if err != nil {
		if _, rerr := h.execContext(ctx, "ROLLBACK TO op", nil); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	if _, rerr := h.execContext(ctx, "RELEASE op", nil); rerr != nil && err == nil {
		return g.d.classify(rerr)
	}
	return err
}

func (g *group) close() { g.quitOnce.Do(func() { close(g.quit) }) }

// guard runs fn, turning a panic into an error: fn may run on the batching
// goroutine, where a panic would otherwise take the whole server down for
// one bad write.
func guard(fn func(handle) error, h handle) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sqlstore: write panicked: %v", r)
		}
	}()
	return fn(h)
}
