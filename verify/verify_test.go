package verify_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/wardauth/ward/internal/testserver"
	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/server/store/dbtest"
	"github.com/wardauth/ward/verify"
)

func login(t *testing.T, srv *testserver.Server) *oauth2.Token {
	return testserver.Login(t, srv.SignUp(t, "grace@example.com"), srv.CLIConfig())
}

// revocations is the Revocations a resource server would keep: here it
// asks the issuer's introspection endpoint nothing and simply knows.
type revocations map[string]bool

func (r revocations) FamilyRevoked(_ context.Context, id string) (bool, error) { return r[id], nil }

// A resource server with only the issuer's URL verifies real tokens
// offline, and refuses expired, foreign and revoked ones.
func TestVerifierAgainstRealIssuer(t *testing.T) {
	clock := testserver.NewClock()
	srv := testserver.Start(t, dbtest.SQLite(t), clock)
	tok := login(t, srv)
	revoked := revocations{}
	v := &verify.Verifier{Issuer: srv.URL, Keys: &verify.RemoteKeys{Issuer: srv.URL}, Revocations: revoked, Now: clock.Now}

	c, err := v.Verify(context.Background(), tok.AccessToken)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if c.ClientID != "ward-cli" || c.SessionID == "" || c.FamilyID == "" || !c.HasScope("openid") || len(c.AMR) == 0 {
		t.Errorf("claims %+v", c)
	}

	other := &verify.Verifier{Issuer: "https://other.example", Keys: v.Keys}
	if _, err := other.Verify(context.Background(), tok.AccessToken); !errors.Is(err, verify.ErrIssuer) {
		t.Errorf("token of another issuer: %v, want ErrIssuer", err)
	}
	revoked[c.FamilyID] = true
	if _, err := v.Verify(context.Background(), tok.AccessToken); !errors.Is(err, verify.ErrRevoked) {
		t.Errorf("revoked family: %v, want ErrRevoked", err)
	}
	revoked[c.FamilyID] = false
	clock.Advance(11 * time.Minute)
	if _, err := v.Verify(context.Background(), tok.AccessToken); !errors.Is(err, verify.ErrExpired) {
		t.Errorf("after 11 minutes: %v, want ErrExpired", err)
	}
	if _, err := v.Verify(context.Background(), tok.RefreshToken); !errors.Is(err, verify.ErrMalformed) {
		t.Errorf("a refresh token as access token: %v, want ErrMalformed", err)
	}
}

func TestMiddleware(t *testing.T) {
	srv := testserver.Start(t, dbtest.SQLite(t), nil)
	tok := login(t, srv)
	v := &verify.Verifier{Issuer: srv.URL, Keys: &verify.RemoteKeys{Issuer: srv.URL}}
	api := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(verify.FromContext(r.Context()).Subject))
	})))
	defer api.Close()

	for name, tc := range map[string]struct {
		header    string
		status    int
		challenge string
	}{
		"valid":     {"Bearer " + tok.AccessToken, 200, ""},
		"lowercase": {"bearer " + tok.AccessToken, 200, ""},
		"missing":   {"", 401, `Bearer realm="ward"`},
		"basic":     {"Basic " + url.QueryEscape("a:b"), 401, `Bearer realm="ward"`},
		"garbage":   {"Bearer x.y.z", 401, `error="invalid_token"`},
	} {
		req, _ := http.NewRequest("GET", api.URL, nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(resp.Header.Get("WWW-Authenticate"), tc.challenge) {
			t.Errorf("%s: %d %q, want %d with %q", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), tc.status, tc.challenge)
		}
	}
}

// A resource server following the revocation feed refuses a token once its
// login is revoked at the issuer.
func TestRemoteRevocations(t *testing.T) {
	srv := testserver.Start(t, dbtest.SQLite(t), nil)
	sum := sha256.Sum256([]byte("rs-secret"))
	srv.Store.Clients().Put(context.Background(), &store.Client{ID: "rs", Name: "rs", SecretHash: sum[:], CreatedAt: time.Now()})
	tok := login(t, srv)
	revs := &verify.RemoteRevocations{Issuer: srv.URL, ClientID: "rs", ClientSecret: "rs-secret", Interval: time.Nanosecond}
	v := &verify.Verifier{Issuer: srv.URL, Keys: &verify.RemoteKeys{Issuer: srv.URL}, Revocations: revs}
	if _, err := v.Verify(context.Background(), tok.AccessToken); err != nil {
		t.Fatalf("before revocation: %v", err)
	}
	resp, err := http.PostForm(srv.URL+"/oauth/revoke", url.Values{"token": {tok.RefreshToken}, "client_id": {"ward-cli"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := v.Verify(context.Background(), tok.AccessToken); !errors.Is(err, verify.ErrRevoked) {
		t.Fatalf("after revocation: %v, want ErrRevoked", err)
	}

	wrong := &verify.RemoteRevocations{Issuer: srv.URL, ClientID: "rs", ClientSecret: "nope", MaxStale: time.Nanosecond}
	if _, err := wrong.FamilyRevoked(context.Background(), "x"); err == nil {
		t.Fatal("a feed that refuses us must fail closed")
	}
}
