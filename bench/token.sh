#!/usr/bin/env bash
# bench/token.sh — how long `ward token` takes as a whole process, the way a
# script calls it: with a valid cached token in the file store and in the
# keyring, and on the refresh path (the access token has expired, so the
# process discovers the issuer, rotates the refresh token and saves).
#
# Needs gnome-keyring and dbus for the keyring case (scripts/test installs
# them). Prints median and p90 in milliseconds; N (default 200) runs each.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=bench/out
N=${N:-200}
mkdir -p "$OUT/bin"
go build -o "$OUT/bin/ward" ./cmd/ward
go build -o "$OUT/bin/wardbench" ./bench/wardbench
WARD=$PWD/$OUT/bin/ward
WORK=$(mktemp -d)
trap 'kill "${SERVER:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# time_runs LABEL CMD...: runs CMD N times and prints median and p90.
time_runs() {
	local label=$1
	shift
	for _ in $(seq "$N"); do
		local s e
		s=$(date +%s%N)
		"$@" >/dev/null
		e=$(date +%s%N)
		echo $(((e - s) / 1000))
	done | sort -n | awk -v label="$label" '{a[NR]=$1} END {
		printf "%-34s median %6.2f ms   p90 %6.2f ms   (%d runs)\n", label, a[int((NR+1)/2)]/1000, a[int(NR*0.9)]/1000, NR }'
}

# A far-future access token: no refresh, no network.
home_with_token() {
	local home=$1
	mkdir -m 700 "$home"
	cat >"$home/auth.json" <<JSON
{"version":1,"issuer":"http://localhost:1","client_id":"ward-cli","auth_mode":"account",
 "tokens":{"access_token":"eyJhbGciOiJFUzI1NiJ9.e30.sig","refresh_token":"","expires_at":"2099-01-01T00:00:00Z"}}
JSON
	chmod 600 "$home/auth.json"
	printf 'cli_auth_credentials_store = "file"\n' >"$home/config.toml"
}

home_with_token "$WORK/file"
WARD_HOME=$WORK/file time_runs "file store, valid token" "$WARD" token

# The keyring: the same credentials moved into a real Secret Service.
dbus-run-session -- bash -c '
	printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null
	export WARD_HOME='"$WORK/file"'
	printf "cli_auth_credentials_store = \"keyring\"\n" >"$WARD_HOME/config.toml"
	'"$WARD"' token >/dev/null   # moves the credentials into the keyring
	test ! -e "$WARD_HOME/auth.json"
	'"$(declare -f time_runs)"'
	N='"$N"' time_runs "keyring store, valid token" '"$WARD"' token
'

# The refresh path, against a real server: each run starts from an expired
# access token with a fresh refresh token.
die() {
	echo "bench/token.sh: $*" >&2
	exit 1
}
# shellcheck source=bench/lib.sh
. bench/lib.sh
PORT=$(free_port)
"$WARD" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/server" 2>"$WORK/server.log" &
SERVER=$!
ISSUER=http://localhost:$PORT
for _ in $(seq 50); do curl -sf "$ISSUER/healthz" >/dev/null && break; sleep 0.1; done
REFRESH_N=$((N < 100 ? N : 100))
"$OUT/bin/wardbench" setup -issuer "$ISSUER" -n "$REFRESH_N" -out "$WORK/tokens.txt" >/dev/null
mkdir -m 700 "$WORK/refresh"
printf 'cli_auth_credentials_store = "file"\n' >"$WORK/refresh/config.toml"
while read -r access refresh; do
	cat >"$WORK/refresh/auth.json" <<JSON
{"version":1,"issuer":"$ISSUER","client_id":"ward-cli","auth_mode":"account",
 "tokens":{"access_token":"$access","refresh_token":"$refresh","expires_at":"2000-01-01T00:00:00Z"}}
JSON
	chmod 600 "$WORK/refresh/auth.json"
	s=$(date +%s%N)
	WARD_HOME=$WORK/refresh "$WARD" token >/dev/null
	e=$(date +%s%N)
	echo $(((e - s) / 1000))
done <"$WORK/tokens.txt" | sort -n | awk '{a[NR]=$1} END {
	printf "%-34s median %6.2f ms   p90 %6.2f ms   (%d runs)\n", "file store, refresh (server on loopback)", a[int((NR+1)/2)]/1000, a[int(NR*0.9)]/1000, NR }'
