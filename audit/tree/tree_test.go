package tree

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardauth/ward/audit"
)

func TestGitignore(t *testing.T) {
	rules := ignoreList(parseGitignore("", []byte("# c\n*.log\n!keep.log\n/build/\ndocs/**/*.tmp\n**/cache\n\\#hash\nlogs/**\n")))
	rules = append(rules, parseGitignore("sub", []byte("/only-here\n[!a]x\n"))...)
	cases := []struct {
		path string
		dir  bool
		want bool
	}{
		{"a.log", false, true}, {"deep/b.log", false, true}, {"keep.log", false, false},
		{"build", true, true}, {"build", false, false}, {"x/build", true, false},
		{"docs/a/b/c.tmp", false, true}, {"docs/c.tmp", false, true}, {"c.tmp", false, false},
		{"cache", true, true}, {"a/b/cache", false, true}, {"#hash", false, true},
		{"logs", true, false}, {"logs/x", false, true},
		{"sub/only-here", false, true}, {"only-here", false, false}, {"sub/deeper/only-here", false, false},
		{"sub/bx", false, true}, {"sub/ax", false, false}, {"bx", false, false},
	}
	for _, c := range cases {
		if got := rules.ignored(c.path, c.dir); got != c.want {
			t.Errorf("ignored(%q, dir=%v) = %v, want %v", c.path, c.dir, got, c.want)
		}
	}
}

// items collects what a Dir yields.
func items(t *testing.T, d Dir) (read map[string]string, skipped map[string]string) {
	t.Helper()
	read, skipped = map[string]string{}, map[string]string{}
	err := d.Items(context.Background(), func(it *audit.Item) bool {
		name := strings.TrimPrefix(it.Path, d.Root+"/")
		if len(it.Archive) > 0 {
			name = strings.TrimPrefix(strings.Join(it.Archive, ">"), d.Root+"/") + ">" + it.Path
		}
		if it.Skip != "" {
			skipped[name] = it.Skip
		} else {
			read[name] = string(it.Data)
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return read, skipped
}

func zipOf(t *testing.T, name string, data []byte, method uint16) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	zw.Close()
	return buf.Bytes()
}

func TestArchiveLimits(t *testing.T) {
	root := t.TempDir()
	// 20 MiB of zeros compresses to ~20 KiB: over MaxSize once unpacked.
	bomb := zipOf(t, "zeros.txt", make([]byte, 20<<20), zip.Deflate)
	os.WriteFile(filepath.Join(root, "bomb.zip"), bomb, 0o600)
	// Three levels of nesting: the third archive is not opened at depth 2.
	l3 := zipOf(t, "secret.txt", []byte("deep"), zip.Store)
	l2 := zipOf(t, "l3.zip", l3, zip.Store)
	l1 := zipOf(t, "l2.zip", l2, zip.Store)
	os.WriteFile(filepath.Join(root, "l1.zip"), l1, 0o600)
	os.WriteFile(filepath.Join(root, "big.txt"), bytes.Repeat([]byte("a"), 2048), 0o600)

	read, skipped := items(t, Dir{Root: root, MaxSize: 1024, ArchiveDepth: 2})
	want := map[string]string{"bomb.zip>zeros.txt": audit.SkipTooLarge, "l1.zip>l2.zip>l3.zip": audit.SkipArchive, "big.txt": audit.SkipTooLarge}
	if len(read) != 0 || !maps.Equal(skipped, want) {
		t.Errorf("read %v, skipped %v; want nothing read and %v skipped", read, skipped, want)
	}
	read, _ = items(t, Dir{Root: root, MaxSize: 4096})
	if read["l1.zip>l2.zip>l3.zip>secret.txt"] != "deep" {
		t.Errorf("depth 3: read %v", read)
	}
	read, skipped = items(t, Dir{Root: root, ArchiveDepth: -1, IncludeBinary: true})
	if _, ok := read["l1.zip"]; !ok || len(skipped) != 0 {
		t.Errorf("archives off: read %v, skipped %v", read, skipped)
	}
}

func TestMissingRootFails(t *testing.T) {
	err := Dir{Root: filepath.Join(t.TempDir(), "nope")}.Items(context.Background(), func(*audit.Item) bool { return true })
	if err == nil || !strings.Contains(err.Error(), "cannot scan") {
		t.Errorf("err = %v", err)
	}
}

func TestStopEarly(t *testing.T) {
	root := t.TempDir()
	for i := range 50 {
		os.WriteFile(filepath.Join(root, string(rune('a'+i%26))+strings.Repeat("x", i)), []byte("x"), 0o600)
	}
	n := 0
	err := Dir{Root: root}.Items(context.Background(), func(*audit.Item) bool { n++; return n < 3 })
	if err != nil || n != 3 {
		t.Errorf("n = %d, err = %v", n, err)
	}
}

func TestBudgetReader(t *testing.T) {
	budget := int64(10)
	r := &budgetReader{r: bytes.NewReader(make([]byte, 100)), budget: &budget}
	if _, err := io.ReadAll(r); err != errExpansion {
		t.Errorf("err = %v, want errExpansion", err)
	}
}
