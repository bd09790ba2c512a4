package sqlstore

import (
	"encoding/json"
	"slices"
	"testing"
)

// plainList must agree with encoding/json wherever it answers, and hand
// everything unusual to it.
func TestPlainList(t *testing.T) {
	for _, text := range []string{
		`[]`, `["openid"]`, `["openid","email","offline_access"]`, `["a b","c"]`,
		`["esc\"aped"]`, `["\u00e9"]`, `[ "spaced" ]`, `["x",]`, `["x"`, `[1]`, `["a","b"]x`, `null`, ``,
	} {
		l, ok := plainList([]byte(text))
		var want []string
		err := json.Unmarshal([]byte(text), &want)
		if ok && (err != nil || !slices.Equal(l, want)) {
			t.Errorf("plainList(%s) = %q; encoding/json says %q, %v", text, l, want, err)
		}
	}
	for _, text := range []string{`[]`, `["openid","email"]`} {
		if _, ok := plainList([]byte(text)); !ok {
			t.Errorf("plainList(%s) fell back: the common case must not", text)
		}
	}
	for _, l := range [][]string{nil, {"openid"}, {"a", "b c", `q"uote`, "é"}} {
		var got []string
		listCol{&got}.Scan(encodeList(l))
		if !slices.Equal(got, l) && len(got)+len(l) != 0 {
			t.Errorf("round trip of %q gave %q", l, got)
		}
	}
}
