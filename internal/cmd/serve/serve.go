// Package serve implements `ward serve`, the identity server.
package serve

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardauth/ward/internal/iostreams"
	"github.com/wardauth/ward/server"
)

// Options are `ward serve`'s settings. Each flag falls back to an
// environment variable, then to the server's default.
type Options struct {
	IO       *iostreams.IOStreams
	Listen   string
	Issuer   string
	DataDir  string
	Database string
	Secret   string
	// Requirements is a TOML file of login requirements to publish.
	Requirements string

	AccessTokenLifetime time.Duration
	SessionLifetime     time.Duration
	RefreshGrace        time.Duration

	// Ready, if set, receives the listening address once the server
	// answers (tests use it to learn a random port).
	Ready func(addr string)
}

// NewCmd returns `ward serve`.
func NewCmd(io *iostreams.IOStreams) *cobra.Command {
	o := &Options{IO: io}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Ward identity server",
		Long: `Run the Ward identity server: passkey accounts, the OAuth 2.0 / OpenID Connect
provider for CLIs, and the account pages.

With no flags it listens on 127.0.0.1:8080 and keeps its state in a SQLite
database in the data directory, creating the schema and signing keys on first
start. Point --database at PostgreSQL to run several nodes on one database;
they must then share the secret file too.`,
		Example: `  ward serve
  ward serve --listen 0.0.0.0:443 --issuer https://id.example.com
  ward serve --database postgres://ward@db/ward --secret-file /etc/ward/secret.key`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return run(ctx, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Listen, "listen", env("WARD_LISTEN"), "address to listen on (env WARD_LISTEN; default 127.0.0.1:8080)")
	f.StringVar(&o.Issuer, "issuer", env("WARD_ISSUER"), "public URL of this server (env WARD_ISSUER; default http:// + the listen address, with localhost for a loopback IP)")
	f.StringVar(&o.DataDir, "data-dir", env("WARD_DATA_DIR"), "directory for the SQLite database and secret (env WARD_DATA_DIR; default $XDG_DATA_HOME/ward)")
	f.StringVar(&o.Database, "database", env("WARD_DATABASE_URL"), "postgres:// URL or SQLite file (env WARD_DATABASE_URL; default ward.db in the data dir)")
	f.StringVar(&o.Secret, "secret-file", env("WARD_SECRET_FILE"), "master secret file, shared by all nodes (env WARD_SECRET_FILE; default secret.key in the data dir)")
	f.StringVar(&o.Requirements, "requirements", env("WARD_REQUIREMENTS_FILE"), "TOML file of login requirements to publish to CLIs (env WARD_REQUIREMENTS_FILE; see docs/policy.md)")
	f.DurationVar(&o.AccessTokenLifetime, "access-token-lifetime", 10*time.Minute, "lifetime of access and ID tokens")
	f.DurationVar(&o.SessionLifetime, "session-lifetime", 30*24*time.Hour, "default lifetime of a login, for accounts without their own policy")
	f.DurationVar(&o.RefreshGrace, "refresh-grace", 10*time.Second, "how long a just-rotated refresh token may be retried by a client that lost the response")
	return cmd
}

func env(name string) string { return os.Getenv(name) }

func run(ctx context.Context, o *Options) error {
	logger := slog.New(slog.NewTextHandler(o.IO.ErrOut, nil))
	slog.SetDefault(slog.New(quiet{logger.Handler()}))
	cfg := server.Config{
		Listen: o.Listen, Issuer: o.Issuer, DataDir: o.DataDir, Database: o.Database,
		SecretFile: o.Secret, Requirements: o.Requirements, Logger: logger,
		AccessTokenLifetime: o.AccessTokenLifetime, SessionLifetime: o.SessionLifetime,
		RefreshGrace: o.RefreshGrace,
	}
	listen := cfg.Listen
	if listen == "" {
		listen = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w (is another server running there? choose another with --listen)", listen, err)
	}
	if cfg.Issuer == "" {
		cfg.Issuer = server.DefaultIssuer(ln.Addr().String())
	}
	if addr := os.Getenv("WARD_PPROF_ADDR"); addr != "" {
		if err := servePprof(ctx, addr, logger); err != nil {
			ln.Close()
			return err
		}
	}
	srv, err := server.New(ctx, cfg)
	if err != nil {
		ln.Close()
		return err
	}
	logger.Info("ward is listening", "addr", ln.Addr().String(), "issuer", cfg.Issuer)
	if o.Ready != nil {
		o.Ready(ln.Addr().String())
	}
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	logger.Info("ward stopped")
	return nil
}

// quiet is the handler for slog's default logger, which zitadel/oidc logs
// to. It logs every OAuth error a client earns (a pending device poll, a
// bad code) as info or warning; those are the client's business, not the
// operator's, and at thousands of polls a second they would drown the log.
// They are demoted to debug; errors stay errors.
type quiet struct{ slog.Handler }

func (q quiet) Enabled(ctx context.Context, l slog.Level) bool {
	if l < slog.LevelError {
		l = slog.LevelDebug
	}
	return q.Handler.Enabled(ctx, l)
}

func (q quiet) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelError {
		r.Level = slog.LevelDebug
	}
	return q.Handler.Handle(ctx, r)
}

func (q quiet) WithAttrs(a []slog.Attr) slog.Handler { return quiet{q.Handler.WithAttrs(a)} }
func (q quiet) WithGroup(n string) slog.Handler      { return quiet{q.Handler.WithGroup(n)} }

// servePprof serves the runtime profiles on addr until ctx is done, so a
// benchmark can take a CPU profile of a server under load
// (bench/wardbench, docs/benchmarks.md). It is opt-in through
// WARD_PPROF_ADDR alone, not a flag, because profiles expose internals and
// cost CPU while taken: nobody should turn it on in production by accident.
// It gets its own listener and mux so the profiles never appear on the
// public address.
func servePprof(ctx context.Context, addr string, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on WARD_PPROF_ADDR=%s: %w (unset it, or choose a free address)", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	logger.Warn("serving runtime profiles (WARD_PPROF_ADDR); do not expose this address", "addr", ln.Addr().String())
	return nil
}
