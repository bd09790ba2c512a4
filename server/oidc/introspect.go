package oidc

import (
	"context"
	"strings"
	"time"

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

// introspection is RFC 7662's answer with Ward's session claims. It is
// Ward's own type rather than zitadel/oidc's, whose claim merging costs
// more than the rest of an introspection.
type introspection struct {
	Active    bool     `json:"active"`
	TokenType string   `json:"token_type,omitempty"`
	Scope     string   `json:"scope,omitempty"`
	ClientID  string   `json:"client_id,omitempty"`
	Subject   string   `json:"sub,omitempty"`
	Audience  []string `json:"aud,omitempty"`
	Issuer    string   `json:"iss,omitempty"`
	TokenID   string   `json:"jti,omitempty"`
	Expiry    int64    `json:"exp,omitempty"`
	IssuedAt  int64    `json:"iat,omitempty"`
	AuthTime  int64    `json:"auth_time,omitempty"`
	AMR       []string `json:"amr,omitempty"`
	SessionID string   `json:"sid,omitempty"`
	FamilyID  string   `json:"fam,omitempty"`
}

var inactive = &introspection{}

func (p *Provider) introspectAccess(ctx context.Context, token string) *introspection {
	c, err := p.verify.Verify(ctx, token)
	if err != nil {
		return inactive
	}
	return &introspection{
		Active: true, TokenType: "Bearer", Scope: strings.Join(c.Scopes, " "),
		ClientID: c.ClientID, Subject: c.Subject, Audience: c.Audience, Issuer: c.Issuer,
		TokenID: c.TokenID, Expiry: c.Expiry.Unix(), IssuedAt: unix(c.IssuedAt),
		AuthTime: unix(c.AuthTime), AMR: c.AMR, SessionID: c.SessionID, FamilyID: c.FamilyID,
	}
}

func (p *Provider) introspectRefresh(ctx context.Context, token string) *introspection {
	if secret.Check(token, secret.RefreshToken) != nil {
		return inactive
	}
	t, err := p.store.RefreshTokens().Get(ctx, secret.Hash(token))
	if err != nil || !t.UsedAt.IsZero() || !t.RevokedAt.IsZero() || !p.now().Before(t.ExpiresAt) {
		return inactive
	}
	return &introspection{
		Active: true, TokenType: "refresh_token", Scope: strings.Join(t.Scopes, " "),
		ClientID: t.ClientID, Subject: t.AccountID, Issuer: p.issuer,
		Expiry: t.ExpiresAt.Unix(), IssuedAt: unix(t.CreatedAt), AuthTime: unix(t.AuthTime),
		AMR: t.AMR, SessionID: t.SessionID, FamilyID: t.FamilyID,
	}
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
