package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// tokenEndpoint serves POST /oauth/token (RFC 6749 §3.2) itself rather than
// through zitadel/oidc's router: every grant it answers is Ward's own, and
// it is the busiest endpoint (a device polls it every five seconds), so it
// parses just what the grants need and nothing more.
func (p *Provider) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, http.StatusMethodNotAllowed, oidc.ErrInvalidRequest().WithDescription("the token endpoint takes POST"))
		return
	}
	form, err := tokenForm(w, r)
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, err)
		return
	}
	c, err := p.authenticateClient(r.Context(), r, form)
	if err != nil {
		// invalid_client is 401 with a challenge for a client that tried
		// HTTP authentication (RFC 6749 §5.2), 400 for one that did not.
		status := statusOf(err)
		if _, _, basic := r.BasicAuth(); status == http.StatusUnauthorized && basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="ward"`)
		} else if status == http.StatusUnauthorized {
			status = http.StatusBadRequest
		}
		writeOAuthError(w, status, err)
		return
	}
	resp, err := p.grant(r.Context(), c, form)
	if err != nil {
		status := statusOf(err)
		if status == http.StatusInternalServerError {
			p.log.ErrorContext(r.Context(), "token endpoint failed", "err", err)
		}
		writeOAuthError(w, status, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// grant dispatches on grant_type to the grant's own rules.
func (p *Provider) grant(ctx context.Context, c *client, form url.Values) (*tokenResponse, error) {
	grantType := oidc.GrantType(form.Get("grant_type"))
	switch grantType {
	case "":
		return nil, oidc.ErrInvalidRequest().WithDescription("grant_type is missing")
	case oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeDeviceCode:
	default:
		return nil, oidc.ErrUnsupportedGrantType().WithDescription("grant_type %q is not supported", grantType)
	}
	if !c.allows(grantType) {
		return nil, oidc.ErrUnauthorizedClient().WithDescription("this client may not use the %s grant", grantType)
	}
	switch grantType {
	case oidc.GrantTypeCode:
		return p.exchangeCode(ctx, c, form.Get("code"), form.Get("redirect_uri"), form.Get("code_verifier"))
	case oidc.GrantTypeRefreshToken:
		return p.refresh(ctx, c, form.Get("refresh_token"), strings.Fields(form.Get("scope")))
	default:
		return p.deviceToken(ctx, c, form.Get("device_code"))
	}
}

// tokenForm reads the request body's parameters: form-encoded, at most
// 64 KiB, none repeated (RFC 6749 §3.2).
func tokenForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return nil, oidc.ErrInvalidRequest().WithDescription("the body must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return nil, oidc.ErrInvalidRequest().WithDescription("the body is not a valid form")
	}
	for name, values := range r.PostForm {
		if len(values) > 1 {
			return nil, oidc.ErrInvalidRequest().WithDescription("parameter %q is repeated", name)
		}
	}
	return r.PostForm, nil
}

// authenticateClient identifies the client: HTTP Basic or client_secret
// in the body for a confidential client, client_id alone for a public one.
// Only one method may be used (RFC 6749 §2.3).
func (p *Provider) authenticateClient(ctx context.Context, r *http.Request, form url.Values) (*client, error) {
	id, secret := form.Get("client_id"), form.Get("client_secret")
	if bid, bsecret, ok := r.BasicAuth(); ok {
		if secret != "" {
			return nil, oidc.ErrInvalidRequest().WithDescription("use one client authentication method, not two")
		}
		var err1, err2 error
		bid, err1 = url.QueryUnescape(bid)
		bsecret, err2 = url.QueryUnescape(bsecret)
		if err1 != nil || err2 != nil || (id != "" && id != bid) {
			return nil, oidc.ErrInvalidClient().WithDescription("malformed client credentials")
		}
		id, secret = bid, bsecret
	}
	if id == "" {
		return nil, oidc.ErrInvalidClient().WithDescription("client_id is missing")
	}
	c, err := p.loadClient(ctx, id)
	if err != nil {
		return nil, err
	}
	public := len(c.c.SecretHash) == 0
	switch {
	case public && secret != "":
		return nil, oidc.ErrInvalidClient().WithDescription("client %q is public and has no secret", id)
	case !public && !checkSecret(c.c, secret):
		return nil, oidc.ErrInvalidClient().WithDescription("client authentication failed")
	}
	return c, nil
}

func statusOf(err error) int {
	var e *oidc.Error
	switch {
	case errors.As(err, &e) && e.ErrorType == oidc.ServerError, !errors.As(err, &e):
		return http.StatusInternalServerError
	case e.ErrorType == oidc.InvalidClient:
		return http.StatusUnauthorized
	}
	return http.StatusBadRequest
}

// writeOAuthError writes an RFC 6749 §5.2 error. A server fault is logged
// and answered without its detail.
func writeOAuthError(w http.ResponseWriter, status int, err error) {
	var e *oidc.Error
	if !errors.As(err, &e) || e.ErrorType == oidc.ServerError {
		e = oidc.ErrServerError().WithDescription("the server failed; try again later")
	}
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
