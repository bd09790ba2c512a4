package tree

import (
	"bytes"
	"path"
	"strings"
)

// Ward reads .gitignore files itself rather than take a dependency: a
// scanner needs only the common subset, and keeping it here keeps the
// audit packages free of anything outside the standard library.
//
// Supported: comments, "!" negation, a trailing "/" for directories only,
// patterns anchored to the .gitignore's directory when they contain a
// "/", "*", "?", "[...]" (with "[!...]"), "**" as a whole segment, and the
// precedence rule that the last matching pattern wins with deeper files
// read after shallower ones. Not read: .git/info/exclude and the user's
// global excludes file, which describe one person's checkout rather than
// the tree.

// ignoreRule is one pattern of a .gitignore file.
type ignoreRule struct {
	base     string   // directory of the .gitignore, relative to the root, "" for the root
	segs     []string // pattern segments
	anchored bool     // contains a "/": matched against the path below base
	dirOnly  bool     // trailing "/"
	negate   bool     // leading "!"
}

// ignoreList holds the rules that apply in one directory, in order of
// increasing precedence.
type ignoreList []ignoreRule

// parseGitignore reads the .gitignore file of directory base.
func parseGitignore(base string, data []byte) []ignoreRule {
	var rules []ignoreRule
	for line := range bytes.Lines(data) {
		s := strings.TrimRight(string(line), "\r\n")
		if !strings.HasSuffix(s, `\ `) {
			s = strings.TrimRight(s, " ")
		}
		if s == "" || s[0] == '#' {
			continue
		}
		r := ignoreRule{base: base}
		if s[0] == '!' {
			r.negate, s = true, s[1:]
		} else if strings.HasPrefix(s, `\#`) || strings.HasPrefix(s, `\!`) {
			s = s[1:]
		}
		if strings.HasSuffix(s, "/") {
			r.dirOnly, s = true, strings.TrimRight(s, "/")
		}
		if s == "" {
			continue
		}
		r.anchored = strings.Contains(s, "/")
		s = strings.TrimPrefix(s, "/")
		s = strings.ReplaceAll(s, "[!", "[^")
		r.segs = strings.Split(s, "/")
		rules = append(rules, r)
	}
	return rules
}

// ignored reports whether rel (slash-separated, relative to the root) is
// ignored.
func (l ignoreList) ignored(rel string, isDir bool) bool {
	ignored := false
	for i := range l {
		if l[i].match(rel, isDir) {
			ignored = !l[i].negate
		}
	}
	return ignored
}

func (r *ignoreRule) match(rel string, isDir bool) bool {
	if r.dirOnly && !isDir {
		return false
	}
	sub := rel
	if r.base != "" {
		var ok bool
		if sub, ok = strings.CutPrefix(rel, r.base+"/"); !ok {
			return false
		}
	}
	if !r.anchored {
		ok, _ := path.Match(r.segs[0], path.Base(sub))
		return ok
	}
	return matchSegs(r.segs, strings.Split(sub, "/"))
}

// matchSegs matches path segments against pattern segments, where "**"
// stands for any number of segments (at least one when it ends the
// pattern: "dir/**" matches what is inside dir, not dir itself).
func matchSegs(pat, segs []string) bool {
	if len(pat) == 0 {
		return len(segs) == 0
	}
	if pat[0] == "**" {
		if len(pat) == 1 {
			return len(segs) > 0
		}
		for i := 0; i <= len(segs); i++ {
			if matchSegs(pat[1:], segs[i:]) {
				return true
			}
		}
		return false
	}
	if len(segs) == 0 {
		return false
	}
	ok, _ := path.Match(pat[0], segs[0])
	return ok && matchSegs(pat[1:], segs[1:])
}
