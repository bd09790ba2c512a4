package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/wardauth/ward/server/store"
)

// BeginSignup starts making an account for email, named name. It returns the
// ceremony ID and the options for navigator.credentials.create: a
// discoverable, user-verified credential on any authenticator (platform
// passkey or roaming security key), with no attestation.
func (s *Service) BeginSignup(ctx context.Context, email, name string) (string, *protocol.PublicKeyCredentialCreationOptions, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return "", nil, err
	}
	if name, err = normalizeName(name); err != nil {
		return "", nil, err
	}
	if err := s.checkEmailFree(ctx, email); err != nil {
		return "", nil, err
	}
	st := &ceremonyState{AccountID: randomID(), Email: email, Name: name, UserHandle: randomBytes(32)}
	u := &user{account: &store.Account{Email: email, Name: name, UserHandle: st.UserHandle}}
	return s.beginCreation(ctx, kindSignup, u, st)
}

// FinishSignup verifies the authenticator's response (the JSON of a
// PublicKeyCredential) for the ceremony id, creates the account with its
// first passkey, and signs the person in.
func (s *Service) FinishSignup(ctx context.Context, id string, response []byte, c Client) (*SignedIn, error) {
	st, err := s.take(ctx, kindSignup, id)
	if err != nil {
		return nil, err
	}
	a := &store.Account{
		ID:           st.AccountID,
		Email:        st.Email,
		Name:         st.Name,
		UserHandle:   st.UserHandle,
		SecurityMode: store.ModeStandard,
		CreatedAt:    s.now(),
	}
	wc, err := s.verifyCreation(&user{account: a}, st, response)
	if err != nil {
		return nil, err
	}
	cred, err := s.newCredential(a.ID, wc, "")
	if err != nil {
		return nil, err
	}
	if err := s.store.Accounts().Create(ctx, a, cred); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, s.conflict(ctx, a.Email)
		}
		return nil, fmt.Errorf("creating your account: %w", err)
	}
	return s.startSession(ctx, a, method(wc), c)
}

func (s *Service) checkEmailFree(ctx context.Context, email string) error {
	_, err := s.store.Accounts().GetByEmail(ctx, email)
	switch {
	case err == nil:
		return ErrEmailTaken
	case errors.Is(err, store.ErrNotFound):
		return nil
	default:
		return fmt.Errorf("checking whether %s has an account: %w", email, err)
	}
}

// conflict says which uniqueness rule a failed Create broke.
func (s *Service) conflict(ctx context.Context, email string) error {
	if err := s.checkEmailFree(ctx, email); err != nil {
		return err
	}
	return ErrPasskeyTaken
}

// beginCreation asks for a new credential for u and stores the ceremony.
func (s *Service) beginCreation(ctx context.Context, kind string, u *user, st *ceremonyState) (string, *protocol.PublicKeyCredentialCreationOptions, error) {
	creation, session, err := s.webauthn.BeginRegistration(u,
		webauthn.WithCredentialParameters(credentialParams),
		webauthn.WithExclusions(exclusions(u.creds)),
	)
	if err != nil {
		return "", nil, fmt.Errorf("preparing a passkey request: %w", err)
	}
	st.Session = *session
	id, err := s.put(ctx, kind, st)
	if err != nil {
		return "", nil, err
	}
	return id, &creation.Response, nil
}
