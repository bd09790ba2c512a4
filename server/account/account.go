// Package account keeps Ward's accounts, their passkeys and their browser
// sessions. It runs the WebAuthn ceremonies (through go-webauthn) but knows
// nothing of HTTP: the web package hands it JSON and gets JSON back.
//
// Every ceremony's state lives in the store between its two halves, so the
// begin and finish of one sign-in may land on different server nodes.
package account

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/wardauth/ward/server/store"
)

// DefaultSessionLifetime is how long a browser session lasts when neither the
// account nor the server says otherwise.
const DefaultSessionLifetime = 12 * time.Hour

// ceremonyLifetime bounds the time between a ceremony's options and its
// response. It is also the timeout the browser is given.
const ceremonyLifetime = 5 * time.Minute

// Errors the person signing in may see. They are worded for them; the web
// package shows them as they are.
var (
	ErrInvalidEmail     = errors.New("that doesn't look like an email address; check it and try again")
	ErrInvalidName      = errors.New("enter a name of at most 64 characters")
	ErrEmailTaken       = errors.New("an account with this email already exists; sign in with its passkey instead")
	ErrCeremonyExpired  = errors.New("this passkey request has expired or was already used; start again")
	ErrUnknownPasskey   = errors.New("this passkey is not registered with Ward (it may have been removed); use another passkey or sign up")
	ErrPasskeyTaken     = errors.New("this passkey is already registered with Ward")
	ErrPasskeyRejected  = errors.New("the passkey's answer could not be verified")
	ErrClonedPasskey    = errors.New("this passkey's signature counter went backwards, which suggests it was copied; it has not been accepted. Remove it from your account and add a new one")
	ErrMethodNotAllowed = errors.New("this account does not accept this kind of passkey; use one of its security keys")
	ErrLastPasskey      = errors.New("you can't remove your only passkey; add another one first so you can still sign in")
	ErrNoSuchPasskey    = errors.New("that passkey is not on your account; reload the page")
	ErrNotSignedIn      = errors.New("you are not signed in, or your session has ended; sign in again")
)

// Sign-in methods, recorded as the session's amr (RFC 8176). A credential
// whose authenticator reached the browser over USB, NFC or Bluetooth is a
// hardware key ("hwk"); anything else (a platform authenticator, a synced
// passkey, a phone over hybrid) is "passkey". Both are phishing-resistant and
// user-verified, so neither adds "mfa": the values say which device was used,
// and policies that want a hardware key ask for "hwk".
const (
	MethodPasskey     = "passkey"
	MethodHardwareKey = "hwk"
)

// Service runs sign-up, sign-in, passkey management and sessions.
type Service struct {
	store    store.Store
	webauthn *webauthn.WebAuthn

	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SessionLifetime is the server's default session length, used when an
	// account sets none. Zero means DefaultSessionLifetime.
	SessionLifetime time.Duration
}

// New returns a Service for the server at issuer (e.g. https://id.example.com).
// The WebAuthn relying party is the issuer's host, without port; the only
// accepted origin is the issuer's scheme, host and port.
func New(st store.Store, issuer string) (*Service, error) {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("the issuer %q is not an absolute http(s) URL; set it to the address people use to reach Ward", issuer)
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:                  u.Hostname(),
		RPDisplayName:         "Ward",
		RPOrigins:             []string{u.Scheme + "://" + u.Host},
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification:   protocol.VerificationRequired,
		},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: ceremonyLifetime},
			Registration: webauthn.TimeoutConfig{Timeout: ceremonyLifetime},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("setting up passkeys for issuer %s: %w", issuer, err)
	}
	return &Service{store: st, webauthn: wa}, nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Client describes the browser or program on the other end, recorded with
// the session it gets.
type Client struct {
	IP        string
	UserAgent string
}

// SignedIn is the result of a finished sign-up or sign-in. Token is the
// session cookie's value: it is returned once and stored only as a hash.
type SignedIn struct {
	Account *store.Account
	Session *store.Session
	Token   string
}

// NormalizeEmail trims and lower-cases an email address and checks that it
// is a plain address (no display name, one @, a dot in the domain).
func NormalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if len(email) > 254 {
		return "", ErrInvalidEmail
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Name != "" || a.Address != email {
		return "", ErrInvalidEmail
	}
	_, domain, _ := strings.Cut(email, "@")
	if !strings.Contains(domain, ".") && domain != "localhost" {
		return "", ErrInvalidEmail
	}
	return email, nil
}

func normalizeName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 64 {
		return "", ErrInvalidName
	}
	return name, nil
}

// randomBytes returns n bytes from crypto/rand, which never fails on the
// platforms Go supports.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func randomID() string { return hex.EncodeToString(randomBytes(16)) }

func randomToken() string { return base64.RawURLEncoding.EncodeToString(randomBytes(32)) }
