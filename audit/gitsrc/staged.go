package gitsrc

import (
	"context"
	"fmt"
	"strings"

	"github.com/wardauth/ward/audit"
)

// stagedArgs lists what the next commit would add or change, as raw
// entries carrying the staged blob's ID, so contents come from one
// cat-file batch instead of one `git show :path` per file (and paths
// with newlines or odd bytes need no quoting). On an unborn branch git
// compares against the empty tree, so a first commit is covered too.
var stagedArgs = []string{
	"diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-renames",
	"--no-color", "--no-ext-diff", "--no-textconv", "--diff-filter=ACMRT",
}

// staged yields the index version of each staged file. The environment
// is inherited, so a hook run by `git commit -a` or `git commit <path>`
// sees git's temporary index through GIT_INDEX_FILE, as it should.
func (r *Repo) staged(parent context.Context, yield func(*audit.Item) bool) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	out, err := r.output(ctx, stagedArgs...)
	if err != nil {
		return fmt.Errorf("git staged scan of %s: %w", r.Dir, err)
	}
	entries, err := parseRaw(string(out))
	if err != nil {
		return fmt.Errorf("git staged scan of %s: %w", r.Dir, err)
	}
	if len(entries) == 0 {
		return nil // nothing staged is a legitimate, complete result
	}
	cat, err := r.startCatFile(ctx)
	if err != nil {
		return err
	}
	scanErr := r.yieldStaged(entries, cat, yield)
	cancel()
	cat.close() // killed above: its exit status says nothing
	if parent.Err() != nil {
		return parent.Err()
	}
	if scanErr != nil {
		return fmt.Errorf("git staged scan of %s: %w", r.Dir, scanErr)
	}
	return nil
}

func (r *Repo) yieldStaged(entries []rawEntry, cat *catFile, yield func(*audit.Item) bool) error {
	for _, e := range entries {
		if e.mode == "160000" || e.mode == "120000" || strings.Trim(e.oid, "0") == "" {
			continue // submodule, symlink, or intent-to-add with no content yet
		}
		data, skipped, err := cat.blob(e.oid, r.maxSize())
		if err != nil {
			return err
		}
		if skipped || isBinary(data) {
			continue
		}
		if !yield(&audit.Item{Location: audit.Location{Path: e.path}, Data: data}) {
			return nil
		}
	}
	return nil
}

// rawEntry is one line of `git diff --raw`: the new side's mode, blob ID
// and path.
type rawEntry struct{ mode, oid, path string }

// parseRaw splits `--raw -z` output: ":<modes> <oids> <status>" NUL path NUL.
func parseRaw(out string) ([]rawEntry, error) {
	toks := strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
	var entries []rawEntry
	for i := 0; i < len(toks); i++ {
		meta := strings.Trim(toks[i], "\n")
		if meta == "" {
			continue
		}
		f := strings.Fields(strings.TrimPrefix(meta, ":"))
		if meta[0] != ':' || len(f) != 5 || i+1 >= len(toks) {
			return nil, fmt.Errorf("unexpected git diff output %q", meta)
		}
		i++
		entries = append(entries, rawEntry{mode: f[1], oid: f[3], path: toks[i]})
	}
	return entries, nil
}
