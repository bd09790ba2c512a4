// Package cmdtest runs ward's client commands in tests the way a person
// would at a shell, against a real Ward server on loopback: the whole
// command tree, real credential files, buffers for the streams.
package cmdtest

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wardauth/ward/internal/cmd/factory"
	"github.com/wardauth/ward/internal/cmd/root"
	"github.com/wardauth/ward/internal/iostreams"
	"github.com/wardauth/ward/internal/softauthn"
	"github.com/wardauth/ward/internal/testserver"
	"github.com/wardauth/ward/server"
	"github.com/wardauth/ward/server/store/dbtest"
)

// Env is a server, a signed-in browser and a Ward home.
type Env struct {
	Srv  *testserver.Server
	User *softauthn.Client // the person's browser, signed in
	Home string
	Env  map[string]string // the commands' environment
	// Open, if set, replaces the signed-in HTTP client as the browser that
	// `ward login` opens its URL in.
	Open func(url string) error
}

// New starts a server with a signed-up person and an empty Ward home that
// stores credentials in a file (the keyring has its own tests).
func New(t *testing.T, configure ...func(*server.Config)) *Env {
	t.Helper()
	srv := testserver.Start(t, dbtest.SQLite(t), nil, configure...)
	user := srv.SignUp(t, "sam@example.com")
	user.HTTP.CheckRedirect = nil // a browser follows the redirect to the CLI's listener
	dir := t.TempDir()
	home := filepath.Join(dir, "ward")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(home, "config.toml"), "cli_auth_credentials_store = \"file\"\n")
	return &Env{Srv: srv, User: user, Home: home, Env: map[string]string{
		"WARD_HOME":              home,
		"WARD_ISSUER":            srv.URL,
		"WARD_REQUIREMENTS_PATH": filepath.Join(dir, "requirements.toml"),
		"DISPLAY":                ":0", // a desktop, for the browser flow
	}}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Requirements installs managed requirements.
func (e *Env) Requirements(t *testing.T, toml string) {
	write(t, e.Env["WARD_REQUIREMENTS_PATH"], toml)
}

// Result is what a command printed and how it exited.
type Result struct {
	Stdout, Stderr string
	Exit           int
}

// Run runs `ward ARGS...` with stdin and returns its output and exit code.
func (e *Env) Run(t *testing.T, stdin string, args ...string) Result {
	t.Helper()
	return e.RunWatching(t, stdin, nil, args...)
}

// RunWatching is Run, calling watch with everything written to stderr as it
// is written, so a test can act while the command waits (approve a device
// code it printed, say).
func (e *Env) RunWatching(t *testing.T, stdin string, watch func(stderr string), args ...string) Result {
	t.Helper()
	io, in, out, _ := iostreams.Test()
	errOut := &watched{watch: watch}
	io.ErrOut = errOut
	in.WriteString(stdin)
	f := &factory.Factory{
		IO:         io,
		Getenv:     func(k string) string { return e.Env[k] },
		IsTerminal: func() bool { return false },
		// The test machine may be a container; the environment decides.
		Headless: func() string {
			return factory.HeadlessReason(func(k string) string { return e.Env[k] }, func(string) bool { return false })
		},
		OpenBrowser: func(url string) error {
			if e.Open != nil {
				return e.Open(url)
			}
			resp, err := e.User.HTTP.Get(url)
			if err == nil {
				resp.Body.Close()
			}
			return err
		},
	}
	cmd := root.NewCmd(f)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	var msg bytes.Buffer
	code := root.ExitCode(err, &msg)
	return Result{Stdout: out.String(), Stderr: errOut.String() + msg.String(), Exit: code}
}

// watched is a stderr buffer that shows each write to a watcher.
type watched struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	watch func(string)
}

func (w *watched) Write(p []byte) (int, error) {
	w.mu.Lock()
	n, _ := w.buf.Write(p)
	all := w.buf.String()
	w.mu.Unlock()
	if w.watch != nil {
		w.watch(all)
	}
	return n, nil
}

func (w *watched) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// Must runs a command that must succeed.
func (e *Env) Must(t *testing.T, stdin string, args ...string) Result {
	t.Helper()
	r := e.Run(t, stdin, args...)
	if r.Exit != 0 {
		t.Fatalf("ward %s exited %d:\n%s", strings.Join(args, " "), r.Exit, r.Stderr)
	}
	return r
}

// FreePort is a loopback port nothing listens on now, for `ward login
// --port`: tests in other packages run at the same time, and would contend
// for the default port.
func FreePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}
