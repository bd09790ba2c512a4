package oidc

import (
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/wardauth/ward/server/store"
)

// keyring holds the token-signing keys. Keys live in the store, their
// private halves sealed with a key derived from the server secret, so every
// node signs with the same keys and a database dump alone cannot forge
// tokens. Each node caches the set briefly and reloads it when a token
// names a key it has not seen (another node may have just rotated).
type keyring struct {
	keys        store.Keys
	seal        cipher.AEAD
	now         func() time.Time
	rotateEvery time.Duration
	// keepAfter is how long a retired key stays published: the longest
	// lifetime of anything it signed, plus the cache time of other nodes.
	keepAfter time.Duration

	mu      sync.Mutex
	current *signingKey
	public  map[string]*ecdsa.PublicKey
	jwks    []op.Key
	loaded  time.Time
}

const keyCacheTTL = time.Minute

func newKeyring(keys store.Keys, sealKey []byte, now func() time.Time, rotateEvery, keepAfter time.Duration) (*keyring, error) {
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, err
	}
	seal, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &keyring{keys: keys, seal: seal, now: now, rotateEvery: rotateEvery, keepAfter: keepAfter + keyCacheTTL}, nil
}

// signingKey is the current key, as zitadel/oidc's op.SigningKey.
type signingKey struct {
	id  string
	key *ecdsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is a published key, as op.Key.
type publicKey struct {
	id  string
	key *ecdsa.PublicKey
}

func (k *publicKey) ID() string                         { return k.id }
func (k *publicKey) Algorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (k *publicKey) Use() string                        { return "sig" }
func (k *publicKey) Key() any                           { return k.key }

// Signing returns the key to sign with, rotating first if it is due.
func (r *keyring) Signing(ctx context.Context) (*signingKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.refresh(ctx, false); err != nil {
		return nil, err
	}
	return r.current, nil
}

// Published returns every key that may still verify a live token.
func (r *keyring) Published(ctx context.Context) ([]op.Key, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.refresh(ctx, false); err != nil {
		return nil, err
	}
	return r.jwks, nil
}

// PublicKey implements verify.KeySource for tokens this server issued.
func (r *keyring) PublicKey(ctx context.Context, kid string) (crypto.PublicKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.refresh(ctx, false); err != nil {
		return nil, err
	}
	if k, ok := r.public[kid]; ok {
		return k, nil
	}
	// Perhaps another node just rotated. Reload once, but not for every
	// garbage token: only if the cache is more than a second old.
	if r.now().Sub(r.loaded) > time.Second {
		if err := r.refresh(ctx, true); err != nil {
			return nil, err
		}
		if k, ok := r.public[kid]; ok {
			return k, nil
		}
	}
	return nil, fmt.Errorf("no published key %q", kid)
}

// refresh reloads the key set when the cache is stale (or force is set),
// creating or rotating the signing key when none is current.
func (r *keyring) refresh(ctx context.Context, force bool) error {
	now := r.now()
	if !force && r.current != nil && now.Sub(r.loaded) < keyCacheTTL {
		return nil
	}
	keys, err := r.keys.Published(ctx, now)
	if err != nil {
		return fmt.Errorf("loading signing keys: %w", err)
	}
	newest := newestActive(keys)
	if newest == nil || now.Sub(newest.CreatedAt) >= r.rotateEvery {
		if err := r.rotate(ctx, newest, now); err != nil {
			return err
		}
		if keys, err = r.keys.Published(ctx, now); err != nil {
			return fmt.Errorf("loading signing keys: %w", err)
		}
		newest = newestActive(keys)
	}
	return r.load(keys, newest, now)
}

func newestActive(keys []*store.Key) *store.Key {
	var newest *store.Key
	for _, k := range keys {
		if k.RetiredAt.IsZero() && (newest == nil || k.CreatedAt.After(newest.CreatedAt)) {
			newest = k
		}
	}
	return newest
}

// rotate creates a new signing key and retires old (which may be nil).
// Two nodes rotating at once each add a key; both are published and the
// newest signs, so the race is harmless.
func (r *keyring) rotate(ctx context.Context, old *store.Key, now time.Time) error {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	id := randomID(12)
	k := &store.Key{ID: id, Algorithm: string(jose.ES256), Private: r.sealKey(id, der), CreatedAt: now}
	if err := r.keys.Add(ctx, k); err != nil {
		return fmt.Errorf("storing a new signing key: %w", err)
	}
	if old != nil {
		if err := r.keys.Retire(ctx, old.ID, now, now.Add(r.keepAfter)); err != nil {
			return fmt.Errorf("retiring signing key %s: %w", old.ID, err)
		}
	}
	return nil
}

func (r *keyring) load(keys []*store.Key, newest *store.Key, now time.Time) error {
	public := make(map[string]*ecdsa.PublicKey, len(keys))
	jwks := make([]op.Key, 0, len(keys))
	var current *signingKey
	for _, k := range keys {
		der, err := r.openKey(k.ID, k.Private)
		if err != nil {
			return fmt.Errorf("signing key %s cannot be decrypted: is this node using the same server secret as the others? %w", k.ID, err)
		}
		parsed, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return fmt.Errorf("signing key %s is corrupt: %w", k.ID, err)
		}
		priv, ok := parsed.(*ecdsa.PrivateKey)
		if !ok {
			return fmt.Errorf("signing key %s is not an ECDSA key", k.ID)
		}
		public[k.ID] = &priv.PublicKey
		jwks = append(jwks, &publicKey{id: k.ID, key: &priv.PublicKey})
		if k == newest {
			current = &signingKey{id: k.ID, key: priv}
		}
	}
	if current == nil {
		return errors.New("no current signing key after rotation")
	}
	r.current, r.public, r.jwks, r.loaded = current, public, jwks, now
	return nil
}

// sealKey encrypts a private key, binding the ciphertext to its key ID.
func (r *keyring) sealKey(id string, der []byte) []byte {
	nonce := make([]byte, r.seal.NonceSize())
	rand.Read(nonce)
	return r.seal.Seal(nonce, nonce, der, []byte(id))
}

func (r *keyring) openKey(id string, sealed []byte) ([]byte, error) {
	n := r.seal.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed key too short")
	}
	return r.seal.Open(nil, sealed[:n], sealed[n:], []byte(id))
}

// randomID returns n random bytes, base64url-encoded.
func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
