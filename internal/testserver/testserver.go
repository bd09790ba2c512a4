// Package testserver runs a real Ward server on a loopback port for tests
// in other packages, over a store the test chooses.
package testserver

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/wardauth/ward/server"
	"github.com/wardauth/ward/server/store"
)

// Server is a running Ward server.
type Server struct {
	URL   string // the issuer, e.g. http://localhost:41234
	Store store.Store
	Clock *Clock
}

// Start serves a Ward server over st on localhost (so the WebAuthn RP ID
// is "localhost") until the test ends. Its clock is c (nil: real time).
func Start(t testing.TB, st store.Store, c *Clock, configure ...func(*server.Config)) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://localhost:" + portOf(ln)
	cfg := server.Config{
		Listen: ln.Addr().String(), Issuer: issuer, DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if c != nil {
		cfg.Now = c.Now
	}
	for _, f := range configure {
		f(&cfg)
	}
	srv, err := server.NewWithStore(context.Background(), cfg, st)
	if err != nil {
		t.Fatalf("starting ward: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ward server: %v", err)
		}
	})
	return &Server{URL: issuer, Store: st, Clock: c}
}

func portOf(ln net.Listener) string {
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// Clock is a settable clock for lifetimes and expiries, so tests need not
// sleep.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock set to the real time now.
func NewClock() *Clock { return &Clock{now: time.Now()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
