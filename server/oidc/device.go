package oidc

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/wardauth/ward/secret"
	"github.com/wardauth/ward/server/store"
)

// The device grant (RFC 8628). Device codes carry 256 random bits and are
// stored hashed. User codes are 8 letters from a 20-letter alphabet with no
// vowels (no words can form, §6.1), about 34.6 bits: safe only because
// guesses are limited (see authorizer.go) and codes die in 15 minutes.

const userCodeAlphabet = op.CharSetBase20

// DeviceAuthorization starts a device login for the client.
func (s *server) DeviceAuthorization(ctx context.Context, r *op.ClientRequest[oidc.DeviceAuthorizationRequest]) (*op.Response, error) {
	p := s.p
	c, err := p.loadClient(ctx, r.Client.GetID())
	if err != nil {
		return nil, err
	}
	scopes, err := allowedScopes(c, r.Data.Scopes)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	deviceCode := base64.RawURLEncoding.EncodeToString(raw)
	now := p.now()
	d := &store.Device{
		CodeHash: secret.Hash(deviceCode), ClientID: c.GetID(), Scopes: scopes,
		State: store.DevicePending, CreatedAt: now, ExpiresAt: now.Add(deviceLifetime),
		Interval: deviceInterval, RequestIP: clientIPFrom(ctx),
	}
	// A collision among live user codes is rare but possible; draw again.
	for range 5 {
		d.UserCode, err = op.NewUserCode([]rune(userCodeAlphabet), 8, 0)
		if err != nil {
			return nil, oidc.ErrServerError().WithParent(err)
		}
		if err = p.store.Devices().Create(ctx, d); !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	display := FormatUserCode(d.UserCode)
	return op.NewResponse(&oidc.DeviceAuthorizationResponse{
		DeviceCode:              deviceCode,
		UserCode:                display,
		VerificationURI:         p.issuer + "/device",
		VerificationURIComplete: p.issuer + "/device?user_code=" + display,
		ExpiresIn:               int(deviceLifetime / time.Second),
		Interval:                int(deviceInterval / time.Second),
	}), nil
}

func allowedScopes(c *client, requested []string) ([]string, error) {
	if len(requested) == 0 {
		return nil, oidc.ErrInvalidScope().WithDescription("no scope requested")
	}
	for _, sc := range requested {
		if !c.IsScopeAllowed(sc) {
			return nil, oidc.ErrInvalidScope().WithDescription("scope %q is not allowed for this client", sc)
		}
	}
	return requested, nil
}

// deviceToken answers a device's poll. Polling faster than the interval
// earns slow_down and a longer interval (§3.5); an approved code yields
// tokens exactly once.
func (p *Provider) deviceToken(ctx context.Context, c *client, deviceCode string) (*tokenResponse, error) {
	hash := secret.Hash(deviceCode)
	now := p.now()
	d, tooFast, err := p.store.Devices().Poll(ctx, hash, now, deviceInterval)
	if errors.Is(err, store.ErrNotFound) {
		return nil, oidc.ErrInvalidGrant().WithDescription("the device code is not valid")
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	switch {
	case d.ClientID != c.GetID():
		return nil, oidc.ErrInvalidGrant().WithDescription("the device code was issued to another client")
	case now.After(d.ExpiresAt):
		return nil, oidc.ErrExpiredDeviceCode().WithDescription("the device code has expired; start the login again")
	case d.State == store.DeviceDenied:
		return nil, oidc.ErrAccessDenied().WithDescription("the login was denied on the approval page")
	case d.State == store.DeviceConsumed:
		return nil, oidc.ErrInvalidGrant().WithDescription("the device code was already used")
	case tooFast:
		return nil, oidc.ErrSlowDown().WithDescription("polling too fast; wait %d seconds between requests", int(d.Interval/time.Second))
	case d.State == store.DevicePending:
		return nil, oidc.ErrAuthorizationPending()
	}
	if err := p.store.Devices().Consume(ctx, hash); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, oidc.ErrInvalidGrant().WithDescription("the device code was already used")
		}
		return nil, oidc.ErrServerError().WithParent(err)
	}
	g := grantFromDevice(d)
	refresh, err := p.startFamily(ctx, g, c)
	if err != nil {
		return nil, err
	}
	return p.issue(ctx, g, refresh)
}

// NormalizeUserCode turns a user code as typed ("bcdf-ghjk", "BCDF GHJK")
// into its stored form, or "" if it cannot be one.
func NormalizeUserCode(typed string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case strings.ContainsRune(userCodeAlphabet, r):
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != 8 {
		return ""
	}
	return b.String()
}

// FormatUserCode shows a stored user code as XXXX-XXXX.
func FormatUserCode(code string) string {
	if len(code) != 8 {
		return code
	}
	return code[:4] + "-" + code[4:]
}
