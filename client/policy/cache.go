package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrNoCache means no cached requirements exist for the issuer asked about.
var ErrNoCache = errors.New("no requirements are cached for this issuer")

// cacheDoc is the cache file. The issuer is recorded so that a cache from
// another issuer is never applied; the requirements keep the published
// format so the file reads like what the server sent.
type cacheDoc struct {
	Issuer       string         `json:"issuer"`
	FetchedAt    time.Time      `json:"fetched_at"`
	Requirements map[string]any `json:"requirements"`
}

// SaveCache records r, as fetched from issuer at fetchedAt, in the cache
// file at path. It is meant for requirements from a single source, as Fetch
// returns them; conflicts found by merging are not recorded. The file is
// private (0600) and replaced atomically, so a crash never leaves half of it.
func SaveCache(path, issuer string, r *Requirements, fetchedAt time.Time) error {
	r = orNone(r)
	doc := cacheDoc{Issuer: issuer, FetchedAt: fetchedAt.UTC(), Requirements: map[string]any{}}
	if v := r.LoginMethod.Value; v != "" {
		doc.Requirements[keyMethod] = v
	}
	if v := r.Issuer.Value; v != "" {
		doc.Requirements[keyIssuer] = v
	}
	if v := r.Workspaces.Values; v != nil {
		doc.Requirements[keyWorkspaces] = v
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// LoadCache returns the requirements cached for issuer at path and when
// they were fetched. Their sources name the issuer's URL and the fetch
// time, so a refusal based on them says it is based on a cached copy.
func LoadCache(path, issuer string) (*Requirements, time.Time, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, time.Time{}, ErrNoCache
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("reading cached requirements: %w", err)
	}
	var doc cacheDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, time.Time{}, fmt.Errorf("%s is damaged (%w); delete it, and Ward will fetch the requirements again", path, err)
	}
	if !sameIssuer(doc.Issuer, issuer) {
		return nil, time.Time{}, ErrNoCache
	}
	where := fmt.Sprintf("%s%s (cached at %s)", strings.TrimRight(issuer, "/"), WellKnownPath, doc.FetchedAt.Format(time.RFC3339))
	r, err := fields{where: where, m: doc.Requirements}.requirements()
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%w; delete %s, and Ward will fetch the requirements again", err, path)
	}
	return r, doc.FetchedAt, nil
}

// writeFileAtomic writes data to path with mode 0600, in a 0700 directory
// it creates if needed: to a temporary file first, synced, then renamed
// over path.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
