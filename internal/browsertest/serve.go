package browsertest

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardauth/ward/server/account"
	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/server/web"
)

// Serve starts a real HTTP server on a loopback port for the rest of the
// test and returns its issuer, http://localhost:PORT. The handler is built
// by newHandler from that issuer, because Ward's relying party ID and
// allowed origin come from it: passkeys work on localhost without TLS, and
// on no other plain-HTTP host.
func Serve(t testing.TB, newHandler func(issuer string) http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening on loopback: %v", err)
	}
	issuer := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: newHandler(issuer)}}
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer
}

// ServeWeb serves Ward's account pages and API (server/web without the
// OAuth side) on st, and returns the issuer.
func ServeWeb(t testing.TB, st store.Store) string {
	t.Helper()
	return Serve(t, func(issuer string) http.Handler {
		svc, err := account.New(st, issuer)
		if err != nil {
			t.Fatalf("setting up accounts: %v", err)
		}
		h, err := web.New(web.Config{Accounts: svc, Issuer: issuer})
		if err != nil {
			t.Fatalf("setting up the web handler: %v", err)
		}
		return h
	})
}
