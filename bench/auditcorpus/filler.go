package main

import (
	"fmt"
	"strings"
)

// words make identifiers, paths and comments. None of them names a
// credential ("key", "token", "secret", ...), so the filler holds nothing
// a scanner should report and every finding in it is a false positive.
var words = []string{
	"order", "item", "cart", "user", "account", "invoice", "payment", "ship", "route", "node",
	"cache", "queue", "worker", "batch", "event", "stream", "buffer", "frame", "packet", "schema",
	"table", "index", "query", "row", "column", "record", "entry", "field", "value", "count",
	"total", "limit", "offset", "page", "cursor", "filter", "sort", "merge", "split", "join",
	"parse", "format", "render", "layout", "widget", "button", "panel", "menu", "dialog", "view",
	"model", "store", "state", "action", "reducer", "effect", "hook", "context", "provider", "theme",
	"color", "size", "width", "height", "margin", "border", "image", "video", "audio", "track",
	"album", "artist", "playlist", "search", "result", "score", "rank", "metric", "gauge", "timer",
	"clock", "date", "month", "year", "zone", "region", "cluster", "shard", "replica", "leader",
	"follower", "vote", "term", "commit", "apply", "snapshot", "segment", "block", "chunk", "file",
	"folder", "path", "upload", "download", "mirror", "proxy", "gateway", "handler", "router", "server",
	"client", "request", "response", "header", "body", "status", "retry", "backoff", "deadline", "budget",
	"report", "summary", "detail", "note", "comment", "thread", "message", "inbox", "outbox", "mail",
	"geo", "atlas", "tile", "layer", "point", "line", "shape", "polygon", "graph", "edge",
	"vertex", "tree", "leaf", "branch", "walk", "visit", "scan", "match", "pattern", "rule",
	"policy", "plan", "stage", "step", "task", "job", "pipeline", "build", "deploy", "release",
}

// tops are the top-level directories of the corpus.
var tops = []string{"services", "web", "tools", "libs", "cmd", "internal", "scripts", "examples", "pkg", "apps"}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func (g *gen) camel(n int) string {
	var b strings.Builder
	for i := range n {
		w := g.pick(words)
		if i > 0 {
			w = title(w)
		}
		b.WriteString(w)
	}
	return b.String()
}

func (g *gen) snake(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.pick(words)
	}
	return strings.Join(ws, "_")
}

func (g *gen) sentence() string {
	ws := make([]string, 4+g.r.IntN(10))
	for i := range ws {
		ws[i] = g.pick(words)
	}
	return strings.Join(ws, " ")
}

// filler writes nfiles source files of about total bytes in all.
func (g *gen) filler(nfiles int, total int64) {
	exts := map[string]string{"go": ".go", "js": ".js", "py": ".py"}
	for i := range nfiles {
		lang := []string{"go", "js", "py"}[i%3]
		var path string
		for path == "" || g.used[path] {
			name := g.snake(1 + g.r.IntN(2))
			if lang != "py" {
				name = g.camel(1 + g.r.IntN(2))
			}
			path = g.dir() + "/" + name + exts[lang]
		}
		g.used[path] = true
		// Sizes are uniform in [0.2, 1.8] times the mean.
		mean := total / int64(nfiles)
		size := mean/5 + g.r.Int64N(mean*8/5)
		f := &file{path: path, lang: lang, lines: g.source(lang, size)}
		g.files = append(g.files, f)
		g.byExt[lang] = append(g.byExt[lang], f)
	}
}

// source returns about size bytes of code in lang, as lines.
func (g *gen) source(lang string, size int64) []string {
	var lines []string
	n := int64(0)
	emit := func(ls ...string) {
		for _, l := range ls {
			lines = append(lines, l)
			n += int64(len(l)) + 1
		}
	}
	switch lang {
	case "go":
		emit("// Package "+g.pick(words)+" "+g.sentence()+".", "package "+g.pick(words), "",
			"import (", "\t\"context\"", "\t\"errors\"", "\t\"fmt\"", "\t\"strings\"", ")", "")
		for n < size {
			g.goBlock(emit)
		}
	case "js":
		emit("'use strict';", "", "import { "+g.camel(2)+" } from './"+g.pick(words)+"';",
			"import "+title(g.pick(words))+" from '../"+g.pick(words)+"/"+g.pick(words)+"';", "")
		for n < size {
			g.jsBlock(emit)
		}
	default:
		emit("\"\"\""+title(g.sentence())+".\"\"\"", "", "import logging", "import os",
			"from typing import Optional", "", "log = logging.getLogger(__name__)", "")
		for n < size {
			g.pyBlock(emit)
		}
	}
	return lines
}

func (g *gen) goBlock(emit func(...string)) {
	fn, typ, a, b := title(g.camel(2)), title(g.camel(2)), g.pick(words), g.pick(words)
	switch g.r.IntN(3) {
	case 0:
		emit(fmt.Sprintf("// %s is %s.", typ, g.sentence()), "type "+typ+" struct {")
		for range 2 + g.r.IntN(5) {
			emit(fmt.Sprintf("\t%s %s // %s", title(g.camel(2)), g.pick([]string{"int", "string", "[]byte", "bool", "float64", "map[string]int"}), g.sentence()))
		}
		emit("}", "")
	case 1:
		emit(fmt.Sprintf("// %s returns the %s of the given %s.", fn, a, b),
			fmt.Sprintf("func %s(ctx context.Context, %s []%s) (int, error) {", fn, b, typ),
			fmt.Sprintf("\tif len(%s) == 0 {", b),
			fmt.Sprintf("\t\treturn 0, errors.New(\"%s: no %s\")", a, b),
			"\t}",
			"\ttotal := 0",
			fmt.Sprintf("\tfor i, x := range %s {", b),
			"\t\tif err := ctx.Err(); err != nil {",
			"\t\t\treturn total, err",
			"\t\t}",
			fmt.Sprintf("\t\ttotal += x.%s * %d", title(g.camel(1)), 1+g.r.IntN(99)),
			fmt.Sprintf("\t\t_ = fmt.Sprintf(\"%s %%d: %%v\", i, x)", g.sentence()),
			"\t}",
			"\treturn total, nil",
			"}", "")
	default:
		emit(fmt.Sprintf("func (s *%s) %s(name string) string {", typ, fn),
			fmt.Sprintf("\tparts := strings.Split(name, \"%s\")", g.pick([]string{"/", ".", ":", "-"})),
			"\tswitch len(parts) {",
			"\tcase 0:",
			fmt.Sprintf("\t\treturn \"%s\"", g.pick(words)),
			"\tcase 1:",
			"\t\treturn strings.ToLower(parts[0])",
			"\t}",
			fmt.Sprintf("\t// %s", g.sentence()),
			"\treturn strings.Join(parts[1:], \"_\")",
			"}", "")
	}
}

func (g *gen) jsBlock(emit func(...string)) {
	fn, a, b := g.camel(2), g.pick(words), g.pick(words)
	switch g.r.IntN(3) {
	case 0:
		emit("/**", " * "+title(g.sentence())+".", fmt.Sprintf(" * @param {Array} %ss", a), " */",
			fmt.Sprintf("export function %s(%ss, options = {}) {", fn, a),
			fmt.Sprintf("  const %s = %ss.filter((x) => x.%s > %d);", b, a, g.camel(1), g.r.IntN(100)),
			fmt.Sprintf("  return %s.map((x) => ({ ...x, %s: options.%s ?? %d }));", b, g.camel(2), g.camel(1), g.r.IntN(10)),
			"}", "")
	case 1:
		emit(fmt.Sprintf("export class %s {", title(g.camel(2))),
			"  constructor(props) {",
			"    this.props = props;",
			fmt.Sprintf("    this.%s = [];", g.camel(2)),
			"  }", "",
			fmt.Sprintf("  async %s(id) {", fn),
			fmt.Sprintf("    const res = await fetch(`/%s/%s/${id}`);", a, b),
			"    if (!res.ok) {",
			fmt.Sprintf("      throw new Error('%s');", g.sentence()),
			"    }",
			"    return res.json();",
			"  }",
			"}", "")
	default:
		emit(fmt.Sprintf("const %s = (state, action) => {", fn),
			"  switch (action.type) {",
			fmt.Sprintf("    case '%s/%s':", a, b),
			fmt.Sprintf("      return { ...state, %s: action.payload };", g.camel(2)),
			fmt.Sprintf("    // %s", g.sentence()),
			"    default:",
			"      return state;",
			"  }",
			"};", "")
	}
}

func (g *gen) pyBlock(emit func(...string)) {
	fn, a, b := g.snake(2), g.pick(words), g.pick(words)
	switch g.r.IntN(3) {
	case 0:
		emit(fmt.Sprintf("def %s(%ss, limit: Optional[int] = None):", fn, a),
			fmt.Sprintf("    \"\"\"%s.\"\"\"", title(g.sentence())),
			"    out = []",
			fmt.Sprintf("    for %s in %ss:", b, a),
			fmt.Sprintf("        if limit is not None and len(out) >= limit:"),
			"            break",
			fmt.Sprintf("        out.append(%s.%s * %d)", b, g.snake(1), 1+g.r.IntN(50)),
			fmt.Sprintf("    log.debug(\"%s: %%d\", len(out))", g.sentence()),
			"    return out", "", "")
	case 1:
		emit(fmt.Sprintf("class %s:", title(g.camel(2))),
			fmt.Sprintf("    \"\"\"%s.\"\"\"", title(g.sentence())), "",
			"    def __init__(self, name, size=0):",
			"        self.name = name",
			"        self.size = size",
			fmt.Sprintf("        self.%s = {}", g.snake(2)), "",
			fmt.Sprintf("    def %s(self, other):", fn),
			fmt.Sprintf("        return os.path.join(self.name, other.%s)", g.snake(1)), "", "")
	default:
		emit(fmt.Sprintf("%s = {", strings.ToUpper(g.snake(2))))
		for range 2 + g.r.IntN(5) {
			emit(fmt.Sprintf("    \"%s\": %d,", g.snake(2), g.r.IntN(1000)))
		}
		emit("}", "")
	}
}
