package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/wardauth/ward/server/store"
)

// Ceremony kinds, as stored.
const (
	kindSignup = "register"
	kindLogin  = "login"
	kindAdd    = "add"
)

// credentialParams are the algorithms Ward accepts, most preferred first:
// every current platform authenticator and security key offers one of them.
var credentialParams = []protocol.CredentialParameter{
	{Type: protocol.PublicKeyCredentialType, Algorithm: webauthncose.AlgES256},
	{Type: protocol.PublicKeyCredentialType, Algorithm: webauthncose.AlgEdDSA},
	{Type: protocol.PublicKeyCredentialType, Algorithm: webauthncose.AlgRS256},
}

// ceremonyState is what a ceremony keeps in the store between its halves:
// go-webauthn's session data and, for a sign-up, the account being made.
type ceremonyState struct {
	Session    webauthn.SessionData `json:"session"`
	AccountID  string               `json:"accountId,omitempty"`
	Email      string               `json:"email,omitempty"`
	Name       string               `json:"name,omitempty"`
	UserHandle []byte               `json:"userHandle,omitempty"`
}

// put stores a ceremony's state and returns the ID the browser hands back.
func (s *Service) put(ctx context.Context, kind string, st *ceremonyState) (string, error) {
	data, err := json.Marshal(st)
	if err != nil {
		return "", fmt.Errorf("encoding passkey request: %w", err)
	}
	id := randomToken()
	err = s.store.Ceremonies().Put(ctx, &store.Ceremony{
		ID:        id,
		Kind:      kind,
		Data:      data,
		ExpiresAt: s.now().Add(ceremonyLifetime),
	})
	if err != nil {
		return "", fmt.Errorf("saving passkey request: %w", err)
	}
	return id, nil
}

// take removes a ceremony from the store and returns its state. A ceremony
// can be taken once: a replayed response finds nothing.
func (s *Service) take(ctx context.Context, kind, id string) (*ceremonyState, error) {
	c, err := s.store.Ceremonies().Take(ctx, id, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrCeremonyExpired
	}
	if err != nil {
		return nil, fmt.Errorf("loading passkey request: %w", err)
	}
	if c.Kind != kind {
		return nil, ErrCeremonyExpired
	}
	var st ceremonyState
	if err := json.Unmarshal(c.Data, &st); err != nil {
		return nil, fmt.Errorf("decoding passkey request: %w", err)
	}
	return &st, nil
}

// user adapts an account and its credentials to go-webauthn.
type user struct {
	account *store.Account
	creds   []webauthn.Credential
}

func (u *user) WebAuthnID() []byte                         { return u.account.UserHandle }
func (u *user) WebAuthnName() string                       { return u.account.Email }
func (u *user) WebAuthnDisplayName() string                { return u.account.Name }
func (u *user) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// loadUser reads an account's credentials in go-webauthn's form.
func (s *Service) loadUser(ctx context.Context, a *store.Account) (*user, []*store.Credential, error) {
	stored, err := s.store.Accounts().Credentials(ctx, a.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("loading passkeys: %w", err)
	}
	u := &user{account: a}
	for _, c := range stored {
		wc, err := decodeCredential(c)
		if err != nil {
			return nil, nil, err
		}
		u.creds = append(u.creds, *wc)
	}
	return u, stored, nil
}

func decodeCredential(c *store.Credential) (*webauthn.Credential, error) {
	var wc webauthn.Credential
	if err := json.Unmarshal(c.Data, &wc); err != nil {
		return nil, fmt.Errorf("decoding stored passkey: %w", err)
	}
	return &wc, nil
}

// method says how a credential signs someone in: "hwk" for a security key
// reached over USB, NFC or Bluetooth, else "passkey".
func method(c *webauthn.Credential) string {
	for _, t := range c.Transport {
		switch t {
		case protocol.USB, protocol.NFC, protocol.BLE:
			return MethodHardwareKey
		}
	}
	return MethodPasskey
}

// newCredential builds the stored form of a freshly registered credential.
func (s *Service) newCredential(accountID string, wc *webauthn.Credential, name string) (*store.Credential, error) {
	data, err := json.Marshal(wc)
	if err != nil {
		return nil, fmt.Errorf("encoding passkey: %w", err)
	}
	if name == "" {
		name = "Passkey"
		if method(wc) == MethodHardwareKey {
			name = "Security key"
		}
	}
	return &store.Credential{
		ID:        wc.ID,
		AccountID: accountID,
		Name:      name,
		Data:      data,
		CreatedAt: s.now(),
	}, nil
}

// verifyCreation checks a registration response against a ceremony.
func (s *Service) verifyCreation(u *user, st *ceremonyState, response []byte) (*webauthn.Credential, error) {
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return nil, rejected(err)
	}
	wc, err := s.webauthn.CreateCredential(u, st.Session, parsed)
	if err != nil {
		return nil, rejected(err)
	}
	return wc, nil
}

// rejected words a go-webauthn verification failure for the person: what
// the library found, under ErrPasskeyRejected.
func rejected(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Details != "" {
		return fmt.Errorf("%w (%s); try again", ErrPasskeyRejected, pe.Details)
	}
	return fmt.Errorf("%w; try again: %w", ErrPasskeyRejected, err)
}

// exclusions lists credentials the authenticator must not register again.
func exclusions(creds []webauthn.Credential) []protocol.CredentialDescriptor {
	return webauthn.Credentials(creds).CredentialDescriptors()
}

// allowed reports whether the account accepts sign-in by method m.
func allowed(a *store.Account, m string) bool {
	return len(a.AllowedMethods) == 0 || slices.Contains(a.AllowedMethods, m)
}
