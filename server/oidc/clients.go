package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net"
	"net/url"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/wardauth/ward/server/store"
)

// CLIClientID is the public client every Ward CLI uses. It exists out of the
// box; `ward admin clients` manages others.
const CLIClientID = "ward-cli"

// CLIClient is the built-in registration of the Ward CLI: a native public
// client that redirects to a loopback listener on any port (RFC 8252 §7.3)
// and may use the device grant on machines without a browser.
func CLIClient(now time.Time) *store.Client {
	return &store.Client{
		ID:           CLIClientID,
		Name:         "Ward CLI",
		RedirectURIs: []string{"http://127.0.0.1/callback", "http://[::1]/callback"},
		GrantTypes:   []string{string(oidc.GrantTypeCode), string(oidc.GrantTypeRefreshToken), string(oidc.GrantTypeDeviceCode)},
		Scopes:       []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopeOfflineAccess},
		Native:       true,
		CreatedAt:    now,
	}
}

// client adapts a stored client to zitadel/oidc's op.Client.
type client struct {
	c        *store.Client
	loginURL string
	idTTL    time.Duration
}

func (c *client) GetID() string                    { return c.c.ID }
func (c *client) RedirectURIs() []string           { return c.c.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string { return nil }
func (c *client) LoginURL(id string) string {
	return c.loginURL + "?authRequestID=" + url.QueryEscape(id)
}
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c *client) IDTokenLifetime() time.Duration       { return c.idTTL }
func (c *client) DevMode() bool                        { return false }
func (c *client) IsScopeAllowed(scope string) bool     { return slices.Contains(c.c.Scopes, scope) }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

func (c *client) ApplicationType() op.ApplicationType {
	if c.c.Native {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}

func (c *client) AuthMethod() oidc.AuthMethod {
	if len(c.c.SecretHash) == 0 {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

func (c *client) GrantTypes() []oidc.GrantType {
	out := make([]oidc.GrantType, len(c.c.GrantTypes))
	for i, g := range c.c.GrantTypes {
		out[i] = oidc.GrantType(g)
	}
	return out
}

func (c *client) allows(g oidc.GrantType) bool { return slices.Contains(c.c.GrantTypes, string(g)) }

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// loadClient returns the op.Client for id.
func (p *Provider) loadClient(ctx context.Context, id string) (*client, error) {
	c, err := p.clients.get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, oidc.ErrInvalidClient().WithDescription("unknown client %q", id)
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return &client{c: c, loginURL: p.issuer + "/login", idTTL: p.cfg.AccessTokenLifetime}, nil
}

// checkSecret compares a presented client secret with the stored hash in
// constant time. Client secrets are random and long, so a plain SHA-256 is
// the right hash: there is nothing for a slow hash to protect.
func checkSecret(c *store.Client, secret string) bool {
	if len(c.SecretHash) == 0 || secret == "" {
		return false
	}
	sum := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(sum[:], c.SecretHash) == 1
}

// loopbackHostAllowed reports whether a native client's redirect URI uses
// an IP loopback literal. RFC 8252 §8.3 advises against "localhost", which
// a hostile resolver or hosts file can point elsewhere.
func loopbackHostAllowed(redirectURI string) bool {
	u, err := url.Parse(redirectURI)
	if err != nil || u.Scheme != "http" {
		return true // not a loopback redirect: the usual exact-match rules apply
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}
