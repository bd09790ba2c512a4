// Command ward is Ward's one binary: the identity server, the CLI that
// signs in to it, and the credential auditor.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/wardauth/ward/internal/cmd/root"
	"github.com/wardauth/ward/internal/iostreams"
)

// Exit codes, as documented in DESIGN.md.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	io := iostreams.System()
	cmd := root.NewCmd(io)
	err := cmd.ExecuteContext(context.Background())
	if err == nil {
		os.Exit(exitOK)
	}
	fmt.Fprintln(io.ErrOut, "ward: "+err.Error())
	if isUsage(err) {
		os.Exit(exitUsage)
	}
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		os.Exit(coded.ExitCode())
	}
	os.Exit(exitError)
}

// isUsage reports whether cobra rejected the command line itself.
func isUsage(err error) bool {
	msg := err.Error()
	for _, s := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument", "accepts ", "requires at least", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
