package policy

import (
	"fmt"
	"slices"
)

// Stricter merges the requirements of two sources that both bind the user,
// such as the managed requirements.toml and the issuer's published
// requirements. Neither source may weaken the other, so the result allows
// only what both allow: a method or issuer forced by either holds, and
// workspace lists intersect. When the two force different methods or
// issuers, or their workspace lists have nothing in common, no winner is
// picked: the result refuses everything in that respect and its checks say
// which sources disagree.
func Stricter(a, b *Requirements) *Requirements {
	a, b = orNone(a), orNone(b)
	return &Requirements{
		LoginMethod: a.LoginMethod.stricter(b.LoginMethod, "login method"),
		Issuer:      a.Issuer.stricter(b.Issuer, "issuer"),
		Workspaces:  a.Workspaces.stricter(b.Workspaces),
	}
}

func orNone(r *Requirements) *Requirements {
	if r == nil {
		return &Requirements{}
	}
	return r
}

func (f Forced) stricter(g Forced, what string) Forced {
	switch {
	case f.refused != "" || g.refused != "":
		return Forced{refused: joinNonEmpty(f.refused, g.refused)}
	case f.Value == "":
		return g
	case g.Value == "" || g.Value == f.Value:
		return f
	}
	return Forced{refused: fmt.Sprintf("%s forces %s %q but %s forces %q", f.Source, what, f.Value, g.Source, g.Value)}
}

func (l ForcedList) stricter(m ForcedList) ForcedList {
	switch {
	case l.refused != "" || m.refused != "":
		return ForcedList{Values: []string{}, refused: joinNonEmpty(l.refused, m.refused)}
	case l.Values == nil:
		return m
	case m.Values == nil:
		return l
	}
	both := intersect(l.Values, m.Values)
	if len(both) == 0 {
		return ForcedList{Values: []string{}, refused: fmt.Sprintf(
			"%s allows workspaces %s but %s allows %s, and none is in both",
			l.Source, quoteList(l.Values), m.Source, quoteList(m.Values))}
	}
	source := l.Source
	if m.Source != l.Source {
		source = l.Source + " and " + m.Source
	}
	return ForcedList{Values: both, Source: source}
}

// Effective is what the CLI works with once the managed requirements have
// been applied to the user's config.
type Effective struct {
	// Config is the user's config, with the issuer replaced when the managed
	// requirements pin another.
	Config Config
	// Requirements are the managed requirements, narrowed further by the
	// user's own forced_login_method and forced_workspace_id where those
	// agree with them.
	Requirements *Requirements
	// Warnings say which of the user's settings were overridden, one
	// sentence each; the caller prints them to stderr.
	Warnings []string
}

// Enforce applies managed requirements (the requirements file and the
// issuer's, already merged with Stricter) to the user's config. Unlike
// Stricter, the two sides are not equals: where the user's config conflicts
// with a managed requirement, the requirement wins and a warning says so,
// because the user's file is a preference and the administrator's a rule.
// Where the user's settings are stricter, they are kept.
func Enforce(cfg Config, managed *Requirements) Effective {
	managed = orNone(managed)
	user := orNone(cfg.Forced)
	var warnings []string
	warn := func(w string) {
		if w != "" {
			warnings = append(warnings, w)
		}
	}

	method, w := user.LoginMethod.under(managed.LoginMethod, "forced_login_method")
	warn(w)
	workspaces, w := user.Workspaces.under(managed.Workspaces)
	warn(w)
	if pin := managed.Issuer.Value; pin != "" {
		if cfg.Issuer != "" && !sameIssuer(cfg.Issuer, pin) {
			warn(fmt.Sprintf("%s sets issuer = %q, but %s pins the issuer to %q; using %q",
				cfg.Path, cfg.Issuer, managed.Issuer.Source, pin, pin))
		}
		cfg.Issuer = pin
	}
	return Effective{
		Config:       cfg,
		Requirements: Stricter(managed, &Requirements{LoginMethod: method, Workspaces: workspaces}),
		Warnings:     warnings,
	}
}

// under returns the user's forced value if the managed one allows it, and
// otherwise nothing, with a warning.
func (f Forced) under(managed Forced, key string) (Forced, string) {
	if f.Value == "" || managed.refused != "" || managed.Value == "" || managed.Value == f.Value {
		return f, ""
	}
	return Forced{}, fmt.Sprintf("%s sets %s = %q, but %s forces %q; using %q",
		f.Source, key, f.Value, managed.Source, managed.Value, managed.Value)
}

// under returns the user's workspaces that the managed list allows, with a
// warning naming those it does not.
func (l ForcedList) under(managed ForcedList) (ForcedList, string) {
	if l.Values == nil || managed.Values == nil || managed.refused != "" {
		return l, ""
	}
	kept := intersect(l.Values, managed.Values)
	var dropped []string
	for _, v := range l.Values {
		if !slices.Contains(kept, v) {
			dropped = append(dropped, v)
		}
	}
	if len(dropped) == 0 {
		return l, ""
	}
	w := fmt.Sprintf("%s allows workspaces %s in forced_workspace_id, but %s allows only %s; ignoring %s",
		l.Source, quoteList(l.Values), managed.Source, quoteList(managed.Values), quoteList(dropped))
	if len(kept) == 0 {
		return ForcedList{}, w
	}
	return ForcedList{Values: kept, Source: l.Source}, w
}

// intersect returns the values of a that are also in b, in a's order.
func intersect(a, b []string) []string {
	both := []string{}
	for _, v := range a {
		if slices.Contains(b, v) {
			both = append(both, v)
		}
	}
	return both
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "" || a == b:
		return a
	}
	return a + "; " + b
}
