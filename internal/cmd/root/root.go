// Package root builds the `ward` command tree.
package root

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardauth/ward/internal/cmd/admin"
	"github.com/wardauth/ward/internal/cmd/api"
	"github.com/wardauth/ward/internal/cmd/audit"
	"github.com/wardauth/ward/internal/cmd/factory"
	"github.com/wardauth/ward/internal/cmd/login"
	"github.com/wardauth/ward/internal/cmd/logout"
	"github.com/wardauth/ward/internal/cmd/run"
	"github.com/wardauth/ward/internal/cmd/serve"
	"github.com/wardauth/ward/internal/cmd/token"
	"github.com/wardauth/ward/internal/cmd/version"
)

// NewCmd returns the root `ward` command.
func NewCmd(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:           "ward",
		Short:         "Phishing-resistant sign-in for command-line tools",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.SetIn(f.IO.In)
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	cmd.AddCommand(
		login.NewCmd(f), logout.NewCmd(f), token.NewCmd(f), api.NewCmd(f), run.NewCmd(f), audit.NewCmd(f),
		serve.NewCmd(f.IO), admin.NewCmd(f.IO), version.NewCmd(f.IO),
	)
	return cmd
}

// Exit codes, as DESIGN.md documents them.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// ExitCode reports err on errOut (unless it carries no message) and returns
// the process exit status for it.
func ExitCode(err error, errOut io.Writer) int {
	if err == nil {
		return ExitOK
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(errOut, "ward: "+msg)
	}
	var coded interface{ ExitCode() int }
	switch {
	case isUsage(err):
		return ExitUsage
	case errors.As(err, &coded):
		return coded.ExitCode()
	}
	return ExitError
}

// isUsage reports whether cobra rejected the command line itself.
func isUsage(err error) bool {
	msg := err.Error()
	for _, s := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument", "accepts ", "requires at least", "flag needs an argument", "required flag", "if any flags in the group"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
