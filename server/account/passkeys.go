package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/wardauth/ward/server/store"
)

// Passkey is what a person sees of one of their credentials.
type Passkey struct {
	ID         []byte
	Name       string
	Method     string // MethodPasskey or MethodHardwareKey
	CreatedAt  time.Time
	LastUsedAt time.Time // zero if never used to sign in
}

// BeginAddPasskey starts registering another passkey for a signed-in
// account. The options exclude the account's existing credentials, so an
// authenticator that already holds one says so instead of making a second.
func (s *Service) BeginAddPasskey(ctx context.Context, accountID string) (string, *protocol.PublicKeyCredentialCreationOptions, error) {
	a, err := s.store.Accounts().Get(ctx, accountID)
	if err != nil {
		return "", nil, fmt.Errorf("loading your account: %w", err)
	}
	u, _, err := s.loadUser(ctx, a)
	if err != nil {
		return "", nil, err
	}
	return s.beginCreation(ctx, kindAdd, u, &ceremonyState{AccountID: a.ID})
}

// FinishAddPasskey verifies the new credential and adds it to the account,
// named name (or a default). The ceremony must have been begun for the
// same account.
func (s *Service) FinishAddPasskey(ctx context.Context, accountID, id string, response []byte, name string) (*Passkey, error) {
	st, err := s.take(ctx, kindAdd, id)
	if err != nil {
		return nil, err
	}
	if st.AccountID != accountID {
		return nil, ErrCeremonyExpired
	}
	if name = strings.TrimSpace(name); name != "" {
		if name, err = normalizeName(name); err != nil {
			return nil, err
		}
	}
	a, err := s.store.Accounts().Get(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("loading your account: %w", err)
	}
	u, _, err := s.loadUser(ctx, a)
	if err != nil {
		return nil, err
	}
	wc, err := s.verifyCreation(u, st, response)
	if err != nil {
		return nil, err
	}
	cred, err := s.newCredential(a.ID, wc, name)
	if err != nil {
		return nil, err
	}
	if err := s.store.Accounts().AddCredential(ctx, cred); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, ErrPasskeyTaken
		}
		return nil, fmt.Errorf("saving the passkey: %w", err)
	}
	return &Passkey{ID: cred.ID, Name: cred.Name, Method: method(wc), CreatedAt: cred.CreatedAt}, nil
}

// Passkeys lists an account's passkeys, oldest first.
func (s *Service) Passkeys(ctx context.Context, accountID string) ([]*Passkey, error) {
	stored, err := s.store.Accounts().Credentials(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("loading your passkeys: %w", err)
	}
	out := make([]*Passkey, 0, len(stored))
	for _, c := range stored {
		wc, err := decodeCredential(c)
		if err != nil {
			return nil, err
		}
		out = append(out, &Passkey{
			ID:         c.ID,
			Name:       c.Name,
			Method:     method(wc),
			CreatedAt:  c.CreatedAt,
			LastUsedAt: c.LastUsedAt,
		})
	}
	return out, nil
}

// RenamePasskey changes the label of one of the account's passkeys.
func (s *Service) RenamePasskey(ctx context.Context, accountID string, id []byte, name string) error {
	name, err := normalizeName(name)
	if err != nil {
		return err
	}
	err = s.store.Accounts().RenameCredential(ctx, accountID, id, name)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoSuchPasskey
	}
	if err != nil {
		return fmt.Errorf("renaming the passkey: %w", err)
	}
	return nil
}

// RemovePasskey deletes one of the account's passkeys, refusing to delete
// the last one: an account without a passkey could never sign in again.
func (s *Service) RemovePasskey(ctx context.Context, accountID string, id []byte) error {
	err := s.store.Accounts().DeleteCredential(ctx, accountID, id)
	switch {
	case errors.Is(err, store.ErrConflict):
		return ErrLastPasskey
	case errors.Is(err, store.ErrNotFound):
		return ErrNoSuchPasskey
	case err != nil:
		return fmt.Errorf("removing the passkey: %w", err)
	}
	return nil
}
