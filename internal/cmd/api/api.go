// Package api implements `ward api`: an authenticated request to the
// issuer's API, like `gh api`.
package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardauth/ward/internal/cmd/factory"
)

// Options are `ward api`'s settings.
type Options struct {
	*factory.Factory
	Path   string
	Method string
	Body   string
}

// NewCmd returns `ward api`.
func NewCmd(f *factory.Factory) *cobra.Command {
	o := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "api PATH",
		Short: "Make an authenticated request to the Ward server's API",
		Long: `Send a request to PATH on the Ward server you are logged in to, with your
access token, and print the response body on standard output. A refused token is
refreshed once and the request retried. Exits 1 on a non-2xx answer.`,
		Example: `  ward api /v1/me
  ward api -X POST /v1/keys -d '{"name":"ci"}'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Path = args[0]
			return run(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVarP(&o.Method, "method", "X", "", "HTTP method (default GET, or POST with -d)")
	cmd.Flags().StringVarP(&o.Body, "data", "d", "", "request body (JSON); @- reads it from standard input")
	return cmd
}

func run(ctx context.Context, o *Options) error {
	if !strings.HasPrefix(o.Path, "/") {
		return fmt.Errorf("PATH must start with /, as in /v1/me (got %q)", o.Path)
	}
	body := []byte(o.Body)
	if o.Body == "@-" {
		var err error
		if body, err = io.ReadAll(o.IO.In); err != nil {
			return err
		}
	}
	method := o.Method
	if method == "" {
		method = http.MethodGet
		if len(body) > 0 {
			method = http.MethodPost
		}
	}
	client, err := o.HTTPClient()
	if err != nil {
		return err
	}
	a, err := o.Auth(ctx)
	if err != nil {
		return err
	}
	if a.Issuer == "" {
		return fmt.Errorf("no Ward server to send %s to: set WARD_ISSUER or issuer in config.toml", o.Path)
	}
	url := a.Issuer + o.Path
	resp, err := send(ctx, client, method, url, body, a.Token)
	if err == nil && resp.StatusCode == http.StatusUnauthorized && a.Source != nil {
		resp.Body.Close()
		var token string
		if token, err = refused(ctx, a); err != nil {
			return err
		}
		resp, err = send(ctx, client, method, url, body, token)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(o.IO.Out, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s answered %s", method, o.Path, resp.Status)
	}
	return nil
}

// refused refreshes after a 401, once.
func refused(ctx context.Context, a *factory.Auth) (string, error) {
	c, err := a.Source.Refused(ctx, a.Token)
	if err != nil {
		return "", err
	}
	if c.Tokens == nil {
		return "", fmt.Errorf("the server refused your API key; check it, or log in again with ward login --with-api-key")
	}
	return c.Tokens.AccessToken, nil
}

func send(ctx context.Context, client *http.Client, method, url string, body []byte, bearer string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Accept", "application/json")
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	return client.Do(req)
}
