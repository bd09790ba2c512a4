// Package failure names transport failures coarsely for the benchmark
// reports, so a thousand refused connections are one line, not a thousand.
package failure

import (
	"errors"
	"io"
	"net"
)

// Kind names err: "timeout", "connection closed", "net: OP" or "transport".
func Kind(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return "net: " + oe.Op
	}
	return "transport"
}
