package tree

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wardauth/ward/audit"
)

// Archives are unpacked in memory, never on disk: a member's name is only
// a label in the item's location, so names like "../../x" cannot escape.

// archiveKind names the archive format of a file by its name, or "".
func archiveKind(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".tar.gz"), strings.HasSuffix(n, ".tgz"):
		return "tgz"
	case strings.HasSuffix(n, ".tar"):
		return "tar"
	case strings.HasSuffix(n, ".zip"):
		return "zip"
	}
	return ""
}

// errExpansion stops unpacking an archive that expands past MaxExpansion.
var errExpansion = errors.New("archive expands past the limit (a zip bomb?)")

// unpacker reads the members of one archive on disk and of the archives
// nested in it, sharing one expansion budget.
type unpacker struct {
	d      *Dir
	budget int64
	emit   func(*audit.Item) bool
}

// openArchive yields the members of an archive file. An archive that is
// corrupt, too deep or too large is yielded as skipped (SkipArchive), not
// as an error: the scan can go on and the report says what was missed.
// Only failing to open the file itself is an error.
func (d *Dir) openArchive(f file, kind string, emit func(*audit.Item) bool) error {
	fh, err := os.Open(f.path)
	if errors.Is(err, os.ErrNotExist) {
		emit(&audit.Item{Location: audit.Location{Path: f.path}, Skip: SkipVanished})
		return nil
	} else if err != nil {
		return fmt.Errorf("cannot read archive %s (fix its permissions or scan as a user who can read it): %w", f.path, err)
	}
	defer fh.Close()
	u := &unpacker{d: d, budget: MaxExpansion, emit: emit}
	return u.unpack(fh, f.size, kind, []string{f.path}, 1)
}

// unpack yields the members of one archive; chain names it and the
// archives around it, outermost first, and level is its nesting level.
func (u *unpacker) unpack(r io.ReaderAt, size int64, kind string, chain []string, level int) error {
	var err error
	switch kind {
	case "zip":
		err = u.zip(r, size, chain, level)
	case "tar", "tgz":
		var s io.Reader = io.NewSectionReader(r, 0, size)
		if kind == "tgz" {
			gz, gerr := gzip.NewReader(s)
			if gerr != nil {
				err = gerr
				break
			}
			defer gz.Close()
			s = gz
		}
		err = u.tar(&budgetReader{r: s, budget: &u.budget}, chain, level)
	}
	if err != nil {
		// The location names the archive itself: its inner path, if
		// nested, and the archives around it.
		loc := audit.Location{Path: chain[len(chain)-1], Archive: chain[:len(chain)-1]}
		if len(loc.Archive) == 0 {
			loc.Archive = nil
		}
		u.emit(&audit.Item{Location: loc, Skip: audit.SkipArchive})
	}
	return nil
}

func (u *unpacker) tar(r io.Reader, chain []string, level int) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeReg:
			if err := u.member(tr, h.Name, h.Size, chain, level); err != nil {
				return err
			}
		case tar.TypeSymlink, tar.TypeLink:
			u.emit(&audit.Item{Location: memberLoc(h.Name, chain), Skip: audit.SkipSymlink})
		}
	}
}

func (u *unpacker) zip(r io.ReaderAt, size int64, chain []string, level int) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return err
	}
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		if !zf.Mode().IsRegular() {
			u.emit(&audit.Item{Location: memberLoc(zf.Name, chain), Skip: audit.SkipSymlink})
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return err
		}
		err = u.member(&budgetReader{r: rc, budget: &u.budget}, zf.Name, int64(zf.UncompressedSize64), chain, level)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// member yields one archive member, or opens it if it is an archive too.
// size is what the archive claims; the read is capped at MaxSize anyway,
// since a zip's header can lie.
func (u *unpacker) member(r io.Reader, name string, size int64, chain []string, level int) error {
	loc := memberLoc(name, chain)
	kind := archiveKind(name)
	if kind != "" && level >= u.d.ArchiveDepth {
		u.emit(&audit.Item{Location: loc, Skip: audit.SkipArchive})
		return nil
	}
	if size > u.d.MaxSize {
		u.emit(&audit.Item{Location: loc, Skip: audit.SkipTooLarge})
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(r, u.d.MaxSize+1))
	if err != nil {
		return err
	}
	if kind != "" {
		inner := append(chain[:len(chain):len(chain)], name)
		return u.unpack(bytes.NewReader(data), int64(len(data)), kind, inner, level+1)
	}
	u.emit(u.d.item(loc, data))
	return nil
}

func memberLoc(name string, chain []string) audit.Location {
	return audit.Location{Path: name, Archive: chain}
}

// budgetReader fails once the bytes read through all the readers that
// share budget pass it.
type budgetReader struct {
	r      io.Reader
	budget *int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if *b.budget <= 0 {
		return 0, errExpansion
	}
	n, err := b.r.Read(p)
	*b.budget -= int64(n)
	return n, err
}
