// Package admin implements `ward admin`: server administration that works
// directly on the database, for the operator of a Ward server.
package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/wardauth/ward/internal/iostreams"
	"github.com/wardauth/ward/server"
	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/server/store/sqlstore"
)

// Options select the database to administer, as `ward serve` does.
type Options struct {
	IO       *iostreams.IOStreams
	DataDir  string
	Database string
}

// NewCmd returns `ward admin`.
func NewCmd(io *iostreams.IOStreams) *cobra.Command {
	o := &Options{IO: io}
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Administer a Ward server's database",
	}
	cmd.PersistentFlags().StringVar(&o.DataDir, "data-dir", os.Getenv("WARD_DATA_DIR"), "the server's data directory (env WARD_DATA_DIR)")
	cmd.PersistentFlags().StringVar(&o.Database, "database", os.Getenv("WARD_DATABASE_URL"), "the server's database (env WARD_DATABASE_URL)")
	cmd.AddCommand(newClientsCmd(o))
	return cmd
}

func (o *Options) open(ctx context.Context) (store.Store, error) {
	db := o.Database
	if db == "" {
		dir := o.DataDir
		if dir == "" {
			dir = server.DefaultDataDir()
		}
		db = filepath.Join(dir, "ward.db")
	}
	st, err := sqlstore.Open(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w (pass the same --database or --data-dir as ward serve)", err)
	}
	return st, nil
}

// ClientOptions are `ward admin clients add`'s settings.
type ClientOptions struct {
	*Options
	ID           string
	Name         string
	RedirectURIs []string
	GrantTypes   []string
	Scopes       []string
	Native       bool
	Confidential bool
	JSON         bool
}

func newClientsCmd(o *Options) *cobra.Command {
	cmd := &cobra.Command{Use: "clients", Short: "Manage OAuth clients"}
	list := &cobra.Command{
		Use: "list", Short: "List registered clients", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return listClients(c.Context(), o) },
	}
	co := &ClientOptions{Options: o}
	add := &cobra.Command{
		Use:   "add ID",
		Short: "Register a client (a confidential client's secret is printed once)",
		Example: `  ward admin clients add api-gateway --confidential --grant-type client_credentials
  ward admin clients add my-cli --native --redirect-uri http://127.0.0.1/callback`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			co.ID = args[0]
			return addClient(c.Context(), co)
		},
	}
	f := add.Flags()
	f.StringVar(&co.Name, "name", "", "name shown on the sign-in page (default: the ID)")
	f.StringSliceVar(&co.RedirectURIs, "redirect-uri", nil, "allowed redirect URI (repeatable)")
	f.StringSliceVar(&co.GrantTypes, "grant-type", []string{"authorization_code", "refresh_token"}, "allowed grant type (repeatable)")
	f.StringSliceVar(&co.Scopes, "scope", []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopeOfflineAccess}, "allowed scope (repeatable)")
	f.BoolVar(&co.Native, "native", false, "a native app: loopback redirects on any port")
	f.BoolVar(&co.Confidential, "confidential", false, "issue a client secret (resource servers that introspect need one)")
	f.BoolVar(&co.JSON, "json", false, "print the new client as JSON")
	remove := &cobra.Command{
		Use: "remove ID", Short: "Delete a client", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return removeClient(c.Context(), o, args[0]) },
	}
	cmd.AddCommand(list, add, remove)
	return cmd
}

func listClients(ctx context.Context, o *Options) error {
	st, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	clients, err := st.Clients().List(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tTYPE\tGRANTS")
	for _, c := range clients {
		kind := "public"
		if len(c.SecretHash) > 0 {
			kind = "confidential"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Name, kind, strings.Join(c.GrantTypes, ","))
	}
	return tw.Flush()
}

func addClient(ctx context.Context, o *ClientOptions) error {
	st, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Clients().Get(ctx, o.ID); err == nil {
		return fmt.Errorf("a client %q already exists; remove it first or choose another ID", o.ID)
	}
	c := &store.Client{
		ID: o.ID, Name: o.Name, RedirectURIs: o.RedirectURIs, GrantTypes: grantURNs(o.GrantTypes),
		Scopes: o.Scopes, Native: o.Native, CreatedAt: time.Now(),
	}
	if c.Name == "" {
		c.Name = c.ID
	}
	var secret string
	if o.Confidential {
		raw := make([]byte, 32)
		rand.Read(raw)
		secret = base64.RawURLEncoding.EncodeToString(raw)
		sum := sha256.Sum256([]byte(secret))
		c.SecretHash = sum[:]
	}
	if err := st.Clients().Put(ctx, c); err != nil {
		return err
	}
	if o.JSON {
		return json.NewEncoder(o.IO.Out).Encode(map[string]any{"client_id": c.ID, "client_secret": secret})
	}
	fmt.Fprintf(o.IO.ErrOut, "Registered client %s.\n", c.ID)
	if secret != "" {
		fmt.Fprintln(o.IO.ErrOut, "Its secret follows on standard output; it is shown only this once.")
		fmt.Fprintln(o.IO.Out, secret)
	}
	return nil
}

// grantURNs accepts the short name "device_code" for the device grant.
func grantURNs(grants []string) []string {
	out := make([]string, len(grants))
	for i, g := range grants {
		if g == "device_code" {
			g = string(oidc.GrantTypeDeviceCode)
		}
		out[i] = g
	}
	return out
}

func removeClient(ctx context.Context, o *Options, id string) error {
	st, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Clients().Delete(ctx, id); err != nil {
		return fmt.Errorf("removing client %s: %w", id, err)
	}
	fmt.Fprintf(o.IO.ErrOut, "Removed client %s.\n", id)
	return nil
}
