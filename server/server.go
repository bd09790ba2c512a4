// Package server assembles a Ward identity server: the store, the OAuth
// provider, the pages and the API behind one http.Handler.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wardauth/ward/client/policy"
	"github.com/wardauth/ward/server/account"
	"github.com/wardauth/ward/server/api"
	"github.com/wardauth/ward/server/oidc"
	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/server/store/sqlstore"
	"github.com/wardauth/ward/server/web"
)

// Config is how `ward serve` is set up. Every field has a default.
type Config struct {
	Listen  string // default 127.0.0.1:8080
	Issuer  string // default http:// + Listen
	DataDir string // default $XDG_DATA_HOME/ward
	// Database is a postgres:// URL, or a SQLite path (default
	// DataDir/ward.db).
	Database string
	// Requirements is a TOML file of login requirements to publish for the
	// CLI (forced_login_method, forced_workspace_id); empty publishes none.
	Requirements string
	// SecretFile holds the master secret (default DataDir/secret.key,
	// created on first start). Nodes sharing a database must share it.
	SecretFile string
	Logger     *slog.Logger
	Now        func() time.Time

	AccessTokenLifetime time.Duration
	SessionLifetime     time.Duration
	RefreshGrace        time.Duration
}

// Server is a running Ward identity server.
type Server struct {
	cfg      Config
	store    store.Store
	provider *oidc.Provider
	handler  http.Handler
}

// New opens the store (creating the schema and signing keys on first
// start) and builds the handlers.
func New(ctx context.Context, cfg Config) (*Server, error) {
	cfg.fill()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data directory: %w", err)
	}
	st, err := sqlstore.Open(ctx, cfg.Database)
	if err != nil {
		return nil, fmt.Errorf("opening the database %s: %w", redact(cfg.Database), err)
	}
	s, err := NewWithStore(ctx, cfg, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	return s, nil
}

// NewWithStore builds a server over an open store, which it then owns.
func NewWithStore(ctx context.Context, cfg Config, st store.Store) (*Server, error) {
	cfg.fill()
	secret, err := loadSecret(cfg.SecretFile)
	if err != nil {
		return nil, err
	}
	provider, err := oidc.New(ctx, oidc.Config{
		Issuer: cfg.Issuer, Store: st, Secret: secret, Now: cfg.Now, Logger: cfg.Logger,
		AccessTokenLifetime: cfg.AccessTokenLifetime, SessionLifetime: cfg.SessionLifetime,
		RefreshGrace: cfg.RefreshGrace,
	})
	if err != nil {
		return nil, err
	}
	accounts, err := account.New(st, cfg.Issuer)
	if err != nil {
		return nil, err
	}
	accounts.Now = cfg.Now
	accounts.SessionLifetime = cfg.SessionLifetime
	pages, err := web.New(web.Config{Accounts: accounts, Authorizer: provider, Issuer: cfg.Issuer, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	oauth := provider.Handler()
	for _, path := range []string{"/.well-known/", "/authorize", "/authorize/", "/oauth/", "/userinfo", "/end_session", "/keys", "/healthz", "/ready"} {
		mux.Handle(path, oauth)
	}
	mux.Handle("GET "+oidc.RevocationsPath, provider.Revocations())
	if cfg.Requirements != "" {
		h, err := requirementsHandler(cfg.Requirements)
		if err != nil {
			return nil, err
		}
		mux.Handle("GET "+policy.WellKnownPath, h)
	}
	mux.Handle("/v1/", api.Handler(st, provider.Verifier()))
	mux.Handle("/", pages)
	return &Server{cfg: cfg, store: st, provider: provider, handler: mux}, nil
}

// Handler serves everything.
func (s *Server) Handler() http.Handler { return s.handler }

// Store is the server's store, for administration commands and tests.
func (s *Server) Store() store.Store { return s.store }

// Serve answers on ln until ctx is done, then finishes requests in flight
// (for up to 10 seconds) and closes the store.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
	}
	go s.purge(ctx)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		s.store.Close()
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdown)
	s.store.Close()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// purge deletes expired device codes and rate-limit counters once a
// minute. Every node does it; the deletes are idempotent.
func (s *Server) purge(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := s.cfg.Now()
		if _, err := s.store.Devices().DeleteExpired(ctx, now); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("purging expired device codes", "err", err)
		}
		if _, err := s.store.Counters().DeleteExpired(ctx, now); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("purging expired counters", "err", err)
		}
	}
}

func (c *Config) fill() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.Issuer == "" {
		c.Issuer = DefaultIssuer(c.Listen)
	}
	c.Issuer = strings.TrimSuffix(c.Issuer, "/")
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir()
	}
	if c.Database == "" {
		c.Database = filepath.Join(c.DataDir, "ward.db")
	}
	if c.SecretFile == "" {
		c.SecretFile = filepath.Join(c.DataDir, "secret.key")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// DefaultIssuer is the issuer for a server listening on addr with no
// --issuer: http:// and the address, except that a loopback or unspecified
// IP becomes "localhost". WebAuthn refuses IP addresses as relying-party
// IDs, and browsers treat http://localhost as a secure context, so this is
// the one default under which passkeys work out of the box.
func DefaultIssuer(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && (ip.IsLoopback() || ip.IsUnspecified())) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// DefaultDataDir is $XDG_DATA_HOME/ward, or ~/.local/share/ward.
func DefaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "ward")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "ward-data"
	}
	return filepath.Join(home, ".local", "share", "ward")
}

// redact hides a password in a database URL before it is logged.
func redact(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if j := strings.LastIndex(dsn, "@"); j > i {
			userinfo := dsn[i+3 : j]
			if k := strings.IndexByte(userinfo, ':'); k >= 0 {
				return dsn[:i+3] + userinfo[:k] + ":***" + dsn[j:]
			}
		}
	}
	return dsn
}
