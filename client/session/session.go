// Package session hands out valid credentials for API calls: the stored
// access token while it is fresh, a refreshed one when it is about to
// expire or the server refused it, or an API key.
//
// Many ward processes may share one credential store (a script running
// `ward token` in parallel, `ward run` children). Refresh tokens rotate and
// the server revokes a whole login when a spent one is presented again, so
// two processes refreshing at once would log the person out. Exactly one
// refreshes: it holds an OS file lock across read, refresh and write, and
// the others, waiting on the lock, find the fresh token when they get it.
package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/wardauth/ward/client/credstore"
	"github.com/wardauth/ward/client/flow"
)

// Source gives out credentials from Store, refreshing through the issuer
// they name.
type Source struct {
	Store   credstore.Store
	LockDir string       // $WARD_HOME: where the lock file lives
	HTTP    *http.Client // nil: http.DefaultClient
	Now     func() time.Time
	// Early is how long before expiry a token is refreshed, so it does not
	// expire in flight. Default one minute.
	Early time.Duration
}

// ExitCode is the process exit status for "not logged in or session
// expired", as gh uses it.
const ExitCode = 4

// Error is a reason the person must log in again. It carries exit code 4.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// ExitCode tells cmd/ward which status to exit with.
func (e *Error) ExitCode() int { return ExitCode }

// ErrNotLoggedIn is returned when nothing is stored.
var ErrNotLoggedIn = &Error{"you are not logged in; run ward login"}

// Credentials returns credentials whose access token (if any) is valid for
// at least Early.
func (s *Source) Credentials(ctx context.Context) (*credstore.Credentials, error) {
	c, err := s.load()
	if err != nil || !s.stale(c) {
		return c, err
	}
	return s.refresh(ctx, func(c *credstore.Credentials) bool { return s.stale(c) })
}

// Refused is for a request the server answered 401 with the access token
// given: it refreshes, unless another process already has (the stored
// token differs from the refused one), and returns what is now stored.
func (s *Source) Refused(ctx context.Context, accessToken string) (*credstore.Credentials, error) {
	return s.refresh(ctx, func(c *credstore.Credentials) bool {
		return c.Tokens != nil && c.Tokens.AccessToken == accessToken
	})
}

func (s *Source) load() (*credstore.Credentials, error) {
	c, err := s.Store.Load()
	if errors.Is(err, credstore.ErrNotFound) {
		return nil, ErrNotLoggedIn
	}
	return c, err
}

func (s *Source) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Source) stale(c *credstore.Credentials) bool {
	early := s.Early
	if early == 0 {
		early = time.Minute
	}
	return c.Tokens != nil && !s.now().Add(early).Before(c.Tokens.ExpiresAt)
}

// refresh takes the lock, reloads, and refreshes if need says the reloaded
// credentials still need it.
func (s *Source) refresh(ctx context.Context, need func(*credstore.Credentials) bool) (*credstore.Credentials, error) {
	unlock, err := credstore.LockContext(ctx, s.LockDir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	c, err := s.load()
	if err != nil || !need(c) {
		return c, err
	}
	if c.Tokens.RefreshToken == "" {
		return nil, &Error{"your access token has expired and this login cannot be refreshed; run ward login"}
	}
	tok, err := s.exchange(ctx, c)
	if err != nil {
		return nil, err
	}
	c.Tokens.AccessToken = tok.AccessToken
	c.Tokens.ExpiresAt = tok.Expiry
	if tok.RefreshToken != "" {
		c.Tokens.RefreshToken = tok.RefreshToken
	}
	c.LastRefresh = s.now()
	if end := Ends(tok, c.LastRefresh); !end.IsZero() {
		c.SessionExpiresAt = end
	}
	if err := s.Store.Save(c); err != nil {
		// The old refresh token is spent: say plainly what was lost.
		return nil, fmt.Errorf("the token was refreshed but could not be saved (%w); run ward login", err)
	}
	return c, nil
}

func (s *Source) exchange(ctx context.Context, c *credstore.Credentials) (*oauth2.Token, error) {
	client := s.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, client)
	ep, err := flow.Discover(ctx, client, c.Issuer)
	if err != nil {
		return nil, err
	}
	conf := ep.Config(c.ClientID, nil)
	tok, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: c.Tokens.RefreshToken}).Token()
	if err == nil {
		return tok, nil
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
		// The server words why (an expired session, a reused token, a
		// revocation); point at the command that fixes it.
		why := strings.TrimSuffix(re.ErrorDescription, "; sign in again")
		if why == "" {
			why = "your login is no longer valid"
		}
		return nil, &Error{why + "; run ward login"}
	}
	return nil, fmt.Errorf("refreshing the access token at %s: %w", c.Issuer, err)
}

// Ends is when the login behind tok ends, from the token response's
// refresh_token_expires_in, or zero when the server did not say.
func Ends(tok *oauth2.Token, now time.Time) time.Time {
	secs, ok := tok.Extra("refresh_token_expires_in").(float64)
	if !ok || secs <= 0 {
		return time.Time{}
	}
	return now.Add(time.Duration(secs) * time.Second)
}
