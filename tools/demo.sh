#!/bin/sh
# The README demo: collect evidence from the sample TEE bound to runtime data (a KBS-style
# nonce and key), then verify it with attest-verify and print the claims.
# usage: tools/demo.sh [BUILD_DIR]
set -eu
build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '{"nonce":"%s","tee-pubkey":{"kty":"EC","crv":"P-256"}}' "$(date +%s)" > "$tmp/runtime.json"
echo "== runtime data: $(cat "$tmp/runtime.json")"
echo "== attest-collect --tee sample (report data = sha384 of the canonical runtime data)"
"$build/examples/attest-collect" --tee sample --runtime-data "$tmp/runtime.json" \
  --runtime-data-json -o "$tmp/evidence.json"
cat "$tmp/evidence.json"; echo
echo "== attest-verify"
"$build/examples/attest-verify" --runtime-data-json "$tmp/runtime.json" "$tmp/evidence.json"
