#!/bin/sh
# Bounded load on as-restful and the kbs over loopback, with RSS before and after.
# usage: bench/load.sh [BUILD_DIR] [COUNT]   (defaults: build, 20000)
set -eu
build=${1:-build}
count=${2:-20000}
tmp=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT INT TERM
rss() { awk '/^VmRSS/ {print $2 " kB"}' "/proc/$1/status"; }
start() { # start NAME ARGS... -> $pid, $port
  "$@" > "$tmp/log" 2>&1 &
  pid=$!
  pids="$pids $pid"
  for _ in $(seq 50); do grep -q "listening on" "$tmp/log" && break; sleep 0.1; done
  port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/log")
}

start "$build/examples/as-restful" --socket 127.0.0.1:0
echo "as-restful RSS before: $(rss "$pid")"
"$build/bench/load_http" as "http://127.0.0.1:$port" "$count"
echo "as-restful RSS after $count requests: $(rss "$pid")"

mkdir -p "$tmp/repo/default/load"
head -c 32 /dev/urandom > "$tmp/repo/default/load/key"
printf '{"version":"1.0.0","anyOf":[{"allOf":[{"claim":"submods.cpu0.ear.status","exists":true}]}]}' \
  > "$tmp/allow.json"
start "$build/examples/kbs" --socket 127.0.0.1:0 --resource-dir "$tmp/repo" \
  --resource-policy "$tmp/allow.json"
echo "kbs RSS before: $(rss "$pid")"
"$build/bench/load_http" kbs "http://127.0.0.1:$port" "$((count / 4))"
echo "kbs RSS after $((count / 4)) handshakes ($((3 * count / 4)) requests): $(rss "$pid")"
