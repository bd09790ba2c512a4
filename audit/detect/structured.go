package detect

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/wardauth/ward/audit"
)

// Credential files are recognised by name and then by structure: the file
// is parsed, and only the fields that hold secrets are reported. A file
// with the right name but another shape (a package's config.json, a
// different tool's auth.json) yields nothing.

// AuthJSON reads auth.json files: Ward's (a "version", an "auth_mode" of
// its own and "tokens" or "api_key") and Codex CLI's ("auth_mode"
// chatgpt or apikey, "OPENAI_API_KEY", "tokens").
type AuthJSON struct{}

type authTokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
}

type authFile struct {
	Version  *int        `json:"version"`
	AuthMode string      `json:"auth_mode"`
	APIKey   string      `json:"api_key"`
	OpenAI   *string     `json:"OPENAI_API_KEY"`
	Tokens   *authTokens `json:"tokens"`
}

// Detect implements audit.Detector.
func (AuthJSON) Detect(item *audit.Item) []audit.Finding {
	if base(item) != "auth.json" {
		return nil
	}
	var f authFile
	if json.Unmarshal(item.Data, &f) != nil {
		return nil
	}
	c := newCollector(item)
	var rule, who string
	switch {
	case f.Version != nil && (f.AuthMode == "account" || f.AuthMode == "api_key") &&
		(f.Tokens != nil || f.APIKey != ""):
		rule, who = "ward-auth-json", "Ward"
		c.addValue(rule, who+" API key in auth.json", []byte(`"api_key"`), f.APIKey)
	case f.AuthMode == "chatgpt" || f.AuthMode == "apikey" || f.OpenAI != nil && f.Tokens != nil:
		rule, who = "codex-auth-json", "Codex CLI"
		if f.OpenAI != nil {
			c.addValue(rule, who+" OpenAI API key in auth.json", []byte(`"OPENAI_API_KEY"`), *f.OpenAI)
		}
	default:
		return nil
	}
	if t := f.Tokens; t != nil {
		c.addValue(rule, who+" refresh token in auth.json", []byte(`"refresh_token"`), t.RefreshToken)
		c.addValue(rule, who+" access token in auth.json", []byte(`"access_token"`), t.AccessToken)
		c.addValue(rule, who+" ID token in auth.json", []byte(`"id_token"`), t.IDToken)
	}
	return c.found
}

// DockerConfig reads Docker's config.json: "auths" maps a registry to its
// base64 "user:password" ("auth") or an OAuth "identitytoken". It reports
// the password, or the token, not the username.
type DockerConfig struct{}

// Detect implements audit.Detector.
func (DockerConfig) Detect(item *audit.Item) []audit.Finding {
	if base(item) != "config.json" {
		return nil
	}
	var f struct {
		Auths map[string]struct {
			Auth          string `json:"auth"`
			IdentityToken string `json:"identitytoken"`
			RegistryToken string `json:"registrytoken"`
		} `json:"auths"`
	}
	if json.Unmarshal(item.Data, &f) != nil {
		return nil
	}
	c := newCollector(item)
	for host, a := range f.Auths {
		if raw, err := base64.StdEncoding.DecodeString(a.Auth); err == nil {
			if _, pass, ok := strings.Cut(string(raw), ":"); ok && pass != "" {
				// The password is what is secret; locate it by its encoding.
				c.addAt("docker-config-auth", "password for registry "+host+" in Docker config.json", a.Auth, pass)
			}
		}
		c.addValue("docker-config-auth", "identity token for registry "+host+" in Docker config.json", []byte(`"identitytoken"`), a.IdentityToken)
		c.addValue("docker-config-auth", "registry token for "+host+" in Docker config.json", []byte(`"registrytoken"`), a.RegistryToken)
	}
	return c.found
}

// addAt records secret at the place where the text shown appears.
func (c *collector) addAt(rule, desc, shown, secret string) {
	off := bytes.Index(c.item.Data, []byte(shown))
	if off < 0 {
		off = 0
	}
	c.add(rule, desc, off, secret)
}
