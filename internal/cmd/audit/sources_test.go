package audit_test

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/wardauth/ward/internal/cmd/cmdtest"
	"github.com/wardauth/ward/secret"
)

type finding struct {
	Rule   string `json:"rule"`
	Path   string `json:"path"`
	Commit string `json:"commit"`
	Layer  string `json:"layer"`
	Line   int    `json:"line"`
}

func findings(t *testing.T, r cmdtest.Result) []finding {
	t.Helper()
	var out struct{ Findings []finding }
	if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil {
		t.Fatalf("exit %d, not JSON (%v):\n%s\n%s", r.Exit, err, r.Stdout, r.Stderr)
	}
	return out.Findings
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// A key committed and deleted in a later commit is still found in the
// history, reported with the commit that introduced it.
func TestAuditGitHistory(t *testing.T) {
	e := cmdtest.New(t)
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	key := secret.New(secret.APIKey)
	os.WriteFile(filepath.Join(dir, ".env"), []byte("WARD_API_KEY="+key+"\n"), 0o644)
	git(t, dir, "add", ".env")
	git(t, dir, "commit", "-q", "-m", "add env")
	introduced := git(t, dir, "rev-parse", "HEAD")
	git(t, dir, "rm", "-q", ".env")
	git(t, dir, "commit", "-q", "-m", "remove env")

	if r := e.Run(t, "", "audit", dir); r.Exit != 0 {
		t.Errorf("the work tree no longer has the key, yet audit exited %d", r.Exit)
	}
	r := e.Run(t, "", "audit", "--git", "--format", "json", dir)
	got := findings(t, r)
	if r.Exit != 1 || len(got) != 1 || got[0].Commit != introduced || got[0].Path != ".env" || got[0].Line != 1 {
		t.Fatalf("--git: exit %d, findings %+v; want the .env key at commit %s", r.Exit, got, introduced)
	}
}

// An image whose API key sits in Env, and whose auth.json was deleted by a
// later layer, as a docker-save tarball and as an OCI layout.
func TestAuditImages(t *testing.T) {
	e := cmdtest.New(t)
	refresh := secret.New(secret.RefreshToken)
	authJSON := `{"version":1,"issuer":"https://id.example.com","client_id":"ward-cli","auth_mode":"account",` +
		`"tokens":{"access_token":"x","refresh_token":"` + refresh + `","expires_at":"2099-01-01T00:00:00Z"}}`
	add := layer(t, "root/.ward/auth.json", authJSON)
	del := layer(t, "root/.ward/.wh.auth.json", "")
	img, err := mutate.AppendLayers(empty.Image, add, del)
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Config(img, v1.Config{Env: []string{"WARD_API_KEY=" + secret.New(secret.APIKey)}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tarPath := filepath.Join(dir, "image.tar")
	if err := tarball.WriteToFile(tarPath, nil, img); err != nil {
		t.Fatal(err)
	}
	oci := filepath.Join(dir, "oci")
	p, err := layout.Write(oci, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	addDiff, _ := add.DiffID()

	for _, ref := range []string{tarPath, oci} {
		r := e.Run(t, "", "audit", "--image", ref, "--format", "json")
		got := findings(t, r)
		var inLayer, inEnv bool
		for _, f := range got {
			inLayer = inLayer || (f.Rule == "ward-auth-json" && f.Layer == addDiff.String() && strings.HasSuffix(f.Path, "root/.ward/auth.json"))
			inEnv = inEnv || (f.Layer == "config" && strings.Contains(f.Path, "Env"))
		}
		if r.Exit != 1 || !inLayer || !inEnv {
			t.Errorf("--image %s: exit %d, findings %+v; want the deleted auth.json in its layer and the Env key", ref, r.Exit, got)
		}
	}
}

func layer(t *testing.T, name, content string) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg})
	io.WriteString(tw, content)
	tw.Close()
	l, err := tarball.LayerFromReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return l
}
