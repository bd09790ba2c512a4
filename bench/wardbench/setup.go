package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"

	"golang.org/x/oauth2"

	"github.com/wardauth/ward/internal/softauthn"
)

// loopbackRedirect is where ward-cli's listener would be. Nothing listens:
// setup stops at the redirect and reads the code from it, as the listener
// would.
const loopbackRedirect = "http://127.0.0.1:49152/callback"

func runSetup(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	issuer := fs.String("issuer", "", "Ward's issuer URL, e.g. http://localhost:8080 (WebAuthn needs a host name, not an IP)")
	n := fs.Int("n", 256, "number of logins, one token pair each")
	out := fs.String("out", "", "file to write, one 'access_token refresh_token' line per login (required)")
	parallel := fs.Int("p", 4, "logins run at once")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	switch {
	case *issuer == "" || *out == "":
		return usagef("-issuer and -out are required")
	case *n < 1 || *parallel < 1:
		return usagef("-n and -p must be at least 1")
	}

	hc := newHTTPClient(*parallel)
	ep, err := discover(ctx, hc, *issuer)
	if err != nil {
		return err
	}
	user := softauthn.NewClient(*issuer, softauthn.New())
	user.HTTP.Transport = hc.Transport
	// Follow the server's own redirects (to the sign-in page and back) but
	// stop at the application's, as a browser hands it to the CLI.
	issuerHost := user.Issuer[strings.Index(user.Issuer, "://")+3:]
	user.HTTP.CheckRedirect = func(r *http.Request, _ []*http.Request) error {
		if r.URL.Host != issuerHost {
			return http.ErrUseLastResponse
		}
		return nil
	}
	// A fresh address each run, so setup can run twice against one server.
	email := "bench-" + rand.Text()[:10] + "@example.com"
	if _, err := user.SignUp(ctx, strings.ToLower(email), "Ward Bench"); err != nil {
		return fmt.Errorf("signing up %s with a software passkey: %w", email, err)
	}
	conf := &oauth2.Config{
		ClientID:    "ward-cli",
		Endpoint:    oauth2.Endpoint{AuthURL: ep.Authorization, TokenURL: ep.Token, AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: loopbackRedirect,
		Scopes:      []string{"openid", "profile", "email", "offline_access"},
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)

	pairs := make([]string, *n)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     = make(chan int)
	)
	for range *parallel {
		wg.Go(func() {
			for i := range next {
				tok, err := login(ctx, user, conf)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("login %d: %w", i+1, err)
					}
					mu.Unlock()
					continue
				}
				pairs[i] = tok.AccessToken + " " + tok.RefreshToken
			}
		})
	}
	for i := range *n {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := writeLines(*out, pairs); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wardbench setup: %d token pairs for %s in %s\n", *n, email, *out)
	return nil
}

// login runs one authorization-code flow with PKCE in the signed-in
// client and exchanges the code.
func login(ctx context.Context, user *softauthn.Client, conf *oauth2.Config) (*oauth2.Token, error) {
	verifier := oauth2.GenerateVerifier()
	state := rand.Text()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), nil)
	if err != nil {
		return nil, err
	}
	resp, err := user.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	resp.Body.Close()
	if resp.StatusCode/100 != 3 {
		return nil, fmt.Errorf("authorize answered %s, not a redirect to the application: %s", resp.Status, body)
	}
	loc, err := resp.Location()
	if err != nil {
		return nil, err
	}
	q := loc.Query()
	if q.Get("error") != "" || q.Get("code") == "" || q.Get("state") != state {
		return nil, fmt.Errorf("authorize redirected to %s; want a code and the state back", redactCode(loc))
	}
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("exchanging the code: %w", err)
	}
	if tok.RefreshToken == "" {
		return nil, errors.New("the token response has no refresh token (is offline_access allowed for ward-cli?)")
	}
	return tok, nil
}

// redactCode hides an authorization code before it reaches a message.
func redactCode(u *url.URL) string {
	c := *u
	q := c.Query()
	if q.Has("code") {
		q.Set("code", "REDACTED")
	}
	c.RawQuery = q.Encode()
	return c.String()
}

// writeLines writes lines to path, readable by the owner only: they are
// live credentials.
func writeLines(path string, lines []string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("writing tokens: %w", err)
	}
	w := bufio.NewWriter(f)
	for _, l := range lines {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}
