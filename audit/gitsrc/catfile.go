package gitsrc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// catFile is one long-running `git cat-file --batch`: a blob's contents
// cost a pipe round trip instead of a process start, which matters when
// a history holds hundreds of thousands of blobs. Without --buffer, git
// writes each object as soon as it is asked for, so request and response
// can alternate on a single goroutine.
type catFile struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr stderrBuffer
}

func (r *Repo) startCatFile(ctx context.Context) (*catFile, error) {
	c := &catFile{}
	c.cmd = r.command(ctx, &c.stderr, "cat-file", "--batch")
	var err error
	if c.in, err = c.cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("git cat-file: cannot start git (is it installed and on PATH?): %w", err)
	}
	c.out = bufio.NewReaderSize(stdout, 64<<10)
	return c, nil
}

// blob returns the contents of the blob oid, or skipped=true (and no
// data) if it is larger than maxSize; the oversized contents are drained
// from the pipe without being kept.
func (c *catFile) blob(oid string, maxSize int64) (data []byte, skipped bool, err error) {
	if _, err := io.WriteString(c.in, oid+"\n"); err != nil {
		return nil, false, c.fail(fmt.Errorf("asking for object %s: %w", oid, err))
	}
	header, err := c.out.ReadString('\n')
	if err != nil {
		return nil, false, c.fail(fmt.Errorf("reading header of object %s: %w", oid, err))
	}
	fields := strings.Fields(header)
	if len(fields) == 2 && fields[1] == "missing" {
		// A scan that silently skipped missing blobs would call a
		// partial or corrupt clone clean.
		return nil, false, fmt.Errorf("git cat-file: object %s is missing from the repository (partial or shallow clone? run `git fetch --refetch` or scan a full clone)", oid)
	}
	if len(fields) != 3 || fields[1] != "blob" {
		return nil, false, fmt.Errorf("git cat-file: unexpected reply for object %s: %q", oid, strings.TrimSpace(header))
	}
	size, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil || size < 0 {
		return nil, false, fmt.Errorf("git cat-file: bad size in reply for object %s: %q", oid, strings.TrimSpace(header))
	}
	if size > maxSize {
		if _, err := io.CopyN(io.Discard, c.out, size+1); err != nil {
			return nil, false, c.fail(fmt.Errorf("skipping object %s: %w", oid, err))
		}
		return nil, true, nil
	}
	buf := make([]byte, size+1) // contents plus git's trailing newline
	if _, err := io.ReadFull(c.out, buf); err != nil {
		return nil, false, c.fail(fmt.Errorf("reading object %s: %w", oid, err))
	}
	return buf[:size], false, nil
}

// fail adds what git printed, if anything, to a pipe error: a broken pipe
// alone does not say why git went away.
func (c *catFile) fail(err error) error {
	if msg := strings.TrimSpace(c.stderr.String()); msg != "" {
		return fmt.Errorf("git cat-file: %w: %s", err, msg)
	}
	return fmt.Errorf("git cat-file: %w", err)
}

// close ends the batch and waits for git. An early stop (kill via the
// context) is not reported as a failure by the caller, which checks ctx.
func (c *catFile) close() error {
	c.in.Close()
	if err := c.cmd.Wait(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return gitError([]string{"cat-file"}, err, &c.stderr)
		}
		return fmt.Errorf("git cat-file: %w", err)
	}
	return nil
}
