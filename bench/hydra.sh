#!/usr/bin/env bash
# bench/hydra.sh — measure Ory Hydra v2.3.0's token introspection on this
# machine, the peer figure that Ward's own introspection is set beside.
#
# It builds Hydra from bench/hydra (a separate module, so Hydra's dependencies
# stay out of Ward's go.mod) when bench/out/hydra is missing, runs it in memory
# (DSN=memory, SQLite) on free loopback ports, issues one client_credentials
# token and drives bench/load at the admin introspection endpoint, sampling
# Hydra's CPU and RSS. The JSON report lands in bench/out/ (git-ignored).
#
# Environment: DURATION (default 15s), CONCURRENCY (default 32),
# HYDRA_LOG_LEVEL (default warn: per-request logging at info would measure the
# logger; Ward is measured with request logging off too).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
OUT=$ROOT/bench/out
HYDRA=$OUT/hydra
DURATION=${DURATION:-15s}
CONCURRENCY=${CONCURRENCY:-32}

log() { printf 'bench/hydra.sh: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

command -v curl >/dev/null || die "curl is needed; install it with: apt-get install curl"
mkdir -p "$OUT"

if [[ ! -x $HYDRA ]]; then
	log "building Hydra v2.3.0 into $HYDRA (about a minute)"
	(cd bench/hydra && go build -tags sqlite -o "$HYDRA" github.com/ory/hydra/v2) ||
		die "building Hydra failed; see above"
fi
# Build the generator first so compiling it does not overlap the measurement.
go build -o "$OUT/load" ./bench/load

# shellcheck source=bench/lib.sh
. bench/lib.sh
PUBLIC=$(free_port)
ADMIN=$(free_port)
while [[ $ADMIN == "$PUBLIC" ]]; do ADMIN=$(free_port); done

# Hydra refuses a system secret shorter than 32 characters.
SECRET=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
HYDRA_LOG=$OUT/hydra.log
log "starting Hydra: public :$PUBLIC, admin :$ADMIN (log $HYDRA_LOG)"
DSN=memory \
	SECRETS_SYSTEM=$SECRET \
	SERVE_PUBLIC_HOST=127.0.0.1 SERVE_PUBLIC_PORT=$PUBLIC \
	SERVE_ADMIN_HOST=127.0.0.1 SERVE_ADMIN_PORT=$ADMIN \
	URLS_SELF_ISSUER=http://127.0.0.1:$PUBLIC \
	LOG_LEVEL=${HYDRA_LOG_LEVEL:-warn} \
	"$HYDRA" serve all --dev --sqa-opt-out >"$HYDRA_LOG" 2>&1 &
HYDRA_PID=$!
stop_hydra() {
	kill "$HYDRA_PID" 2>/dev/null || true
	wait "$HYDRA_PID" 2>/dev/null || true
}
trap stop_hydra EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for ((i = 0; i < 120; i++)); do
	curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN/health/ready" 2>/dev/null && break
	kill -0 "$HYDRA_PID" 2>/dev/null || {
		tail -n 20 "$HYDRA_LOG" >&2
		die "Hydra exited during start-up (see above)"
	}
	sleep 0.5
done
curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN/health/ready" || die "Hydra not ready after 60s; see $HYDRA_LOG"

# json_field NAME: the string value of "NAME" in the JSON on stdin. Hydra's
# compact JSON and simple ids make this safe without depending on jq.
json_field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

client=$("$HYDRA" create client --endpoint "http://127.0.0.1:$ADMIN" \
	--grant-type client_credentials --format json)
CLIENT_ID=$(json_field client_id <<<"$client")
CLIENT_SECRET=$(json_field client_secret <<<"$client")
[[ -n $CLIENT_ID && -n $CLIENT_SECRET ]] || die "could not read the client from: $client"

token=$(curl -fsS -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials \
	"http://127.0.0.1:$PUBLIC/oauth2/token")
ACCESS_TOKEN=$(json_field access_token <<<"$token")
[[ -n $ACCESS_TOKEN ]] || die "no access_token in: $token"

# One sanity check before the run: the token must introspect as active, or
# the benchmark would time a rejection path.
curl -fsS -d "token=$ACCESS_TOKEN" "http://127.0.0.1:$ADMIN/admin/oauth2/introspect" |
	grep -q '"active":true' || die "Hydra does not report the token active"

REPORT=$OUT/hydra-introspect-$(date -u +%Y%m%dT%H%M%SZ).json
log "introspection: $DURATION at concurrency $CONCURRENCY"
"$OUT/load" -url "http://127.0.0.1:$ADMIN/admin/oauth2/introspect" \
	-body "token=$ACCESS_TOKEN" -c "$CONCURRENCY" -d "$DURATION" \
	-pid "$HYDRA_PID" -json >"$REPORT"
cat "$REPORT"
log "report: $REPORT"
