// Package gitsrc reads a git repository as an audit.Source: either every
// blob in its history (a secret deleted in a later commit is still in
// every clone) or, for a pre-commit hook, only the staged changes.
//
// It drives the git CLI rather than a Go reimplementation so that it sees
// exactly what the user's git sees: packfiles, alternates, partial clones,
// safe.directory and GIT_INDEX_FILE in hooks all behave as usual.
package gitsrc

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/wardauth/ward/audit"
)

// DefaultMaxSize is the size above which a blob is skipped when
// Repo.MaxSize is not set. Credentials live in small text files; huge
// blobs are data or build output and would dominate the scan time.
const DefaultMaxSize = 10 << 20

// Repo is a git repository to scan. It implements audit.Source.
type Repo struct {
	// Dir is the repository's work tree or git directory (or any
	// directory inside it, as for git -C).
	Dir string
	// Staged scans only the index's versions of files that differ from
	// HEAD (what the next commit would add), instead of the history.
	Staged bool
	// MaxSize skips blobs larger than this many bytes; zero or less
	// means DefaultMaxSize.
	MaxSize int64

	commits int
}

var _ audit.Source = (*Repo)(nil)

// Commits returns how many distinct commits the last history scan
// covered, so a caller can print it and a reader can tell a real "clean"
// from a scan that saw nothing. It is zero after a staged scan.
func (r *Repo) Commits() int { return r.commits }

// Items yields the repository's blobs. In history mode each blob
// reachable from any ref (branches, tags, remotes, stash) is yielded
// once, at the path and commit where it first appeared; in staged mode
// each staged file is yielded with its path only. Binary blobs (a NUL in
// the first 8 KiB) and blobs over MaxSize are skipped.
//
// It returns an error if Dir is not a repository, if git fails, or if a
// history scan finds no commits at all.
func (r *Repo) Items(ctx context.Context, yield func(*audit.Item) bool) error {
	r.commits = 0
	if err := r.checkRepo(ctx); err != nil {
		return err
	}
	if r.Staged {
		return r.staged(ctx, yield)
	}
	return r.history(ctx, yield)
}

func (r *Repo) maxSize() int64 {
	if r.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return r.MaxSize
}

// checkRepo fails early with a clear message, rather than letting the
// first real command fail with git's wording about some other operation.
func (r *Repo) checkRepo(ctx context.Context) error {
	if r.Dir == "" {
		return errors.New("git scan: no repository directory given")
	}
	out, err := r.output(ctx, "rev-parse", "--git-dir")
	if errors.Is(err, exec.ErrNotFound) {
		return fmt.Errorf("git scan needs the git command-line tool on PATH; install git: %w", err)
	}
	if err != nil {
		return fmt.Errorf("git scan: %s is not a readable git repository: %w", r.Dir, err)
	}
	if strings.TrimSpace(string(out)) == "" {
		return fmt.Errorf("git scan: %s is not a git repository (git rev-parse printed no git directory)", r.Dir)
	}
	return nil
}
