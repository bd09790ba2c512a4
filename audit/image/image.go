// Package image reads a container image as an audit.Source: every file
// of every layer, plus the image config's environment, build history and
// labels.
//
// Layers are scanned one by one rather than as the flattened filesystem a
// container sees: a credential copied in by one layer and deleted by a
// later one (a whiteout) is gone from the container but still shipped to
// everyone who pulls the image, so it is reported with the layer that
// holds it.
package image

import (
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardauth/ward/audit"
)

// DefaultMaxSize is the size above which a file is skipped when
// Image.MaxSize is not set: credentials live in small text files, and
// images carry large binaries that would dominate the scan time.
const DefaultMaxSize = 10 << 20

// Image is a container image to scan. It implements audit.Source.
//
// Ref is tried, in order, as:
//   - a directory: an OCI image layout (as written by `docker buildx
//     --output type=oci,tar=false`, skopeo or crane); every image in it is
//     scanned, following nested indexes (multi-platform images);
//   - a file: a `docker save` tarball; every image in it is scanned;
//   - otherwise a registry reference such as "ghcr.io/org/app:1.2", read
//     with the credentials `docker login` stored (authn.DefaultKeychain);
//     for a multi-platform image, the linux/amd64 variant.
//
// Items report Location.Image = Ref, or, when the file or directory holds
// several images, Ref plus "@<manifest digest>" (layout) or "#<tag>"
// (tarball) so that their config items can be told apart. Location.Layer
// is the layer's DiffID, the sha256 of its uncompressed tar as listed in
// the config's rootfs and by `docker inspect`: it is known without
// recompressing a `docker save` layer and does not change when a registry
// recompresses it.
type Image struct {
	Ref string
	// MaxSize skips files larger than this many bytes; zero or less
	// means DefaultMaxSize.
	MaxSize int64
}

var _ audit.Source = (*Image)(nil)

// named is one image to scan and the name its items are reported under.
type named struct {
	label string
	img   v1.Image
}

// Items yields the config items then the files of each layer, for every
// image Ref names. A layer shared by several images is scanned once.
// Any image, layer or config that cannot be read fully is an error.
func (i *Image) Items(ctx context.Context, yield func(*audit.Item) bool) error {
	if i.Ref == "" {
		return fmt.Errorf("image scan: no image reference or path given")
	}
	images, err := i.open(ctx)
	if err != nil {
		return err
	}
	s := scan{ctx: ctx, yield: yield, maxSize: i.maxSize(), seen: map[v1.Hash]bool{}}
	for _, n := range images {
		if err := s.image(n); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("image scan of %s: %w", n.label, err)
		}
		if s.stopped {
			return nil
		}
	}
	return ctx.Err()
}

func (i *Image) maxSize() int64 {
	if i.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return i.MaxSize
}

// scan holds the state shared by the images of one Items call.
type scan struct {
	ctx     context.Context
	yield   func(*audit.Item) bool
	maxSize int64
	seen    map[v1.Hash]bool // layer DiffIDs already scanned
	stopped bool
}

// emit passes an item on and records whether the consumer wants more.
func (s *scan) emit(it *audit.Item) bool {
	if s.stopped {
		return false
	}
	if !s.yield(it) {
		s.stopped = true
	}
	return !s.stopped
}

func (s *scan) image(n named) error {
	if err := s.config(n); err != nil || s.stopped {
		return err
	}
	layers, err := n.img.Layers()
	if err != nil {
		return fmt.Errorf("listing layers: %w", err)
	}
	for idx, l := range layers {
		if err := s.layer(n, idx, l); err != nil || s.stopped {
			return err
		}
	}
	return nil
}
