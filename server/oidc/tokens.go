package oidc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	zcrypto "github.com/zitadel/oidc/v3/pkg/crypto"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/wardauth/ward/secret"
	"github.com/wardauth/ward/server/store"
)

// issue turns a grant into a token response: a JWT access token, an ID
// token when openid was asked for at a sign-in, and the given refresh
// token (empty when the grant has none). Access and ID tokens never
// outlive the grant.
//
// A refresh gets no new ID token (OIDC Core §12.2 leaves it optional): an
// ID token asserts that the person authenticated, and a refresh is not an
// authentication. It also halves the signing work of the hottest path.
func (p *Provider) issue(ctx context.Context, g *grant, refresh string) (*tokenResponse, error) {
	key, err := p.keys.Signing(ctx)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", key.id))
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	now := p.now()
	exp := now.Add(p.cfg.AccessTokenLifetime)
	if !g.Expires.IsZero() && exp.After(g.Expires) {
		exp = g.Expires
	}

	at := oidc.NewAccessTokenClaims(p.issuer, g.AccountID, g.GetAudience(), exp, g.FamilyID+"."+randomID(9), g.ClientID, 0)
	at.IssuedAt, at.NotBefore = oidc.FromTime(now), oidc.FromTime(now)
	at.Scopes = g.Scopes
	at.Claims = g.claims()
	access, err := zcrypto.Sign(at, signer)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	resp := &tokenResponse{AccessTokenResponse: &oidc.AccessTokenResponse{
		AccessToken:  access,
		TokenType:    oidc.BearerToken,
		RefreshToken: refresh,
		ExpiresIn:    uint64(exp.Sub(now) / time.Second),
		Scope:        g.Scopes,
	}}
	if refresh != "" && !g.Expires.IsZero() {
		resp.RefreshExpiresIn = int64(g.Expires.Sub(now) / time.Second)
	}
	if g.hasScope(oidc.ScopeOpenID) && !g.refreshed {
		if resp.IDToken, err = p.idToken(ctx, g, access, exp, now, signer); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

func (p *Provider) idToken(ctx context.Context, g *grant, access string, exp, now time.Time, signer jose.Signer) (string, error) {
	claims := oidc.NewIDTokenClaims(p.issuer, g.AccountID, g.GetAudience(), exp, g.AuthTime, g.Nonce, "", g.AMR, g.ClientID, 0)
	claims.IssuedAt = oidc.FromTime(now)
	claims.SessionID = g.SessionID
	hash, err := oidc.ClaimHash(access, jose.ES256)
	if err != nil {
		return "", oidc.ErrServerError().WithParent(err)
	}
	claims.AccessTokenHash = hash
	if g.hasScope(oidc.ScopeEmail) || g.hasScope(oidc.ScopeProfile) {
		info := new(oidc.UserInfo)
		if err := p.setUserinfo(ctx, info, g.AccountID, g.Scopes); err != nil {
			return "", err
		}
		claims.SetUserInfo(info)
	}
	tok, err := zcrypto.Sign(claims, signer)
	if err != nil {
		return "", oidc.ErrServerError().WithParent(err)
	}
	return tok, nil
}

// tokenResponse is RFC 6749's token response plus refresh_token_expires_in
// (as GitHub and others send it): when the login itself ends, so a CLI can
// tell the person before it happens.
type tokenResponse struct {
	*oidc.AccessTokenResponse
	RefreshExpiresIn int64 `json:"refresh_token_expires_in,omitempty"`
}

// startFamily begins a token family for a fresh login and, if the grant
// asks for offline access and the client may refresh, mints its first
// refresh token. The family lives as long as the account's session policy
// allows, counted from when the person authenticated.
func (p *Provider) startFamily(ctx context.Context, g *grant, c *client) (refresh string, err error) {
	now := p.now()
	g.FamilyID = randomID(16)
	g.Expires = g.AuthTime.Add(p.sessionLifetime(ctx, g.AccountID))
	if !g.Expires.After(now) {
		return "", oidc.ErrInvalidGrant().WithDescription("the sign-in is older than the account's session lifetime; sign in again")
	}
	f := &store.Family{ID: g.FamilyID, ClientID: g.ClientID, AccountID: g.AccountID, SessionID: g.SessionID, CreatedAt: now}
	var first *store.RefreshToken
	if g.offline() && c.allows(oidc.GrantTypeRefreshToken) {
		refresh = secret.New(secret.RefreshToken)
		first = p.refreshRecord(g, refresh, now)
	}
	if err := p.store.RefreshTokens().CreateFamily(ctx, f, first); err != nil {
		return "", oidc.ErrServerError().WithParent(err)
	}
	return refresh, nil
}

func (p *Provider) refreshRecord(g *grant, token string, now time.Time) *store.RefreshToken {
	return &store.RefreshToken{
		Hash: secret.Hash(token), FamilyID: g.FamilyID, ClientID: g.ClientID,
		AccountID: g.AccountID, SessionID: g.SessionID, Scopes: g.Scopes,
		AMR: g.AMR, AuthTime: g.AuthTime, CreatedAt: now, ExpiresAt: g.Expires,
	}
}

// sessionLifetime is how long a login may last for this account: its own
// policy if it has one, else the server default.
func (p *Provider) sessionLifetime(ctx context.Context, accountID string) time.Duration {
	a, err := p.store.Accounts().Get(ctx, accountID)
	if err == nil && a.SessionLifetime > 0 {
		return a.SessionLifetime
	}
	return p.cfg.SessionLifetime
}

// setUserinfo fills the standard claims the scopes allow.
func (p *Provider) setUserinfo(ctx context.Context, info *oidc.UserInfo, accountID string, scopes []string) error {
	a, err := p.store.Accounts().Get(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return oidc.ErrInvalidGrant().WithDescription("the account no longer exists")
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	info.Subject = a.ID
	for _, s := range scopes {
		switch s {
		case oidc.ScopeEmail:
			info.Email, info.EmailVerified = a.Email, oidc.Bool(false)
		case oidc.ScopeProfile:
			info.Name = a.Name
		}
	}
	return nil
}

// familyOf returns the family encoded in an access token's jti
// ("family.random").
func familyOf(jti string) string {
	family, _, ok := strings.Cut(jti, ".")
	if !ok {
		return ""
	}
	return family
}

func describeExpiry(lifetime time.Duration) string {
	if lifetime%time.Hour == 0 {
		h := int(lifetime / time.Hour)
		if h%24 == 0 && h >= 48 {
			return fmt.Sprintf("%d days", h/24)
		}
		if h == 1 {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", h)
	}
	return lifetime.String()
}
