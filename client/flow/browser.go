package flow

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/oauth2"
)

// DefaultPort is where the loopback listener tries first, so a person who
// forwards a port over SSH (`ssh -L 8976:127.0.0.1:8976`) knows which.
const DefaultPort = 8976

// Browser is the browser sign-in: authorization code with PKCE (S256),
// redirected to a listener on 127.0.0.1 (RFC 8252 §7.3).
type Browser struct {
	Config *oauth2.Config // endpoints, client ID and scopes
	// Port is the loopback port. Zero tries DefaultPort, then any free
	// port; a port set explicitly (for an SSH tunnel) must be free.
	Port int
	// Open opens the URL in a browser. It may fail (no display): the URL
	// is always printed to Out as well.
	Open    func(url string) error
	Out     io.Writer     // where the URL and progress go (stderr)
	Timeout time.Duration // how long to wait for the person; default 5 minutes
	// Params are extra authorization parameters (e.g. a workspace).
	Params url.Values
}

// ErrTimeout is returned when nobody finished signing in in time.
var ErrTimeout = errors.New("timed out waiting for the sign-in in the browser")

// Login runs the flow and returns the tokens.
func (b *Browser) Login(ctx context.Context) (*oauth2.Token, error) {
	ln, err := b.listen()
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	conf := *b.Config
	conf.RedirectURL = "http://127.0.0.1:" + strconv.Itoa(port) + "/callback"
	state, verifier := randomString(), oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	for k, vs := range b.Params {
		for _, v := range vs {
			opts = append(opts, oauth2.SetAuthURLParam(k, v))
		}
	}
	authURL := conf.AuthCodeURL(state, opts...)

	result := make(chan outcome, 1)
	srv := &http.Server{
		Handler:           &callback{conf: &conf, state: state, verifier: verifier, host: "127.0.0.1:" + strconv.Itoa(port), ctx: ctx, result: result},
		ReadHeaderTimeout: 10 * time.Second,
	}
	// One answer per listener: no keep-alive, so no browser or client keeps
	// a connection that a later login's listener on the same port would
	// find dead.
	srv.SetKeepAlivesEnabled(false)
	go srv.Serve(ln)
	// Shut down gracefully: the handler hands over the result before it
	// returns, and a Close then could cut off the page the browser is
	// still receiving.
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()

	fmt.Fprintf(b.Out, "Opening your browser to sign in. If it does not open, visit:\n\n  %s\n\n", authURL)
	if b.Open != nil {
		if err := b.Open(authURL); err != nil {
			fmt.Fprintf(b.Out, "Could not open a browser (%v); open the link above yourself.\n", err)
		}
	}
	timeout := b.Timeout
	if timeout == 0 {
		timeout = 5 * time.Minute
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-result:
		return r.token, r.err
	case <-timer.C:
		return nil, fmt.Errorf("%w after %s; run the login again, or use --device-auth on a machine without a browser", ErrTimeout, timeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (b *Browser) listen() (net.Listener, error) {
	port := b.Port
	if port == 0 {
		port = DefaultPort
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err == nil {
		return ln, nil
	}
	if b.Port == 0 && errors.Is(err, syscall.EADDRINUSE) {
		return net.Listen("tcp", "127.0.0.1:0")
	}
	return nil, fmt.Errorf("cannot listen on 127.0.0.1:%d for the browser's answer: %w (choose another with --port)", port, err)
}

type outcome struct {
	token *oauth2.Token
	err   error
}

// callback receives the browser's redirect. It answers only its own
// address as Host (so a DNS-rebinding page cannot drive it), only the
// state it issued, and only once; it exchanges the code before answering,
// so the page tells the truth about the outcome.
type callback struct {
	conf            *oauth2.Config
	state, verifier string
	host            string
	ctx             context.Context
	result          chan outcome
	done            atomic.Bool
}

func (c *callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/callback" || r.Host != c.host {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(c.state)) != 1 || !c.done.CompareAndSwap(false, true) {
		page(w, http.StatusBadRequest, "This sign-in link is not the one this command is waiting for. Start again from your terminal.")
		return
	}
	if e := q.Get("error"); e != "" {
		err := fmt.Errorf("the sign-in was refused: %s %s", e, q.Get("error_description"))
		page(w, http.StatusBadRequest, "Sign-in failed: "+q.Get("error_description")+". Return to your terminal.")
		c.result <- outcome{err: err}
		return
	}
	tok, err := c.conf.Exchange(c.ctx, q.Get("code"), oauth2.VerifierOption(c.verifier))
	if err != nil {
		page(w, http.StatusBadGateway, "Sign-in failed while finishing: return to your terminal for details.")
		c.result <- outcome{err: describe(err)}
		return
	}
	page(w, http.StatusOK, "You are signed in. You can close this window and return to your terminal.")
	c.result <- outcome{token: tok}
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Ward</title>
<body style="font-family:system-ui,sans-serif;max-width:36em;margin:4em auto">
<h1>Ward</h1><p data-testid="cli-result">{{.}}</p></body></html>`))

func page(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	pageTemplate.Execute(w, msg)
}

func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// describe turns an OAuth error from the token endpoint into words a person
// can act on.
func describe(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("the Ward server could not be reached to finish signing in: %w", err)
	}
	msg := re.ErrorDescription
	if msg == "" {
		msg = re.ErrorCode
	}
	return &OAuthError{Code: re.ErrorCode, Description: msg}
}

// OAuthError is a refusal from the server, with its RFC 6749 code.
type OAuthError struct {
	Code        string
	Description string
}

func (e *OAuthError) Error() string { return e.Description }
