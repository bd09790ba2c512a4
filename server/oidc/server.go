package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/wardauth/ward/secret"
	"github.com/wardauth/ward/server/store"
)

// server is zitadel/oidc's LegacyServer with Ward's own grants. Everything
// not overridden here (discovery's base, JWKS, the callback, userinfo,
// end-session, revocation) runs as zitadel/oidc ships it.
type server struct {
	*op.LegacyServer
	p *Provider
}

// Discovery advertises exactly what Ward accepts: S256 is the only PKCE
// method, and the device grant is on.
func (s *server) Discovery(ctx context.Context, r *op.Request[struct{}]) (*op.Response, error) {
	resp, err := s.LegacyServer.Discovery(ctx, r)
	if err != nil {
		return nil, err
	}
	d := resp.Data.(*oidc.DiscoveryConfiguration)
	d.CodeChallengeMethodsSupported = []oidc.CodeChallengeMethod{oidc.CodeChallengeMethodS256}
	d.GrantTypesSupported = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeDeviceCode}
	d.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	return resp, nil
}

// VerifyAuthRequest refuses, before anything is redirected, a native
// client's loopback redirect that names a host rather than an IP literal.
func (s *server) VerifyAuthRequest(ctx context.Context, r *op.Request[oidc.AuthRequest]) (*op.ClientRequest[oidc.AuthRequest], error) {
	cr, err := s.LegacyServer.VerifyAuthRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	if cr.Client.ApplicationType() == op.ApplicationTypeNative && !loopbackHostAllowed(r.Data.RedirectURI) {
		return nil, oidc.ErrInvalidRequestRedirectURI().WithDescription("loopback redirect URIs must use 127.0.0.1 or [::1], not a host name (RFC 8252 section 8.3)")
	}
	return cr, nil
}

// Authorize requires PKCE with S256 from every client (RFC 9700 §2.1.1).
// The redirect URI is valid by now, so these errors go back to the client.
func (s *server) Authorize(ctx context.Context, r *op.ClientRequest[oidc.AuthRequest]) (*op.Redirect, error) {
	switch {
	case r.Data.CodeChallenge == "":
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE is required: send code_challenge with code_challenge_method=S256")
	case r.Data.CodeChallengeMethod != oidc.CodeChallengeMethodS256:
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256; plain is not accepted")
	}
	return s.LegacyServer.Authorize(ctx, r)
}

// exchangeCode redeems an authorization code once. The code must come
// from the same client, with the same redirect URI and the verifier that
// matches its challenge. A second redemption is an attack or a bug either
// way, and revokes everything the first one issued (RFC 9700 §4.5).
func (p *Provider) exchangeCode(ctx context.Context, c *client, code, redirectURI, verifier string) (*tokenResponse, error) {
	ar, err := p.store.AuthRequests().ByCodeHash(ctx, secret.Hash(code))
	if err != nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("the authorization code is not valid")
	}
	now := p.now()
	if !ar.CodeUsedAt.IsZero() {
		return nil, p.codeReplayed(ctx, ar)
	}
	switch {
	case now.After(ar.CodeExpiresAt):
		return nil, oidc.ErrInvalidGrant().WithDescription("the authorization code has expired; sign in again")
	case ar.ClientID != c.GetID():
		return nil, oidc.ErrInvalidGrant().WithDescription("the authorization code was issued to another client")
	case ar.RedirectURI != redirectURI:
		return nil, oidc.ErrInvalidGrant().WithDescription("redirect_uri does not match the one in the authorization request")
	case !pkceMatches(ar.CodeChallenge, verifier):
		return nil, oidc.ErrInvalidGrant().WithDescription("code_verifier does not match the code_challenge")
	}
	g := grantFromAuthRequest(ar)
	refresh, err := p.startFamily(ctx, g, c)
	if err != nil {
		return nil, err
	}
	// The family exists but nothing is handed out until the code is marked
	// used: of two racing redemptions exactly one gets here.
	if err := p.store.AuthRequests().UseCode(ctx, ar.ID, g.FamilyID, now); err != nil {
		p.store.RefreshTokens().RevokeFamily(ctx, g.FamilyID, "authorization code redeemed twice", now)
		if errors.Is(err, store.ErrConflict) {
			ar, _ = p.store.AuthRequests().Get(ctx, ar.ID)
			return nil, p.codeReplayed(ctx, ar)
		}
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return p.issue(ctx, g, refresh)
}

func (p *Provider) codeReplayed(ctx context.Context, ar *store.AuthRequest) error {
	if ar != nil && ar.FamilyID != "" {
		if err := p.store.RefreshTokens().RevokeFamily(ctx, ar.FamilyID, "authorization code replayed", p.now()); err != nil {
			return oidc.ErrServerError().WithParent(err)
		}
		p.log.WarnContext(ctx, "authorization code replayed; its tokens are revoked", "client", ar.ClientID, "family", ar.FamilyID)
	}
	return oidc.ErrInvalidGrant().WithDescription("the authorization code was already used; the tokens issued for it have been revoked")
}

// pkceMatches checks an S256 verifier (RFC 7636 §4.6) in constant time.
func pkceMatches(challenge, verifier string) bool {
	if challenge == "" || len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// refresh answers the refresh_token grant; see refresh.go for rotation.
func (p *Provider) refresh(ctx context.Context, c *client, token string, scopes []string) (*tokenResponse, error) {
	g, next, err := p.rotate(ctx, token, c.GetID())
	if err != nil {
		return nil, err
	}
	if len(scopes) > 0 {
		// An access token may be narrowed; the refresh token keeps the
		// family's scope (RFC 6749 §6).
		for _, sc := range scopes {
			if !slices.Contains(g.Scopes, sc) {
				return nil, oidc.ErrInvalidScope().WithDescription("scope %q was not granted to this login", sc)
			}
		}
		g.Scopes = scopes
	}
	return p.issue(ctx, g, next)
}
