package oidc

import (
	"context"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/wardauth/ward/secret"
)

// Introspect answers RFC 7662 for access tokens and refresh tokens. Only
// confidential clients (resource servers) may ask. An invalid, expired or
// revoked token is simply inactive, with nothing else said.
func (s *server) Introspect(ctx context.Context, r *op.Request[op.IntrospectionRequest]) (*op.Response, error) {
	p := s.p
	cc := r.Data.ClientCredentials
	if err := (opStorage{p}).AuthorizeClientIDSecret(ctx, cc.ClientID, cc.ClientSecret); err != nil {
		return nil, op.NewStatusError(err, 401)
	}
	token := r.Data.Token
	if strings.HasPrefix(token, secret.RefreshToken) {
		return op.NewResponse(p.introspectRefresh(ctx, token)), nil
	}
	return op.NewResponse(p.introspectAccess(ctx, token)), nil
}

func (p *Provider) introspectAccess(ctx context.Context, token string) *oidc.IntrospectionResponse {
	c, err := p.verify.Verify(ctx, token)
	if err != nil {
		return &oidc.IntrospectionResponse{}
	}
	out := &oidc.IntrospectionResponse{Claims: sessionClaims(c.SessionID, c.FamilyID)}
	out.Active = true
	out.TokenType = "Bearer"
	out.Scope = c.Scopes
	out.ClientID = c.ClientID
	out.Subject = c.Subject
	out.Audience = c.Audience
	out.Issuer = c.Issuer
	out.JWTID = c.TokenID
	out.AuthenticationMethodsReferences = c.AMR
	out.Expiration = oidc.FromTime(c.Expiry)
	out.IssuedAt = oidc.FromTime(c.IssuedAt)
	out.AuthTime = oidc.FromTime(c.AuthTime)
	return out
}

func (p *Provider) introspectRefresh(ctx context.Context, token string) *oidc.IntrospectionResponse {
	if secret.Check(token, secret.RefreshToken) != nil {
		return &oidc.IntrospectionResponse{}
	}
	t, err := p.store.RefreshTokens().Get(ctx, secret.Hash(token))
	if err != nil || !t.UsedAt.IsZero() || !t.RevokedAt.IsZero() || !p.now().Before(t.ExpiresAt) {
		return &oidc.IntrospectionResponse{}
	}
	out := &oidc.IntrospectionResponse{Claims: sessionClaims(t.SessionID, t.FamilyID)}
	out.Active = true
	out.TokenType = "refresh_token"
	out.Scope = t.Scopes
	out.ClientID = t.ClientID
	out.Subject = t.AccountID
	out.Issuer = p.issuer
	out.AuthenticationMethodsReferences = t.AMR
	out.Expiration = oidc.FromTime(t.ExpiresAt)
	out.IssuedAt = oidc.FromTime(t.CreatedAt)
	out.AuthTime = oidc.FromTime(t.AuthTime)
	return out
}

// sessionClaims are Ward's additions to RFC 7662's response: which browser
// session and which token family the token belongs to.
func sessionClaims(sessionID, familyID string) map[string]any {
	return map[string]any{"sid": sessionID, "fam": familyID}
}
