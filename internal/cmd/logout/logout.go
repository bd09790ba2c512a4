// Package logout implements `ward logout`.
package logout

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/wardauth/ward/client/credstore"
	"github.com/wardauth/ward/client/flow"
	"github.com/wardauth/ward/internal/cmd/factory"
)

// Options are `ward logout`'s settings.
type Options struct{ *factory.Factory }

// NewCmd returns `ward logout`.
func NewCmd(f *factory.Factory) *cobra.Command {
	o := &Options{Factory: f}
	return &cobra.Command{
		Use:   "logout",
		Short: "Revoke your login at the server and delete the stored credentials",
		Long: `Revoke the stored login at the Ward server (so a copy of the refresh token is
useless too), then delete the credentials from every store, file and keyring.
Running it again, or when not logged in, does nothing and succeeds.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return run(cmd.Context(), o) },
	}
}

func run(ctx context.Context, o *Options) error {
	eff, err := o.Settings()
	if err != nil {
		return err
	}
	home, err := o.Home()
	if err != nil {
		return err
	}
	st, err := o.Store(eff, false)
	if err != nil {
		return err
	}
	file := credstore.File{Dir: home, Force: true}
	c, err := st.Load()
	if errors.Is(err, credstore.ErrCorrupt) {
		c, err = nil, nil // unreadable: nothing to revoke, but still delete it
	}
	if errors.Is(err, credstore.ErrNotFound) {
		c, err = file.Load()
		if errors.Is(err, credstore.ErrNotFound) || errors.Is(err, credstore.ErrCorrupt) {
			c, err = nil, nil
		}
	}
	if err != nil {
		return err
	}
	if c != nil && c.Tokens != nil && c.Tokens.RefreshToken != "" {
		if err := o.revoke(ctx, c); err != nil {
			fmt.Fprintf(o.IO.ErrOut, "warning: could not revoke the login at %s (%v); the credentials are deleted here, but the server's copy stays valid until it expires\n", c.Issuer, err)
		} else {
			fmt.Fprintf(o.IO.ErrOut, "Revoked the login at %s.\n", c.Issuer)
		}
	}
	// Every store, not only the configured one: credentials left by an
	// earlier setting must go too. A keyring that is not there holds none.
	keyring := credstore.Keyring{User: credstore.KeyringUser(home)}
	if err := credstore.DeleteAll(file, keyring); err != nil && !errors.Is(err, credstore.ErrKeyringUnavailable) {
		return err
	}
	if c == nil {
		fmt.Fprintln(o.IO.ErrOut, "Not logged in; removed any stored credentials.")
		return nil
	}
	fmt.Fprintln(o.IO.ErrOut, "Deleted the stored credentials. You are logged out.")
	return nil
}

// revoke revokes the refresh token, and with it the whole login.
func (o *Options) revoke(ctx context.Context, c *credstore.Credentials) error {
	client, err := o.HTTPClient()
	if err != nil {
		return err
	}
	return flow.Revoke(ctx, client, c.Issuer, c.ClientID, c.Tokens.RefreshToken)
}
