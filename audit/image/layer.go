package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardauth/ward/audit"
)

// layer yields every regular file of one layer's tar. Whiteout markers
// (".wh.<name>") are empty and only hide files of lower layers, which
// were scanned with those layers, so they are skipped. Hard links point
// at a file already yielded from the same tar.
//
// Non-distributable ("foreign") layers, such as Windows base layers, are
// skipped: their contents are not in the image and are the vendor's, not
// the image author's.
func (s *scan) layer(n named, idx int, l v1.Layer) error {
	diffID, err := l.DiffID()
	if err != nil {
		return fmt.Errorf("layer %d: reading its digest: %w", idx, err)
	}
	if s.seen[diffID] {
		return nil
	}
	s.seen[diffID] = true
	if mt, err := l.MediaType(); err == nil && !mt.IsDistributable() {
		return nil
	}
	rc, err := l.Uncompressed()
	if err != nil {
		return fmt.Errorf("layer %d (%s): opening: %w", idx, diffID, err)
	}
	defer rc.Close()

	tr := tar.NewReader(rc)
	for {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("layer %d (%s): reading tar (truncated or corrupt download?): %w", idx, diffID, err)
		}
		name := path.Clean("/" + hdr.Name)
		if hdr.Typeflag != tar.TypeReg || strings.HasPrefix(path.Base(name), ".wh.") || hdr.Size > s.maxSize {
			continue
		}
		data := make([]byte, hdr.Size)
		if _, err := io.ReadFull(tr, data); err != nil {
			return fmt.Errorf("layer %d (%s): reading %s: %w", idx, diffID, name, err)
		}
		if isBinary(data) {
			continue
		}
		item := &audit.Item{
			Location: audit.Location{Path: name, Layer: diffID.String(), Image: n.label},
			Data:     data,
		}
		if !s.emit(item) {
			return nil
		}
	}
}

// isBinary reports whether data looks binary the way git decides it: a
// NUL byte in the first 8 KiB.
func isBinary(data []byte) bool {
	if len(data) > 8<<10 {
		data = data[:8<<10]
	}
	return bytes.IndexByte(data, 0) >= 0
}
