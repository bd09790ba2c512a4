package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// RemoteRevocations is a Revocations that follows an issuer's revocation
// feed (GET /oauth/revocations, as a confidential client), so a resource
// server learns of revoked logins within Interval without asking the
// issuer on every request.
//
// It fails closed: if the feed has not answered for MaxStale, every token
// with a family is refused until it does, since a revoked login must not
// outlive an outage of the feed unnoticed.
type RemoteRevocations struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	Client       *http.Client  // nil: http.DefaultClient
	Interval     time.Duration // zero: 10 seconds
	MaxStale     time.Duration // zero: one minute

	mu      sync.Mutex
	revoked map[string]bool
	since   int64
	synced  time.Time
}

// FamilyRevoked implements Revocations, syncing first if the last sync is
// older than Interval.
func (r *RemoteRevocations) FamilyRevoked(ctx context.Context, familyID string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.synced) >= or(r.Interval, 10*time.Second) {
		err := r.sync(ctx)
		if err != nil && time.Since(r.synced) > or(r.MaxStale, time.Minute) {
			return false, fmt.Errorf("the revocation feed of %s has not answered for over %s: %w", r.Issuer, or(r.MaxStale, time.Minute), err)
		}
	}
	return r.revoked[familyID], nil
}

func (r *RemoteRevocations) sync(ctx context.Context) error {
	url := fmt.Sprintf("%s/oauth/revocations?since=%d", strings.TrimSuffix(r.Issuer, "/"), r.since)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth(r.ClientID, r.ClientSecret)
	client := r.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	var feed struct {
		Families []string `json:"families"`
		Now      int64    `json:"now"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&feed); err != nil {
		return fmt.Errorf("reading %s: %w", url, err)
	}
	if r.revoked == nil {
		r.revoked = make(map[string]bool)
	}
	for _, id := range feed.Families {
		r.revoked[id] = true
	}
	// Ask again from a second before the server's now, so a revocation in
	// the same second as this answer is not missed.
	r.since, r.synced = feed.Now-1, time.Now()
	return nil
}

func or(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}
