// Package root builds the `ward` command tree.
package root

import (
	"github.com/spf13/cobra"

	"github.com/wardauth/ward/internal/cmd/admin"
	"github.com/wardauth/ward/internal/cmd/serve"
	"github.com/wardauth/ward/internal/cmd/version"
	"github.com/wardauth/ward/internal/iostreams"
)

// NewCmd returns the root `ward` command.
func NewCmd(io *iostreams.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:           "ward",
		Short:         "Phishing-resistant sign-in for command-line tools",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.SetIn(io.In)
	cmd.SetOut(io.Out)
	cmd.SetErr(io.ErrOut)
	cmd.AddCommand(serve.NewCmd(io), version.NewCmd(io), admin.NewCmd(io))
	return cmd
}
