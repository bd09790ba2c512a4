// Package oidc is Ward's OAuth 2.0 and OpenID Connect provider, built on
// zitadel/oidc's op package.
//
// zitadel/oidc serves discovery, JWKS, /authorize, userinfo, end-session and
// revocation over Ward's store. The token grants (authorization code,
// refresh, device code) and introspection are Ward's own, because Ward's
// rules are stricter than the library's: PKCE with S256 only, single-use
// codes whose replay revokes what they issued, rotating refresh tokens with
// family-wide reuse detection, and RFC 8628's polling interval and
// user-code guessing limits, all enforced in the shared store so they hold
// across nodes.
package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/verify"
)

// Fixed by the standards Ward follows rather than by configuration.
const (
	codeLifetime        = 60 * time.Second // RFC 9700 §4.5 wants short-lived codes
	authRequestLifetime = 15 * time.Minute
	deviceLifetime      = 15 * time.Minute
	deviceInterval      = 5 * time.Second // RFC 8628 §3.2 default
)

// Config configures a Provider. Issuer, Store and Secret are required; the
// zero value of the rest is a sensible default.
type Config struct {
	Issuer string
	Store  store.Store
	// Secret is the server's master secret (32 bytes or more). Keys that
	// seal signing keys and authorization codes are derived from it, so
	// every node of a cluster must share it.
	Secret []byte
	Now    func() time.Time
	Logger *slog.Logger

	AccessTokenLifetime time.Duration // default 10 minutes
	// SessionLifetime bounds a login (and every refresh token from it) for
	// accounts with no policy of their own. Default 30 days.
	SessionLifetime time.Duration
	// RefreshGrace is how long after a rotation the old refresh token may
	// be presented again, for a client that lost the response. Default 10s.
	RefreshGrace time.Duration
	KeyRotation  time.Duration // default 30 days

	// Device user-code guessing limits: per client IP per 15 minutes, and
	// across all clients per minute. Defaults 20 and 600.
	GuessesPerIP  int
	GuessesGlobal int
}

// Provider is the OAuth/OIDC side of a Ward server.
type Provider struct {
	cfg     Config
	issuer  string
	store   store.Store
	keys    *keyring
	now     func() time.Time
	log     *slog.Logger
	handler http.Handler
	verify  *verify.Verifier
	clients *clientCache
}

// New builds a Provider and makes sure the Ward CLI client exists.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	if cfg.Issuer == "" || cfg.Store == nil || len(cfg.Secret) < 32 {
		return nil, errors.New("oidc: Issuer, Store and a Secret of at least 32 bytes are required")
	}
	defaults(&cfg)
	p := &Provider{
		cfg:    cfg,
		issuer: strings.TrimSuffix(cfg.Issuer, "/"),
		store:  cfg.Store,
		now:    cfg.Now,
		log:    cfg.Logger,
	}
	p.clients = &clientCache{clients: cfg.Store.Clients(), now: p.now}
	var err error
	p.keys, err = newKeyring(cfg.Store.Keys(), derive(cfg.Secret, "signing-key seal"), p.now, cfg.KeyRotation, cfg.AccessTokenLifetime)
	if err != nil {
		return nil, err
	}
	// Load (or make) the signing key now, so the first request does not pay
	// for it and a wrong secret fails the start rather than a login.
	if _, err := p.keys.Signing(ctx); err != nil {
		return nil, err
	}
	p.verify = &verify.Verifier{Issuer: p.issuer, Keys: p.keys, Revocations: p, Now: p.now}
	if err := p.ensureCLIClient(ctx); err != nil {
		return nil, err
	}
	if p.handler, err = p.newHandler(); err != nil {
		return nil, err
	}
	return p, nil
}

func defaults(c *Config) {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	setDefault(&c.AccessTokenLifetime, 10*time.Minute)
	setDefault(&c.SessionLifetime, 30*24*time.Hour)
	setDefault(&c.RefreshGrace, 10*time.Second)
	setDefault(&c.KeyRotation, 30*24*time.Hour)
	if c.GuessesPerIP == 0 {
		c.GuessesPerIP = 20
	}
	if c.GuessesGlobal == 0 {
		c.GuessesGlobal = 600
	}
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d == 0 {
		*d = v
	}
}

// derive returns a 32-byte key for one purpose from the master secret.
func derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("ward " + purpose))
	return m.Sum(nil)
}

// Handler serves every OAuth/OIDC endpoint, discovery first.
func (p *Provider) Handler() http.Handler { return p.handler }

// Verifier checks access tokens this provider issued, for Ward's own API.
func (p *Provider) Verifier() *verify.Verifier { return p.verify }

func (p *Provider) ensureCLIClient(ctx context.Context) error {
	_, err := p.store.Clients().Get(ctx, CLIClientID)
	if errors.Is(err, store.ErrNotFound) {
		return p.store.Clients().Put(ctx, CLIClient(p.now()))
	}
	return err
}

// revokeSession ends a browser session and every family issued through it.
func (p *Provider) revokeSession(ctx context.Context, sessionID, reason string, at time.Time) error {
	if err := p.store.Sessions().Revoke(ctx, sessionID, at); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return p.store.RefreshTokens().RevokeSession(ctx, sessionID, reason, at)
}

// newHandler wires zitadel/oidc's router around Ward's Server.
func (p *Provider) newHandler() (http.Handler, error) {
	var codeKey [32]byte
	copy(codeKey[:], derive(p.cfg.Secret, "authorization codes"))
	opCfg := &op.Config{
		CryptoKey:             codeKey,
		CodeMethodS256:        true,
		AuthMethodPost:        true,
		GrantTypeRefreshToken: true,
		SupportedScopes:       CLIClient(time.Time{}).Scopes,
		DeviceAuthorization: op.DeviceAuthorizationConfig{
			Lifetime: deviceLifetime, PollInterval: deviceInterval,
			UserFormPath: "/device", UserCode: op.UserCodeBase20,
		},
	}
	var opts []op.Option
	if strings.HasPrefix(p.issuer, "http://") {
		opts = append(opts, op.WithAllowInsecure())
	}
	provider, err := op.NewProvider(opCfg, opStorage{p}, op.StaticIssuer(p.issuer), opts...)
	if err != nil {
		return nil, err
	}
	s := &server{LegacyServer: op.NewLegacyServer(provider, endpoints), p: p}
	mux := http.NewServeMux()
	mux.HandleFunc(endpoints.Token.Relative(), p.tokenEndpoint)
	mux.Handle("/", op.RegisterLegacyServer(s, op.AuthorizeCallbackHandler(provider), op.WithHTTPMiddleware(withClientIP)))
	return mux, nil
}

// endpoints are Ward's OAuth paths, all advertised through discovery.
var endpoints = op.Endpoints{
	Authorization:       op.NewEndpoint("/authorize"),
	Token:               op.NewEndpoint("/oauth/token"),
	Introspection:       op.NewEndpoint("/oauth/introspect"),
	Userinfo:            op.NewEndpoint("/userinfo"),
	Revocation:          op.NewEndpoint("/oauth/revoke"),
	EndSession:          op.NewEndpoint("/end_session"),
	JwksURI:             op.NewEndpoint("/keys"),
	DeviceAuthorization: op.NewEndpoint("/oauth/device_authorization"),
}

type ipKey struct{}

// withClientIP records the caller's address for the handlers that need it
// (device authorization shows it; guess limits count by it).
func withClientIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ipKey{}, ClientIP(r))))
	})
}

// ClientIP is the address a request came from. Ward does not trust
// forwarding headers: put it behind a proxy only with care.
func ClientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

func clientIPFrom(ctx context.Context) string {
	ip, _ := ctx.Value(ipKey{}).(string)
	return ip
}
