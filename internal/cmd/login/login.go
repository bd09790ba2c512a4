// Package login implements `ward login` and `ward login status`.
package login

import (
	"context"
	"errors"
	"fmt"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/wardauth/ward/client/credstore"
	"github.com/wardauth/ward/client/flow"
	"github.com/wardauth/ward/client/policy"
	"github.com/wardauth/ward/client/session"
	"github.com/wardauth/ward/internal/cmd/factory"
)

// ClientID is the Ward CLI's OAuth client.
const ClientID = "ward-cli"

var scopes = []string{gooidc.ScopeOpenID, "email", "profile", gooidc.ScopeOfflineAccess}

// Options are `ward login`'s settings.
type Options struct {
	*factory.Factory
	Issuer          string
	DeviceAuth      bool
	WithAPIKey      bool
	Port            int
	InsecureStorage bool
	Timeout         time.Duration
}

// NewCmd returns `ward login` with its `status` subcommand.
func NewCmd(f *factory.Factory) *cobra.Command {
	o := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in to a Ward server",
		Long: `Sign in to a Ward server and store the credentials.

By default a browser opens for you to sign in with your passkey; the answer comes
back to a listener on 127.0.0.1. On a machine without a browser use --device-auth
and approve on another device. CI jobs log in with an API key on standard input.`,
		Example: `  ward login --issuer https://id.example.com
  ward login --device-auth
  printenv WARD_KEY | ward login --with-api-key`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return run(ctx, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Issuer, "issuer", "", "the Ward server's URL (default: $WARD_ISSUER, then issuer in config.toml)")
	fl.BoolVar(&o.DeviceAuth, "device-auth", false, "sign in by approving a code on another device (for machines without a browser)")
	fl.BoolVar(&o.WithAPIKey, "with-api-key", false, "read an API key from standard input and store it")
	fl.IntVar(&o.Port, "port", 0, fmt.Sprintf("loopback port for the browser's answer, e.g. for an SSH tunnel (default %d, or any free port)", flow.DefaultPort))
	fl.BoolVar(&o.InsecureStorage, "insecure-storage", false, "store credentials in a plain file even if a keyring is available")
	fl.DurationVar(&o.Timeout, "timeout", 5*time.Minute, "how long to wait for the browser sign-in")
	cmd.MarkFlagsMutuallyExclusive("device-auth", "with-api-key")
	cmd.AddCommand(newStatusCmd(f))
	return cmd
}

func run(ctx context.Context, o *Options) error {
	if o.Getenv("WARD_API_KEY") != "" {
		return errors.New("WARD_API_KEY is set: Ward uses it directly and stores nothing, so logging in would be overridden by it; unset it first")
	}
	eff, err := o.Settings()
	if err != nil {
		return err
	}
	method := policy.MethodAccount
	if o.WithAPIKey {
		method = policy.MethodAPI
	}
	if err := eff.Requirements.AllowLoginMethod(method); err != nil {
		return err
	}
	issuer, err := o.ResolveIssuer(o.Issuer, eff)
	if err != nil {
		return err
	}
	if eff.Requirements, err = o.withServerRequirements(ctx, issuer, eff.Requirements); err != nil {
		return err
	}
	if err := eff.Requirements.AllowLoginMethod(method); err != nil {
		return err
	}
	st, err := o.Store(eff, o.InsecureStorage)
	if err != nil {
		return err
	}
	home, err := o.Home()
	if err != nil {
		return err
	}
	var creds *credstore.Credentials
	if o.WithAPIKey {
		key, err := flow.ReadAPIKey(o.IO.In, o.IsTerminal())
		if err != nil {
			return err
		}
		creds = &credstore.Credentials{Issuer: issuer, AuthMode: credstore.AuthModeAPIKey, APIKey: key}
	} else if creds, err = o.account(ctx, issuer, eff); err != nil {
		return err
	}
	if err := st.Save(creds); err != nil {
		return err
	}
	// A login from before cli_auth_credentials_store changed must not
	// linger in the store the setting no longer names.
	if other := factory.Other(st, home); other != nil {
		if err := other.Delete(); err != nil && !errors.Is(err, credstore.ErrNotFound) && !errors.Is(err, credstore.ErrKeyringUnavailable) {
			return err
		}
	}
	who := creds.Email
	if who == "" {
		who = "an API key (" + credstore.Mask(creds.APIKey) + ")"
	}
	fmt.Fprintf(o.IO.ErrOut, "Logged in to %s as %s. Credentials are in the %s store.\n", issuer, who, st.Name())
	return nil
}

// account signs a person in by browser or device code and checks the
// ID token before anything is stored.
func (o *Options) account(ctx context.Context, issuer string, eff policy.Effective) (*credstore.Credentials, error) {
	client, err := o.HTTPClient()
	if err != nil {
		return nil, err
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, client)
	ep, err := flow.Discover(ctx, client, issuer)
	if err != nil {
		return nil, err
	}
	conf := ep.Config(ClientID, scopes)
	var tok *oauth2.Token
	if o.DeviceAuth {
		tok, err = o.device(ctx, conf)
	} else {
		tok, err = o.browser(ctx, conf, eff)
	}
	if err != nil {
		return nil, err
	}
	return o.credentials(ctx, issuer, tok, eff)
}

func (o *Options) browser(ctx context.Context, conf *oauth2.Config, eff policy.Effective) (*oauth2.Token, error) {
	if why := o.Headless(); why != "" && o.Port == 0 {
		return nil, fmt.Errorf("cannot open a browser here: %s. Sign in with `ward login --device-auth`, "+
			"or forward a port over SSH and pass it with --port", why)
	}
	b := &flow.Browser{Config: conf, Port: o.Port, Open: o.OpenBrowser, Out: o.IO.ErrOut, Timeout: o.Timeout}
	if ws, ok := eff.Requirements.Workspace(); ok {
		b.Params = map[string][]string{"workspace": {ws}}
	}
	return b.Login(ctx)
}

func (o *Options) device(ctx context.Context, conf *oauth2.Config) (*oauth2.Token, error) {
	d := &flow.Device{Config: conf}
	da, err := d.Start(ctx)
	if err != nil {
		return nil, err
	}
	out := o.IO.ErrOut
	fmt.Fprintf(out, "To sign in, open %s on another device and enter the code:\n\n    %s\n\n", da.VerificationURI, da.UserCode)
	if da.VerificationURIComplete != "" {
		fmt.Fprintf(out, "Or open this link, which carries the code:\n\n    %s\n\n", da.VerificationURIComplete)
		if code, err := qr(da.VerificationURIComplete); err == nil {
			fmt.Fprintf(out, "or scan it with your phone:\n\n%s\n", code)
		}
	}
	fmt.Fprintln(out, "Only continue if you started this login yourself: anyone who approves this code signs this machine in as them.")
	stop := spin(out, "Waiting for approval")
	tok, err := d.Wait(ctx, da)
	stop()
	return tok, err
}

// credentials verifies the ID token (signature, issuer, audience) and
// checks the workspace before building what gets stored.
func (o *Options) credentials(ctx context.Context, issuer string, tok *oauth2.Token, eff policy.Effective) (*credstore.Credentials, error) {
	raw, _ := tok.Extra("id_token").(string)
	provider, err := gooidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("reading %s's keys to check the sign-in: %w", issuer, err)
	}
	idt, err := provider.Verifier(&gooidc.Config{ClientID: ClientID}).Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("the server's ID token does not verify, so the login was not stored: %w", err)
	}
	var claims struct {
		Email     string `json:"email"`
		Workspace string `json:"ward_workspace"`
	}
	if err := idt.Claims(&claims); err != nil {
		return nil, err
	}
	if err := eff.Requirements.AllowWorkspace(claims.Workspace); err != nil {
		if claims.Workspace == "" {
			return nil, fmt.Errorf("the server did not confirm a workspace for this login, and %w", err)
		}
		return nil, err
	}
	return &credstore.Credentials{
		Issuer: issuer, ClientID: ClientID, AuthMode: credstore.AuthModeAccount,
		AccountID: idt.Subject, Email: claims.Email, WorkspaceID: claims.Workspace,
		SessionExpiresAt: session.Ends(tok, time.Now()),
		Tokens:           &credstore.Tokens{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, IDToken: raw, ExpiresAt: tok.Expiry},
	}, nil
}

// withServerRequirements adds the issuer's published requirements to the
// local ones; the stricter of the two binds. When the issuer cannot be
// reached, the last copy fetched from it stands in (with a warning).
func (o *Options) withServerRequirements(ctx context.Context, issuer string, local *policy.Requirements) (*policy.Requirements, error) {
	client, err := o.HTTPClient()
	if err != nil {
		return nil, err
	}
	home, err := o.Home()
	if err != nil {
		return nil, err
	}
	server, warning, err := policy.FetchWithCache(ctx, client, issuer, filepath.Join(home, policy.CacheFile), time.Now())
	if warning != "" {
		fmt.Fprintln(o.IO.ErrOut, "warning: "+warning)
	}
	if err != nil {
		return nil, err
	}
	return policy.Stricter(local, server), nil
}
