package oidc

import (
	"context"
	"errors"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/wardauth/ward/secret"
	"github.com/wardauth/ward/server/store"
)

// rotate spends a refresh token and mints its successor (RFC 9700 §4.14.2).
//
// A refresh token is good for one use. Presenting a spent one means two
// parties hold it, so the whole family — every token descended from the
// same login — is revoked, and the legitimate client must sign in again.
// The one exception is a retry within the grace window while the successor
// is still unused: the client most likely lost the response, so the
// successor is replaced rather than the family burnt.
func (p *Provider) rotate(ctx context.Context, raw, clientID string) (*grant, string, error) {
	if secret.Check(raw, secret.RefreshToken) != nil {
		return nil, "", oidc.ErrInvalidGrant().WithDescription("this is not a Ward refresh token; sign in again")
	}
	hash := secret.Hash(raw)
	rts := p.store.RefreshTokens()
	t, err := rts.Get(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", oidc.ErrInvalidGrant().WithDescription("the refresh token is not valid; sign in again")
	}
	if err != nil {
		return nil, "", oidc.ErrServerError().WithParent(err)
	}
	if err := p.usable(ctx, t, clientID); err != nil {
		return nil, "", err
	}
	g := grantFromRefresh(t)
	next := secret.New(secret.RefreshToken)
	now := p.now()
	rec := p.refreshRecord(g, next, now)
	if t.UsedAt.IsZero() {
		err = rts.Rotate(ctx, hash, rec, now)
		if err == nil {
			return g, next, nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return nil, "", oidc.ErrServerError().WithParent(err)
		}
		// Spent by a concurrent request a moment ago: judge it as reuse.
		if t, err = rts.Get(ctx, hash); err != nil {
			return nil, "", oidc.ErrServerError().WithParent(err)
		}
	}
	if p.mayRetry(ctx, t, now) {
		if err := rts.Regrant(ctx, hash, rec, now); err == nil {
			return g, next, nil
		} else if !errors.Is(err, store.ErrConflict) {
			return nil, "", oidc.ErrServerError().WithParent(err)
		}
	}
	return nil, "", p.reused(ctx, t)
}

// mayRetry reports whether a spent token may be presented once more: within
// the grace window, and only if its successor is the one the rotation made
// (a successor made later was itself a retry, and there is only one).
// Regrant then checks atomically that the successor is still unused.
func (p *Provider) mayRetry(ctx context.Context, t *store.RefreshToken, now time.Time) bool {
	if now.Sub(t.UsedAt) > p.cfg.RefreshGrace || t.ReplacedBy == nil {
		return false
	}
	successor, err := p.store.RefreshTokens().Get(ctx, t.ReplacedBy)
	return err == nil && successor.CreatedAt.Equal(t.UsedAt)
}

// usable checks everything about a refresh token except whether it is
// spent.
func (p *Provider) usable(ctx context.Context, t *store.RefreshToken, clientID string) error {
	if t.ClientID != clientID {
		return oidc.ErrInvalidGrant().WithDescription("the refresh token was issued to another client")
	}
	if !t.RevokedAt.IsZero() {
		reason := "it was revoked"
		if f, err := p.store.RefreshTokens().Family(ctx, t.FamilyID); err == nil && f.Reason != "" {
			reason = f.Reason
		}
		return oidc.ErrInvalidGrant().WithDescription("this login is no longer valid (%s); sign in again", reason)
	}
	if !p.now().Before(t.ExpiresAt) {
		return oidc.ErrInvalidGrant().WithDescription(
			"your session expired after %s as your account's security settings require; sign in again",
			describeExpiry(t.ExpiresAt.Sub(t.AuthTime)))
	}
	return nil
}

func (p *Provider) reused(ctx context.Context, t *store.RefreshToken) error {
	if err := p.store.RefreshTokens().RevokeFamily(ctx, t.FamilyID, "refresh token reused", p.now()); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	p.log.WarnContext(ctx, "refresh token reused; family revoked", "family", t.FamilyID, "client", t.ClientID, "account", t.AccountID)
	return oidc.ErrInvalidGrant().WithDescription("the refresh token was already used, so it may have been stolen: " +
		"every session from this login has been revoked; sign in again")
}
