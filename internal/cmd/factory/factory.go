// Package factory gives the client commands what they share: streams,
// settings, the credential store and an HTTP client for the issuer. Each
// part is a function field, so a test replaces exactly what it fakes (the
// cli/cli pattern).
package factory

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/wardauth/ward/client/credstore"
	"github.com/wardauth/ward/client/netx"
	"github.com/wardauth/ward/client/policy"
	"github.com/wardauth/ward/client/session"
	"github.com/wardauth/ward/internal/buildinfo"
	"github.com/wardauth/ward/internal/iostreams"
)

// Factory is shared by every client command.
type Factory struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	// IsTerminal reports whether standard input is a terminal.
	IsTerminal func() bool
	// OpenBrowser opens a URL in the person's browser.
	OpenBrowser func(url string) error
	// Headless says why no browser can be shown here, or "".
	Headless func() string
}

// New returns the factory of a real process.
func New(io *iostreams.IOStreams) *Factory {
	return &Factory{IO: io, Getenv: os.Getenv, IsTerminal: stdinIsTerminal, OpenBrowser: openBrowser,
		Headless: func() string { return HeadlessReason(os.Getenv, fileExists) }}
}

// Home is $WARD_HOME, else ~/.ward.
func (f *Factory) Home() (string, error) {
	if h := f.Getenv("WARD_HOME"); h != "" {
		return h, nil
	}
	return policy.Home()
}

// Settings reads config.toml and the managed requirements, applied to each
// other; warnings about overridden settings go to stderr.
func (f *Factory) Settings() (policy.Effective, error) {
	home, err := f.Home()
	if err != nil {
		return policy.Effective{}, err
	}
	cfg, err := policy.LoadConfig(filepath.Join(home, policy.ConfigFile))
	if err != nil {
		return policy.Effective{}, err
	}
	path := f.Getenv("WARD_REQUIREMENTS_PATH")
	if path == "" {
		path = policy.DefaultRequirementsPath
	}
	managed, err := policy.LoadRequirements(path)
	if err != nil {
		return policy.Effective{}, err
	}
	eff := policy.Enforce(cfg, managed)
	for _, w := range eff.Warnings {
		fmt.Fprintln(f.IO.ErrOut, "warning: "+w)
	}
	return eff, nil
}

// ResolveIssuer resolves the issuer: flag, then WARD_ISSUER, then config.toml.
func (f *Factory) ResolveIssuer(flag string, eff policy.Effective) (string, error) {
	issuer := flag
	if issuer == "" {
		issuer = f.Getenv("WARD_ISSUER")
	}
	if issuer == "" {
		issuer = eff.Config.Issuer
	}
	if issuer == "" {
		return "", errors.New("no Ward server given: pass --issuer URL, set WARD_ISSUER, or put issuer = \"URL\" in config.toml")
	}
	issuer = strings.TrimSuffix(issuer, "/")
	if err := eff.Requirements.AllowIssuer(issuer); err != nil {
		return "", err
	}
	return issuer, nil
}

// Store opens the credential store config.toml chooses;
// insecureStorage forces the file.
func (f *Factory) Store(eff policy.Effective, insecureStorage bool) (credstore.Store, error) {
	home, err := f.Home()
	if err != nil {
		return nil, err
	}
	return credstore.Open(eff.Config.CredentialsStore, home, f.IO.ErrOut, insecureStorage)
}

// Other is the store the setting does not name but may still hold
// credentials from before cli_auth_credentials_store was changed: the
// keyring beside the file store and the other way round. The auto store
// reads both itself, so it has none.
func Other(st credstore.Store, home string) credstore.Store {
	switch st.(type) {
	case credstore.File:
		return credstore.Keyring{User: credstore.KeyringUser(home)}
	case credstore.Keyring:
		return credstore.File{Dir: home}
	}
	return nil
}

// adopt moves credentials left in the other store into st, so a changed
// setting leaves no copy behind.
func (f *Factory) adopt(st credstore.Store, home string) error {
	other := Other(st, home)
	if other == nil {
		return nil
	}
	if _, err := other.Load(); err != nil {
		return nil // nothing there, or no keyring on this machine
	}
	if err := credstore.Move(other, st); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Moved your credentials from the %s store to the %s store, as your settings now ask.\n", other.Name(), st.Name())
	return nil
}

// HTTPClient is the client for talking to the issuer: custom CAs and
// proxies from the environment. Its transport is built on first use:
// reading the system's CA bundle costs about 12 ms, which `ward token` with
// a fresh cached token never needs.
func (f *Factory) HTTPClient() (*http.Client, error) {
	return &http.Client{Transport: &lazyTransport{build: func() (*http.Client, error) {
		return netx.HTTPClient(netx.Options{Getenv: f.Getenv, UserAgent: "ward/" + buildinfo.Version})
	}}}, nil
}

// lazyTransport builds the real client's transport at the first request.
type lazyTransport struct {
	build  func() (*http.Client, error)
	once   sync.Once
	client *http.Client
	err    error
}

func (l *lazyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	l.once.Do(func() { l.client, l.err = l.build() })
	if l.err != nil {
		return nil, l.err
	}
	return l.client.Transport.RoundTrip(r)
}

// Session is the token source over the configured store. It reads the
// store once first: credentials left in the other store are moved in, and
// stored credentials the requirements no longer allow (a forbidden login
// method or workspace) are removed, with a message saying why.
func (f *Factory) Session(ctx context.Context, eff policy.Effective) (*session.Source, error) {
	home, err := f.Home()
	if err != nil {
		return nil, err
	}
	st, err := f.Store(eff, false)
	if err != nil {
		return nil, err
	}
	switch c, err := st.Load(); {
	case errors.Is(err, credstore.ErrNotFound):
		err = f.adopt(st, home)
	case err == nil:
		err = f.enforce(st, c, eff)
	default:
		err = nil // unreadable: the session reports it
	}
	if err != nil {
		return nil, err
	}
	client, err := f.HTTPClient()
	if err != nil {
		return nil, err
	}
	return &session.Source{Store: st, LockDir: home, HTTP: client}, nil
}

// enforce removes stored credentials that the requirements forbid.
func (f *Factory) enforce(st credstore.Store, c *credstore.Credentials, eff policy.Effective) error {
	method := policy.MethodAccount
	if c.AuthMode == credstore.AuthModeAPIKey {
		method = policy.MethodAPI
	}
	why := eff.Requirements.AllowLoginMethod(method)
	if why == nil && c.WorkspaceID != "" {
		why = eff.Requirements.AllowWorkspace(c.WorkspaceID)
	}
	if why == nil {
		return nil
	}
	if err := st.Delete(); err != nil {
		return fmt.Errorf("the stored credentials are no longer allowed (%v) but could not be removed: %w", why, err)
	}
	fmt.Fprintf(f.IO.ErrOut, "Removed the stored credentials: %v\n", why)
	return nil
}

// Auth is what a command sends to the issuer.
type Auth struct {
	Issuer string // where the credential is from; empty if unknown
	Token  string // the bearer: an access token or an API key
	// Source refreshes a refused access token; nil for WARD_API_KEY,
	// which nothing can refresh.
	Source *session.Source
}

// Auth returns the credential to send: WARD_API_KEY, else the stored
// login's access token (refreshed if need be) or API key.
func (f *Factory) Auth(ctx context.Context) (*Auth, error) {
	eff, err := f.Settings()
	if err != nil {
		return nil, err
	}
	if key := f.Getenv("WARD_API_KEY"); key != "" {
		a := &Auth{Token: key}
		if f.Getenv("WARD_ISSUER") != "" || eff.Config.Issuer != "" { // `ward token` needs none
			a.Issuer, err = f.ResolveIssuer("", eff)
		}
		return a, err
	}
	src, err := f.Session(ctx, eff)
	if err != nil {
		return nil, err
	}
	c, err := src.Credentials(ctx)
	if err != nil {
		return nil, err
	}
	a := &Auth{Issuer: c.Issuer, Token: c.APIKey, Source: src}
	if c.Tokens != nil {
		a.Token = c.Tokens.AccessToken
	}
	return a, nil
}
