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

	"github.com/wardauth/ward/client/credstore"
	"github.com/wardauth/ward/internal/cmd/factory"
	"github.com/wardauth/ward/internal/cmd/token"
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
	issuer, bearer, err := o.credentials(ctx)
	if err != nil {
		return err
	}
	resp, err := send(ctx, client, method, issuer+o.Path, body, bearer)
	if err == nil && resp.StatusCode == http.StatusUnauthorized && o.Getenv("WARD_API_KEY") == "" {
		resp.Body.Close()
		if bearer, err = o.refused(ctx, bearer); err != nil {
			return err
		}
		resp, err = send(ctx, client, method, issuer+o.Path, body, bearer)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, issuer+o.Path, err)
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

// credentials returns the issuer to call and the bearer credential.
func (o *Options) credentials(ctx context.Context) (issuer, bearer string, err error) {
	bearer, err = token.Bearer(ctx, o.Factory)
	if err != nil {
		return "", "", err
	}
	if o.Getenv("WARD_API_KEY") != "" {
		eff, err := o.Settings()
		if err != nil {
			return "", "", err
		}
		issuer, err = o.ResolveIssuer("", eff)
		return issuer, bearer, err
	}
	c, err := o.stored()
	if err != nil {
		return "", "", err
	}
	return c.Issuer, bearer, nil
}

func (o *Options) stored() (*credstore.Credentials, error) {
	eff, err := o.Settings()
	if err != nil {
		return nil, err
	}
	st, err := o.Store(eff, false)
	if err != nil {
		return nil, err
	}
	return st.Load()
}

// refused refreshes after a 401, once.
func (o *Options) refused(ctx context.Context, bearer string) (string, error) {
	eff, err := o.Settings()
	if err != nil {
		return "", err
	}
	src, err := o.Session(ctx, eff)
	if err != nil {
		return "", err
	}
	c, err := src.Refused(ctx, bearer)
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
