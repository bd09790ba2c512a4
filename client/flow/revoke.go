package flow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Revoke revokes token at the issuer (RFC 7009) as clientID. At a Ward
// server revoking any token of a login revokes the whole login, so a copy
// of it elsewhere stops working too.
func Revoke(ctx context.Context, client *http.Client, issuer, clientID, token string) error {
	ep, err := Discover(ctx, client, issuer)
	if err != nil {
		return err
	}
	if ep.Revocation == "" {
		return errors.New("the server offers no revocation endpoint")
	}
	form := url.Values{"token": {token}, "client_id": {clientID}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.Revocation, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", ep.Revocation, resp.Status)
	}
	return nil
}
