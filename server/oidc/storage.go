package oidc

import (
	"context"
	"errors"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/wardauth/ward/secret"
	"github.com/wardauth/ward/server/store"
)

// opStorage is zitadel/oidc's view of Ward's store. zitadel drives
// discovery, JWKS, /authorize and its callback, userinfo, end-session and
// revocation through it; the token grants are Ward's own (server.go), so
// the methods only those grants would call refuse.
type opStorage struct{ p *Provider }

var errNotUsed = oidc.ErrUnsupportedGrantType().WithDescription("this grant is not supported by Ward")

// CreateAuthRequest stores a validated /authorize request.
func (s opStorage) CreateAuthRequest(ctx context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	now := s.p.now()
	ar := &store.AuthRequest{
		ID: randomID(16), ClientID: r.ClientID, RedirectURI: r.RedirectURI,
		Scopes: r.Scopes, State: r.State, Nonce: r.Nonce, ResponseType: string(r.ResponseType),
		CodeChallenge: r.CodeChallenge, CodeChallengeMethod: string(r.CodeChallengeMethod),
		CreatedAt: now, ExpiresAt: now.Add(authRequestLifetime),
	}
	if err := s.p.store.AuthRequests().Create(ctx, ar); err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return authRequest{ar}, nil
}

func (s opStorage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.p.store.AuthRequests().Get(ctx, id)
	if err != nil || s.p.now().After(r.ExpiresAt) {
		return nil, oidc.ErrInvalidRequest().WithDescription("the sign-in request is unknown or has expired; start again from your application")
	}
	return authRequest{r}, nil
}

func (s opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.p.store.AuthRequests().ByCodeHash(ctx, secret.Hash(code))
	if err != nil {
		return nil, err
	}
	return authRequest{r}, nil
}

// SaveAuthCode records the code zitadel minted for a completed request.
// Only its hash is kept; it is valid for at most a minute.
func (s opStorage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.p.store.AuthRequests().SetCode(ctx, id, secret.Hash(code), s.p.now().Add(codeLifetime))
}

func (s opStorage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.p.store.AuthRequests().Delete(ctx, id)
}

func (s opStorage) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	return "", time.Time{}, errNotUsed
}

func (s opStorage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errNotUsed
}

func (s opStorage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, errNotUsed
}

// TerminateSession ends the person's browser sessions at the end-session
// endpoint, and with them every token family they produced.
func (s opStorage) TerminateSession(ctx context.Context, accountID, _ string) error {
	sessions, err := s.p.store.Sessions().ListByAccount(ctx, accountID)
	if err != nil {
		return err
	}
	now := s.p.now()
	for _, sess := range sessions {
		if err := s.p.revokeSession(ctx, sess.ID, "signed out", now); err != nil {
			return err
		}
	}
	return nil
}

// GetRefreshTokenInfo lets zitadel's revocation endpoint recognise Ward
// refresh tokens; anything else it then tries as an access token.
func (s opStorage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	if secret.Check(token, secret.RefreshToken) != nil {
		return "", "", op.ErrInvalidRefreshToken
	}
	t, err := s.p.store.RefreshTokens().Get(ctx, secret.Hash(token))
	if err != nil {
		return "", "", op.ErrInvalidRefreshToken
	}
	return t.AccountID, token, nil
}

// RevokeToken revokes the family of a refresh token or access token (by
// its jti). Unknown tokens and tokens of other clients are ignored, as
// RFC 7009 §2.2 asks: the caller learns nothing either way.
func (s opStorage) RevokeToken(ctx context.Context, tokenOrID, _, clientID string) *oidc.Error {
	familyID := familyOf(tokenOrID)
	if strings.HasPrefix(tokenOrID, secret.RefreshToken) {
		t, err := s.p.store.RefreshTokens().Get(ctx, secret.Hash(tokenOrID))
		if err != nil {
			return nil
		}
		familyID = t.FamilyID
	}
	if familyID == "" {
		return nil
	}
	f, err := s.p.store.RefreshTokens().Family(ctx, familyID)
	if err != nil || f.ClientID != clientID {
		return nil
	}
	if err := s.p.store.RefreshTokens().RevokeFamily(ctx, familyID, "revoked by the client", s.p.now()); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

func (s opStorage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	return s.p.keys.Signing(ctx)
}

func (s opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.ES256}, nil
}

func (s opStorage) KeySet(ctx context.Context) ([]op.Key, error) {
	return s.p.keys.Published(ctx)
}

func (s opStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	return s.p.loadClient(ctx, id)
}

func (s opStorage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	c, err := s.p.clients.get(ctx, id)
	if err != nil || !checkSecret(c, secret) {
		return oidc.ErrInvalidClient().WithDescription("client authentication failed")
	}
	return nil
}

func (s opStorage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil // deprecated in zitadel/oidc; SetUserinfoFromRequest does the work
}

func (s opStorage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, r op.IDTokenRequest, scopes []string) error {
	return s.p.setUserinfo(ctx, info, r.GetSubject(), scopes)
}

// SetUserinfoFromToken answers the userinfo endpoint, refusing tokens
// whose family has been revoked.
func (s opStorage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	if revoked, err := s.p.FamilyRevoked(ctx, familyOf(tokenID)); err != nil || revoked {
		return oidc.ErrAccessDenied().WithDescription("the access token was revoked")
	}
	return s.p.setUserinfo(ctx, info, subject, []string{oidc.ScopeEmail, oidc.ScopeProfile})
}

func (s opStorage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errNotUsed // Ward answers introspection itself (introspect.go)
}

func (s opStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s opStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotUsed
}

func (s opStorage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNotUsed
}

func (s opStorage) Health(ctx context.Context) error { return s.p.store.Ping(ctx) }

// FamilyRevoked implements verify.Revocations against the store. A token
// without a family (none is issued) is not revocable and so not revoked.
func (p *Provider) FamilyRevoked(ctx context.Context, familyID string) (bool, error) {
	if familyID == "" {
		return false, nil
	}
	revoked, err := p.store.RefreshTokens().FamilyRevoked(ctx, familyID)
	if errors.Is(err, store.ErrNotFound) {
		return true, nil // a family we never issued: treat as revoked
	}
	return revoked, err
}
