#!/usr/bin/env bash
# bench/run.sh — Ward's benchmark suite on this machine, beside its peer.
#
# Builds ward, bench/load and bench/wardbench once, then for each engine
# (SQLite in a temporary data directory; PostgreSQL in a fresh schema at
# $WARD_TEST_POSTGRES_URL, created and dropped here) starts `ward serve` on
# a free loopback port, registers a confidential client `api`, signs up one
# account with a software passkey and runs $TOKENS logins, then measures in
# sequence, each with the server's CPU and RSS sampled over the window:
#
#   introspection     bench/load at /oauth/introspect, Basic auth as api,
#                     body token=ACCESS round-robin over the setup tokens
#   refresh rotation  wardbench rotate: each worker rotates its own chains
#   device polling    wardbench devicepoll: $DEVICES pending codes, each
#                     polled at its interval
#
# then runs bench/hydra.sh for Ory Hydra's introspection in the same run.
# Reports land in bench/out/run-TIMESTAMP/ (git-ignored) and a Markdown
# table is printed, with Ward's introspection divided by Hydra's.
#
# Environment: DURATION (15s), CONCURRENCY (32), DEVICE_DURATION (30s),
# DEVICES (10000), TOKENS (256), ENGINES ("sqlite postgres"),
# WARD_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test?sslmode=disable),
# PROFILE=1 to also write a CPU profile of the server for each workload
# (through WARD_PPROF_ADDR; profiling costs a few percent of CPU, so the
# figures of a profiled run are not the ones to publish).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
DURATION=${DURATION:-15s}
CONCURRENCY=${CONCURRENCY:-32}
DEVICE_DURATION=${DEVICE_DURATION:-30s}
DEVICES=${DEVICES:-10000}
TOKENS=${TOKENS:-256}
ENGINES=${ENGINES:-sqlite postgres}
PGURL=${WARD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
PROFILE=${PROFILE:-0}

RUN=$ROOT/bench/out/run-$(date -u +%Y%m%dT%H%M%SZ)
BIN=$ROOT/bench/out/bin

log() { printf 'bench/run.sh: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

command -v curl >/dev/null || die "curl is needed; install it with: apt-get install curl"
if [[ " $ENGINES " == *" postgres "* ]]; then
	command -v psql >/dev/null || die "psql is needed for the PostgreSQL schema; install postgresql-client, or set ENGINES=sqlite"
fi
mkdir -p "$RUN" "$BIN"

log "building ward, load and wardbench into $BIN"
go build -o "$BIN/ward" ./cmd/ward
go build -o "$BIN/load" ./bench/load
go build -o "$BIN/wardbench" ./bench/wardbench

# shellcheck source=bench/lib.sh
. bench/lib.sh

# State of the engine being measured, cleaned up on any exit.
WARD_PID=
DATA=
SCHEMA=
cleanup() {
	if [[ -n $WARD_PID ]]; then
		kill "$WARD_PID" 2>/dev/null || true
		wait "$WARD_PID" 2>/dev/null || true
		WARD_PID=
	fi
	if [[ -n $SCHEMA ]]; then
		psql "$PGURL" -v ON_ERROR_STOP=1 -qc "SET client_min_messages = warning; DROP SCHEMA \"$SCHEMA\" CASCADE" >/dev/null ||
			log "could not drop schema $SCHEMA; drop it by hand"
		SCHEMA=
	fi
	if [[ -n $DATA ]]; then
		rm -rf "$DATA"
		DATA=
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# json_field NAME: the string value of "NAME" in the one-line JSON on stdin.
json_field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

# profile NAME: when PROFILE=1, take a CPU profile of the server over the
# coming measurement in the background; the caller waits for it.
PROF_PID=
profile() {
	PROF_PID=
	[[ $PROFILE == 1 ]] || return 0
	local secs=$1 name=$2
	curl -fsS -o "$RUN/$name.pprof" "http://$PPROF/debug/pprof/profile?seconds=$secs" &
	PROF_PID=$!
}
profile_wait() { [[ -z $PROF_PID ]] || wait "$PROF_PID" || log "profile failed"; }

# seconds DURATION: whole seconds in a Go duration such as 15s or 1m.
seconds() {
	case $1 in
	*m) echo $((${1%m} * 60)) ;;
	*s) echo "${1%s}" ;;
	*) die "durations must be whole seconds or minutes (15s, 1m), not $1" ;;
	esac
}

ROWS=()
for engine in $ENGINES; do
	DATA=$(mktemp -d)
	case $engine in
	sqlite) DB=$DATA/ward.db ;;
	postgres)
		SCHEMA=ward_bench_$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')
		psql "$PGURL" -v ON_ERROR_STOP=1 -qc "CREATE SCHEMA \"$SCHEMA\"" >/dev/null ||
			die "cannot create a schema at $PGURL; is PostgreSQL running? (or set ENGINES=sqlite)"
		if [[ $PGURL == *\?* ]]; then DB="$PGURL&search_path=$SCHEMA"; else DB="$PGURL?search_path=$SCHEMA"; fi
		;;
	*) die "unknown engine $engine (sqlite or postgres)" ;;
	esac

	PORT=$(free_port)
	# WebAuthn refuses an IP as relying-party ID, so the issuer names
	# localhost; every tool here still dials 127.0.0.1.
	ISSUER=http://localhost:$PORT
	WARD_LOG=$RUN/ward-$engine.log
	PPROF=
	if [[ $PROFILE == 1 ]]; then
		PPROF=127.0.0.1:$(free_port)
	fi
	log "$engine: starting ward on 127.0.0.1:$PORT (log $WARD_LOG)"
	WARD_PPROF_ADDR=$PPROF "$BIN/ward" serve --listen "127.0.0.1:$PORT" --issuer "$ISSUER" \
		--data-dir "$DATA" --database "$DB" >"$WARD_LOG" 2>&1 &
	WARD_PID=$!
	for ((i = 0; i < 100; i++)); do
		curl -fsS -o /dev/null "http://127.0.0.1:$PORT/.well-known/openid-configuration" 2>/dev/null && break
		kill -0 "$WARD_PID" 2>/dev/null || {
			tail -n 20 "$WARD_LOG" >&2
			die "ward exited during start-up (see above)"
		}
		sleep 0.2
	done

	client=$("$BIN/ward" admin clients add api --confidential --json --data-dir "$DATA" --database "$DB")
	CLIENT_SECRET=$(json_field client_secret <<<"$client")
	[[ -n $CLIENT_SECRET ]] || die "could not read the api client's secret"
	BASIC=$(printf 'api:%s' "$CLIENT_SECRET" | base64 -w0)

	TOKENS_FILE=$DATA/tokens.txt
	log "$engine: setup, $TOKENS logins"
	"$BIN/wardbench" setup -issuer "$ISSUER" -n "$TOKENS" -out "$TOKENS_FILE"
	BODIES=$DATA/introspect-bodies.txt
	awk '{print "token=" $1}' "$TOKENS_FILE" >"$BODIES"

	# One sanity check: the token must introspect as active, or the run
	# would time a rejection path.
	curl -fsS -H "Authorization: Basic $BASIC" --data-binary "$(head -n1 "$BODIES")" \
		-H 'Content-Type: application/x-www-form-urlencoded' "http://127.0.0.1:$PORT/oauth/introspect" |
		grep -q '"active":true' || die "$engine: ward does not report a setup token active"

	log "$engine: introspection, $DURATION at concurrency $CONCURRENCY"
	profile "$(seconds "$DURATION")" "ward-$engine-introspection"
	"$BIN/load" -url "http://127.0.0.1:$PORT/oauth/introspect" -body-file "$BODIES" \
		-H "Authorization: Basic $BASIC" -c "$CONCURRENCY" -d "$DURATION" \
		-pid "$WARD_PID" -json >"$RUN/ward-$engine-introspection.json"
	profile_wait

	log "$engine: refresh rotation, $DURATION at concurrency $CONCURRENCY"
	profile "$(seconds "$DURATION")" "ward-$engine-rotation"
	"$BIN/wardbench" rotate -issuer "$ISSUER" -tokens "$TOKENS_FILE" -c "$CONCURRENCY" -d "$DURATION" \
		-pid "$WARD_PID" -json >"$RUN/ward-$engine-rotation.json"
	profile_wait

	log "$engine: device polling, $DEVICES pending codes for $DEVICE_DURATION"
	POLL_ERR=$RUN/ward-$engine-devicepoll.err
	"$BIN/wardbench" devicepoll -issuer "$ISSUER" -n "$DEVICES" -d "$DEVICE_DURATION" \
		-pid "$WARD_PID" -json >"$RUN/ward-$engine-devicepoll.json" 2>"$POLL_ERR" &
	poll_pid=$!
	if [[ $PROFILE == 1 ]]; then
		# Profile the polling, not the creation of the codes before it:
		# wardbench says on stderr when polling starts.
		until grep -q 'polling for' "$POLL_ERR" || ! kill -0 "$poll_pid" 2>/dev/null; do sleep 0.2; done
		profile $(($(seconds "$DEVICE_DURATION") - 2)) "ward-$engine-devicepoll"
		profile_wait
	fi
	poll_status=0
	wait "$poll_pid" || poll_status=$?
	cat "$POLL_ERR" >&2
	((poll_status == 0)) || die "$engine: devicepoll failed"

	# Beyond its start-up line, ward should have logged nothing at info for
	# the requests; if it did, the logger is part of the figures.
	if grep -v 'msg="ward is listening"' "$WARD_LOG" | grep -q 'level=INFO'; then
		log "$engine: ward logged at info level during the run (see $WARD_LOG): request logging may be part of the figures"
	fi
	ROWS+=("$engine/introspection=$RUN/ward-$engine-introspection.json"
		"$engine/refresh rotation=$RUN/ward-$engine-rotation.json"
		"$engine/device polling ($DEVICES pending)=$RUN/ward-$engine-devicepoll.json")
	cleanup
done

log "peer: Hydra introspection"
DURATION=$DURATION CONCURRENCY=$CONCURRENCY bench/hydra.sh >"$RUN/hydra-introspection.json"

"$BIN/wardbench" table -hydra "$RUN/hydra-introspection.json" "${ROWS[@]}" | tee "$RUN/table.md"
log "reports: $RUN"
