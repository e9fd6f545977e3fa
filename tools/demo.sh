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

# Intel TDX: there is no simulated TDX device; verify a real public quote with Intel's
# collateral from ../shared/vectors (when present) at a time inside its validity windows.
vec=${ATTEST_VECTORS:-$(dirname "$0")/../../shared/vectors}
if [ -f "$vec/tdx/dcap-qvl/tdx_quote" ]; then
  echo
  echo "== attest-verify a real Intel TDX quote with its collateral bundle (at 2025-07-01)"
  "$verify" --collateral "$vec/tdx/dcap-qvl/tdx_quote_collateral.json" \
    --at 2025-07-01T00:00:00Z "$vec/tdx/dcap-qvl/tdx_quote"
  echo "== the same quote with one body byte changed (must be rejected)"
  cp "$vec/tdx/dcap-qvl/tdx_quote" "$tmp/tdx_quote"
  printf '\377' | dd of="$tmp/tdx_quote" bs=1 seek=200 conv=notrunc 2>/dev/null
  if "$verify" --collateral "$vec/tdx/dcap-qvl/tdx_quote_collateral.json" \
      --at 2025-07-01T00:00:00Z "$tmp/tdx_quote"; then
    echo "demo: a tampered TDX quote verified" >&2; exit 1
  fi
fi
