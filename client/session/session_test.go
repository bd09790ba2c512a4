package session_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardauth/ward/client/credstore"
	"github.com/wardauth/ward/client/session"
	"github.com/wardauth/ward/internal/testserver"
	"github.com/wardauth/ward/server/store/dbtest"
)

// A child process of TestConcurrentProcessesRefreshOnce: one `ward token`.
func TestMain(m *testing.M) {
	if home := os.Getenv("WARD_SESSION_TEST_CHILD"); home != "" {
		s := &session.Source{Store: credstore.File{Dir: home}, LockDir: home}
		c, err := s.Credentials(context.Background())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Print(c.Tokens.AccessToken)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// loggedIn signs up on a real server and stores the login in a file store
// whose access token expires in expiresIn.
func loggedIn(t *testing.T, expiresIn time.Duration) (*testserver.Server, string, *credstore.Credentials) {
	t.Helper()
	srv := testserver.Start(t, dbtest.SQLite(t), nil)
	tok := testserver.Login(t, srv.SignUp(t, "lee@example.com"), srv.CLIConfig())
	home := filepath.Join(t.TempDir(), "ward") // created 0700 by the store
	c := &credstore.Credentials{
		Issuer: srv.URL, ClientID: "ward-cli", AuthMode: credstore.AuthModeAccount,
		Tokens: &credstore.Tokens{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, ExpiresAt: time.Now().Add(expiresIn)},
	}
	if err := (credstore.File{Dir: home}).Save(c); err != nil {
		t.Fatal(err)
	}
	return srv, home, c
}

func me(t *testing.T, issuer, token string) int {
	t.Helper()
	status, _ := testserver.Me(t, issuer, token)
	return status
}

// Twenty ward processes start at once with a token about to expire:
// exactly one refreshes, the rest reuse its token, and the server never
// sees a reused refresh token (which would log the person out).
func TestConcurrentProcessesRefreshOnce(t *testing.T) {
	srv, home, before := loggedIn(t, 10*time.Second)
	var wg sync.WaitGroup
	tokens := make([]string, 20)
	errs := make([]error, 20)
	for i := range tokens {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "WARD_SESSION_TEST_CHILD="+home)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				errs[i] = fmt.Errorf("%v: %s", err, stderr.String())
			}
			tokens[i] = string(out)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v", i, err)
		}
	}
	for i, tok := range tokens {
		if tok != tokens[0] {
			t.Fatalf("process %d got another access token: more than one refresh happened", i)
		}
	}
	if tokens[0] == before.Tokens.AccessToken {
		t.Fatal("nothing was refreshed")
	}
	after, err := (credstore.File{Dir: home}).Load()
	if err != nil {
		t.Fatal(err)
	}
	if after.Tokens.RefreshToken == before.Tokens.RefreshToken || after.LastRefresh.IsZero() {
		t.Errorf("the stored refresh token was not rotated")
	}
	if status := me(t, srv.URL, tokens[0]); status != 200 {
		t.Fatalf("the refreshed token is refused (%d): the login was revoked by a reuse", status)
	}
}

func TestFreshTokenIsNotRefreshed(t *testing.T) {
	_, home, before := loggedIn(t, 10*time.Minute)
	s := &session.Source{Store: credstore.File{Dir: home}, LockDir: home}
	c, err := s.Credentials(context.Background())
	if err != nil || c.Tokens.AccessToken != before.Tokens.AccessToken {
		t.Fatalf("a fresh token was replaced: %v", err)
	}
}

// A 401 refreshes once; a second refusal of the same (already replaced)
// token reuses the replacement instead of refreshing again.
func TestRefused(t *testing.T) {
	_, home, before := loggedIn(t, 10*time.Minute)
	s := &session.Source{Store: credstore.File{Dir: home}, LockDir: home}
	c1, err := s.Refused(context.Background(), before.Tokens.AccessToken)
	if err != nil || c1.Tokens.AccessToken == before.Tokens.AccessToken {
		t.Fatalf("refresh after a 401: %v", err)
	}
	c2, err := s.Refused(context.Background(), before.Tokens.AccessToken)
	if err != nil || c2.Tokens.AccessToken != c1.Tokens.AccessToken {
		t.Fatalf("a second 401 for the old token refreshed again: %v", err)
	}
}

// A revoked login ends with exit code 4 and words a person can act on.
func TestRevokedLogin(t *testing.T) {
	srv, home, before := loggedIn(t, 0)
	resp, err := http.PostForm(srv.URL+"/oauth/revoke", map[string][]string{"token": {before.Tokens.RefreshToken}, "client_id": {"ward-cli"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s := &session.Source{Store: credstore.File{Dir: home}, LockDir: home}
	_, err = s.Credentials(context.Background())
	var se *session.Error
	if !errors.As(err, &se) || se.ExitCode() != 4 || !strings.Contains(err.Error(), "run ward login") || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("a revoked login: %v", err)
	}
}

func TestNotLoggedIn(t *testing.T) {
	home := filepath.Join(t.TempDir(), "ward") // created 0700 by the store
	s := &session.Source{Store: credstore.File{Dir: home}, LockDir: home}
	if _, err := s.Credentials(context.Background()); !errors.Is(err, session.ErrNotLoggedIn) {
		t.Fatalf("nothing stored: %v", err)
	}
}
