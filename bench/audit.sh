#!/usr/bin/env bash
# bench/audit.sh: `ward audit` next to gitleaks v8.30.1, grep and cat, on the
# Go source tree (throughput, false positives) and on a generated corpus with
# planted credentials (recall, precision). One run; prints a Markdown report
# and keeps it, with every scanner report, in bench/out/audit-*/.
#
#   bench/audit.sh                 # ~1-2 minutes
#   REPS=5 GL_REPS=3 bench/audit.sh
#   PROFILE=1 bench/audit.sh       # also a CPU profile of the scan of GOROOT/src
#   KEEP_CORPUS=1 bench/audit.sh   # keep the generated corpus (deleted by default)
#
# Times are the best of REPS runs (GL_REPS for gitleaks, which takes tens of
# seconds on the Go tree), on a warm page cache. MB/s uses the tree size from
# `du -sb` (MB = 10^6 bytes).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/bench/out/bin
REPS=${REPS:-3}
GL_REPS=${GL_REPS:-1}
SEED=${SEED:-1}
GITLEAKS_VERSION=8.30.1
OUT=$ROOT/bench/out/audit-$(date -u +%Y%m%dT%H%M%SZ)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT" "$BIN" "$TMP/glignore"

log() { printf '%s\n' "$*" >&2; }

# gitleaks run as root replaces /dev/null with a regular file when it is
# given as a report path. It never is here, but check that nothing else did.
check_devnull() {
	if [[ ! -c /dev/null ]]; then
		log "/dev/null is no longer a character device; repair: rm /dev/null && mknod -m 666 /dev/null c 1 3"
		exit 2
	fi
}
check_devnull

# `gitleaks version` of a go-installed binary does not say which; the
# module version in the binary's build information does.
gitleaks_version() {
	[[ -x $BIN/gitleaks ]] && go version -m "$BIN/gitleaks" |
		awk '$1 == "mod" && $2 == "github.com/zricethezav/gitleaks/v8" { print $3 }'
}
if [[ $(gitleaks_version || true) != "v$GITLEAKS_VERSION" ]]; then
	log "installing gitleaks v$GITLEAKS_VERSION"
	GOBIN=$BIN go install "github.com/zricethezav/gitleaks/v8@v$GITLEAKS_VERSION"
fi
log "building ward and the corpus generator"
go build -o "$BIN/ward" ./cmd/ward
go build -o "$BIN/auditcorpus" ./bench/auditcorpus

GOSRC=$(go env GOROOT)/src
CORPUS=$OUT/corpus # a module of its own (it has a go.mod), so ./... skips it
log "generating the corpus (seed $SEED)"
"$BIN/auditcorpus" -out "$CORPUS" -seed "$SEED"

log "warming the page cache"
for tree in "$GOSRC" "$CORPUS"; do
	find "$tree" -type f -exec cat -- {} + >/dev/null
done

# Scanner wrappers: $1 the tree, $2 the report. Exit status 1 means
# "findings" for both scanners and "no match" for grep; 2 or more fails.
# stderr to a file: on a terminal, ward would draw a progress line there.
run_ward() { "$BIN/ward" audit --no-ignore --format json "$1" >"$2" 2>"$2.stderr"; }
run_gitleaks() {
	"$BIN/gitleaks" dir --no-banner --log-level error -i "$TMP/glignore" \
		--report-format json --report-path "$2" "$1"
}
run_grep_q() { grep -rF -q wardk_ "$1"; }
run_grep_c() { grep -rF -c wardk_ "$1" >"$2"; }
run_cat() { find "$1" -type f -exec cat -- {} + >"$2"; }

# best REPS CMD TREE REPORT: prints the best wall time in seconds.
best() {
	local reps=$1 i start end rc secs best=""
	shift
	for ((i = 0; i < reps; i++)); do
		start=$(date +%s.%N)
		rc=0
		"$@" || rc=$?
		end=$(date +%s.%N)
		if ((rc > 1)); then
			log "$* failed with exit status $rc"
			exit 2
		fi
		check_devnull
		secs=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')
		if [[ -z $best ]] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$secs
		fi
	done
	printf '%s\n' "$best"
}

mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1e6 / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

gosrc_bytes=$(du -sb "$GOSRC" | cut -f1)
corpus_bytes=$(du -sb "$CORPUS" | cut -f1)
gosrc_files=$(find "$GOSRC" -type f | wc -l)
corpus_files=$(find "$CORPUS" -type f | wc -l)

log "GOROOT/src: ward"
t_ward_go=$(best "$REPS" run_ward "$GOSRC" "$OUT/ward-goroot.json")
log "GOROOT/src: gitleaks"
t_gl_go=$(best "$GL_REPS" run_gitleaks "$GOSRC" "$OUT/gitleaks-goroot.json")
log "GOROOT/src: grep, cat"
t_grep_go=$(best "$REPS" run_grep_q "$GOSRC" "$TMP/grep.out")
t_cat_go=$(best "$REPS" run_cat "$GOSRC" "$TMP/cat.out")
rm -f "$TMP/cat.out"

log "corpus: ward, gitleaks, grep, cat"
t_ward_c=$(best "$REPS" run_ward "$CORPUS" "$OUT/ward-corpus.json")
t_gl_c=$(best "$GL_REPS" run_gitleaks "$CORPUS" "$OUT/gitleaks-corpus.json")
t_grep_c=$(best "$REPS" run_grep_c "$CORPUS" "$TMP/grep.out")
t_cat_c=$(best "$REPS" run_cat "$CORPUS" "$TMP/cat.out")
rm -f "$TMP/cat.out"

"$BIN/auditcorpus" -tally -ward "$OUT/ward-goroot.json" -gitleaks "$OUT/gitleaks-goroot.json" \
	-tsv "$TMP/tally.tsv" >"$TMP/tally.md"
"$BIN/auditcorpus" -score -truth "$OUT/truth.json" -root "$CORPUS" \
	-ward "$OUT/ward-corpus.json" -gitleaks "$OUT/gitleaks-corpus.json" \
	-tsv "$TMP/score.tsv" >"$TMP/score.md"

field() { awk -F'\t' -v t="$1" -v c="$2" '$1 == t { print $c }' "$3"; }

{
	printf '## ward audit run of %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf '%s (built from this checkout); gitleaks %s; %s cores\n\n' \
		"$("$BIN/ward" version 2>/dev/null | head -n1 || echo 'ward')" "$(gitleaks_version)" "$(nproc)"
	printf 'GOROOT/src: %s files, %s bytes (du -sb). Corpus (seed %s): %s files, %s bytes (du -sb).\n' \
		"$gosrc_files" "$gosrc_bytes" "$SEED" "$corpus_files" "$corpus_bytes"
	printf 'Best of %s runs (gitleaks: %s), warm cache.\n\n' "$REPS" "$GL_REPS"
	printf '| tool | tree | seconds | MB/s | findings | recall | precision |\n'
	printf '|---|---|--:|--:|--:|--:|--:|\n'
	printf '| ward audit --no-ignore | GOROOT/src | %s | %s | %s | | |\n' \
		"$t_ward_go" "$(mbps "$gosrc_bytes" "$t_ward_go")" "$(field ward 2 "$TMP/tally.tsv")"
	printf '| gitleaks dir | GOROOT/src | %s | %s | %s | | |\n' \
		"$t_gl_go" "$(mbps "$gosrc_bytes" "$t_gl_go")" "$(field gitleaks 2 "$TMP/tally.tsv")"
	printf '| grep -rF -q wardk_ | GOROOT/src | %s | %s | | | |\n' "$t_grep_go" "$(mbps "$gosrc_bytes" "$t_grep_go")"
	printf '| cat (every file) | GOROOT/src | %s | %s | | | |\n' "$t_cat_go" "$(mbps "$gosrc_bytes" "$t_cat_go")"
	printf '| ward audit --no-ignore | corpus | %s | %s | %s | %s | %s |\n' \
		"$t_ward_c" "$(mbps "$corpus_bytes" "$t_ward_c")" \
		"$(field ward 2 "$TMP/score.tsv")" "$(field ward 3 "$TMP/score.tsv")" "$(field ward 4 "$TMP/score.tsv")"
	printf '| gitleaks dir | corpus | %s | %s | %s | %s | %s |\n' \
		"$t_gl_c" "$(mbps "$corpus_bytes" "$t_gl_c")" \
		"$(field gitleaks 2 "$TMP/score.tsv")" "$(field gitleaks 3 "$TMP/score.tsv")" "$(field gitleaks 4 "$TMP/score.tsv")"
	printf '| grep -rF -c wardk_ | corpus | %s | %s | | | |\n' "$t_grep_c" "$(mbps "$corpus_bytes" "$t_grep_c")"
	printf '| cat (every file) | corpus | %s | %s | | | |\n\n' "$t_cat_c" "$(mbps "$corpus_bytes" "$t_cat_c")"
	printf -- '- GOROOT/src: ward throughput / gitleaks throughput = **%sx** (target >= 10x)\n' "$(ratio "$t_gl_go" "$t_ward_go")"
	printf -- '- GOROOT/src: ward time / grep -rF time = **%sx** (target <= 3x); ward time / cat time = %sx\n' \
		"$(ratio "$t_ward_go" "$t_grep_go")" "$(ratio "$t_ward_go" "$t_cat_go")"
	printf -- '- corpus: ward throughput / gitleaks throughput = %sx; ward time / grep time = %sx\n\n' \
		"$(ratio "$t_gl_c" "$t_ward_c")" "$(ratio "$t_ward_c" "$t_grep_c")"
	printf '### Findings on GOROOT/src\n\n'
	cat "$TMP/tally.md"
	printf '\n### Planted corpus\n\n'
	cat "$TMP/score.md"
} | tee "$OUT/report.md"

if [[ ${PROFILE:-0} == 1 ]]; then
	log "profiling the scan of GOROOT/src"
	go test -run '^$' -bench 'ScanGOROOT' -benchtime 10x \
		-cpuprofile "$OUT/ward-goroot.pprof" -o "$OUT/auditcorpus.test" ./bench/auditcorpus | tee "$OUT/bench.txt"
	go test -run '^$' -bench 'Detectors' -benchtime 3x ./bench/auditcorpus | tee -a "$OUT/bench.txt"
	go tool pprof -top -cum -nodecount 40 "$OUT/auditcorpus.test" "$OUT/ward-goroot.pprof" | tee "$OUT/pprof-top.txt"
fi
if [[ ${KEEP_CORPUS:-0} != 1 ]]; then
	rm -rf "$CORPUS" # 65 MB; the same seed writes it again (all but the Ward keys)
fi
log "reports in $OUT"
