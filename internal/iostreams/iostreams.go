// Package iostreams carries a command's standard streams, so commands are
// tested with buffers instead of the process's real ones.
package iostreams

import (
	"bytes"
	"io"
	"os"
)

// IOStreams are where a command reads and writes. Out carries the payload
// alone (a token, JSON); ErrOut carries everything meant for a person.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// System returns the process's own streams.
func System() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
}

// Test returns streams backed by buffers: stdin, stdout, stderr.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := new(bytes.Buffer), new(bytes.Buffer), new(bytes.Buffer)
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}
