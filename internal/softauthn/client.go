package softauthn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// Client drives Ward's web JSON API (docs/api.md) the way the sign-in page's
// script does, answering ceremonies with an Authenticator. It keeps cookies,
// so after SignUp or SignIn its HTTP client carries the session, for
// example into an OAuth authorization request.
type Client struct {
	Issuer        string // e.g. http://localhost:8080
	Authenticator *Authenticator
	HTTP          *http.Client
}

// NewClient returns a Client for the server at issuer with an empty cookie jar.
func NewClient(issuer string, a *Authenticator) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Issuer: strings.TrimSuffix(issuer, "/"), Authenticator: a, HTTP: &http.Client{Jar: jar}}
}

// APIError is a refusal from the API.
type APIError struct {
	Status  int
	Code    string `json:"error"`
	Message string `json:"message"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("ward answered %d %s: %s", e.Status, e.Code, e.Message)
}

// Begun is the answer to a begin call: the ceremony ID and its options.
type Begun struct {
	Ceremony  string          `json:"ceremony"`
	PublicKey json.RawMessage `json:"publicKey"`
}

// Finish is the body of a finish call.
type Finish struct {
	Ceremony      string          `json:"ceremony"`
	Credential    json.RawMessage `json:"credential"`
	AuthRequestID string          `json:"authRequestID,omitempty"`
	ReturnTo      string          `json:"returnTo,omitempty"`
	Name          string          `json:"name,omitempty"`
}

// SignUp creates an account with a new passkey and returns where the page
// would go next.
func (c *Client) SignUp(ctx context.Context, email, name string) (string, error) {
	b, err := c.Begin(ctx, "/api/signup/begin", map[string]string{"email": email, "name": name})
	if err != nil {
		return "", err
	}
	cred, err := c.Authenticator.Create(c.Issuer, b.PublicKey)
	if err != nil {
		return "", err
	}
	return c.Finish(ctx, "/api/signup/finish", Finish{Ceremony: b.Ceremony, Credential: cred})
}

// SignIn signs in with the authenticator's passkey, for the authorization
// request authRequestID if not empty, and returns where the page would go
// next (the application's redirect, for an authorization request).
func (c *Client) SignIn(ctx context.Context, authRequestID string) (string, error) {
	b, err := c.Begin(ctx, "/api/login/begin", nil)
	if err != nil {
		return "", err
	}
	cred, err := c.Authenticator.Get(c.Issuer, b.PublicKey)
	if err != nil {
		return "", err
	}
	return c.Finish(ctx, "/api/login/finish", Finish{Ceremony: b.Ceremony, Credential: cred, AuthRequestID: authRequestID})
}

// AddPasskey registers a's new passkey, named name, to the signed-in account.
func (c *Client) AddPasskey(ctx context.Context, a *Authenticator, name string) error {
	b, err := c.Begin(ctx, "/api/passkeys/begin", nil)
	if err != nil {
		return err
	}
	cred, err := a.Create(c.Issuer, b.PublicKey)
	if err != nil {
		return err
	}
	_, err = c.Finish(ctx, "/api/passkeys/finish", Finish{Ceremony: b.Ceremony, Credential: cred, Name: name})
	return err
}

// Begin calls a begin endpoint.
func (c *Client) Begin(ctx context.Context, path string, body any) (*Begun, error) {
	var b Begun
	if err := c.Post(ctx, path, body, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// Finish calls a finish endpoint and returns the redirect it names.
func (c *Client) Finish(ctx context.Context, path string, f Finish) (string, error) {
	var out struct{ Redirect string }
	if err := c.Post(ctx, path, f, &out); err != nil {
		return "", err
	}
	return out.Redirect, nil
}

// CSRF returns the CSRF token for the client's cookies.
func (c *Client) CSRF(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Issuer+"/api/csrf", nil)
	if err != nil {
		return "", err
	}
	var out struct{ CSRF string }
	if err := c.do(req, &out); err != nil {
		return "", err
	}
	return out.CSRF, nil
}

// Post sends body as JSON to path with the Origin and CSRF headers a Ward
// page would send, and decodes the answer into out.
func (c *Client) Post(ctx context.Context, path string, body, out any) error {
	token, err := c.CSRF(ctx)
	if err != nil {
		return err
	}
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Issuer+path, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", origin(c.Issuer))
	req.Header.Set("X-CSRF-Token", token)
	return c.do(req, out)
}

func (c *Client) do(req *http.Request, out any) error {
	res, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		e := &APIError{Status: res.StatusCode}
		_ = json.Unmarshal(body, e)
		return e
	}
	return json.Unmarshal(body, out)
}

func origin(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil {
		return issuer
	}
	return u.Scheme + "://" + u.Host
}
