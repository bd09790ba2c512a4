package image

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/wardauth/ward/audit"
)

const (
	authJSON  = `{"token":"ward_live_0123456789abcdef0123456789abcdef"}`
	openAIEnv = "OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"
	maxSize   = 1024
)

// tarLayer builds a layer from name/content pairs, in order.
func tarLayer(t *testing.T, files ...string) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := 0; i < len(files); i += 2 {
		hdr := &tar.Header{Name: files[i], Mode: 0o644, Size: int64(len(files[i+1])), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, files[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := tarball.LayerFromReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// testImage has a layer that adds the Ward credentials file and a later
// layer that deletes it with a whiteout, plus an API key in ENV.
func testImage(t *testing.T) (v1.Image, []v1.Hash) {
	t.Helper()
	add := tarLayer(t,
		"root/.ward/auth.json", authJSON,
		"etc/motd", "welcome\n",
		"usr/bin/tool", "\x7fELF\x00\x00binary",
		"usr/share/big.txt", strings.Repeat("x", maxSize+1),
	)
	del := tarLayer(t,
		"root/.ward/.wh.auth.json", "",
		"app/config.yaml", "listen: 8080\n",
	)
	img, err := mutate.Append(empty.Image,
		mutate.Addendum{Layer: add, History: v1.History{CreatedBy: "COPY auth.json /root/.ward/auth.json"}},
		mutate.Addendum{Layer: del, History: v1.History{CreatedBy: "RUN rm /root/.ward/auth.json"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Config(img, v1.Config{
		Env:    []string{"PATH=/usr/bin", openAIEnv},
		Labels: map[string]string{"org.opencontainers.image.source": "https://example.invalid/app"},
		Cmd:    []string{"/app/server"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []v1.Hash
	for _, l := range []v1.Layer{add, del} {
		id, err := l.DiffID()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return img, ids
}

func writeTarball(t *testing.T, img v1.Image) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "app.tar")
	if err := tarball.WriteToFile(p, name.MustParseReference("ward.test/app:1"), img); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeDockerSave writes img the way `docker save` does, with
// uncompressed layer tars (tarball.WriteToFile stores them gzipped, which
// takes a different code path in the tarball package).
func writeDockerSave(t *testing.T, img v1.Image) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "saved.tar")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	put := func(name string, data []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	put("config.json", cfg)
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, fmt.Sprintf("layer%d/layer.tar", i))
		put(names[i], data)
	}
	manifest, err := json.Marshal(tarball.Manifest{{Config: "config.json", RepoTags: []string{"ward.test/app:1"}, Layers: names}})
	if err != nil {
		t.Fatal(err)
	}
	put("manifest.json", manifest)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeLayout(t *testing.T, imgs ...v1.Image) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "oci")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range imgs {
		if err := p.AppendImage(img); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func items(t *testing.T, src audit.Source) []*audit.Item {
	t.Helper()
	var items []*audit.Item
	if err := src.Items(context.Background(), func(it *audit.Item) bool {
		items = append(items, it)
		return true
	}); err != nil {
		t.Fatalf("Items: %v", err)
	}
	return items
}

// summary renders items as sorted "path layer image data" lines.
func summary(items []*audit.Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, strings.Join([]string{it.Path, it.Layer, it.Image, string(it.Data)}, " | "))
	}
	sort.Strings(out)
	return out
}

func TestImage(t *testing.T) {
	img, ids := testImage(t)
	for kind, ref := range map[string]string{
		"tarball.WriteToFile": writeTarball(t, img),
		"docker save tarball": writeDockerSave(t, img),
		"OCI layout":          writeLayout(t, img),
	} {
		t.Run(kind, func(t *testing.T) {
			got := summary(items(t, &Image{Ref: ref, MaxSize: maxSize}))
			l1, l2 := ids[0].String(), ids[1].String()
			want := []string{
				"/app/config.yaml | " + l2 + " | " + ref + " | listen: 8080\n",
				"/etc/motd | " + l1 + " | " + ref + " | welcome\n",
				"/root/.ward/auth.json | " + l1 + " | " + ref + " | " + authJSON,
				"config:Cmd | config | " + ref + " | /app/server",
				"config:Env | config | " + ref + " | PATH=/usr/bin",
				"config:Env | config | " + ref + " | " + openAIEnv,
				"config:history[0] | config | " + ref + " | COPY auth.json /root/.ward/auth.json",
				"config:history[1] | config | " + ref + " | RUN rm /root/.ward/auth.json",
				"config:labels | config | " + ref + " | org.opencontainers.image.source=https://example.invalid/app\n",
			}
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("items:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestLayoutSeveralImages checks that every image of a layout is scanned,
// labelled by digest, and that a layer they share is scanned once.
func TestLayoutSeveralImages(t *testing.T) {
	img, _ := testImage(t)
	other, err := mutate.Config(img, v1.Config{Env: []string{"STAGE=other"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := writeLayout(t, img, other)
	files, envs := 0, map[string]string{}
	for _, it := range items(t, &Image{Ref: dir}) {
		if !strings.HasPrefix(it.Image, dir+"@sha256:") {
			t.Errorf("item %s labelled %q, want %s@<digest>", it.Path, it.Image, dir)
		}
		if it.Path == "/root/.ward/auth.json" {
			files++
		}
		if it.Path == "config:Env" {
			envs[string(it.Data)] = it.Image
		}
	}
	if files != 1 {
		t.Errorf("shared layer yielded auth.json %d times, want once", files)
	}
	if envs[openAIEnv] == "" || envs["STAGE=other"] == "" || envs[openAIEnv] == envs["STAGE=other"] {
		t.Errorf("config items of both images expected under distinct labels, got %v", envs)
	}
}

func TestStopEarly(t *testing.T) {
	img, _ := testImage(t)
	n := 0
	err := (&Image{Ref: writeTarball(t, img)}).Items(context.Background(), func(*audit.Item) bool { n++; return false })
	if err != nil || n != 1 {
		t.Errorf("n=%d err=%v, want one item and no error", n, err)
	}
}

func TestErrors(t *testing.T) {
	notImage := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notImage, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ ref, want string }{
		{"", "no image reference"},
		{"./missing.tar", "no such file"},
		{notImage, "not a docker save tarball"},
		{t.TempDir(), "not an OCI image layout"},
		{"UPPER/Case:bad tag", "neither a file, a directory, nor a valid image reference"},
		// Nothing listens on port 1: the registry path must fail, and say which registry.
		{"127.0.0.1:1/ward/app:latest", "fetching 127.0.0.1:1/ward/app:latest from registry 127.0.0.1:1 failed"},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := (&Image{Ref: tc.ref}).Items(ctx, func(*audit.Item) bool { return true })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			t.Log(err)
		})
	}
}

// TestTarballSeveralImages checks a `docker save a b` tarball: each image
// is scanned and labelled by its tag.
func TestTarballSeveralImages(t *testing.T) {
	img, _ := testImage(t)
	other, err := mutate.Config(img, v1.Config{Env: []string{"STAGE=other"}})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "two.tar")
	if err := tarball.MultiWriteToFile(p, map[name.Tag]v1.Image{
		name.MustParseReference("ward.test/app:1").(name.Tag): img,
		name.MustParseReference("ward.test/app:2").(name.Tag): other,
	}); err != nil {
		t.Fatal(err)
	}
	envs := map[string]string{}
	for _, it := range items(t, &Image{Ref: p}) {
		if it.Path == "config:Env" {
			envs[string(it.Data)] = it.Image
		}
	}
	if envs[openAIEnv] != p+"#ward.test/app:1" || envs["STAGE=other"] != p+"#ward.test/app:2" {
		t.Errorf("config items labelled %v, want %s#<tag> per image", envs, p)
	}
}
