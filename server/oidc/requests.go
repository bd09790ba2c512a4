package oidc

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/wardauth/ward/server/store"
)

// authRequest adapts a stored authorization request to op.AuthRequest.
type authRequest struct{ r *store.AuthRequest }

func (a authRequest) GetID() string                      { return a.r.ID }
func (a authRequest) GetACR() string                     { return "" }
func (a authRequest) GetAMR() []string                   { return a.r.AMR }
func (a authRequest) GetAudience() []string              { return []string{a.r.ClientID} }
func (a authRequest) GetAuthTime() time.Time             { return a.r.AuthTime }
func (a authRequest) GetClientID() string                { return a.r.ClientID }
func (a authRequest) GetNonce() string                   { return a.r.Nonce }
func (a authRequest) GetRedirectURI() string             { return a.r.RedirectURI }
func (a authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseType(a.r.ResponseType) }
func (a authRequest) GetResponseMode() oidc.ResponseMode { return "" }
func (a authRequest) GetScopes() []string                { return a.r.Scopes }
func (a authRequest) GetState() string                   { return a.r.State }
func (a authRequest) GetSubject() string                 { return a.r.AccountID }
func (a authRequest) Done() bool                         { return a.r.Done }

func (a authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.r.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.r.CodeChallenge, Method: oidc.CodeChallengeMethod(a.r.CodeChallengeMethod)}
}

// grant is what a set of tokens asserts: who, through which login, for
// which client and scopes. Every grant type (code, refresh, device) reduces
// to one, and one issuing path turns it into tokens. It satisfies the
// request interfaces zitadel/oidc's token builders take.
type grant struct {
	ClientID  string
	AccountID string
	SessionID string
	FamilyID  string
	Scopes    []string
	AMR       []string
	AuthTime  time.Time
	Nonce     string // code flow only: echoed in the ID token
	// Expires bounds every token of the grant: the session lifetime.
	Expires time.Time
	// refreshed is set for a grant carried by a refresh token rather than
	// a fresh sign-in.
	refreshed bool
}

func (g *grant) GetAMR() []string            { return g.AMR }
func (g *grant) GetAudience() []string       { return []string{g.ClientID} }
func (g *grant) GetAuthTime() time.Time      { return g.AuthTime }
func (g *grant) GetClientID() string         { return g.ClientID }
func (g *grant) GetScopes() []string         { return g.Scopes }
func (g *grant) GetSubject() string          { return g.AccountID }
func (g *grant) SetCurrentScopes(s []string) { g.Scopes = s }

func (g *grant) offline() bool { return g.hasScope(oidc.ScopeOfflineAccess) }

// claims are the private claims Ward adds to access tokens, so resource
// servers can verify offline and revocation can find what to revoke.
func (g *grant) claims() map[string]any {
	c := map[string]any{"sid": g.SessionID, "fam": g.FamilyID, "amr": g.AMR}
	if !g.AuthTime.IsZero() {
		c["auth_time"] = g.AuthTime.Unix()
	}
	return c
}

// grantFromAuthRequest is the grant a completed authorization request
// yields.
func grantFromAuthRequest(r *store.AuthRequest) *grant {
	return &grant{
		ClientID: r.ClientID, AccountID: r.AccountID, SessionID: r.SessionID,
		Scopes: r.Scopes, AMR: r.AMR, AuthTime: r.AuthTime, Nonce: r.Nonce,
	}
}

// grantFromRefresh is the grant a refresh token carries.
func grantFromRefresh(t *store.RefreshToken) *grant {
	return &grant{
		ClientID: t.ClientID, AccountID: t.AccountID, SessionID: t.SessionID, FamilyID: t.FamilyID,
		Scopes: t.Scopes, AMR: t.AMR, AuthTime: t.AuthTime, Expires: t.ExpiresAt,
		refreshed: true,
	}
}

// grantFromDevice is the grant an approved device authorization yields.
func grantFromDevice(d *store.Device) *grant {
	return &grant{
		ClientID: d.ClientID, AccountID: d.AccountID, SessionID: d.SessionID,
		Scopes: d.Scopes, AMR: d.AMR, AuthTime: d.AuthTime,
	}
}

func (g *grant) hasScope(s string) bool { return slices.Contains(g.Scopes, s) }
