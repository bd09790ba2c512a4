// Package secret mints and checks Ward's opaque secrets: API keys and
// refresh tokens.
//
// A secret is a prefix naming its kind, 43 base62 characters carrying 256
// random bits, and a 6-character checksum: the CRC32 (IEEE) of everything
// before it, in base62, left-padded with '0'. The prefix lets scanners find
// leaked Ward secrets with no false positives on random text, and the
// checksum lets a client refuse a mistyped key before it leaves the machine.
// The checksum is not a MAC: authenticity comes from the server's lookup.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"hash/crc32"
	"math/big"
	"strings"
)

// Kinds of secret, as their prefixes.
const (
	APIKey       = "wardk_"
	RefreshToken = "wardr_"
)

const (
	alphabet    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	bodyLen     = 43 // ceil(256 / log2(62))
	checksumLen = 6  // 62^6 > 2^32
	prefixLen   = 6
	// Len is the length of every Ward secret.
	Len = prefixLen + bodyLen + checksumLen
)

// ErrMalformed is returned for a string that is not a Ward secret of the
// expected kind: wrong prefix, length, characters or checksum.
var ErrMalformed = errors.New("not a valid Ward secret: check for a typo or a truncated copy")

// New returns a fresh secret of the given kind (APIKey or RefreshToken).
func New(kind string) string {
	var raw [32]byte
	rand.Read(raw[:]) // never fails (crypto/rand, Go 1.24+)
	var b strings.Builder
	b.Grow(Len)
	b.WriteString(kind)
	b.WriteString(base62(new(big.Int).SetBytes(raw[:]), bodyLen))
	b.WriteString(checksum(b.String()))
	return b.String()
}

// Check reports whether s is a well-formed secret of the given kind. It
// needs no network and no key: it only catches typos and foreign strings.
func Check(s, kind string) error {
	if len(s) != Len || !strings.HasPrefix(s, kind) {
		return ErrMalformed
	}
	for i := prefixLen; i < Len; i++ {
		if strings.IndexByte(alphabet, s[i]) < 0 {
			return ErrMalformed
		}
	}
	if checksum(s[:Len-checksumLen]) != s[Len-checksumLen:] {
		return ErrMalformed
	}
	return nil
}

// Hash returns the SHA-256 of a secret: what the server stores and looks up
// by, so a database leak yields nothing that can be presented.
func Hash(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

func checksum(s string) string {
	return base62(new(big.Int).SetUint64(uint64(crc32.ChecksumIEEE([]byte(s)))), checksumLen)
}

// base62 writes n in base62, left-padded with '0' to width characters.
func base62(n *big.Int, width int) string {
	out := make([]byte, width)
	for i := range out {
		out[i] = '0'
	}
	base := big.NewInt(62)
	mod := new(big.Int)
	for i := width - 1; i >= 0 && n.Sign() > 0; i-- {
		n.DivMod(n, base, mod)
		out[i] = alphabet[mod.Int64()]
	}
	return string(out)
}
