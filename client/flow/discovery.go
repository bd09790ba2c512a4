// Package flow signs a person or a CI job in to a Ward issuer: the browser
// flow (authorization code with PKCE through a loopback listener, RFC 8252),
// the device flow for machines without a browser (RFC 8628), and API keys.
// It returns tokens; storing them is client/credstore's job.
package flow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/oauth2"
)

// Endpoints are the issuer's OAuth endpoints, from its discovery document.
type Endpoints struct {
	Issuer              string `json:"issuer"`
	Authorization       string `json:"authorization_endpoint"`
	Token               string `json:"token_endpoint"`
	DeviceAuthorization string `json:"device_authorization_endpoint"`
	Revocation          string `json:"revocation_endpoint"`
}

// Discover reads the issuer's discovery document. The issuer it names must
// be the one asked for (OIDC Discovery §4.3), or a mistyped or hostile URL
// could hand out another server's endpoints.
func Discover(ctx context.Context, client *http.Client, issuer string) (*Endpoints, error) {
	issuer = strings.TrimSuffix(issuer, "/")
	url := issuer + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("the issuer %q is not a valid URL: %w", issuer, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the Ward server at %s: %w (check the address, your network, HTTPS_PROXY and WARD_CA_CERTIFICATE)", issuer, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s: is %s a Ward server?", url, resp.Status, issuer)
	}
	var e Endpoints
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		return nil, fmt.Errorf("%s is not a discovery document: %w", url, err)
	}
	if e.Issuer != issuer {
		return nil, fmt.Errorf("%s says its issuer is %q, not %q: refusing to log in to a server that is not the one you named", url, e.Issuer, issuer)
	}
	return &e, nil
}

// Config is the oauth2 configuration of a client at these endpoints.
func (e *Endpoints) Config(clientID string, scopes []string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: clientID,
		Endpoint: oauth2.Endpoint{
			AuthURL:       e.Authorization,
			TokenURL:      e.Token,
			DeviceAuthURL: e.DeviceAuthorization,
			AuthStyle:     oauth2.AuthStyleInParams,
		},
		Scopes: scopes,
	}
}
