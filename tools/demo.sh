#!/bin/sh
# The README demo: collect evidence bound to runtime data (a KBS-style nonce and key) from
# the sample TEE and from the simulated SEV-SNP device, verify each with attest-verify and
# print the claims.
# usage: tools/demo.sh [BUILD_DIR]
set -eu
build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
collect="$build/examples/attest-collect"
verify="$build/examples/attest-verify"
printf '{"nonce":"%s","tee-pubkey":{"kty":"EC","crv":"P-256"}}' "$(date +%s)" > "$tmp/runtime.json"
echo "== runtime data: $(cat "$tmp/runtime.json")"

echo "== attest-collect --tee sample (report data = sha384 of the canonical runtime data)"
"$collect" --tee sample --runtime-data "$tmp/runtime.json" --runtime-data-json \
  -o "$tmp/sample.json"
cat "$tmp/sample.json"; echo
echo "== attest-verify sample evidence"
"$verify" --runtime-data-json "$tmp/runtime.json" "$tmp/sample.json"

echo
echo "== attest-collect --simulate snp (a test ARK/ASK/VCEK is made in $tmp/snp-device)"
"$collect" --simulate snp --state-dir "$tmp/snp-device" --runtime-data "$tmp/runtime.json" \
  --runtime-data-json -o "$tmp/snp.json"
echo "$(wc -c < "$tmp/snp.json") bytes of Trustee SnpEvidence JSON (report v3 + VCEK, ASK, ARK)"
echo "== attest-verify simulated SNP evidence without trusting the test root (must be rejected)"
if "$verify" --runtime-data-json "$tmp/runtime.json" "$tmp/snp.json"; then
  echo "demo: the test root was trusted without --trust-dir" >&2; exit 1
fi
echo "== attest-verify --trust-dir $tmp/snp-device (the device's pins file pins its test ARK)"
"$verify" --trust-dir "$tmp/snp-device" --runtime-data-json "$tmp/runtime.json" "$tmp/snp.json"
