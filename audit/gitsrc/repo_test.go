package gitsrc

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wardauth/ward/audit"
)

// isolate gives git a fixed identity and no user or system config, and
// clears hook variables that would point git at another repository.
func isolate(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	for k, v := range map[string]string{
		"GIT_AUTHOR_NAME": "Ward Test", "GIT_AUTHOR_EMAIL": "test@ward.invalid",
		"GIT_COMMITTER_NAME": "Ward Test", "GIT_COMMITTER_EMAIL": "test@ward.invalid",
		"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.DevNull,
		"GIT_CEILING_DIRECTORIES": filepath.Dir(t.TempDir()),
	} {
		t.Setenv(k, v)
	}
	for _, k := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func initRepo(t *testing.T) string {
	t.Helper()
	isolate(t)
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	return dir
}

func collect(t *testing.T, src audit.Source) []*audit.Item {
	t.Helper()
	var items []*audit.Item
	err := src.Items(context.Background(), func(it *audit.Item) bool {
		items = append(items, it)
		return true
	})
	if err != nil {
		t.Fatalf("Items: %v", err)
	}
	return items
}

// firstAdded is the oldest commit that added path on any ref, per git.
func firstAdded(t *testing.T, dir, path string) string {
	lines := strings.Split(git(t, dir, "log", "--all", "--diff-filter=A", "--format=%H", "--", path), "\n")
	return lines[len(lines)-1]
}

const secret = "WARD_TOKEN=ward_live_0123456789abcdef0123456789abcdef\n"

func TestHistory(t *testing.T) {
	dir := initRepo(t)

	write(t, dir, "README.md", "hello\n")
	write(t, dir, "deploy/config.env", secret)
	write(t, dir, "logo.png", "\x89PNG\x00\x00binary")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "add config")
	write(t, dir, "README.md", "hello again\n")
	git(t, dir, "commit", "-qam", "edit readme")
	git(t, dir, "rm", "-q", "deploy/config.env")
	git(t, dir, "commit", "-qm", "remove leaked config")

	// A branch re-adds the same secret at another path (same blob: must
	// not be yielded twice) and adds a new one.
	git(t, dir, "checkout", "-qb", "feature")
	write(t, dir, "copy.env", secret)
	write(t, dir, "feature.txt", "GITHUB_TOKEN=ghp_featurefeaturefeaturefeature12345678\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "feature")

	// A commit reachable only from a tag.
	git(t, dir, "checkout", "-q", "--detach", "main")
	write(t, dir, "tagged.txt", "only on the tag\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "tagged")
	git(t, dir, "tag", "-a", "v1", "-m", "v1")
	git(t, dir, "checkout", "-q", "main")

	// A blob that exists only in a merge's conflict resolution.
	git(t, dir, "checkout", "-qb", "side")
	write(t, dir, "conflict.txt", "side\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "side")
	git(t, dir, "checkout", "-q", "main")
	write(t, dir, "conflict.txt", "main\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "main")
	exec.Command("git", "-C", dir, "merge", "-q", "side").Run() // conflicts on purpose
	write(t, dir, "conflict.txt", "resolved by hand\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "merge side")

	// A blob reachable only from the stash.
	write(t, dir, "README.md", "stashed edit\n")
	git(t, dir, "stash", "-q")

	repo := &Repo{Dir: dir}
	items := collect(t, repo)

	byContent := map[string]*audit.Item{}
	for _, it := range items {
		if prev, dup := byContent[string(it.Data)]; dup {
			t.Errorf("blob yielded twice: %s@%s and %s@%s", prev.Path, prev.Commit, it.Path, it.Commit)
		}
		byContent[string(it.Data)] = it
	}
	want := map[string]audit.Location{
		secret:          {Path: "deploy/config.env", Commit: firstAdded(t, dir, "deploy/config.env")},
		"hello\n":       {Path: "README.md", Commit: firstAdded(t, dir, "README.md")},
		"hello again\n": {Path: "README.md", Commit: git(t, dir, "rev-parse", "main~3")},
		"GITHUB_TOKEN=ghp_featurefeaturefeaturefeature12345678\n": {Path: "feature.txt", Commit: git(t, dir, "rev-parse", "feature")},
		"only on the tag\n":  {Path: "tagged.txt", Commit: git(t, dir, "rev-parse", "v1^{commit}")},
		"side\n":             {Path: "conflict.txt", Commit: git(t, dir, "rev-parse", "side")},
		"main\n":             {Path: "conflict.txt", Commit: git(t, dir, "rev-parse", "main^1")},
		"resolved by hand\n": {Path: "conflict.txt", Commit: git(t, dir, "rev-parse", "main")},
		"stashed edit\n":     {Path: "README.md", Commit: git(t, dir, "rev-parse", "stash@{0}")},
	}
	for content, loc := range want {
		it := byContent[content]
		if it == nil {
			t.Errorf("blob %q not yielded", content)
			continue
		}
		if it.Location.Path != loc.Path || it.Commit != loc.Commit {
			t.Errorf("blob %q at %s@%s, want %s@%s", content, it.Path, it.Commit, loc.Path, loc.Commit)
		}
	}
	if len(items) != len(want) {
		for _, it := range items {
			t.Logf("got %s@%s %q", it.Path, it.Commit, it.Data)
		}
		t.Errorf("got %d items, want %d (binary skipped, no duplicates)", len(items), len(want))
	}
	total, _ := strconv.Atoi(git(t, dir, "rev-list", "--all", "--count"))
	if repo.Commits() != total {
		t.Errorf("Commits() = %d, want %d", repo.Commits(), total)
	}
}

func TestHistoryMaxSizeAndStop(t *testing.T) {
	dir := initRepo(t)
	write(t, dir, "big.txt", strings.Repeat("a", 2000))
	write(t, dir, "small1.txt", "one\n")
	write(t, dir, "small2.txt", "two\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "files")

	items := collect(t, &Repo{Dir: dir, MaxSize: 1000})
	if len(items) != 2 {
		t.Fatalf("got %d items, want 2 (big.txt over MaxSize)", len(items))
	}
	for _, it := range items {
		if it.Path == "big.txt" {
			t.Error("big.txt yielded despite MaxSize")
		}
	}

	n := 0
	err := (&Repo{Dir: dir}).Items(context.Background(), func(*audit.Item) bool { n++; return false })
	if err != nil || n != 1 {
		t.Errorf("early stop: n=%d err=%v, want 1 item and no error", n, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (&Repo{Dir: dir}).Items(ctx, func(*audit.Item) bool { return true }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestStaged(t *testing.T) {
	dir := initRepo(t)
	write(t, dir, "a.txt", "a v1\n")
	write(t, dir, "b.txt", "b v1\n")
	write(t, dir, "c.txt", "c v1\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "base")

	write(t, dir, "a.txt", "a staged\n")
	write(t, dir, "new.txt", "new staged\n")
	git(t, dir, "add", "a.txt", "new.txt")
	git(t, dir, "rm", "-q", "c.txt")
	write(t, dir, "a.txt", "a unstaged working copy\n") // must not be read
	write(t, dir, "b.txt", "b unstaged\n")              // not staged at all

	repo := &Repo{Dir: dir, Staged: true}
	got := map[string]string{}
	for _, it := range collect(t, repo) {
		if it.Commit != "" {
			t.Errorf("%s: staged item has commit %q", it.Path, it.Commit)
		}
		got[it.Path] = string(it.Data)
	}
	want := map[string]string{"a.txt": "a staged\n", "new.txt": "new staged\n"}
	if len(got) != len(want) || got["a.txt"] != want["a.txt"] || got["new.txt"] != want["new.txt"] {
		t.Errorf("staged items = %q, want %q", got, want)
	}
	if repo.Commits() != 0 {
		t.Errorf("Commits() = %d after staged scan, want 0", repo.Commits())
	}
}

func TestStagedFirstCommit(t *testing.T) {
	dir := initRepo(t)
	write(t, dir, "first.txt", "first\n")
	git(t, dir, "add", ".")
	items := collect(t, &Repo{Dir: dir, Staged: true})
	if len(items) != 1 || items[0].Path != "first.txt" {
		t.Fatalf("staged scan before the first commit: got %d items, want first.txt", len(items))
	}
}

func TestErrors(t *testing.T) {
	isolate(t)
	notRepo := t.TempDir()
	empty := t.TempDir()
	git(t, empty, "init", "-q")

	for _, tc := range []struct {
		name string
		repo *Repo
		want string
	}{
		{"not a repository", &Repo{Dir: notRepo}, "not a readable git repository"},
		{"not a repository, staged", &Repo{Dir: notRepo, Staged: true}, "not a readable git repository"},
		{"missing dir", &Repo{Dir: filepath.Join(notRepo, "nope")}, "not a readable git repository"},
		{"no dir", &Repo{}, "no repository directory"},
		{"empty repository", &Repo{Dir: empty}, "no commits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.repo.Items(context.Background(), func(*audit.Item) bool { return true })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			t.Log(err)
		})
	}
}
