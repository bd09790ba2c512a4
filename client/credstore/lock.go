package credstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// LockFileName is the lock file inside the Ward home.
const LockFileName = "auth.lock"

// DefaultLockTimeout is how long Lock waits for another ward process. It is
// long enough for that process to finish a token refresh over a slow network.
const DefaultLockTimeout = 30 * time.Second

// Lock takes the exclusive cross-process lock on dir/auth.lock, waiting up to
// DefaultLockTimeout. Hold it across read-refresh-write of the credentials so
// that many ward processes started at once refresh a token exactly once: the
// first refreshes and saves, the others then read the fresh token.
//
// The lock is an OS advisory lock (flock), so it disappears with the process
// that held it: a crashed ward never leaves a stale lock. It also excludes
// goroutines of one process, each of which opens the file anew. Call unlock
// exactly once.
func Lock(dir string) (unlock func(), err error) {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultLockTimeout)
	defer cancel()
	return LockContext(ctx, dir)
}

// LockContext is Lock with the wait bounded by ctx instead of the default
// timeout.
func LockContext(ctx context.Context, dir string) (unlock func(), err error) {
	if err := (File{Dir: dir}).prepareDir(); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, LockFileName)
	fh, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the credentials lock %s: %w", path, err)
	}
	start := time.Now()
	wait := time.Millisecond
	for {
		held, err := tryLock(fh)
		if err != nil {
			fh.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if held {
			return func() { unlockFile(fh); fh.Close() }, nil
		}
		select {
		case <-ctx.Done():
			fh.Close()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, fmt.Errorf("another ward process has held the credentials lock %s for %s; wait for it to finish, or stop it if it is stuck (a lock disappears when its process exits): %w",
					path, time.Since(start).Round(time.Millisecond), ctx.Err())
			}
			return nil, fmt.Errorf("waiting for the credentials lock %s: %w", path, ctx.Err())
		case <-time.After(wait):
		}
		// Back off up to 50 ms: fair enough for a handful of waiters, cheap
		// for the CPU, and a refresh takes far longer than a poll.
		wait = min(wait*2, 50*time.Millisecond)
	}
}
