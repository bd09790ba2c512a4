package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// Keys of the requirements format, shared by requirements.toml and the
// issuer's JSON.
const (
	keyIssuer     = "issuer"
	keyMethod     = "forced_login_method"
	keyWorkspaces = "forced_workspace_id"
	keyStore      = "cli_auth_credentials_store"
)

// fields is one decoded document: a TOML file or the issuer's JSON. Its keys
// are read one by one, rather than into a tagged struct, so that every
// message names the file and the key, and so that forced_workspace_id may be
// a string or a list.
type fields struct {
	where string // the file path or URL, for messages
	m     map[string]any
}

// checkKeys refuses keys outside allowed: a misspelt key in a policy file
// would otherwise be silently ignored and the rule it meant not applied.
func (f fields) checkKeys(allowed ...string) error {
	var unknown []string
	for k := range f.m {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	noun := "key"
	if len(unknown) > 1 {
		noun = "keys"
	}
	return fmt.Errorf("%s: unknown %s %s; the keys Ward reads there are %s: check the spelling",
		f.where, noun, quoteList(unknown), strings.Join(allowed, ", "))
}

// str reads a string key; absent is "". When choices are given the value
// must be one of them.
func (f fields) str(key string, choices ...string) (string, error) {
	v, ok := f.m[key]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s: %s must be a string, not %s", f.where, key, typeName(v))
	}
	if len(choices) > 0 && !slices.Contains(choices, s) {
		return "", fmt.Errorf("%s: %s = %q is not one of %s", f.where, key, s, quoteList(choices))
	}
	return s, nil
}

// list reads a key that holds one string or a list of strings; absent is
// nil. An empty list is refused because it reads as "nothing is forced" to
// some and "nothing is allowed" to others.
func (f fields) list(key string) ([]string, error) {
	var items []any
	switch v := f.m[key].(type) {
	case nil:
		return nil, nil
	case string:
		items = []any{v}
	case []any:
		items = v
	default:
		return nil, fmt.Errorf("%s: %s must be a string or a list of strings, not %s", f.where, key, typeName(v))
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("%s: %s is an empty list; name at least one, or remove the key to allow any", f.where, key)
	}
	var out []string
	for i, item := range items {
		s, ok := item.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("%s: %s[%d] must be a non-empty string, not %s", f.where, key, i, typeName(item))
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// requirements reads the requirement keys of f; the caller checks for
// unknown keys, since what else may appear differs between documents.
func (f fields) requirements() (*Requirements, error) {
	method, err := f.str(keyMethod, MethodAccount, MethodAPI)
	if err != nil {
		return nil, err
	}
	issuer, err := f.str(keyIssuer)
	if err != nil {
		return nil, err
	}
	workspaces, err := f.list(keyWorkspaces)
	if err != nil {
		return nil, err
	}
	r := &Requirements{
		LoginMethod: Forced{Value: method},
		Issuer:      Forced{Value: issuer},
		Workspaces:  ForcedList{Values: workspaces},
	}
	if method != "" {
		r.LoginMethod.Source = f.where
	}
	if issuer != "" {
		r.Issuer.Source = f.where
	}
	if workspaces != nil {
		r.Workspaces.Source = f.where
	}
	return r, nil
}

func typeName(v any) string {
	switch v := v.(type) {
	case string:
		if v == "" {
			return "an empty string"
		}
		return "a string"
	case bool:
		return "a boolean"
	case int64, float64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	case time.Time, toml.LocalDate, toml.LocalDateTime, toml.LocalTime:
		return "a date or time"
	}
	return fmt.Sprintf("%T", v)
}
