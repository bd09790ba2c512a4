package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// WellKnownPath is where an issuer publishes its requirements, relative to
// the issuer URL.
const WellKnownPath = "/.well-known/ward-requirements"

// maxRequirementsBody bounds what Fetch reads: the document is a few
// hundred bytes, and a misbehaving server must not exhaust memory.
const maxRequirementsBody = 1 << 20

// ErrUnreachable marks a Fetch that failed because the issuer could not be
// reached or answered with a server error, as opposed to answering
// something wrong. Only then may a cached copy stand in.
var ErrUnreachable = errors.New("could not reach the issuer")

// Fetch reads the requirements issuer publishes at WellKnownPath. A 404
// means the issuer publishes none and gives empty requirements.
//
// Unknown keys in the document are ignored, unlike in the files: a newer
// server may publish rules this CLI does not know, and refusing them would
// lock every older CLI out. The server enforces its own rules in any case;
// the CLI checks them to fail early with a clear message.
func Fetch(ctx context.Context, httpClient *http.Client, issuer string) (*Requirements, error) {
	if u, err := url.Parse(issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("issuer %q is not an http(s) URL; check --issuer, WARD_ISSUER or issuer in config.toml", issuer)
	}
	endpoint := strings.TrimRight(issuer, "/") + WellKnownPath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w to read its login requirements: %w", ErrUnreachable, err)
	}
	defer resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusNotFound:
		return &Requirements{}, nil
	case resp.StatusCode >= 500:
		return nil, fmt.Errorf("%w to read its login requirements: %s answered %s", ErrUnreachable, endpoint, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("reading login requirements: %s answered %s; check the issuer URL, and any proxy in HTTPS_PROXY",
			endpoint, resp.Status)
	}
	m := map[string]any{}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxRequirementsBody)).Decode(&m); err != nil {
		return nil, fmt.Errorf("reading login requirements: %s did not answer a JSON object (%w); this is a problem on the server: tell its administrator",
			endpoint, err)
	}
	return fields{where: endpoint, m: m}.requirements()
}

// FetchWithCache fetches the issuer's requirements and saves them in the
// cache file at cachePath. When the issuer cannot be reached it returns the
// cached copy instead, provided one exists for this issuer, with a warning
// naming its fetch time. A failure to save the cache is also a warning: the
// requirements in hand are still right.
func FetchWithCache(ctx context.Context, httpClient *http.Client, issuer, cachePath string, now time.Time) (r *Requirements, warning string, err error) {
	r, err = Fetch(ctx, httpClient, issuer)
	if err == nil {
		if err := SaveCache(cachePath, issuer, r, now); err != nil {
			return r, fmt.Sprintf("could not cache the issuer's login requirements: %v", err), nil
		}
		return r, "", nil
	}
	if !errors.Is(err, ErrUnreachable) {
		return nil, "", err
	}
	cached, fetchedAt, cacheErr := LoadCache(cachePath, issuer)
	if cacheErr != nil {
		return nil, "", fmt.Errorf("%w; and no usable copy is cached (%w). Check your network and proxy settings, then try again",
			err, cacheErr)
	}
	return cached, fmt.Sprintf("%v; using the copy fetched at %s", err, fetchedAt.Format(time.RFC3339)), nil
}
