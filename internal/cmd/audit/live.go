package audit

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	wardaudit "github.com/wardauth/ward/audit"
	"github.com/wardauth/ward/client/flow"
	"github.com/wardauth/ward/secret"
)

// live asks the issuers about the Ward tokens found: with --check-live
// whether an access token still works, with --revoke to revoke each token
// (RFC 7009; revoking any token of a login revokes the whole login).
// Findings it cannot ask about are marked "unknown"; API keys wait for the
// key API.
func (o *Options) live(ctx context.Context, findings []wardaudit.Finding) {
	client, err := o.HTTPClient()
	if err != nil {
		fmt.Fprintf(o.IO.ErrOut, "warning: %v; not checking liveness\n", err)
		return
	}
	for i := range findings {
		f := &findings[i]
		issuer, clientID, jwt := o.tokenIssuer(f.Secret)
		if issuer == "" {
			continue
		}
		f.Live = "unknown"
		if o.CheckLive && jwt {
			f.Live = accepted(ctx, client, issuer, f.Secret)
		}
		if o.Revoke {
			if err := flow.Revoke(ctx, client, issuer, clientID, f.Secret); err != nil {
				fmt.Fprintf(o.IO.ErrOut, "warning: could not revoke the %s in %s: %v\n", f.Rule, f.Path, err)
				continue
			}
			f.Live = "revoked"
			fmt.Fprintf(o.IO.ErrOut, "Revoked the %s found in %s at %s.\n", f.Rule, f.Path, issuer)
		}
	}
}

// tokenIssuer says where a Ward token came from: a JWT names its issuer
// and client; a refresh token is the --issuer's (or $WARD_ISSUER's).
func (o *Options) tokenIssuer(token string) (issuer, clientID string, jwt bool) {
	if secret.Check(token, secret.RefreshToken) == nil {
		issuer = o.Issuer
		if issuer == "" {
			issuer = o.Getenv("WARD_ISSUER")
		}
		return strings.TrimSuffix(issuer, "/"), "ward-cli", false
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", "", false
	}
	var claims struct {
		Issuer   string `json:"iss"`
		ClientID string `json:"client_id"`
		Family   string `json:"fam"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Issuer == "" || claims.Family == "" {
		return "", "", false
	}
	return claims.Issuer, claims.ClientID, true
}

// accepted asks the issuer's API whether an access token still works.
func accepted(ctx context.Context, client *http.Client, issuer, token string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, issuer+"/v1/me", nil)
	if err != nil {
		return "unknown"
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return "unknown"
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return "live"
	case http.StatusUnauthorized:
		return "revoked"
	}
	return "unknown"
}
