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
	tok, err := Bearer(ctx, o.Factory)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(o.IO.Out, tok)
	return err
}

// Bearer is the credential to send: WARD_API_KEY, else the stored login's
// access token (refreshed if need be) or API key.
func Bearer(ctx context.Context, f *factory.Factory) (string, error) {
	if key := f.Getenv("WARD_API_KEY"); key != "" {
		return key, nil
	}
	eff, err := f.Settings()
	if err != nil {
		return "", err
	}
	src, err := f.Session(ctx, eff)
	if err != nil {
		return "", err
	}
	c, err := src.Credentials(ctx)
	if err != nil {
		return "", err
	}
	if c.Tokens != nil {
		return c.Tokens.AccessToken, nil
	}
	return c.APIKey, nil
}
