// Package tree is the audit source for a directory tree on disk: a
// checkout, a home directory, an unpacked backup.
package tree

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/wardauth/ward/audit"
)

// Defaults for the zero values of Dir's limits.
const (
	DefaultMaxSize      = 10 << 20
	DefaultArchiveDepth = 3
	// MaxExpansion caps the bytes unpacked from one archive on disk,
	// nested archives included, so a zip or gzip bomb costs a bounded
	// amount of memory and time.
	MaxExpansion = 1 << 30
)

// Skip reasons of this source beyond audit's.
const (
	SkipIgnored    = "gitignored"  // matched a .gitignore pattern
	SkipNotRegular = "not-regular" // a device, pipe or socket: reading could block
	SkipVanished   = "vanished"    // removed between listing and reading
)

// sniffLen is how much of a file is looked at for a NUL byte.
const sniffLen = 8 << 10

// Dir is a directory tree to scan. It implements audit.Source.
//
// Item paths are Root joined with the path below it (as grep -r prints
// them), so a person can open what a report names.
type Dir struct {
	Root string
	// NoIgnore scans what .gitignore files exclude too. Ignored files
	// are where local secrets (.env) usually sit, but also where build
	// output and vendored trees are.
	NoIgnore bool
	// MaxSize skips files (and archive members) larger than this;
	// 0 means DefaultMaxSize.
	MaxSize int64
	// IncludeBinary scans files with a NUL byte in their first 8 KiB.
	IncludeBinary bool
	// ArchiveDepth is how many levels of nested .tar, .tar.gz, .tgz and
	// .zip archives are opened; 0 means DefaultArchiveDepth, negative
	// means archives are not opened.
	ArchiveDepth int
}

// file is a regular file found by the walk.
type file struct {
	path string
	size int64
}

// Items implements audit.Source. One goroutine walks the tree while
// GOMAXPROCS readers read files and unpack archives, so reading overlaps
// detection in the scanner. Symbolic links are never followed (the root
// excepted), so a scan cannot leave the tree; they are yielded as skipped.
func (d Dir) Items(ctx context.Context, yield func(*audit.Item) bool) error {
	if d.MaxSize <= 0 {
		d.MaxSize = DefaultMaxSize
	}
	if d.ArchiveDepth == 0 {
		d.ArchiveDepth = DefaultArchiveDepth
	}
	info, err := os.Stat(d.Root)
	if err != nil {
		return fmt.Errorf("cannot scan %s: %w", d.Root, err)
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		once     sync.Once
		firstErr error
	)
	fail := func(err error) {
		once.Do(func() { firstErr = err; cancel() })
	}
	out := make(chan *audit.Item, 64)
	emit := func(it *audit.Item) bool {
		select {
		case out <- it:
			return true
		case <-ctx.Done():
			return false
		}
	}
	files := make(chan file, 256)
	go func() {
		defer close(files)
		if !info.IsDir() {
			files <- file{d.Root, info.Size()}
			return
		}
		w := walker{d: &d, ctx: ctx, files: files, emit: emit}
		if err := w.walk(d.Root, "", nil); err != nil {
			fail(err)
		}
	}()
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for f := range files {
				if err := d.read(ctx, f, emit); err != nil {
					fail(err)
				}
			}
		})
	}
	go func() { wg.Wait(); close(out) }()
	for it := range out {
		if !yield(it) {
			cancel()
			break
		}
	}
	for range out { // let the readers finish
	}
	if err := parent.Err(); err != nil {
		return err
	}
	return firstErr
}

// walker lists a tree, applying .gitignore files on the way down.
type walker struct {
	d     *Dir
	ctx   context.Context
	files chan<- file
	emit  func(*audit.Item) bool
}

// walk lists dir, whose path below the root is rel ("" for the root).
func (w *walker) walk(dir, rel string, rules ignoreList) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("cannot list %s (the scan would miss what is inside): %w", dir, err)
	}
	if !w.d.NoIgnore {
		if data, err := os.ReadFile(filepath.Join(dir, ".gitignore")); err == nil {
			rules = append(rules[:len(rules):len(rules)], parseGitignore(rel, data)...)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot read %s, so what it excludes is unknown: %w", filepath.Join(dir, ".gitignore"), err)
		}
	}
	for _, e := range entries {
		if w.ctx.Err() != nil {
			return nil
		}
		name, full := e.Name(), filepath.Join(dir, e.Name())
		relPath := name
		if rel != "" {
			relPath = rel + "/" + name
		}
		loc := audit.Location{Path: full}
		typ := e.Type()
		switch {
		case typ&fs.ModeSymlink != 0:
			w.emit(&audit.Item{Location: loc, Skip: audit.SkipSymlink})
		case e.IsDir() && name == ".git":
			// git's own store: the gitsrc source reads history.
		case rules.ignored(relPath, e.IsDir()):
			w.emit(&audit.Item{Location: loc, Skip: SkipIgnored})
		case e.IsDir():
			if err := w.walk(full, relPath, rules); err != nil {
				return err
			}
		case !typ.IsRegular():
			w.emit(&audit.Item{Location: loc, Skip: SkipNotRegular})
		default:
			info, err := e.Info()
			if errors.Is(err, fs.ErrNotExist) {
				w.emit(&audit.Item{Location: loc, Skip: SkipVanished})
				continue
			} else if err != nil {
				return fmt.Errorf("cannot read %s: %w", full, err)
			}
			select {
			case w.files <- file{full, info.Size()}:
			case <-w.ctx.Done():
				return nil
			}
		}
	}
	return nil
}

// read yields one file: its content, its archive members, or why not.
func (d *Dir) read(ctx context.Context, f file, emit func(*audit.Item) bool) error {
	if ctx.Err() != nil {
		return nil
	}
	loc := audit.Location{Path: f.path}
	if kind := archiveKind(f.path); kind != "" && d.ArchiveDepth > 0 {
		return d.openArchive(f, kind, emit)
	}
	if f.size > d.MaxSize {
		emit(&audit.Item{Location: loc, Skip: audit.SkipTooLarge})
		return nil
	}
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		emit(&audit.Item{Location: loc, Skip: SkipVanished})
		return nil
	} else if err != nil {
		return fmt.Errorf("cannot read %s (fix its permissions or scan as a user who can read it): %w", f.path, err)
	}
	emit(d.item(loc, data))
	return nil
}

// item makes the item for content, or a skipped one for a binary or a
// file that grew past the limit.
func (d *Dir) item(loc audit.Location, data []byte) *audit.Item {
	if int64(len(data)) > d.MaxSize {
		return &audit.Item{Location: loc, Skip: audit.SkipTooLarge}
	}
	if !d.IncludeBinary && bytes.IndexByte(data[:min(len(data), sniffLen)], 0) >= 0 {
		return &audit.Item{Location: loc, Skip: audit.SkipBinary}
	}
	return &audit.Item{Location: loc, Data: data}
}
