package gitsrc

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/wardauth/ward/audit"
)

// logArgs lists every commit reachable from any ref (--all covers
// branches, tags, remotes, stash, notes and filter-branch backups),
// parents before children (--topo-order --reverse), with the raw diff of
// each against each parent (-m: a blob first written while resolving a
// merge conflict exists only in the merge's diff) or against the empty
// tree for a root (--root, whatever log.showRoot says). -z keeps paths
// verbatim; the --no-* flags stop user config (signatures, colour,
// rename detection, abbreviation) from changing the output we parse.
//
// --diff-filter is deliberately not used: it hides commits without a
// matching change, and every commit must be counted.
var logArgs = []string{
	"log", "--all", "--topo-order", "--reverse", "-m", "--root",
	"--raw", "-z", "--no-abbrev", "--no-renames", "--no-color",
	"--no-show-signature", "--no-ext-diff", "--no-textconv",
	"--format=commit %H",
}

// history streams the raw log and yields each new blob the first time it
// appears. Because the log runs oldest first, that first appearance is
// the commit that introduced the blob: the one a fix has to rewrite.
func (r *Repo) history(parent context.Context, yield func(*audit.Item) bool) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel() // stops both git processes on every return path

	cat, err := r.startCatFile(ctx)
	if err != nil {
		return err
	}
	var logErr stderrBuffer
	logCmd := r.command(ctx, &logErr, logArgs...)
	stdout, err := logCmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("git log: %w", err)
	}
	if err := logCmd.Start(); err != nil {
		return fmt.Errorf("git log: cannot start git (is it installed and on PATH?): %w", err)
	}

	w := walker{repo: r, cat: cat, yield: yield, seen: map[string]struct{}{}}
	walkErr := w.walk(bufio.NewReaderSize(stdout, 64<<10))
	if walkErr != nil || w.stopped {
		cancel()
	}
	logWait := logCmd.Wait()
	catWait := cat.close()
	r.commits = w.commits

	switch {
	case w.stopped:
		return nil // the consumer asked to stop; not a failure
	case parent.Err() != nil:
		return parent.Err() // git was killed; its errors are noise
	case walkErr != nil:
		return fmt.Errorf("git scan of %s: %w", r.Dir, walkErr)
	case logWait != nil:
		return fmt.Errorf("git scan of %s: %w", r.Dir, gitError(logArgs, logWait, &logErr))
	case catWait != nil:
		return fmt.Errorf("git scan of %s: %w", r.Dir, catWait)
	case w.commits == 0:
		return fmt.Errorf("git scan of %s: no commits reachable from any ref (empty repository, or refs not fetched?); nothing was scanned", r.Dir)
	}
	return nil
}

// walker holds the state of one pass over the raw log.
type walker struct {
	repo    *Repo
	cat     *catFile
	yield   func(*audit.Item) bool
	seen    map[string]struct{} // blob IDs already yielded or skipped, in binary form to halve memory
	commit  string
	commits int
	stopped bool
}

// walk parses `git log -z --raw` output, a NUL-separated stream of
// "commit <hash>" headers (possibly preceded by a newline) and raw diff
// entries, each ":<modes> <oids> <status>" followed by one path.
func (w *walker) walk(rd *bufio.Reader) error {
	for {
		tok, err := readToken(rd)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading git log output: %w", err)
		}
		tok = strings.Trim(tok, "\n")
		switch {
		case tok == "":
		case strings.HasPrefix(tok, "commit "):
			if hash := tok[len("commit "):]; hash != w.commit {
				// -m repeats a merge once per parent; count it once.
				w.commit = hash
				w.commits++
			}
		case tok[0] == ':':
			path, err := readToken(rd)
			if err != nil {
				return fmt.Errorf("reading git log output: path missing after %q: %w", tok, err)
			}
			if err := w.entry(tok, path); err != nil || w.stopped {
				return err
			}
		default:
			return fmt.Errorf("unexpected git log output %q", tok)
		}
	}
}

// entry handles one raw diff line: ":100644 100644 <old> <new> M".
func (w *walker) entry(meta, path string) error {
	f := strings.Fields(meta[1:])
	if len(f) != 5 {
		return fmt.Errorf("unexpected raw diff line %q", meta)
	}
	mode, oid, status := f[1], f[3], f[4]
	if w.commit == "" {
		return fmt.Errorf("raw diff line %q before any commit", meta)
	}
	if status[0] == 'D' || strings.Trim(oid, "0") == "" {
		return nil // deleted: its blob was yielded where it was added
	}
	if mode == "160000" || mode == "120000" {
		return nil // submodule commit or symlink target, not file content
	}
	key, err := hex.DecodeString(oid)
	if err != nil {
		return fmt.Errorf("bad object ID in raw diff line %q", meta)
	}
	if _, ok := w.seen[string(key)]; ok {
		return nil
	}
	w.seen[string(key)] = struct{}{}

	data, skipped, err := w.cat.blob(oid, w.repo.maxSize())
	if err != nil {
		return err
	}
	if skipped || isBinary(data) {
		return nil
	}
	item := &audit.Item{Location: audit.Location{Path: path, Commit: w.commit}, Data: data}
	if !w.yield(item) {
		w.stopped = true
	}
	return nil
}

// readToken reads up to the next NUL and drops it. A final token without
// a NUL is returned as is; io.EOF comes only when nothing is left.
func readToken(rd *bufio.Reader) (string, error) {
	tok, err := rd.ReadString(0)
	if errors.Is(err, io.EOF) && tok != "" {
		return tok, nil
	}
	if err != nil {
		return "", err
	}
	return tok[:len(tok)-1], nil
}
