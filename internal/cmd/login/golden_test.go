package login_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/wardauth/ward/internal/cmd/cmdtest"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

// The status output people and scripts read, pinned: human text on stderr,
// JSON on stdout. Only the time-dependent parts are normalised.
func TestStatusGolden(t *testing.T) {
	for _, tc := range []struct {
		name, authJSON string
		args           []string
	}{
		{"account", accountJSON, []string{"login", "status"}},
		{"account-json", accountJSON, []string{"login", "status", "--json"}},
		{"apikey", apiKeyJSON, []string{"login", "status"}},
		{"apikey-json", apiKeyJSON, []string{"login", "status", "--json"}},
		{"none", "", []string{"login", "status"}},
		{"none-json", "", []string{"login", "status", "--json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := cmdtest.New(t)
			if tc.authJSON != "" {
				if err := os.WriteFile(filepath.Join(e.Home, "auth.json"), []byte(tc.authJSON), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r := e.Run(t, "", tc.args...)
			got := "exit: " + string(rune('0'+r.Exit)) + "\n--- stdout\n" + r.Stdout + "--- stderr\n" + normalise(r.Stderr)
			golden := filepath.Join("testdata", "status-"+tc.name+".golden")
			if *update {
				os.MkdirAll("testdata", 0o755)
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
}

var (
	validFor = regexp.MustCompile(`valid for [0-9hms.]+ \(until [^)]+\)`)
)

func normalise(s string) string {
	return validFor.ReplaceAllString(s, "valid for DURATION (until TIME)")
}

// Far-future expiries: status needs no network and the JSON is stable.
const accountJSON = `{
  "version": 1,
  "issuer": "https://id.example.com",
  "client_id": "ward-cli",
  "auth_mode": "account",
  "account_id": "acct_7Qx2",
  "email": "sam@example.com",
  "workspace_id": "ws_main",
  "session_expires_at": "2099-06-30T12:00:00Z",
  "tokens": {
    "access_token": "eyJhbGciOiJFUzI1NiJ9.e30.sig",
    "refresh_token": "wardr_0000000000000000000000000000000000000000000000000",
    "expires_at": "2099-06-01T12:00:00Z"
  }
}`

const apiKeyJSON = `{
  "version": 1,
  "issuer": "https://id.example.com",
  "auth_mode": "api_key",
  "api_key": "wardk_AbCdEfGh0123456789AbCdEfGh0123456789AbCdEfGhij12345"
}`
