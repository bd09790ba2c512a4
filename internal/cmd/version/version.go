// Package version implements `ward version`.
package version

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/wardauth/ward/internal/buildinfo"
	"github.com/wardauth/ward/internal/iostreams"
)

// NewCmd returns `ward version`.
func NewCmd(io *iostreams.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print Ward's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(io.Out, "ward "+buildinfo.String())
			return err
		},
	}
}
