package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// open resolves Ref to the images to scan; see Image for the rules.
func (i *Image) open(ctx context.Context) ([]named, error) {
	fi, err := os.Stat(i.Ref)
	switch {
	case err == nil && fi.IsDir():
		return i.openLayout()
	case err == nil:
		return i.openTarball()
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("image scan: %w", err)
	case looksLikePath(i.Ref):
		// "app.tar" is also a valid image name; asking Docker Hub for it
		// would turn a typo into a confusing network error.
		return nil, fmt.Errorf("image scan: %s: no such file or directory (a docker save tarball or OCI layout directory was expected)", i.Ref)
	}
	return i.openRemote(ctx)
}

func looksLikePath(ref string) bool {
	return strings.ContainsRune(ref, filepath.Separator) && (filepath.IsAbs(ref) || strings.HasPrefix(ref, ".")) ||
		strings.HasSuffix(ref, ".tar") || strings.HasSuffix(ref, ".tar.gz")
}

func (i *Image) openLayout() ([]named, error) {
	idx, err := layout.ImageIndexFromPath(i.Ref)
	if err != nil {
		return nil, fmt.Errorf("image scan: %s is not an OCI image layout directory (reading index.json failed): %w", i.Ref, err)
	}
	var out []named
	if err := collect(idx, i.Ref, map[v1.Hash]bool{}, &out); err != nil {
		return nil, fmt.Errorf("image scan of OCI layout %s: %w", i.Ref, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("image scan: OCI layout %s contains no images; nothing to scan", i.Ref)
	}
	if len(out) == 1 {
		out[0].label = i.Ref
	}
	return out, nil
}

// collect appends every image in idx, descending into nested indexes
// (a multi-platform image is an index of per-platform images).
func collect(idx v1.ImageIndex, ref string, visited map[v1.Hash]bool, out *[]named) error {
	m, err := idx.IndexManifest()
	if err != nil {
		return fmt.Errorf("reading index: %w", err)
	}
	for _, d := range m.Manifests {
		if visited[d.Digest] {
			continue
		}
		visited[d.Digest] = true
		switch {
		case d.MediaType.IsImage():
			img, err := idx.Image(d.Digest)
			if err != nil {
				return fmt.Errorf("image %s: %w", d.Digest, err)
			}
			*out = append(*out, named{label: ref + "@" + d.Digest.String(), img: img})
		case d.MediaType.IsIndex():
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return fmt.Errorf("index %s: %w", d.Digest, err)
			}
			if err := collect(child, ref, visited, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func (i *Image) openTarball() ([]named, error) {
	m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(i.Ref) })
	if err != nil {
		return nil, fmt.Errorf("image scan: %s is not a docker save tarball (reading manifest.json failed; for an OCI layout archive, extract it and pass the directory): %w", i.Ref, err)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("image scan: docker save tarball %s contains no images; nothing to scan", i.Ref)
	}
	if len(m) == 1 {
		img, err := tarball.ImageFromPath(i.Ref, nil)
		if err != nil {
			return nil, fmt.Errorf("image scan: reading docker save tarball %s: %w", i.Ref, err)
		}
		return []named{{label: i.Ref, img: img}}, nil
	}
	// With several images, the tarball package can only pick one by tag.
	var out []named
	for n, d := range m {
		if len(d.RepoTags) == 0 {
			return nil, fmt.Errorf("image scan: image %d in docker save tarball %s has no tag, so it cannot be selected among %d images; save it on its own (docker save <id> -o file.tar)", n, i.Ref, len(m))
		}
		tag, err := name.NewTag(d.RepoTags[0])
		if err != nil {
			return nil, fmt.Errorf("image scan: image %d in %s has a bad tag %q: %w", n, i.Ref, d.RepoTags[0], err)
		}
		img, err := tarball.ImageFromPath(i.Ref, &tag)
		if err != nil {
			return nil, fmt.Errorf("image scan: reading %s from docker save tarball %s: %w", tag, i.Ref, err)
		}
		out = append(out, named{label: i.Ref + "#" + d.RepoTags[0], img: img})
	}
	return out, nil
}

func (i *Image) openRemote(ctx context.Context) ([]named, error) {
	ref, err := name.ParseReference(i.Ref)
	if err != nil {
		return nil, fmt.Errorf("image scan: %q is neither a file, a directory, nor a valid image reference: %w", i.Ref, err)
	}
	img, err := remote.Image(ref,
		remote.WithAuthFromKeychain(authn.DefaultKeychain),
		remote.WithContext(ctx))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		reg := ref.Context().RegistryStr()
		return nil, fmt.Errorf("image scan: fetching %s from registry %s failed; check the name, network access and credentials (docker login %s): %w", ref, reg, reg, err)
	}
	return []named{{label: i.Ref, img: img}}, nil
}
