package credstore

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestFileRoundTripAndPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "home") // Save creates it
	f := File{Dir: dir}
	checkGone(t, f)
	checkSaveLoad(t, f, 0)
	checkSaveLoad(t, f, 1) // replaces the first
	for path, want := range map[string]os.FileMode{dir: 0o700, f.Path(): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %04o, want %04o", path, fi.Mode().Perm(), want)
		}
	}
	raw, _ := os.ReadFile(f.Path())
	if !bytes.Contains(raw, []byte(`"version": 1`)) {
		t.Errorf("auth.json lacks the version field:\n%s", raw)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*")); len(leftovers) != 0 {
		t.Errorf("temp files left behind: %v", leftovers)
	}
	if err := f.Delete(); err != nil {
		t.Fatal(err)
	}
	checkGone(t, f)
}

func TestFileAPIKeyRoundTrip(t *testing.T) {
	f := File{Dir: privateDir(t)}
	c := &Credentials{Issuer: "https://id.example.test", AuthMode: AuthModeAPIKey, APIKey: "wardk_" + strings.Repeat("a", 49)}
	if err := f.Save(c); err != nil {
		t.Fatal(err)
	}
	got, err := f.Load()
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, c)
}

func TestFileRefusesLoosePermissions(t *testing.T) {
	t.Run("file 0644", func(t *testing.T) {
		f := File{Dir: privateDir(t)}
		if err := f.Save(sample(1)); err != nil {
			t.Fatal(err)
		}
		os.Chmod(f.Path(), 0o644)
		before, _ := os.ReadFile(f.Path())
		for name, err := range map[string]error{"Save": f.Save(sample(2)), "Load": loadErr(f)} {
			if err == nil {
				t.Fatalf("%s accepted a 0644 file", name)
			}
			mustContain(t, err.Error(), f.Path(), "chmod 600 "+f.Path())
		}
		after, _ := os.ReadFile(f.Path())
		if !bytes.Equal(before, after) {
			t.Error("Save changed a file it refused")
		}
	})
	t.Run("dir 0755", func(t *testing.T) {
		dir := privateDir(t)
		os.Chmod(dir, 0o755)
		f := File{Dir: dir}
		err := f.Save(sample(1))
		if err == nil {
			t.Fatal("Save accepted a 0755 directory")
		}
		mustContain(t, err.Error(), "chmod 700 "+dir)
		if _, err := os.Stat(f.Path()); !os.IsNotExist(err) {
			t.Error("Save wrote into a 0755 directory")
		}
	})
}

func loadErr(s Store) error { _, err := s.Load(); return err }

func TestFileCorruptAndForeign(t *testing.T) {
	cases := map[string]struct {
		content string
		reason  string
	}{
		"bad JSON":        {`{"version": 1, "issuer": `, "not valid JSON"},
		"codex auth.json": {`{"auth_mode":"chatgpt","OPENAI_API_KEY":null,"tokens":{"access_token":"x"},"last_refresh":"2025-01-01T00:00:00Z"}`, `no "version"`},
		"future version":  {`{"version": 2, "issuer":"https://x","auth_mode":"account","tokens":{"access_token":"a"}}`, "version 2"},
		"missing fields":  {`{"version": 1, "auth_mode":"account"}`, `"issuer" is empty`},
		"chatgpt mode":    {`{"version": 1, "issuer":"https://x","auth_mode":"chatgpt"}`, `"chatgpt"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := File{Dir: privateDir(t)}
			if err := os.WriteFile(f.Path(), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := f.Load()
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Load: got %v, want ErrCorrupt", err)
			}
			mustContain(t, err.Error(), f.Path(), tc.reason, "ward logout")

			for op, err := range map[string]error{"Save": f.Save(sample(1)), "Delete": f.Delete()} {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("%s over a foreign file: got %v, want ErrCorrupt", op, err)
				}
			}
			if got, _ := os.ReadFile(f.Path()); string(got) != tc.content {
				t.Fatalf("refused Save changed the file:\n%s", got)
			}

			forced := File{Dir: f.Dir, Force: true}
			if err := forced.Save(sample(1)); err != nil {
				t.Fatal(err)
			}
			got, err := f.Load()
			if err != nil {
				t.Fatal(err)
			}
			mustEqual(t, got, sample(1))
		})
	}
	t.Run("forced delete", func(t *testing.T) {
		f := File{Dir: privateDir(t), Force: true}
		os.WriteFile(f.Path(), []byte("garbage"), 0o600)
		if err := f.Delete(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestFileCrashDuringSave kills a child process with SIGKILL while its Save
// has written half of the temp file: the previous auth.json must survive
// intact, and the leftover temp file must not disturb later saves.
func TestFileCrashDuringSave(t *testing.T) {
	dir := privateDir(t)
	f := File{Dir: dir}
	if err := f.Save(sample(1)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(f.Path())

	cmd := helper(t, "crash-save", dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tmp := strings.TrimPrefix(readLine(t, bufio.NewScanner(out), "READY "), "READY ")
	cmd.Process.Signal(syscall.SIGKILL)
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die by SIGKILL: %v", err)
	}

	if fi, err := os.Stat(tmp); err != nil || fi.Size() == 0 {
		t.Fatalf("expected a half-written temp file %s left by the crash: %v", tmp, err)
	}
	after, _ := os.ReadFile(f.Path())
	if !bytes.Equal(before, after) {
		t.Fatal("auth.json changed although the save crashed before its rename")
	}
	got, err := f.Load()
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, sample(1))

	if err := f.Save(sample(3)); err != nil {
		t.Fatalf("Save after a crash: %v", err)
	}
	if got, _ = f.Load(); got == nil || got.Tokens.AccessToken != sample(3).Tokens.AccessToken {
		t.Fatal("Save after a crash did not take effect")
	}
	if err := f.Delete(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Error("Delete left the crashed save's temp file (it may hold secrets)")
	}
}

func TestMask(t *testing.T) {
	key := "wardk_0123456789abcdefghijABCDEFGHIJ0123456789xyzXYZ"
	if got, want := Mask(key), key[:8]+"***"+key[len(key)-5:]; got != want {
		t.Errorf("Mask = %q, want %q", got, want)
	}
	for _, short := range []string{"", "abc", "0123456789abcdefghij"} {
		if got := Mask(short); got != "***" {
			t.Errorf("Mask(%q) = %q, want fully masked", short, got)
		}
	}
}

func TestSaveRejectsInvalidCredentials(t *testing.T) {
	f := File{Dir: privateDir(t)}
	both := sample(1)
	both.APIKey = "wardk_x"
	for _, c := range []*Credentials{nil, {AuthMode: AuthModeAccount}, both} {
		if err := f.Save(c); err == nil {
			t.Errorf("Save(%+v) succeeded", c)
		}
	}
	if _, err := os.Stat(f.Path()); !os.IsNotExist(err) {
		t.Error("invalid credentials were written")
	}
}
