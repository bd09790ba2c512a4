package verify

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// RemoteKeys is a KeySource that fetches an issuer's JWKS over HTTP, found
// through its discovery document. Keys are cached; a token naming an unknown
// key triggers a refetch (at most once per MinRefresh), so a key rotation is
// picked up at once without letting garbage tokens hammer the issuer.
type RemoteKeys struct {
	Issuer     string
	Client     *http.Client  // nil: http.DefaultClient
	MinRefresh time.Duration // zero: 10 seconds

	mu      sync.Mutex
	keys    map[string]crypto.PublicKey
	fetched time.Time
}

// PublicKey implements KeySource.
func (k *RemoteKeys) PublicKey(ctx context.Context, kid string) (crypto.PublicKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.keys[kid]; ok {
		return key, nil
	}
	minRefresh := k.MinRefresh
	if minRefresh == 0 {
		minRefresh = 10 * time.Second
	}
	if time.Since(k.fetched) < minRefresh {
		return nil, fmt.Errorf("issuer %s publishes no key %q", k.Issuer, kid)
	}
	if err := k.fetch(ctx); err != nil {
		return nil, err
	}
	if key, ok := k.keys[kid]; ok {
		return key, nil
	}
	return nil, fmt.Errorf("issuer %s publishes no key %q", k.Issuer, kid)
}

func (k *RemoteKeys) fetch(ctx context.Context) error {
	k.fetched = time.Now()
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := k.getJSON(ctx, strings.TrimSuffix(k.Issuer, "/")+"/.well-known/openid-configuration", &disc); err != nil {
		return err
	}
	if disc.Issuer != k.Issuer {
		return fmt.Errorf("discovery at %s names issuer %q: refusing keys from a mismatched issuer", k.Issuer, disc.Issuer)
	}
	var set jose.JSONWebKeySet
	if err := k.getJSON(ctx, disc.JWKSURI, &set); err != nil {
		return err
	}
	keys := make(map[string]crypto.PublicKey, len(set.Keys))
	for _, jwk := range set.Keys {
		if jwk.Use == "sig" || jwk.Use == "" {
			keys[jwk.KeyID] = jwk.Key
		}
	}
	k.keys = keys
	return nil
}

func (k *RemoteKeys) getJSON(ctx context.Context, url string, v any) error {
	client := k.Client
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("fetching %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetching %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("reading %s: %w", url, err)
	}
	return nil
}
