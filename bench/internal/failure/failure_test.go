package failure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
)

func TestKind(t *testing.T) {
	_, refused := net.Dial("tcp", "127.0.0.1:1")
	for err, want := range map[error]string{
		fmt.Errorf("read: %w", io.EOF):        "connection closed",
		io.ErrUnexpectedEOF:                   "connection closed",
		refused:                               "net: dial",
		errors.New("something"):               "transport",
		timeoutErr{}:                          "timeout",
		fmt.Errorf("x: %w", context.Canceled): "transport",
	} {
		if got := Kind(err); got != want {
			t.Errorf("Kind(%v) = %q, want %q", err, got, want)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "timed out" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }
