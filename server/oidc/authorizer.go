package oidc

import (
	"context"
	"errors"
	"time"

	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/server/web"
)

// Provider implements web.Authorizer: the pages hand sign-ins and device
// decisions to it.
var _ web.Authorizer = (*Provider)(nil)

// AuthRequest describes a pending authorization request.
func (p *Provider) AuthRequest(ctx context.Context, id string) (*web.Request, error) {
	r, err := p.store.AuthRequests().Get(ctx, id)
	if err != nil || p.now().After(r.ExpiresAt) || r.Done {
		return nil, web.ErrUnknownRequest
	}
	return p.describe(ctx, r.ID, r.ClientID, r.Scopes, "", r.CreatedAt)
}

// CompleteAuthRequest binds the signed-in session to the request and sends
// the browser on to zitadel/oidc's callback, which issues the code.
func (p *Provider) CompleteAuthRequest(ctx context.Context, id string, s *store.Session) (string, error) {
	r, err := p.store.AuthRequests().Get(ctx, id)
	if err != nil || p.now().After(r.ExpiresAt) || r.Done {
		return "", web.ErrUnknownRequest
	}
	if err := p.store.AuthRequests().Complete(ctx, id, s.AccountID, s.ID, s.AMR, s.AuthTime); err != nil {
		return "", err
	}
	return p.issuer + endpoints.Authorization.Relative() + "/callback?id=" + id, nil
}

// Device looks up a pending device authorization by the code the person
// typed. Every lookup counts against the caller's IP and a global budget,
// stored so the limit holds across nodes: with ~34 bits per code and a few
// thousand live codes, unlimited guessing would find one in hours.
func (p *Provider) Device(ctx context.Context, typed, ip string) (*web.Request, error) {
	if err := p.countGuess(ctx, ip); err != nil {
		return nil, err
	}
	code := NormalizeUserCode(typed)
	if code == "" {
		return nil, web.ErrUnknownCode
	}
	d, err := p.store.Devices().ByUserCode(ctx, code, p.now())
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.State != store.DevicePending) {
		return nil, web.ErrUnknownCode
	}
	if err != nil {
		return nil, err
	}
	return p.describe(ctx, FormatUserCode(code), d.ClientID, d.Scopes, d.RequestIP, d.CreatedAt)
}

// DecideDevice approves or denies a pending device authorization.
func (p *Provider) DecideDevice(ctx context.Context, typed string, approve bool, s *store.Session) error {
	code := NormalizeUserCode(typed)
	if code == "" {
		return web.ErrUnknownCode
	}
	if d, err := p.store.Devices().ByUserCode(ctx, code, p.now()); err != nil || d.State != store.DevicePending {
		return web.ErrUnknownCode
	}
	err := p.store.Devices().Decide(ctx, code, approve, s.AccountID, s.ID, s.AMR, s.AuthTime)
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		return web.ErrUnknownCode
	}
	return err
}

func (p *Provider) countGuess(ctx context.Context, ip string) error {
	now := p.now()
	perIP := now.Truncate(15 * time.Minute)
	n, err := p.store.Counters().Incr(ctx, "device-guess:ip:"+ip, perIP, perIP.Add(15*time.Minute))
	if err != nil {
		return err
	}
	if n > int64(p.cfg.GuessesPerIP) {
		return web.ErrTooManyGuesses
	}
	global := now.Truncate(time.Minute)
	n, err = p.store.Counters().Incr(ctx, "device-guess:all", global, global.Add(time.Minute))
	if err != nil {
		return err
	}
	if n > int64(p.cfg.GuessesGlobal) {
		return web.ErrTooManyGuesses
	}
	return nil
}

func (p *Provider) describe(ctx context.Context, id, clientID string, scopes []string, ip string, created time.Time) (*web.Request, error) {
	c, err := p.clients.get(ctx, clientID)
	if err != nil {
		return nil, err
	}
	return &web.Request{ID: id, ClientID: c.ID, ClientName: c.Name, Scopes: scopes, RequestIP: ip, CreatedAt: created}, nil
}
