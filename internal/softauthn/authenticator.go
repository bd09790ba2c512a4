// Package softauthn is a software WebAuthn authenticator and a client that
// drives Ward's JSON API with it, so protocol tests and benchmarks can sign
// up and sign in without a browser.
//
// The authenticator makes ES256 resident credentials, attests with "none",
// and sets the user-present and user-verified flags, as a platform
// authenticator does after a screen-lock check. It reads options and writes
// responses in the WebAuthn JSON encoding (what PublicKeyCredential's
// parse*OptionsFromJSON accept and toJSON produces). It is a test double for
// what cannot run here (a person with a phone or security key); it checks
// what a browser would check, not what a certified authenticator must.
package softauthn

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

// Authenticator holds credentials and answers create and get requests.
// It is safe for concurrent use.
type Authenticator struct {
	// Transports are reported for new credentials: "internal" for a
	// platform passkey, "usb" for a security key.
	Transports []string
	// SkipUserVerification clears the UV flag in responses, like an
	// authenticator that only checked for presence.
	SkipUserVerification bool

	mu    sync.Mutex
	creds []*Credential
}

// Credential is one resident credential.
type Credential struct {
	ID         []byte
	RPID       string
	UserHandle []byte
	UserName   string
	Key        *ecdsa.PrivateKey
	// SignCount is the signature counter; tests may wind it back to act
	// out a cloned authenticator.
	SignCount uint32
}

// New returns a platform authenticator (transport "internal").
func New() *Authenticator { return &Authenticator{Transports: []string{"internal"}} }

// NewSecurityKey returns a roaming security key (transport "usb").
func NewSecurityKey() *Authenticator { return &Authenticator{Transports: []string{"usb"}} }

// ErrNotAllowed is returned when the authenticator has no matching
// credential, like the browser's NotAllowedError.
var ErrNotAllowed = errors.New("softauthn: no credential for this request")

// ErrExcluded is returned when a create request excludes a credential this
// authenticator holds, like the browser's InvalidStateError.
var ErrExcluded = errors.New("softauthn: the authenticator already holds an excluded credential")

// Credentials returns the credentials held, oldest first.
func (a *Authenticator) Credentials() []*Credential {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.creds)
}

type descriptor struct {
	ID string `json:"id"`
}

type creationOptions struct {
	RP struct {
		ID string `json:"id"`
	} `json:"rp"`
	User struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"user"`
	Challenge        string              `json:"challenge"`
	PubKeyCredParams []struct{ Alg int } `json:"pubKeyCredParams"`
	Exclude          []descriptor        `json:"excludeCredentials"`
}

// Create answers navigator.credentials.create for a page at origin, given
// the publicKey options as JSON. It returns the PublicKeyCredential as JSON.
func (a *Authenticator) Create(origin string, options []byte) ([]byte, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("softauthn: reading creation options: %w", err)
	}
	if err := checkRPID(origin, o.RP.ID); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(o.PubKeyCredParams, func(p struct{ Alg int }) bool { return p.Alg == -7 }) {
		return nil, errors.New("softauthn: the options do not accept ES256 (-7)")
	}
	userHandle, err := decode(o.User.ID)
	if err != nil {
		return nil, fmt.Errorf("softauthn: user.id: %w", err)
	}
	if a.holdsAny(o.Exclude) {
		return nil, ErrExcluded
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	c := &Credential{ID: random(32), RPID: o.RP.ID, UserHandle: userHandle, UserName: o.User.Name, Key: key}
	authData := c.authData(a.flags()|flagAttested, attestedData(c))
	attObj, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": authData})
	if err != nil {
		return nil, err
	}
	spki, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	a.add(c)
	return json.Marshal(a.credentialJSON(c, map[string]any{
		"clientDataJSON":     encode(clientData("webauthn.create", o.Challenge, origin)),
		"attestationObject":  encode(attObj),
		"authenticatorData":  encode(authData),
		"transports":         a.Transports,
		"publicKey":          encode(spki),
		"publicKeyAlgorithm": -7,
	}))
}

type requestOptions struct {
	Challenge string       `json:"challenge"`
	RPID      string       `json:"rpId"`
	Allow     []descriptor `json:"allowCredentials"`
}

// Get answers navigator.credentials.get for a page at origin, given the
// publicKey options as JSON. With no allowCredentials it uses the newest
// credential it holds for the relying party, as a person picking the top
// entry would. It returns the PublicKeyCredential as JSON.
func (a *Authenticator) Get(origin string, options []byte) ([]byte, error) {
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("softauthn: reading request options: %w", err)
	}
	if o.RPID == "" {
		u, _ := url.Parse(origin)
		o.RPID = u.Hostname()
	}
	if err := checkRPID(origin, o.RPID); err != nil {
		return nil, err
	}
	c := a.find(o.RPID, o.Allow)
	if c == nil {
		return nil, ErrNotAllowed
	}
	a.mu.Lock()
	c.SignCount++
	a.mu.Unlock()
	authData := c.authData(a.flags(), nil)
	cd := clientData("webauthn.get", o.Challenge, origin)
	h := sha256.Sum256(cd)
	sig, err := ecdsa.SignASN1(rand.Reader, c.Key, sha256Sum(append(slices.Clone(authData), h[:]...)))
	if err != nil {
		return nil, err
	}
	return json.Marshal(a.credentialJSON(c, map[string]any{
		"clientDataJSON":    encode(cd),
		"authenticatorData": encode(authData),
		"signature":         encode(sig),
		"userHandle":        encode(c.UserHandle),
	}))
}

func (a *Authenticator) credentialJSON(c *Credential, response map[string]any) map[string]any {
	attachment := "cross-platform"
	if slices.Contains(a.Transports, "internal") {
		attachment = "platform"
	}
	return map[string]any{
		"id":                      encode(c.ID),
		"rawId":                   encode(c.ID),
		"type":                    "public-key",
		"authenticatorAttachment": attachment,
		"clientExtensionResults":  map[string]any{},
		"response":                response,
	}
}

// add stores a new credential, replacing any for the same account: an
// authenticator keeps one resident credential per relying party and user.
func (a *Authenticator) add(c *Credential) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.creds = slices.DeleteFunc(a.creds, func(old *Credential) bool {
		return old.RPID == c.RPID && string(old.UserHandle) == string(c.UserHandle)
	})
	a.creds = append(a.creds, c)
}

func (a *Authenticator) holdsAny(list []descriptor) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, d := range list {
		for _, c := range a.creds {
			if encode(c.ID) == d.ID {
				return true
			}
		}
	}
	return false
}

func (a *Authenticator) find(rpID string, allow []descriptor) *Credential {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range slices.Backward(a.creds) {
		if c.RPID != rpID {
			continue
		}
		if len(allow) == 0 || slices.ContainsFunc(allow, func(d descriptor) bool { return d.ID == encode(c.ID) }) {
			return c
		}
	}
	return nil
}

// checkRPID refuses a relying party ID the origin may not use, as the
// browser does.
func checkRPID(origin, rpID string) error {
	u, err := url.Parse(origin)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("softauthn: origin %q is not a URL", origin)
	}
	host := u.Hostname()
	if host != rpID && !strings.HasSuffix(host, "."+rpID) {
		return fmt.Errorf("softauthn: origin %s may not use relying party ID %q", origin, rpID)
	}
	return nil
}

// Authenticator data flags (WebAuthn §6.1).
const (
	flagUP       = 0x01
	flagUV       = 0x04
	flagAttested = 0x40
)

func (a *Authenticator) flags() byte {
	if a.SkipUserVerification {
		return flagUP
	}
	return flagUP | flagUV
}

// authData is rpIdHash || flags || signCount || attested credential data.
func (c *Credential) authData(flags byte, attested []byte) []byte {
	h := sha256.Sum256([]byte(c.RPID))
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, c.SignCount)
	return append(out, attested...)
}

// attestedData is AAGUID (zero) || credential ID length || ID || COSE key.
func attestedData(c *Credential) []byte {
	// The uncompressed point is 0x04 || x || y.
	point, _ := c.Key.PublicKey.Bytes()
	// COSE_Key: kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
	cose, _ := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: point[1:33], -3: point[33:]})
	out := make([]byte, 16, 16+2+len(c.ID)+len(cose))
	out = binary.BigEndian.AppendUint16(out, uint16(len(c.ID)))
	out = append(out, c.ID...)
	return append(out, cose...)
}

func clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(struct {
		Type        string `json:"type"`
		Challenge   string `json:"challenge"`
		Origin      string `json:"origin"`
		CrossOrigin bool   `json:"crossOrigin"`
	}{typ, challenge, origin, false})
	return b
}

func sha256Sum(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func encode(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func decode(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
