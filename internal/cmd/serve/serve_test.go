package serve

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardauth/ward/internal/iostreams"
	"github.com/wardauth/ward/server/store/dbtest"
)

// serve runs `ward serve` with opts until the returned stop is called.
func serve(t *testing.T, o *Options) (addr string, stop func() error) {
	t.Helper()
	ready := make(chan string, 1)
	o.Ready = func(a string) { ready <- a }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, o) }()
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("ward serve stopped at start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("ward serve did not start in 30 s")
	}
	return addr, func() error { cancel(); return <-done }
}

func discover(t *testing.T, addr string) map[string]any {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

// On the embedded default, a first start creates the database and keys,
// says where it listens in one line, and a cancel stops it cleanly; a
// second start on the same data directory reuses them.
func TestServeSQLiteDefault(t *testing.T) {
	dir := t.TempDir()
	var jwks string
	for i := range 2 {
		io, _, _, stderr := iostreams.Test()
		addr, stop := serve(t, &Options{IO: io, Listen: "127.0.0.1:0", DataDir: dir})
		d := discover(t, addr)
		if want := "http://localhost:" + portOf(addr); d["issuer"] != want {
			t.Errorf("issuer %v, want %s (the listen address, named localhost for WebAuthn)", d["issuer"], want)
		}
		resp, err := http.Get(d["jwks_uri"].(string))
		if err != nil {
			t.Fatal(err)
		}
		var keys struct {
			Keys []struct{ Kid string } `json:"keys"`
		}
		json.NewDecoder(resp.Body).Decode(&keys)
		resp.Body.Close()
		if len(keys.Keys) != 1 {
			t.Fatalf("JWKS has %d keys, want 1", len(keys.Keys))
		}
		if i == 1 && keys.Keys[0].Kid != jwks {
			t.Errorf("restart made a new signing key %s, want the stored %s", keys.Keys[0].Kid, jwks)
		}
		jwks = keys.Keys[0].Kid
		if err := stop(); err != nil {
			t.Fatalf("stop: %v", err)
		}
		if n := strings.Count(stderr.String(), "ward is listening"); n != 1 || !strings.Contains(stderr.String(), addr) {
			t.Errorf("start-up log: %q; want one line naming %s", stderr.String(), addr)
		}
	}
}

// Two nodes on one PostgreSQL database, sharing the secret file, are one
// server: a token from one verifies on the other.
func TestServePostgresTwoNodes(t *testing.T) {
	db := dbtest.PostgresURL(t)
	secret := t.TempDir() + "/secret.key"
	io, _, _, _ := iostreams.Test()
	a, stopA := serve(t, &Options{IO: io, Listen: "127.0.0.1:0", DataDir: t.TempDir(), Database: db, Secret: secret})
	defer stopA()
	b, stopB := serve(t, &Options{IO: io, Listen: "127.0.0.1:0", DataDir: t.TempDir(), Database: db, Secret: secret})
	defer stopB()
	ka, kb := jwksKids(t, discover(t, a)), jwksKids(t, discover(t, b))
	if ka != kb {
		t.Errorf("the nodes publish different keys: %s vs %s", ka, kb)
	}
}

func jwksKids(t *testing.T, d map[string]any) string {
	t.Helper()
	resp, err := http.Get(d["jwks_uri"].(string))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var keys struct {
		Keys []struct{ Kid string } `json:"keys"`
	}
	json.NewDecoder(resp.Body).Decode(&keys)
	var kids []string
	for _, k := range keys.Keys {
		kids = append(kids, k.Kid)
	}
	return strings.Join(kids, ",")
}

func TestServeRefusesBusyAddress(t *testing.T) {
	io, _, _, _ := iostreams.Test()
	addr, stop := serve(t, &Options{IO: io, Listen: "127.0.0.1:0", DataDir: t.TempDir()})
	defer stop()
	err := run(context.Background(), &Options{IO: io, Listen: addr, DataDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "--listen") {
		t.Fatalf("second server on %s: %v; want an error suggesting --listen", addr, err)
	}
}

func portOf(addr string) string { return addr[strings.LastIndexByte(addr, ':')+1:] }
