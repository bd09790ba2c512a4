package audit_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardauth/ward/secret"
)

// rng makes the corpus's random-looking keys; seeded so a failure repeats.
var rng = rand.New(rand.NewPCG(1, 2))

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randKey returns n characters from chars, starting "aA1" so the key
// mixes cases and digits as real keys do.
func randKey(n int, chars string) string {
	b := []byte("aA1")
	for len(b) < n {
		b = append(b, chars[rng.IntN(len(chars))])
	}
	return string(b[:n])
}

// jwt makes an unsigned-but-signed-looking compact JWT: detection decodes
// the header and payload and never checks the signature.
func jwt(t *testing.T, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	sig := make([]byte, 64)
	for i := range sig {
		sig[i] = byte(rng.IntN(256))
	}
	return enc(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"}) + "." + enc(claims) + "." +
		base64.RawURLEncoding.EncodeToString(sig)
}

// mistype changes one character of a Ward secret's body, as a person
// copying it by hand might.
func mistype(s string) string {
	b := []byte(s)
	if b[10] == 'x' {
		b[10] = 'y'
	} else {
		b[10] = 'x'
	}
	return string(b)
}

// corpus holds the credentials planted in a test tree.
type corpus struct {
	apiKey, apiKey2, apiKey3, apiKey4, refresh, refresh2 string
	wardAccess, wardID, genericJWT                       string
	openaiClassic, openaiProj                            string
}

func newCorpus(t *testing.T) *corpus {
	c := &corpus{
		apiKey: secret.New(secret.APIKey), apiKey2: secret.New(secret.APIKey),
		apiKey3: secret.New(secret.APIKey), apiKey4: secret.New(secret.APIKey),
		refresh: secret.New(secret.RefreshToken), refresh2: secret.New(secret.RefreshToken),
		openaiClassic: "sk-" + randKey(20, alnum) + "T3BlbkFJ" + randKey(20, alnum),
		openaiProj:    "sk-proj-" + randKey(74, alnum+"-_") + "T3BlbkFJ" + randKey(74, alnum+"-_"),
	}
	c.wardAccess = jwt(t, map[string]any{"iss": "https://ward.example", "sub": "acct_1", "sid": "s1",
		"client_id": "ward-cli", "fam": "fam_1", "exp": 1900000000})
	c.wardID = jwt(t, map[string]any{"iss": "https://ward.example", "sub": "acct_1", "sid": "s1",
		"client_id": "ward-cli", "aud": "ward-cli"})
	c.genericJWT = jwt(t, map[string]any{"iss": "https://auth.openai.com", "sub": "user-1",
		"https://api.openai.com/auth": map[string]string{"chatgpt_account_id": "a1"}})
	return c
}

// write creates root/rel with the given lines.
func write(t *testing.T, root, rel string, lines ...string) {
	t.Helper()
	writeBytes(t, root, rel, []byte(strings.Join(lines, "\n")+"\n"))
}

func writeBytes(t *testing.T, root, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// member is a file inside a test archive.
type member struct {
	name string
	data []byte
}

func tarBytes(t *testing.T, gz bool, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w = &buf
	var zw *gzip.Writer
	tw := tar.NewWriter(w)
	if gz {
		zw = gzip.NewWriter(w)
		tw = tar.NewWriter(zw)
	}
	for _, m := range members {
		if err := tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o600, Size: int64(len(m.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(m.data)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func zipBytes(t *testing.T, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.Create(m.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}
