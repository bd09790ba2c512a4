package account

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/wardauth/ward/server/store"
)

// BeginLogin starts a discoverable sign-in: the options name no credential,
// so the authenticator offers whichever passkeys it holds for Ward. The same
// options serve a passkey button and conditional UI (the browser adds
// mediation "conditional").
func (s *Service) BeginLogin(ctx context.Context) (string, *protocol.PublicKeyCredentialRequestOptions, error) {
	assertion, session, err := s.webauthn.BeginDiscoverableLogin(
		webauthn.WithUserVerification(protocol.VerificationRequired),
	)
	if err != nil {
		return "", nil, fmt.Errorf("preparing a sign-in request: %w", err)
	}
	id, err := s.put(ctx, kindLogin, &ceremonyState{Session: *session})
	if err != nil {
		return "", nil, err
	}
	return id, &assertion.Response, nil
}

// FinishLogin verifies the authenticator's assertion (the JSON of a
// PublicKeyCredential) for the ceremony id and signs its owner in.
func (s *Service) FinishLogin(ctx context.Context, id string, response []byte, c Client) (*SignedIn, error) {
	st, err := s.take(ctx, kindLogin, id)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return nil, rejected(err)
	}
	a, stored, err := s.owner(ctx, parsed.RawID)
	if err != nil {
		return nil, err
	}
	u, _, err := s.loadUser(ctx, a)
	if err != nil {
		return nil, err
	}
	found := func([]byte, []byte) (webauthn.User, error) { return u, nil }
	_, wc, err := s.webauthn.ValidatePasskeyLogin(found, st.Session, parsed)
	if err != nil {
		return nil, rejected(err)
	}
	// go-webauthn only flags a counter that failed to advance; a copied
	// authenticator is refused here, and the stored counter is left as it
	// was so the genuine one keeps working.
	if wc.Authenticator.CloneWarning {
		return nil, ErrClonedPasskey
	}
	m := method(wc)
	if !allowed(a, m) {
		return nil, ErrMethodNotAllowed
	}
	if err := s.recordUse(ctx, stored, wc); err != nil {
		return nil, err
	}
	return s.startSession(ctx, a, m, c)
}

// owner finds the account a credential belongs to, refusing a credential
// Ward does not know (never registered, or removed since).
func (s *Service) owner(ctx context.Context, credentialID []byte) (*store.Account, *store.Credential, error) {
	cred, err := s.store.Accounts().Credential(ctx, credentialID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrUnknownPasskey
	}
	if err != nil {
		return nil, nil, fmt.Errorf("looking up the passkey: %w", err)
	}
	a, err := s.store.Accounts().Get(ctx, cred.AccountID)
	if err != nil {
		return nil, nil, fmt.Errorf("looking up the passkey's account: %w", err)
	}
	return a, cred, nil
}

// recordUse stores a credential's new sign count and flags after an assertion.
func (s *Service) recordUse(ctx context.Context, stored *store.Credential, wc *webauthn.Credential) error {
	data, err := json.Marshal(wc)
	if err != nil {
		return fmt.Errorf("encoding passkey: %w", err)
	}
	stored.Data = data
	stored.LastUsedAt = s.now()
	if err := s.store.Accounts().UpdateCredential(ctx, stored); err != nil {
		return fmt.Errorf("recording the passkey's use: %w", err)
	}
	return nil
}

// startSession signs a into a new browser session.
func (s *Service) startSession(ctx context.Context, a *store.Account, m string, c Client) (*SignedIn, error) {
	lifetime := a.SessionLifetime
	if lifetime == 0 {
		lifetime = s.SessionLifetime
	}
	if lifetime == 0 {
		lifetime = DefaultSessionLifetime
	}
	token := randomToken()
	now := s.now()
	sess := &store.Session{
		ID:        randomID(),
		TokenHash: hashToken(token),
		AccountID: a.ID,
		AMR:       []string{m},
		AuthTime:  now,
		CreatedAt: now,
		ExpiresAt: now.Add(lifetime),
		IP:        c.IP,
		UserAgent: c.UserAgent,
	}
	if err := s.store.Sessions().Create(ctx, sess); err != nil {
		return nil, fmt.Errorf("starting your session: %w", err)
	}
	return &SignedIn{Account: a, Session: sess, Token: token}, nil
}

// Session returns the active session whose cookie value is token, and its
// account. ErrNotSignedIn if there is none.
func (s *Service) Session(ctx context.Context, token string) (*store.Session, *store.Account, error) {
	if token == "" {
		return nil, nil, ErrNotSignedIn
	}
	sess, err := s.store.Sessions().ByTokenHash(ctx, hashToken(token), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrNotSignedIn
	}
	if err != nil {
		return nil, nil, fmt.Errorf("checking your session: %w", err)
	}
	a, err := s.store.Accounts().Get(ctx, sess.AccountID)
	if err != nil {
		return nil, nil, fmt.Errorf("loading your account: %w", err)
	}
	return sess, a, nil
}

// SignOut ends a session. Tokens already issued to applications through it
// stay valid until they expire or are revoked on their own: signing out of
// the browser does not sign the command line out.
func (s *Service) SignOut(ctx context.Context, sessionID string) error {
	if err := s.store.Sessions().Revoke(ctx, sessionID, s.now()); err != nil {
		return fmt.Errorf("signing out: %w", err)
	}
	return nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
