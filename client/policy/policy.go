// Package policy reads the CLI's settings and the requirements an
// organisation places on logins, and answers whether a login is allowed.
//
// Three places speak: the user's own config.toml, the managed
// requirements.toml an administrator installs, and the requirements the
// issuer publishes at /.well-known/ward-requirements. The user's file holds
// preferences; the other two are rules the user cannot relax (see Stricter and
// Enforce). Every rule remembers where it came from, so a refusal can tell
// the person which file or server to take it up with.
//
// The format and the merge rule are documented in docs/policy.md.
package policy

import (
	"fmt"
	"slices"
	"strings"
)

// Login methods a requirement can force.
const (
	// MethodAccount is a login as a person: browser or device code.
	MethodAccount = "account"
	// MethodAPI is a login with an API key.
	MethodAPI = "api"
)

// Requirements constrain logins. A nil *Requirements forces nothing; all
// methods accept nil.
type Requirements struct {
	// LoginMethod is the only login method allowed, MethodAccount or MethodAPI.
	LoginMethod Forced
	// Issuer is the only issuer the CLI may log in to.
	Issuer Forced
	// Workspaces lists the only workspace IDs a login may use.
	Workspaces ForcedList
}

// Forced is one value a policy source imposes.
type Forced struct {
	// Value is the forced value; empty when nothing is forced.
	Value string
	// Source is the file path or URL that forced it, for messages.
	Source string
	// refused explains why nothing is allowed: two sources force different
	// values (see Stricter). Checks report it rather than pick a winner.
	refused string
}

// ForcedList is a set of allowed values a policy source imposes.
type ForcedList struct {
	// Values are the allowed values; nil when any value is allowed.
	Values []string
	// Source is the file path or URL (or several, joined) that imposed them.
	Source string
	// refused explains why no value is allowed: the sources' lists have
	// nothing in common (see Stricter).
	refused string
}

// AllowLoginMethod reports whether a login with method (MethodAccount or
// MethodAPI) is allowed. The error names the source that forbids it and the
// method it forces.
func (r *Requirements) AllowLoginMethod(method string) error {
	if method != MethodAccount && method != MethodAPI {
		return fmt.Errorf("unknown login method %q: it must be %q or %q", method, MethodAccount, MethodAPI)
	}
	if r == nil {
		return nil
	}
	f := r.LoginMethod
	switch {
	case f.refused != "":
		return fmt.Errorf("every login is refused: %s; ask your administrator to make them agree", f.refused)
	case f.Value != "" && f.Value != method:
		return fmt.Errorf("%s login is not allowed: %s forces login method %q; %s",
			methodName(method), f.Source, f.Value, methodHint(f.Value))
	}
	return nil
}

// AllowWorkspace reports whether a login may use workspace id.
func (r *Requirements) AllowWorkspace(id string) error {
	if r == nil {
		return nil
	}
	l := r.Workspaces
	switch {
	case l.refused != "":
		return fmt.Errorf("no workspace is allowed: %s; ask your administrator to make them agree", l.refused)
	case l.Values != nil && !slices.Contains(l.Values, id):
		return fmt.Errorf("workspace %q is not allowed: %s allows only %s; log in to one of those",
			id, l.Source, quoteList(l.Values))
	}
	return nil
}

// Workspace returns the workspace to request at login: the one workspace
// the requirements allow, when there is exactly one.
func (r *Requirements) Workspace() (id string, ok bool) {
	if r == nil || r.Workspaces.refused != "" || len(r.Workspaces.Values) != 1 {
		return "", false
	}
	return r.Workspaces.Values[0], true
}

// AllowIssuer reports whether the CLI may log in to issuer. Trailing slashes
// do not count, since "https://id.example/" and "https://id.example" name the
// same issuer to a person.
func (r *Requirements) AllowIssuer(issuer string) error {
	if r == nil {
		return nil
	}
	f := r.Issuer
	switch {
	case f.refused != "":
		return fmt.Errorf("every issuer is refused: %s; ask your administrator to make them agree", f.refused)
	case f.Value != "" && !sameIssuer(f.Value, issuer):
		return fmt.Errorf("issuer %q is not allowed: %s pins the issuer to %q; use that issuer (unset WARD_ISSUER or --issuer)",
			issuer, f.Source, f.Value)
	}
	return nil
}

func sameIssuer(a, b string) bool {
	return strings.TrimRight(a, "/") == strings.TrimRight(b, "/")
}

func methodName(method string) string {
	if method == MethodAPI {
		return "API key"
	}
	return "account"
}

func methodHint(forced string) string {
	if forced == MethodAPI {
		return "log in with an API key instead"
	}
	return "log in with your account instead (browser or device code)"
}

func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
