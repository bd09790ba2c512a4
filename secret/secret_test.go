package secret

import (
	"strings"
	"testing"
)

func TestNewIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, kind := range []string{APIKey, RefreshToken} {
		for range 100 {
			s := New(kind)
			if len(s) != Len || !strings.HasPrefix(s, kind) {
				t.Fatalf("New(%q) = %q: want %d characters with the prefix", kind, s, Len)
			}
			if err := Check(s, kind); err != nil {
				t.Fatalf("Check(New(%q)) = %v", kind, err)
			}
			if seen[s] {
				t.Fatalf("New(%q) repeated %q", kind, s)
			}
			seen[s] = true
		}
	}
}

// A typo anywhere in the key must be caught offline.
func TestCheckCatchesEverySingleCharacterTypo(t *testing.T) {
	s := New(APIKey)
	for i := prefixLen; i < Len; i++ {
		typo := []byte(s)
		if typo[i] == 'a' {
			typo[i] = 'b'
		} else {
			typo[i] = 'a'
		}
		if Check(string(typo), APIKey) == nil {
			t.Errorf("a typo at position %d of %q passed the check", i, typo)
		}
	}
}

func TestCheckRefusesForeignStrings(t *testing.T) {
	key := New(APIKey)
	for name, s := range map[string]string{
		"empty":          "",
		"other kind":     key,
		"truncated":      key[:Len-1],
		"extra":          key + "0",
		"bad character":  APIKey + strings.Repeat("-", bodyLen+checksumLen),
		"openai-looking": "sk-proj-" + strings.Repeat("a", 48),
	} {
		if Check(s, RefreshToken) == nil {
			t.Errorf("%s: Check(%q, RefreshToken) passed", name, s)
		}
	}
}

// The checksum is defined independently of this code: CRC32 (IEEE) of the
// text before it, base62, zero-padded. This value was computed with Python's
// zlib.crc32, so the format cannot drift unnoticed.
func TestChecksumKnownValue(t *testing.T) {
	body := APIKey + strings.Repeat("0", bodyLen)
	if got, want := checksum(body), "1UYVAg"; got != want {
		t.Errorf("checksum(%q) = %q, want %q", body, got, want)
	}
	if err := Check(body+"1UYVAg", APIKey); err != nil {
		t.Errorf("Check of a hand-built key: %v", err)
	}
}
