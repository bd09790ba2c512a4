// Package audit finds credentials that leaked into files: directory trees,
// git history, archives, container images and a machine's own dotfiles.
//
// A scan feeds Items (a file's bytes and where they came from) from a
// Source through the Detectors, which report Findings. Detectors anchor on
// literals first (a key prefix, "eyJ", a variable name) and run a full
// pattern only on a small window around each hit, so a scan is about as
// fast as reading the files.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
)

// Location says where an item lives. Only the fields that apply are set.
type Location struct {
	Path   string `json:"path"`             // path in the tree, repository, archive or image
	Commit string `json:"commit,omitempty"` // git: the first commit that introduced the blob
	Layer  string `json:"layer,omitempty"`  // image: the layer digest ("config" for the image config)
	Image  string `json:"image,omitempty"`  // image: the reference or path scanned
	// Archive is the chain of archives the item was inside, outermost
	// first, e.g. ["backup.tar.gz", "home.zip"].
	Archive []string `json:"archive,omitempty"`
}

// Item is one piece of content to scan.
type Item struct {
	Location
	Data []byte
	// Skip, when set, says why the item was not read (SkipBinary,
	// SkipTooLarge, SkipSymlink, ...) and Data is empty. Sources yield
	// skipped items rather than drop them silently so that a scan's Stats
	// show what it did not look at.
	Skip string
}

// Reasons an item was not scanned, for Item.Skip and Stats.Skipped.
const (
	SkipBinary   = "binary"    // a NUL byte in the first 8 KiB
	SkipTooLarge = "too-large" // over the source's size limit
	SkipSymlink  = "symlink"   // links are never followed, so a scan stays in its tree
	SkipArchive  = "archive"   // an archive too deep, too large or unreadable
)

// Finding is one credential found.
type Finding struct {
	Rule        string `json:"rule"`        // detector rule ID, e.g. "ward-api-key"
	Description string `json:"description"` // what it is, for people
	Location
	Line int `json:"line"` // 1-based line of the match's start
	// Fingerprint identifies the secret without revealing it: the first
	// 16 hex digits of SHA-256 of the secret. Baselines key on it.
	Fingerprint string `json:"fingerprint"`
	// Redacted shows the secret's first 6 and last 3 characters at most.
	Redacted string `json:"redacted"`
	// Live is set by --check-live: "live", "revoked", "unknown".
	Live string `json:"live,omitempty"`
	// Secret is the secret itself, kept only in memory for --check-live
	// and --revoke; never printed or serialised.
	Secret string `json:"-"`
}

// Fingerprint returns the fingerprint of a secret.
func Fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:8])
}

// Redact shows the start and end of a secret, enough to recognise it.
func Redact(secret string) string {
	if len(secret) < 16 {
		return "***"
	}
	return secret[:6] + "..." + secret[len(secret)-3:]
}

// Detector finds credentials in one item.
type Detector interface {
	// Detect reports the findings in item. It must be safe to call
	// from many goroutines at once.
	Detect(item *Item) []Finding
}

// Source yields the items to scan. It calls yield for each item (which
// may be called from one goroutine only) and stops early if yield returns
// false or ctx is done. An error means the source could not be read
// completely: the scan must fail loudly rather than report "clean".
type Source interface {
	Items(ctx context.Context, yield func(*Item) bool) error
}
