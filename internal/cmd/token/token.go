// Package token implements `ward token`.
package token

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/wardauth/ward/internal/cmd/factory"
)

// Options are `ward token`'s settings.
type Options struct{ *factory.Factory }

// NewCmd returns `ward token`.
func NewCmd(f *factory.Factory) *cobra.Command {
	o := &Options{Factory: f}
	return &cobra.Command{
		Use:   "token",
		Short: "Print a valid access token",
		Long: `Print a valid access token on standard output and nothing else, refreshing it
first if it is about to expire. With an API key login (or WARD_API_KEY) it prints
the key. For scripts: curl -H "Authorization: Bearer $(ward token)" ...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return run(cmd.Context(), o) },
	}
}

func run(ctx context.Context, o *Options) error {
	a, err := o.Auth(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(o.IO.Out, a.Token)
	return err
}
