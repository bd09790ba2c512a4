package policy

import (
	"reflect"
	"strings"
	"testing"
)

const (
	fileSrc   = "/etc/ward/requirements.toml"
	serverSrc = "https://id.example/.well-known/ward-requirements"
	userSrc   = "/home/u/.ward/config.toml"
)

func forced(value, source string) Forced { return Forced{Value: value, Source: source} }

func workspaces(source string, ids ...string) ForcedList {
	return ForcedList{Values: ids, Source: source}
}

func TestAllowLoginMethod(t *testing.T) {
	conflict := Stricter(
		&Requirements{LoginMethod: forced(MethodAccount, fileSrc)},
		&Requirements{LoginMethod: forced(MethodAPI, serverSrc)},
	)
	tests := []struct {
		name    string
		r       *Requirements
		method  string
		wantErr []string // empty: allowed
	}{
		{name: "nil allows account", r: nil, method: MethodAccount},
		{name: "nil allows api", r: nil, method: MethodAPI},
		{name: "forced account allows account", r: &Requirements{LoginMethod: forced(MethodAccount, fileSrc)}, method: MethodAccount},
		{
			name: "forced account refuses api", r: &Requirements{LoginMethod: forced(MethodAccount, fileSrc)}, method: MethodAPI,
			wantErr: []string{"API key login is not allowed", fileSrc, `forces login method "account"`, "browser or device code"},
		},
		{
			name: "forced api refuses account", r: &Requirements{LoginMethod: forced(MethodAPI, serverSrc)}, method: MethodAccount,
			wantErr: []string{"account login is not allowed", serverSrc, `forces login method "api"`, "API key instead"},
		},
		{name: "conflict refuses account", r: conflict, method: MethodAccount, wantErr: []string{"every login is refused", fileSrc, serverSrc}},
		{name: "conflict refuses api", r: conflict, method: MethodAPI, wantErr: []string{"every login is refused"}},
		{name: "unknown method", r: nil, method: "password", wantErr: []string{`unknown login method "password"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, tt.r.AllowLoginMethod(tt.method), tt.wantErr)
		})
	}
}

func TestAllowWorkspaceAndWorkspace(t *testing.T) {
	disjoint := Stricter(
		&Requirements{Workspaces: workspaces(fileSrc, "ws_1")},
		&Requirements{Workspaces: workspaces(serverSrc, "ws_2")},
	)
	tests := []struct {
		name    string
		r       *Requirements
		id      string
		wantErr []string
		wantWS  string // "" : Workspace() reports none
	}{
		{name: "nil allows any", r: nil, id: "ws_9"},
		{name: "no list allows any", r: &Requirements{}, id: "ws_9"},
		{name: "one forced, allowed", r: &Requirements{Workspaces: workspaces(fileSrc, "ws_1")}, id: "ws_1", wantWS: "ws_1"},
		{
			name: "one forced, other refused", r: &Requirements{Workspaces: workspaces(fileSrc, "ws_1")}, id: "ws_2", wantWS: "ws_1",
			wantErr: []string{`workspace "ws_2" is not allowed`, fileSrc, `allows only "ws_1"`},
		},
		{name: "two forced: no single choice", r: &Requirements{Workspaces: workspaces(fileSrc, "ws_1", "ws_2")}, id: "ws_2"},
		{name: "disjoint refuses all", r: disjoint, id: "ws_1", wantErr: []string{"no workspace is allowed", "none is in both"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, tt.r.AllowWorkspace(tt.id), tt.wantErr)
			id, ok := tt.r.Workspace()
			if id != tt.wantWS || ok != (tt.wantWS != "") {
				t.Errorf("Workspace() = %q, %v; want %q", id, ok, tt.wantWS)
			}
		})
	}
}

func TestAllowIssuer(t *testing.T) {
	pinned := &Requirements{Issuer: forced("https://id.example/", fileSrc)}
	checkErr(t, pinned.AllowIssuer("https://id.example"), nil)
	checkErr(t, pinned.AllowIssuer("https://evil.example"),
		[]string{`issuer "https://evil.example" is not allowed`, fileSrc, `pins the issuer to "https://id.example/"`})
	checkErr(t, (*Requirements)(nil).AllowIssuer("https://any.example"), nil)
	both := Stricter(pinned, &Requirements{Issuer: forced("https://other.example", serverSrc)})
	checkErr(t, both.AllowIssuer("https://id.example"), []string{"every issuer is refused", fileSrc, serverSrc})
}

func TestStricter(t *testing.T) {
	tests := []struct {
		name string
		a, b *Requirements
		want *Requirements
	}{
		{name: "both nil", want: &Requirements{}},
		{
			name: "method from either",
			a:    &Requirements{LoginMethod: forced(MethodAPI, fileSrc)},
			b:    &Requirements{},
			want: &Requirements{LoginMethod: forced(MethodAPI, fileSrc)},
		},
		{
			name: "method from b, a nil",
			b:    &Requirements{LoginMethod: forced(MethodAccount, serverSrc)},
			want: &Requirements{LoginMethod: forced(MethodAccount, serverSrc)},
		},
		{
			name: "same method agrees",
			a:    &Requirements{LoginMethod: forced(MethodAPI, fileSrc)},
			b:    &Requirements{LoginMethod: forced(MethodAPI, serverSrc)},
			want: &Requirements{LoginMethod: forced(MethodAPI, fileSrc)},
		},
		{
			name: "different methods refuse",
			a:    &Requirements{LoginMethod: forced(MethodAPI, fileSrc)},
			b:    &Requirements{LoginMethod: forced(MethodAccount, serverSrc)},
			want: &Requirements{LoginMethod: Forced{
				refused: fileSrc + ` forces login method "api" but ` + serverSrc + ` forces "account"`,
			}},
		},
		{
			name: "workspaces intersect in a's order",
			a:    &Requirements{Workspaces: workspaces(fileSrc, "ws_3", "ws_1", "ws_2")},
			b:    &Requirements{Workspaces: workspaces(serverSrc, "ws_2", "ws_3", "ws_9")},
			want: &Requirements{Workspaces: workspaces(fileSrc+" and "+serverSrc, "ws_3", "ws_2")},
		},
		{
			name: "one workspace list applies alone",
			a:    &Requirements{},
			b:    &Requirements{Workspaces: workspaces(serverSrc, "ws_2")},
			want: &Requirements{Workspaces: workspaces(serverSrc, "ws_2")},
		},
		{
			name: "disjoint workspaces refuse",
			a:    &Requirements{Workspaces: workspaces(fileSrc, "ws_1")},
			b:    &Requirements{Workspaces: workspaces(serverSrc, "ws_2")},
			want: &Requirements{Workspaces: ForcedList{Values: []string{}, refused: fileSrc +
				` allows workspaces "ws_1" but ` + serverSrc + ` allows "ws_2", and none is in both`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Stricter(tt.a, tt.b)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Stricter =\n %+v\nwant\n %+v", got, tt.want)
			}
			// Stricter is symmetric in what it allows.
			rev := Stricter(tt.b, tt.a)
			for _, m := range []string{MethodAccount, MethodAPI} {
				if (got.AllowLoginMethod(m) == nil) != (rev.AllowLoginMethod(m) == nil) {
					t.Errorf("method %s: Stricter(a,b) and Stricter(b,a) disagree", m)
				}
			}
			for _, ws := range []string{"ws_1", "ws_2", "ws_3", "ws_9"} {
				if (got.AllowWorkspace(ws) == nil) != (rev.AllowWorkspace(ws) == nil) {
					t.Errorf("workspace %s: Stricter(a,b) and Stricter(b,a) disagree", ws)
				}
			}
		})
	}
}

func TestStricterKeepsRefusal(t *testing.T) {
	refused := Stricter(
		&Requirements{LoginMethod: forced(MethodAPI, fileSrc), Workspaces: workspaces(fileSrc, "ws_1")},
		&Requirements{LoginMethod: forced(MethodAccount, serverSrc), Workspaces: workspaces(serverSrc, "ws_2")},
	)
	// Merging a refusal with anything, even something that agrees with one
	// side, must not revive a choice.
	again := Stricter(refused, &Requirements{LoginMethod: forced(MethodAPI, userSrc), Workspaces: workspaces(userSrc, "ws_1")})
	checkErr(t, again.AllowLoginMethod(MethodAPI), []string{"every login is refused"})
	checkErr(t, again.AllowWorkspace("ws_1"), []string{"no workspace is allowed"})
}

func TestEnforce(t *testing.T) {
	user := func(r *Requirements) Config {
		return Config{Path: userSrc, Issuer: "https://mine.example", Forced: r}
	}
	managed := &Requirements{
		LoginMethod: forced(MethodAccount, fileSrc),
		Workspaces:  workspaces(fileSrc, "ws_1", "ws_2"),
	}
	tests := []struct {
		name         string
		cfg          Config
		managed      *Requirements
		wantIssuer   string
		wantMethod   Forced
		wantWS       ForcedList
		wantWarnings []string // a fragment of each warning, in order
	}{
		{
			name:       "no managed requirements keep the user's",
			cfg:        user(&Requirements{LoginMethod: forced(MethodAPI, userSrc), Workspaces: workspaces(userSrc, "ws_7")}),
			wantIssuer: "https://mine.example",
			wantMethod: forced(MethodAPI, userSrc),
			wantWS:     workspaces(userSrc, "ws_7"),
		},
		{
			name:       "user config silent: managed apply without warnings",
			cfg:        Config{Path: userSrc},
			managed:    managed,
			wantMethod: forced(MethodAccount, fileSrc),
			wantWS:     workspaces(fileSrc, "ws_1", "ws_2"),
		},
		{
			name:       "user stricter: kept",
			cfg:        user(&Requirements{LoginMethod: forced(MethodAccount, userSrc), Workspaces: workspaces(userSrc, "ws_2")}),
			managed:    managed,
			wantIssuer: "https://mine.example",
			wantMethod: forced(MethodAccount, fileSrc),
			wantWS:     workspaces(fileSrc+" and "+userSrc, "ws_2"),
		},
		{
			name:         "user relaxes: overridden and reported",
			cfg:          user(&Requirements{LoginMethod: forced(MethodAPI, userSrc), Workspaces: workspaces(userSrc, "ws_2", "ws_3")}),
			managed:      managed,
			wantIssuer:   "https://mine.example",
			wantMethod:   forced(MethodAccount, fileSrc),
			wantWS:       workspaces(fileSrc+" and "+userSrc, "ws_2"),
			wantWarnings: []string{`forced_login_method = "api", but ` + fileSrc + ` forces "account"`, `ignoring "ws_3"`},
		},
		{
			name:         "user workspaces all outside: managed list applies",
			cfg:          user(&Requirements{Workspaces: workspaces(userSrc, "ws_9")}),
			managed:      managed,
			wantIssuer:   "https://mine.example",
			wantMethod:   forced(MethodAccount, fileSrc),
			wantWS:       workspaces(fileSrc, "ws_1", "ws_2"),
			wantWarnings: []string{userSrc + ` allows workspaces "ws_9"`},
		},
		{
			name:         "pinned issuer replaces the user's",
			cfg:          user(nil),
			managed:      &Requirements{Issuer: forced("https://corp.example", fileSrc)},
			wantIssuer:   "https://corp.example",
			wantWarnings: []string{userSrc + ` sets issuer = "https://mine.example", but ` + fileSrc + ` pins the issuer to "https://corp.example"`},
		},
		{
			name:       "pinned issuer fills an empty one silently",
			cfg:        Config{Path: userSrc},
			managed:    &Requirements{Issuer: forced("https://corp.example", fileSrc)},
			wantIssuer: "https://corp.example",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Enforce(tt.cfg, tt.managed)
			if got.Config.Issuer != tt.wantIssuer {
				t.Errorf("issuer = %q, want %q", got.Config.Issuer, tt.wantIssuer)
			}
			if !reflect.DeepEqual(got.Requirements.LoginMethod, tt.wantMethod) {
				t.Errorf("method = %+v, want %+v", got.Requirements.LoginMethod, tt.wantMethod)
			}
			if !reflect.DeepEqual(got.Requirements.Workspaces, tt.wantWS) {
				t.Errorf("workspaces = %+v, want %+v", got.Requirements.Workspaces, tt.wantWS)
			}
			if len(got.Warnings) != len(tt.wantWarnings) {
				t.Fatalf("warnings = %q, want %d", got.Warnings, len(tt.wantWarnings))
			}
			for i, w := range tt.wantWarnings {
				if !strings.Contains(got.Warnings[i], w) {
					t.Errorf("warning %q does not contain %q", got.Warnings[i], w)
				}
			}
		})
	}
}

// checkErr fails unless err contains every fragment, or is nil when there
// are none.
func checkErr(t *testing.T, err error, fragments []string) {
	t.Helper()
	if len(fragments) == 0 {
		if err != nil {
			t.Errorf("got error %q, want none", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("got no error, want one containing %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
}
