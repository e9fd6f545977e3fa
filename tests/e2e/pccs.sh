#!/bin/sh
# attest-verify --pccs end to end: DCAP collateral fetched with libcurl from a PCCS
# stand-in serving Intel's real collateral (tests/e2e/pccs_server.py), assembled into a
# bundle, cached on disk, and reused from the cache when the server is gone; a quote whose
# FMSPC the server does not know is refused. The server binds 127.0.0.1 on a free port and
# is always stopped.
# usage: pccs.sh SOURCE_ROOT BUILD_ROOT VECTORS
set -u
src=$1
bin=$2/examples
vec=$3
[ -d "$vec" ] || { echo "vectors folder $vec absent: skipping"; exit 77; }
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

python3 "$src/tests/e2e/pccs_server.py" "$vec/tdx/dcap-qvl/tdx_quote_collateral.json" tdx \
  > "$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q "listening on" "$tmp/log" && break; sleep 0.1; done
port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/log")
[ -n "$port" ] || { cat "$tmp/log"; echo "FAIL: server did not start"; exit 1; }
url=http://127.0.0.1:$port
at=2025-07-01T00:00:00Z

# 1. fetched, verified, cached
if "$bin/attest-verify" --pccs "$url" --pccs-cache "$tmp/cache" --at $at \
    "$vec/tdx/dcap-qvl/tdx_quote" > "$tmp/out" 2>&1 &&
   grep -q "tcb status: UpToDate" "$tmp/out"; then ok "verified with collateral from the PCCS"
else fail "PCCS verification: $(cat "$tmp/out")"; fi
[ "$(grep -c '^GET' "$tmp/log")" -eq 4 ] && ok "four requests (tcb, qe identity, pck crl, root crl)" \
  || fail "requests: $(grep '^GET' "$tmp/log")"
[ -f "$tmp/cache/tdx-b0c06f000000-platform.json" ] && ok "bundle cached on disk" \
  || fail "no cached bundle: $(ls "$tmp/cache" 2>&1)"

# 2. the cached bundle is a plain bundle: --collateral takes it too
if "$bin/attest-verify" --collateral "$tmp/cache/tdx-b0c06f000000-platform.json" --at $at \
    "$vec/tdx/dcap-qvl/tdx_quote" > "$tmp/out" 2>&1; then ok "cached bundle works as --collateral"
else fail "cached bundle as --collateral: $(cat "$tmp/out")"; fi

# 3. server gone: the cache answers
kill "$pid"; wait "$pid" 2>/dev/null; pid=""
if "$bin/attest-verify" --pccs "$url" --pccs-cache "$tmp/cache" --at $at \
    "$vec/tdx/dcap-qvl/tdx_quote" > "$tmp/out" 2>&1; then ok "verified from the cache, server stopped"
else fail "cache reuse: $(cat "$tmp/out")"; fi

# 4. stale cache at a later time and no server: fetching fails, the verification is refused
if "$bin/attest-verify" --pccs "$url" --pccs-cache "$tmp/cache" --at 2025-08-01T00:00:00Z \
    "$vec/tdx/dcap-qvl/tdx_quote" > "$tmp/out" 2>&1; then fail "stale cache accepted"
else grep -q "rejected" "$tmp/out" && ok "stale cache and no server: refused" \
  || fail "stale cache: $(cat "$tmp/out")"; fi

# 5. a server for another FMSPC: 404, refused with the FMSPC named
python3 "$src/tests/e2e/pccs_server.py" "$vec/tdx/dcap-qvl/tdx_quote_outdated_collateral.json" tdx \
  > "$tmp/log2" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q "listening on" "$tmp/log2" && break; sleep 0.1; done
port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/log2")
if "$bin/attest-verify" --pccs "http://127.0.0.1:$port" --at $at "$vec/tdx/dcap-qvl/tdx_quote" \
    > "$tmp/out" 2>&1; then fail "unknown FMSPC accepted"
else grep -q "fmspc=b0c06f000000" "$tmp/out" && ok "unknown FMSPC: refused, URL named" \
  || fail "unknown FMSPC: $(cat "$tmp/out")"; fi

[ $fails -eq 0 ] && echo "all pccs checks passed"
exit $fails
