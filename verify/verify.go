// Package verify checks Ward access tokens where they are used: in Ward's
// own API and in any resource server that trusts a Ward issuer.
//
// Verification is offline: the signature is checked against the issuer's
// published keys (JWKS, cached), and the token's family is checked against
// a revocation source, so a revoked login stops working without a round
// trip to the issuer on every request.
package verify

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Algorithms Ward signs with. Anything else, "none" included, is refused
// before any key is looked up.
var Algorithms = []jose.SignatureAlgorithm{jose.ES256}

// Claims are what a verified Ward access token says.
type Claims struct {
	Issuer    string
	Subject   string // the account ID
	Audience  []string
	ClientID  string
	SessionID string // the browser session the login came from
	FamilyID  string // the refresh-token family; revoking it revokes the token
	TokenID   string
	Scopes    []string
	AMR       []string // how the person authenticated
	AuthTime  time.Time
	IssuedAt  time.Time
	Expiry    time.Time
}

// HasScope reports whether the token carries scope.
func (c *Claims) HasScope(scope string) bool { return slices.Contains(c.Scopes, scope) }

// KeySource finds the public key a token names in its kid header.
type KeySource interface {
	PublicKey(ctx context.Context, kid string) (crypto.PublicKey, error)
}

// Revocations reports whether a token family has been revoked.
type Revocations interface {
	FamilyRevoked(ctx context.Context, familyID string) (bool, error)
}

// Errors a Verifier returns. Each is wrapped with detail; test with errors.Is.
var (
	ErrMalformed = errors.New("access token is malformed")
	ErrSignature = errors.New("access token signature is not valid")
	ErrExpired   = errors.New("access token has expired")
	ErrIssuer    = errors.New("access token was issued by another server")
	ErrRevoked   = errors.New("access token was revoked")
)

// Verifier checks access tokens. Issuer and Keys are required.
type Verifier struct {
	Issuer      string
	Keys        KeySource
	Revocations Revocations      // nil: no revocation check (signature and expiry only)
	Now         func() time.Time // nil: time.Now
	Leeway      time.Duration    // allowed clock skew for exp/iat

	cache verified
}

// wire is the JSON of a Ward access token.
type wire struct {
	Issuer    string           `json:"iss"`
	Subject   string           `json:"sub"`
	Audience  jwt.Audience     `json:"aud"`
	Expiry    *jwt.NumericDate `json:"exp"`
	IssuedAt  *jwt.NumericDate `json:"iat"`
	AuthTime  *jwt.NumericDate `json:"auth_time"`
	ClientID  string           `json:"client_id"`
	TokenID   string           `json:"jti"`
	Scope     string           `json:"scope"`
	SessionID string           `json:"sid"`
	FamilyID  string           `json:"fam"`
	AMR       []string         `json:"amr"`
}

// Verify checks token and returns its claims.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	c := v.cache.get(token)
	if c == nil {
		var err error
		if c, err = v.parse(ctx, token, now); err != nil {
			return nil, err
		}
		v.cache.put(token, c)
	}
	if now.After(c.Expiry.Add(v.Leeway)) {
		return nil, ErrExpired
	}
	if v.Revocations != nil && c.FamilyID != "" {
		revoked, err := v.Revocations.FamilyRevoked(ctx, c.FamilyID)
		if err != nil {
			return nil, fmt.Errorf("checking revocation: %w", err)
		}
		if revoked {
			return nil, ErrRevoked
		}
	}
	out := *c // the caller may change its copy; the cached one stays true
	return &out, nil
}

// parse checks everything about a token that cannot change: its form, its
// signature and its issuer.
func (v *Verifier) parse(ctx context.Context, token string, now time.Time) (*Claims, error) {
	tok, err := jwt.ParseSigned(token, Algorithms)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(tok.Headers) != 1 || tok.Headers[0].KeyID == "" {
		return nil, fmt.Errorf("%w: no key ID", ErrMalformed)
	}
	key, err := v.Keys.PublicKey(ctx, tok.Headers[0].KeyID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	var w wire
	if err := tok.Claims(key, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	if w.Issuer != v.Issuer {
		return nil, fmt.Errorf("%w: %q, not %q", ErrIssuer, w.Issuer, v.Issuer)
	}
	if w.Expiry == nil {
		return nil, fmt.Errorf("%w: no expiry", ErrMalformed)
	}
	if w.IssuedAt != nil && w.IssuedAt.Time().After(now.Add(v.Leeway+time.Minute)) {
		return nil, fmt.Errorf("%w: issued in the future", ErrMalformed)
	}
	return w.claims(), nil
}

func (w *wire) claims() *Claims {
	c := &Claims{
		Issuer: w.Issuer, Subject: w.Subject, Audience: w.Audience,
		ClientID: w.ClientID, SessionID: w.SessionID, FamilyID: w.FamilyID,
		TokenID: w.TokenID, Scopes: strings.Fields(w.Scope), AMR: w.AMR,
		Expiry: w.Expiry.Time(),
	}
	if w.IssuedAt != nil {
		c.IssuedAt = w.IssuedAt.Time()
	}
	if w.AuthTime != nil {
		c.AuthTime = w.AuthTime.Time()
	}
	return c
}

// verified remembers tokens whose signature and issuer have been checked,
// so a resource server that sees the same token on every request of a
// session pays for the ECDSA verification once. Expiry and revocation are
// still checked on every call. The cache is bounded: when full it starts
// over, costing one verification per live token.
type verified struct {
	mu sync.Mutex
	m  map[string]*Claims
}

const verifiedMax = 1 << 14

func (c *verified) get(token string) *Claims {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[token]
}

func (c *verified) put(token string, claims *Claims) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= verifiedMax {
		c.m = make(map[string]*Claims)
	}
	c.m[token] = claims
}

type claimsKey struct{}

// FromContext returns the claims Middleware stored for this request.
func FromContext(ctx context.Context) *Claims {
	c, _ := ctx.Value(claimsKey{}).(*Claims)
	return c
}

// Middleware lets through only requests with a valid bearer token
// (RFC 6750), storing its claims in the request context. Other requests get
// 401 with a WWW-Authenticate challenge and a JSON error body.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		if !ok {
			unauthorized(w, "", "a bearer access token is required")
			return
		}
		c, err := v.Verify(r.Context(), token)
		if err != nil {
			unauthorized(w, "invalid_token", err.Error())
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), claimsKey{}, c)))
	})
}

func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

func unauthorized(w http.ResponseWriter, code, description string) {
	challenge := `Bearer realm="ward"`
	if code != "" {
		challenge += fmt.Sprintf(`, error=%q, error_description=%q`, code, description)
	}
	w.Header().Set("WWW-Authenticate", challenge)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	if code == "" {
		code = "invalid_request"
	}
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}
