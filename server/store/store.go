// Package store defines where Ward keeps its state and the records it keeps.
//
// Every piece of server state lives here, never in process memory, so any
// number of `ward serve` nodes can share one PostgreSQL database. Each domain
// has its own small interface; one SQL implementation serves both engines
// (SQLite by default, PostgreSQL to scale out), and one contract suite
// (storetest) runs against both.
//
// Secrets never reach the store in the clear: callers pass hashes of refresh
// tokens, device codes, authorization codes and session cookies.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when a record does not exist (or has expired and
// is treated as gone).
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a write would violate a uniqueness rule, such
// as a second account with the same email or a duplicate user code.
var ErrConflict = errors.New("store: conflict")

// Store is the whole of Ward's persistent state.
type Store interface {
	Accounts() Accounts
	Sessions() Sessions
	Ceremonies() Ceremonies
	Clients() Clients
	AuthRequests() AuthRequests
	RefreshTokens() RefreshTokens
	Devices() Devices
	Counters() Counters
	Keys() Keys

	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// Security modes of an account. Advanced Account Security (a later issue)
// turns the switch; the core only records it.
const (
	ModeStandard = "standard"
	ModeAdvanced = "advanced"
)

// Account is a person who signs in to Ward.
type Account struct {
	ID         string // opaque, stable, used as the OIDC subject
	Email      string // unique, stored lower-cased
	Name       string
	UserHandle []byte // WebAuthn user.id: 32 random bytes, never the email
	// AllowedMethods lists the sign-in methods the account accepts, as amr
	// values (e.g. "passkey", "hwk"). Empty means the server default.
	AllowedMethods []string
	// SessionLifetime bounds how long a session (and every token descended
	// from it) lives. Zero means the server default.
	SessionLifetime time.Duration
	SecurityMode    string // ModeStandard or ModeAdvanced
	CreatedAt       time.Time
}

// Credential is one passkey or security key registered to an account.
type Credential struct {
	ID        []byte // the WebAuthn credential ID
	AccountID string
	Name      string // the person's label, e.g. "YubiKey 5C"
	// Data is the go-webauthn Credential encoded as JSON: public key, sign
	// count, flags, transports, AAGUID. The store does not interpret it.
	Data       []byte
	CreatedAt  time.Time
	LastUsedAt time.Time // zero until first used
}

// Accounts stores accounts and their passkeys.
type Accounts interface {
	// Create inserts an account and its first credential atomically, so no
	// account ever exists without a way to sign in. ErrConflict if the email
	// or credential ID is taken.
	Create(ctx context.Context, a *Account, first *Credential) error
	Get(ctx context.Context, id string) (*Account, error)
	GetByEmail(ctx context.Context, email string) (*Account, error)
	GetByUserHandle(ctx context.Context, handle []byte) (*Account, error)
	Update(ctx context.Context, a *Account) error

	AddCredential(ctx context.Context, c *Credential) error
	Credentials(ctx context.Context, accountID string) ([]*Credential, error)
	Credential(ctx context.Context, id []byte) (*Credential, error)
	// UpdateCredential stores a credential's new Data (sign count, flags)
	// and LastUsedAt after a successful assertion.
	UpdateCredential(ctx context.Context, c *Credential) error
	RenameCredential(ctx context.Context, accountID string, id []byte, name string) error
	// DeleteCredential removes a credential, refusing (ErrConflict) to
	// remove an account's last one.
	DeleteCredential(ctx context.Context, accountID string, id []byte) error
}

// Session is a signed-in browser session. Tokens issued through it record
// its ID, so revoking the session finds them.
type Session struct {
	ID        string // random public identifier (the `sid` claim)
	TokenHash []byte // SHA-256 of the cookie value
	AccountID string
	AMR       []string // how the person authenticated, e.g. ["passkey"]
	AuthTime  time.Time
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time // zero while active
	IP        string
	UserAgent string
}

// Sessions stores browser sessions.
type Sessions interface {
	Create(ctx context.Context, s *Session) error
	// ByTokenHash returns an active (not expired at now, not revoked)
	// session, or ErrNotFound.
	ByTokenHash(ctx context.Context, hash []byte, now time.Time) (*Session, error)
	Get(ctx context.Context, id string) (*Session, error)
	Revoke(ctx context.Context, id string, at time.Time) error
	ListByAccount(ctx context.Context, accountID string) ([]*Session, error)
}

// Ceremony is the server-side state of one WebAuthn registration or login,
// held between the options and the response.
type Ceremony struct {
	ID        string // random, handed to the browser
	Kind      string // "register", "login", "add"
	Data      []byte // go-webauthn SessionData as JSON, plus whatever the caller needs
	ExpiresAt time.Time
}

// Ceremonies stores WebAuthn ceremony state.
type Ceremonies interface {
	Put(ctx context.Context, c *Ceremony) error
	// Take returns and deletes the ceremony in one step, so a challenge is
	// answered at most once. ErrNotFound if absent or expired at now.
	Take(ctx context.Context, id string, now time.Time) (*Ceremony, error)
}

// Client is a registered OAuth client.
type Client struct {
	ID           string
	Name         string
	SecretHash   []byte   // SHA-256 of the secret; empty for a public client
	RedirectURIs []string // exact URIs; loopback ones match any port (RFC 8252 §7.3)
	GrantTypes   []string // e.g. "authorization_code", "refresh_token", device code URN
	Scopes       []string // scopes the client may request
	Native       bool     // a native app (loopback redirects, PKCE required)
	CreatedAt    time.Time
}

// Clients stores OAuth clients.
type Clients interface {
	// Put creates or replaces a client.
	Put(ctx context.Context, c *Client) error
	Get(ctx context.Context, id string) (*Client, error)
	List(ctx context.Context) ([]*Client, error)
	Delete(ctx context.Context, id string) error
}

// AuthRequest is an authorization request from /authorize until its code is
// exchanged.
type AuthRequest struct {
	ID                  string
	ClientID            string
	RedirectURI         string
	Scopes              []string
	State               string
	Nonce               string
	ResponseType        string
	CodeChallenge       string
	CodeChallengeMethod string
	CreatedAt           time.Time
	ExpiresAt           time.Time

	// Set when the person has signed in and approved.
	AccountID string
	SessionID string
	AMR       []string
	AuthTime  time.Time
	Done      bool

	// Set when the code is issued. CodeHash is the SHA-256 of the code.
	CodeHash      []byte
	CodeExpiresAt time.Time
	// CodeUsedAt is set when the code is exchanged; a second exchange is a
	// replay, and FamilyID says what to revoke.
	CodeUsedAt time.Time
	FamilyID   string
}

// AuthRequests stores authorization requests.
type AuthRequests interface {
	Create(ctx context.Context, r *AuthRequest) error
	Get(ctx context.Context, id string) (*AuthRequest, error)
	// Complete records who signed in for the request.
	Complete(ctx context.Context, id, accountID, sessionID string, amr []string, authTime time.Time) error
	// SetCode records the hash of the issued code and when it expires.
	SetCode(ctx context.Context, id string, codeHash []byte, expiresAt time.Time) error
	ByCodeHash(ctx context.Context, codeHash []byte) (*AuthRequest, error)
	// UseCode marks the code exchanged and records the token family it
	// produced. It returns ErrConflict if the code was already used: the
	// caller then revokes the recorded family.
	UseCode(ctx context.Context, id, familyID string, at time.Time) error
	Delete(ctx context.Context, id string) error
}

// RefreshToken is one link of a refresh-token family. Every refresh token
// descended from one login shares a FamilyID; reuse of any spent token
// revokes the family.
type RefreshToken struct {
	Hash      []byte // SHA-256 of the token
	FamilyID  string
	ClientID  string
	AccountID string
	SessionID string
	Scopes    []string
	AMR       []string
	AuthTime  time.Time
	CreatedAt time.Time
	// ExpiresAt is the end of the family's session lifetime; rotation does
	// not extend it.
	ExpiresAt time.Time
	UsedAt    time.Time // zero until rotated
	// ReplacedBy is the hash of the token issued when this one was rotated.
	ReplacedBy []byte
	RevokedAt  time.Time // zero unless the token or its family was revoked
}

// Family is a refresh-token family: everything issued from one login.
type Family struct {
	ID        string
	ClientID  string
	AccountID string
	SessionID string
	CreatedAt time.Time
	RevokedAt time.Time
	Reason    string // why it was revoked, e.g. "refresh token reused"
}

// RefreshTokens stores refresh tokens and their families.
type RefreshTokens interface {
	// CreateFamily starts a family and stores its first token. first is
	// nil for a login without offline access: the family then only lets
	// its access tokens be revoked.
	CreateFamily(ctx context.Context, f *Family, first *RefreshToken) error
	Get(ctx context.Context, hash []byte) (*RefreshToken, error)
	Family(ctx context.Context, id string) (*Family, error)
	// FamilyRevoked reports whether a family is revoked, ErrNotFound if
	// there is none. It is the one question every verified access token
	// asks, so it reads no more than it must, and may answer from a
	// per-process cache: a revocation through this store is seen at once,
	// one made by another node within a second.
	FamilyRevoked(ctx context.Context, id string) (bool, error)
	// Rotate spends old (which must be unused and unrevoked) and stores
	// next in one transaction. It returns ErrConflict, storing nothing,
	// if old was already spent or revoked.
	Rotate(ctx context.Context, oldHash []byte, next *RefreshToken, at time.Time) error
	// Regrant replaces the successor of an already spent token (the grace
	// path for a client that lost the rotation response): it revokes the
	// current successor and stores next in its place. It returns
	// ErrConflict if the successor has itself been used.
	Regrant(ctx context.Context, oldHash []byte, next *RefreshToken, at time.Time) error
	// RevokeFamily revokes the family and every token in it.
	RevokeFamily(ctx context.Context, familyID, reason string, at time.Time) error
	// RevokeSession revokes every family issued through a session.
	RevokeSession(ctx context.Context, sessionID, reason string, at time.Time) error
	// RevokedFamiliesSince lists families revoked at or after since, for
	// resource servers that verify tokens offline.
	RevokedFamiliesSince(ctx context.Context, since time.Time) ([]*Family, error)
}

// Device authorization states (RFC 8628).
const (
	DevicePending  = "pending"
	DeviceApproved = "approved"
	DeviceDenied   = "denied"
	DeviceConsumed = "consumed"
)

// Device is a pending or finished device authorization.
type Device struct {
	CodeHash  []byte // SHA-256 of the device code
	UserCode  string // normalised: 8 letters, no dash
	ClientID  string
	Scopes    []string
	State     string
	CreatedAt time.Time
	ExpiresAt time.Time
	Interval  time.Duration // current polling interval; slow_down raises it
	LastPoll  time.Time
	RequestIP string // who asked for the code, shown on the approval page

	// Set on approval.
	AccountID string
	SessionID string
	AMR       []string
	AuthTime  time.Time
}

// Devices stores device authorizations.
type Devices interface {
	// Create stores a new authorization; ErrConflict if the user code is
	// taken by one that has not expired.
	Create(ctx context.Context, d *Device) error
	ByCodeHash(ctx context.Context, hash []byte) (*Device, error)
	// ByUserCode returns the unexpired authorization with that user code.
	ByUserCode(ctx context.Context, userCode string, now time.Time) (*Device, error)
	// Poll records a poll at now if the previous one was at least the
	// current interval ago. If it was too soon it raises the interval by
	// slowDown, stores that, and reports tooFast. It returns the record as
	// it stands after the poll.
	Poll(ctx context.Context, hash []byte, now time.Time, slowDown time.Duration) (d *Device, tooFast bool, err error)
	// Decide moves a pending authorization to approved (with who approved)
	// or denied. ErrConflict if it is no longer pending.
	Decide(ctx context.Context, userCode string, approved bool, accountID, sessionID string, amr []string, authTime time.Time) error
	// Consume moves an approved authorization to consumed. ErrConflict if
	// it was not approved (already consumed, denied or pending).
	Consume(ctx context.Context, hash []byte) error
	// DeleteExpired removes authorizations that expired before now.
	DeleteExpired(ctx context.Context, now time.Time) (int64, error)
}

// Counters are fixed-window counters for rate limits, shared by all nodes.
type Counters interface {
	// Incr adds one to the counter named key in the window starting at
	// window and returns the new count. Windows that ended before the
	// window passed are eligible for deletion.
	Incr(ctx context.Context, key string, window time.Time, expiresAt time.Time) (int64, error)
	DeleteExpired(ctx context.Context, now time.Time) (int64, error)
}

// Key is a token-signing key. Retired keys stay published in JWKS until
// every token they signed has expired.
type Key struct {
	ID        string // kid
	Algorithm string // e.g. "ES256"
	Private   []byte // PKCS#8 DER
	CreatedAt time.Time
	// RetiredAt is when the key stopped signing (zero while current).
	RetiredAt time.Time
	// ExpiresAt is when the key may leave JWKS: RetiredAt plus the longest
	// lifetime of a token it signed.
	ExpiresAt time.Time
}

// Keys stores signing keys.
type Keys interface {
	Add(ctx context.Context, k *Key) error
	// Published returns every key not yet expired at now, newest first.
	Published(ctx context.Context, now time.Time) ([]*Key, error)
	Retire(ctx context.Context, id string, retiredAt, expiresAt time.Time) error
}
