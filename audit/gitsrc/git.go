package gitsrc

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// command builds a git command run in r.Dir. Terminal prompts are
// disabled so that a lazy fetch in a partial clone fails instead of
// hanging a scan (or a commit hook) on a password prompt.
func (r *Repo) command(ctx context.Context, stderr *stderrBuffer, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", r.Dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	cmd.Stderr = stderr
	return cmd
}

// output runs a short git command and returns its stdout; on failure the
// error carries git's own stderr, which is usually the actionable part.
func (r *Repo) output(ctx context.Context, args ...string) ([]byte, error) {
	var stderr stderrBuffer
	out, err := r.command(ctx, &stderr, args...).Output()
	if err != nil {
		return nil, gitError(args, err, &stderr)
	}
	return out, nil
}

// gitError names the git command that failed and what git said.
func gitError(args []string, err error, stderr *stderrBuffer) error {
	msg := strings.TrimSpace(stderr.String())
	if msg == "" {
		return fmt.Errorf("git %s: %w", args[0], err)
	}
	return fmt.Errorf("git %s: %w: %s", args[0], err, msg)
}

// stderrBuffer keeps the first 4 KiB written to it: enough for git's
// error message without letting a chatty process grow memory. Writes
// never fail, so git is never blocked or killed by a full stderr pipe.
type stderrBuffer struct{ bytes.Buffer }

func (b *stderrBuffer) Write(p []byte) (int, error) {
	if room := 4<<10 - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// isBinary reports whether data looks binary the way git decides it: a
// NUL byte in the first 8 KiB.
func isBinary(data []byte) bool {
	if len(data) > 8<<10 {
		data = data[:8<<10]
	}
	return bytes.IndexByte(data, 0) >= 0
}
