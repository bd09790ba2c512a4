package sqlstore

import (
	"sync"
	"time"
)

// revokedTTL is how long a "not revoked" answer may be reused. Every
// verified access token asks whether its family was revoked; at thousands
// of requests a second over a few hundred live logins, the same question
// is asked many times a second. Revocations made by this process are seen
// at once (they update the cache); those made by another node within this
// time. A "revoked" answer is final and kept.
const revokedTTL = time.Second

// revokedCache remembers recent answers to FamilyRevoked.
type revokedCache struct {
	mu sync.Mutex
	m  map[string]revokedEntry
}

type revokedEntry struct {
	revoked bool
	at      time.Time
}

// maxRevokedEntries bounds the cache; past it the cache starts over.
const maxRevokedEntries = 1 << 16

func (c *revokedCache) get(id string) (revoked, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, found := c.m[id]
	if !found || (!e.revoked && time.Since(e.at) > revokedTTL) {
		return false, false
	}
	return e.revoked, true
}

func (c *revokedCache) put(id string, revoked bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxRevokedEntries {
		c.m = make(map[string]revokedEntry)
	}
	if c.m[id].revoked {
		return // revocation is final; a read that raced it must not undo it
	}
	c.m[id] = revokedEntry{revoked: revoked, at: time.Now()}
}

// forget drops every "not revoked" answer, after a revocation whose
// families this process does not list (a whole session's).
func (c *revokedCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, e := range c.m {
		if !e.revoked {
			delete(c.m, id)
		}
	}
}
