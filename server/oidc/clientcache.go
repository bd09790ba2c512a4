package oidc

import (
	"context"
	"sync"
	"time"

	"github.com/wardauth/ward/server/store"
)

// clientTTL is how long a node trusts its copy of a client registration.
// Every token request and introspection names a client, and registrations
// change rarely (`ward admin clients`), so a removed client or a new
// secret takes effect on every node within this time.
const clientTTL = 5 * time.Second

// clientCache holds client registrations read from the store.
type clientCache struct {
	clients store.Clients
	now     func() time.Time

	mu sync.Mutex
	m  map[string]cachedClient
}

type cachedClient struct {
	c       *store.Client
	fetched time.Time
}

// get returns the client, from the cache if fresh. Errors, ErrNotFound
// included, are not cached: a client registered a moment ago works at once.
func (cc *clientCache) get(ctx context.Context, id string) (*store.Client, error) {
	now := cc.now()
	cc.mu.Lock()
	e, ok := cc.m[id]
	cc.mu.Unlock()
	if ok && now.Sub(e.fetched) < clientTTL && !now.Before(e.fetched) {
		return e.c, nil
	}
	c, err := cc.clients.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	if cc.m == nil {
		cc.m = make(map[string]cachedClient)
	}
	cc.m[id] = cachedClient{c: c, fetched: now}
	cc.mu.Unlock()
	return c, nil
}
