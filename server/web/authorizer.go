package web

import (
	"context"
	"errors"
	"time"

	"github.com/wardauth/ward/server/store"
)

// Authorizer is the OAuth side of the server, as the pages see it. The
// sign-in page hands a finished sign-in to it, and the device page asks it
// about user codes. server/oidc implements it; the pages know nothing of
// OAuth beyond this.
type Authorizer interface {
	// AuthRequest describes a pending authorization request so the sign-in
	// page can say who is asking. ErrUnknownRequest if there is none.
	AuthRequest(ctx context.Context, id string) (*Request, error)
	// CompleteAuthRequest records the signed-in session against the
	// request and returns the URL to send the browser to next.
	CompleteAuthRequest(ctx context.Context, id string, s *store.Session) (redirect string, err error)

	// Device looks up a pending device authorization by the user code as
	// typed (case, dashes and spaces are normalised). Guesses are counted
	// per ip and globally: ErrTooManyGuesses once the limit is reached,
	// ErrUnknownCode for a code that does not exist or has expired.
	Device(ctx context.Context, userCode, ip string) (*Request, error)
	// DecideDevice approves or denies the authorization for the session's
	// account. ErrUnknownCode if it is no longer pending.
	DecideDevice(ctx context.Context, userCode string, approve bool, s *store.Session) error
}

// Request is what the pages show about a pending authorization.
type Request struct {
	ID         string // auth request ID, or the normalised user code
	ClientID   string
	ClientName string
	Scopes     []string
	RequestIP  string    // device flow: the address that asked for the code
	CreatedAt  time.Time // when the client started the request
}

var (
	ErrUnknownRequest = errors.New("this sign-in request is unknown or has expired; start again from your application")
	ErrUnknownCode    = errors.New("that code is not valid or has expired; check it against the one on your device")
	ErrTooManyGuesses = errors.New("too many incorrect codes; wait a few minutes and try again")
)
