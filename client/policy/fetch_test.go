package policy

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// serve starts a real HTTP server on loopback that answers the requirements
// path with status and body.
func serve(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != WellKnownPath {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetch(t *testing.T) {
	tests := []struct {
		name            string
		status          int
		body            string
		want            *Requirements // Source "URL" stands for the fetched URL
		wantErr         []string
		wantUnreachable bool
	}{
		{
			name: "200", status: 200,
			body: `{"forced_login_method":"account","forced_workspace_id":["ws_1"],"future_rule":true}`,
			want: &Requirements{
				LoginMethod: Forced{Value: MethodAccount, Source: "URL"},
				Workspaces:  ForcedList{Values: []string{"ws_1"}, Source: "URL"},
			},
		},
		{name: "200 empty object", status: 200, body: `{}`, want: &Requirements{}},
		{name: "404 means none", status: 404, body: `not found`, want: &Requirements{}},
		{name: "500 is unreachable", status: 500, body: `oops`, wantErr: []string{"500 Internal Server Error"}, wantUnreachable: true},
		{name: "403 is an answer", status: 403, body: `no`, wantErr: []string{"403 Forbidden", "HTTPS_PROXY"}},
		{name: "bad JSON", status: 200, body: `<html>`, wantErr: []string{"did not answer a JSON object", "tell its administrator"}},
		{name: "wrong type", status: 200, body: `{"forced_login_method":1}`, wantErr: []string{"forced_login_method must be a string, not a number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.status, tt.body)
			url := srv.URL + WellKnownPath
			// A trailing slash on the issuer must not double up in the URL.
			got, err := Fetch(context.Background(), srv.Client(), srv.URL+"/")
			if len(tt.wantErr) > 0 {
				checkErr(t, err, append(tt.wantErr, url))
				if errors.Is(err, ErrUnreachable) != tt.wantUnreachable {
					t.Errorf("errors.Is(err, ErrUnreachable) = %v, want %v", !tt.wantUnreachable, tt.wantUnreachable)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.LoginMethod.Source = strings.ReplaceAll(tt.want.LoginMethod.Source, "URL", url)
			tt.want.Workspaces.Source = strings.ReplaceAll(tt.want.Workspaces.Source, "URL", url)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFetchBadIssuer(t *testing.T) {
	for _, issuer := range []string{"", "id.example", "ftp://id.example", "https://"} {
		_, err := Fetch(context.Background(), http.DefaultClient, issuer)
		checkErr(t, err, []string{"is not an http(s) URL"})
		if errors.Is(err, ErrUnreachable) {
			t.Errorf("%q: a bad URL must not count as unreachable", issuer)
		}
	}
}

func TestFetchConnectionRefused(t *testing.T) {
	srv := serve(t, 200, `{}`)
	srv.Close()
	_, err := Fetch(context.Background(), http.DefaultClient, srv.URL)
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
}

func TestCacheRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "home", CacheFile)
	fetchedAt := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	in := &Requirements{
		LoginMethod: Forced{Value: MethodAPI, Source: "x"},
		Issuer:      Forced{Value: "https://corp.example", Source: "x"},
		Workspaces:  ForcedList{Values: []string{"ws_1", "ws_2"}, Source: "x"},
	}
	if err := SaveCache(path, "https://id.example", in, fetchedAt); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, filepath.Dir(path)} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o600)
		if info.IsDir() {
			want = 0o700 | os.ModeDir
		}
		if info.Mode() != want {
			t.Errorf("%s mode = %v, want %v", p, info.Mode(), want)
		}
	}
	if leftovers, _ := filepath.Glob(path + ".*.tmp"); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}

	got, at, err := LoadCache(path, "https://id.example/")
	if err != nil {
		t.Fatal(err)
	}
	if !at.Equal(fetchedAt) {
		t.Errorf("fetched at %v, want %v", at, fetchedAt)
	}
	src := "https://id.example/.well-known/ward-requirements (cached at 2026-03-01T12:00:00Z)"
	want := &Requirements{
		LoginMethod: Forced{Value: MethodAPI, Source: src},
		Issuer:      Forced{Value: "https://corp.example", Source: src},
		Workspaces:  ForcedList{Values: []string{"ws_1", "ws_2"}, Source: src},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}

	if _, _, err := LoadCache(path, "https://other.example"); !errors.Is(err, ErrNoCache) {
		t.Errorf("other issuer: err = %v, want ErrNoCache", err)
	}
	if _, _, err := LoadCache(filepath.Join(t.TempDir(), CacheFile), "https://id.example"); !errors.Is(err, ErrNoCache) {
		t.Errorf("missing file: err = %v, want ErrNoCache", err)
	}
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = LoadCache(path, "https://id.example")
	checkErr(t, err, []string{path, "is damaged", "delete it"})
}

func TestFetchWithCache(t *testing.T) {
	cache := filepath.Join(t.TempDir(), CacheFile)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()

	srv := serve(t, 200, `{"forced_login_method":"account"}`)
	r, warning, err := FetchWithCache(ctx, srv.Client(), srv.URL, cache, now)
	if err != nil || warning != "" || r.LoginMethod.Value != MethodAccount {
		t.Fatalf("online: got %+v, %q, %v", r, warning, err)
	}

	// A cache that cannot be written is a warning: the fetched rules hold.
	blocked := filepath.Join(cache, "cannot-be-a-directory", CacheFile)
	r, warning, err = FetchWithCache(ctx, srv.Client(), srv.URL, blocked, now)
	if err != nil || r.LoginMethod.Value != MethodAccount || !strings.Contains(warning, "could not cache") {
		t.Fatalf("unwritable cache: got %+v, %q, %v", r, warning, err)
	}

	// The server goes away: the cached copy stands in, and says so.
	srv.Close()
	r, warning, err = FetchWithCache(ctx, srv.Client(), srv.URL, cache, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	checkErr(t, r.AllowLoginMethod(MethodAPI), []string{"cached at 2026-03-01T12:00:00Z", `forces login method "account"`})
	if !strings.Contains(warning, "using the copy fetched at 2026-03-01T12:00:00Z") {
		t.Errorf("warning %q does not name the fetch time", warning)
	}

	// Unreachable with no cache for this issuer: an error that says what to do.
	_, _, err = FetchWithCache(ctx, srv.Client(), "http://127.0.0.1:1", cache, now)
	checkErr(t, err, []string{"could not reach the issuer", "no usable copy is cached", "network and proxy"})

	// A server that answers nonsense is not unreachable: no fallback.
	bad := serve(t, 200, `[]`)
	if err := SaveCache(cache, bad.URL, &Requirements{}, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := FetchWithCache(ctx, bad.Client(), bad.URL, cache, now); err == nil {
		t.Error("bad JSON with a cache: got no error")
	}
}
