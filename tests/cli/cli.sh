#!/bin/sh
# End-to-end: attest-collect and attest-verify as a user runs them. Checks output, exit
# codes (0 verified, 1 rejected, 2 usage/unreadable) and the --json contract.
# usage: cli.sh BUILD_ROOT
set -u
bin=$1/examples
collect=$bin/attest-collect
verify=$bin/attest-verify
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

expect() { # expect CODE DESCRIPTION -- command...
  want=$1 what=$2
  shift 3
  "$@" > "$tmp/out" 2> "$tmp/err"
  got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, want $want"; sed 's/^/  stdout: /' "$tmp/out"
    sed 's/^/  stderr: /' "$tmp/err"; fails=$((fails + 1))
  else
    echo "ok: $what"
  fi
}
contains() { # contains FILE TEXT DESCRIPTION
  if ! grep -qF -- "$2" "$1"; then
    echo "FAIL: $3: \"$2\" not in $(basename "$1"):"; sed 's/^/  /' "$1"; fails=$((fails + 1))
  fi
}

printf '{"nonce":"NQ8vz2bY3Fw","tee-pubkey":{"kty":"EC","crv":"P-256"}}' > "$tmp/rd.json"
printf '{"nonce":"replayed","tee-pubkey":{"kty":"EC","crv":"P-256"}}' > "$tmp/other.json"
printf 'raw runtime bytes' > "$tmp/rd.bin"

# the README demo: collect | verify
"$collect" --tee sample --runtime-data "$tmp/rd.json" --runtime-data-json > "$tmp/ev.json"
expect 0 "collect | verify (stdin)" -- "$verify" --runtime-data-json "$tmp/rd.json" - \
  < "$tmp/ev.json"
contains "$tmp/out" "verified: sample evidence" "summary"
contains "$tmp/out" "not hardware-backed" "summary warns"
contains "$tmp/out" "sample.svn = \"1\"" "summary claims"

expect 0 "--json" -- "$verify" --json --runtime-data-json "$tmp/rd.json" "$tmp/ev.json"
python3 - "$tmp/out" <<'PY' || fails=$((fails + 1))
import json, sys
o = json.load(open(sys.argv[1]))
assert list(o) == ["tee", "status", "tcb_status", "claims", "error"], list(o)
assert o["tee"] == "sample" and o["status"] == "verified" and o["error"] is None, o
assert o["tcb_status"] == "NotHardwareBacked", o
assert o["claims"]["sample"]["svn"] == "1" and len(o["claims"]["report_data"]) == 96, o
PY

# binding mismatch: exit 1, the message names the field
expect 1 "runtime data mismatch" -- "$verify" --runtime-data-json "$tmp/other.json" \
  "$tmp/ev.json"
contains "$tmp/err" "report_data does not match the expected runtime data" "mismatch message"
expect 1 "mismatch --json" -- "$verify" --json --runtime-data-json "$tmp/other.json" \
  "$tmp/ev.json"
python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["status"]=="rejected" and o["claims"] is None and "report_data" in o["error"], o' "$tmp/out" || fails=$((fails + 1))
expect 1 "wrong hash algorithm" -- "$verify" --hash-alg sha512 \
  --runtime-data-json "$tmp/rd.json" "$tmp/ev.json"

# raw runtime data, hashed, with each algorithm; -o writes a file
for alg in sha256 sha384 sha512; do
  "$collect" --tee sample --runtime-data "$tmp/rd.bin" --hash-alg $alg -o "$tmp/ev-$alg.json"
  expect 0 "raw runtime data $alg" -- "$verify" --runtime-data "$tmp/rd.bin" --hash-alg $alg \
    "$tmp/ev-$alg.json"
done
expect 1 "raw data is not json data" -- "$verify" --runtime-data-json "$tmp/rd.json" \
  "$tmp/ev-sha384.json"

# --report-data hex is the report data itself
"$collect" --tee sample --report-data 00ff10 > "$tmp/ev-hex.json"
contains "$tmp/ev-hex.json" '"report_data":"AP8Q"' "hex report data"

# tampered or malformed evidence is rejected (1)
sed 's/"svn":"1"/"svn":1/' "$tmp/ev.json" > "$tmp/tampered.json"
expect 1 "malformed evidence" -- "$verify" --tee sample "$tmp/tampered.json"
contains "$tmp/err" "sample: svn is not a string" "malformed message"
head -c 20 "$tmp/ev.json" > "$tmp/truncated.json"
expect 1 "truncated evidence" -- "$verify" "$tmp/truncated.json"
printf '\001\002binary' > "$tmp/garbage"
expect 1 "unrecognised evidence" -- "$verify" "$tmp/garbage"
contains "$tmp/err" "not recognised" "detection message"

# --at accepts RFC 3339 and unix seconds
expect 0 "--at unix" -- "$verify" --at 1700000000 "$tmp/ev.json"
expect 0 "--at rfc3339" -- "$verify" --at 2024-05-01T12:00:00Z "$tmp/ev.json"
expect 0 "--at offset" -- "$verify" --at 2024-05-01T12:00:00.25+02:00 "$tmp/ev.json"

# usage errors and unreadable input (2)
expect 2 "no evidence" -- "$verify"
expect 2 "unknown option" -- "$verify" --frobnicate "$tmp/ev.json"
expect 2 "bad --at" -- "$verify" --at yesterday "$tmp/ev.json"
expect 2 "bad --at date" -- "$verify" --at 2024-13-01T00:00:00Z "$tmp/ev.json"
expect 2 "missing file" -- "$verify" "$tmp/nope.json"
expect 2 "empty evidence" -- "$verify" /dev/null
expect 2 "unknown tee" -- "$verify" --tee nosuch "$tmp/ev.json"
contains "$tmp/err" "this build knows:" "tee list"
contains "$tmp/err" " sample" "tee list names sample"
expect 2 "runtime data twice" -- "$verify" --runtime-data "$tmp/rd.bin" \
  --runtime-data-json "$tmp/rd.json" "$tmp/ev.json"
printf '{"a":' > "$tmp/bad.json"
expect 2 "invalid runtime json" -- "$verify" --runtime-data-json "$tmp/bad.json" "$tmp/ev.json"
contains "$tmp/err" "jcs: unexpected end of input" "jcs message"
expect 2 "unknown hash" -- "$verify" --hash-alg md5 "$tmp/ev.json"
expect 2 "missing trust dir" -- "$verify" --trust-dir "$tmp/none" "$tmp/ev.json"
expect 2 "collect: hex too long" -- "$collect" --tee sample --report-data \
  "$(printf '%0130d' 0)"
expect 2 "collect: bad hex" -- "$collect" --tee sample --report-data xyz
expect 2 "collect: both inputs" -- "$collect" --tee sample --report-data 00 \
  --runtime-data "$tmp/rd.bin"
expect 2 "collect: unknown tee" -- "$collect" --tee nosuch
expect 2 "collect: --hash-alg without runtime data" -- "$collect" --tee sample --hash-alg sha256
expect 1 "collect: auto never picks sample" -- "$collect"
contains "$tmp/err" "no TEE found" "auto message"
expect 2 "collect: unwritable output" -- "$collect" --tee sample -o /nonexistent/dir/ev.json
[ ! -e /nonexistent/dir/ev.json ] || fails=$((fails + 1))

# the simulated SEV-SNP device: evidence verifies only once its state dir is a trust dir
dev="$tmp/snp-device"
expect 0 "collect --simulate snp" -- "$collect" --simulate snp --state-dir "$dev" \
  --runtime-data "$tmp/rd.json" --runtime-data-json -o "$tmp/snp.json"
[ -f "$dev/pins" ] && [ -f "$dev/vcek.pem" ] || { echo "FAIL: device state"; fails=$((fails + 1)); }
expect 1 "simulated snp without its trust dir" -- "$verify" \
  --runtime-data-json "$tmp/rd.json" "$tmp/snp.json"
contains "$tmp/err" "is not signed by the pinned ARK-Milan" "untrusted test root"
expect 0 "simulated snp with --trust-dir" -- "$verify" --trust-dir "$dev" --json \
  --runtime-data-json "$tmp/rd.json" "$tmp/snp.json"
python3 - "$tmp/out" <<'PY' || fails=$((fails + 1))
import json, sys
o = json.load(open(sys.argv[1]))
assert o["tee"] == "snp" and o["status"] == "verified", o
s = o["claims"]["snp"]
assert s["version"] == 3 and s["product"] == "Milan" and s["signer"] == "VCEK", s
assert s["policy"]["debug"] is False and len(s["measurement"]) == 96, s
assert o["claims"]["report_data"] == s["report_data"], o
PY
expect 1 "simulated snp, runtime data mismatch" -- "$verify" --trust-dir "$dev" \
  --runtime-data-json "$tmp/other.json" "$tmp/snp.json"
contains "$tmp/err" "snp: report_data does not match the expected runtime data" "snp mismatch"
# a second collection reuses the device: same chip, one root
"$collect" --simulate snp --state-dir "$dev" --report-data 00ff -o "$tmp/snp2.json"
expect 0 "second report from the same device" -- "$verify" --trust-dir "$dev" \
  "$tmp/snp2.json"
python3 - "$tmp/snp.json" "$tmp/snp2.json" <<'PY' || fails=$((fails + 1))
import json, sys
a, b = (json.load(open(p))["attestation_report"] for p in sys.argv[1:])
assert a["chip_id"] == b["chip_id"] and a["report_id"] != b["report_id"]
PY
expect 1 "simulated snp, verified after the VCEK expired" -- "$verify" --trust-dir "$dev" \
  --at 2099-01-01T00:00:00Z "$tmp/snp2.json"
contains "$tmp/err" "is not valid at" "expiry message"
printf 'garbage' > "$dev/vcek.key"
expect 1 "damaged device state" -- "$collect" --simulate snp --state-dir "$dev"
contains "$tmp/err" "vcek.key" "damaged state names the file"
expect 2 "--simulate with --tee" -- "$collect" --simulate snp --tee sample
expect 2 "--state-dir without --simulate" -- "$collect" --state-dir "$dev"
expect 2 "simulate an unknown tee" -- "$collect" --simulate nosuch --state-dir "$tmp/x"

# tokens: attest-verify --token mints, attest-token verifies (pinned by the key's RFC 7638
# thumbprint, which attest-verify puts in the header as kid)
token=$bin/attest-token
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt \
  -out "$tmp/es256.pem"
expect 0 "verify --token ear" -- "$verify" --runtime-data-json "$tmp/rd.json" --token ear \
  --signer-key "$tmp/es256.pem" --nonce abcdefgh12345678 "$tmp/ev.json"
cp "$tmp/out" "$tmp/ear.jwt"
kid=$(python3 -c 'import sys,json,base64; h=open(sys.argv[1]).read().split(".")[0]; print(json.loads(base64.urlsafe_b64decode(h+"=="))["kid"])' "$tmp/ear.jwt")
expect 0 "attest-token --pin-jwk" -- "$token" --pin-jwk "$kid" "$tmp/ear.jwt"
contains "$tmp/out" '"eat_nonce":"abcdefgh12345678"' "token nonce"
contains "$tmp/out" '"ear.status":"warning"' "token status"
expect 1 "attest-token expired" -- "$token" --pin-jwk "$kid" --at 2099-01-01T00:00:00Z \
  "$tmp/ear.jwt"
contains "$tmp/err" "expired" "expiry message"
expect 1 "attest-token other pin" -- "$token" \
  --pin-jwk AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA "$tmp/ear.jwt"
expect 2 "attest-token trusts nothing" -- "$token" "$tmp/ear.jwt"
expect 2 "--token without --signer-key" -- "$verify" --token ear "$tmp/ev.json"
expect 2 "--signer-key is not a key" -- "$verify" --token ear --signer-key "$tmp/rd.json" \
  "$tmp/ev.json"
# policies: a release policy decides, an appraisal policy rates
printf '{"version":"1.0.0","anyOf":[{"allOf":[{"claim":"sample.svn","equals":"2"}]}]}' \
  > "$tmp/deny.json"
expect 1 "denied by a release policy" -- "$verify" --runtime-data-json "$tmp/rd.json" \
  --policy "$tmp/deny.json" "$tmp/ev.json"
contains "$tmp/err" 'claim sample.svn is "1", want equals "2"' "denial reason"
printf '{"version":"1.0","defaults":{"hardware":2}}' > "$tmp/appraise.json"
expect 0 "appraisal policy" -- "$verify" --runtime-data-json "$tmp/rd.json" \
  --policy "$tmp/appraise.json" "$tmp/ev.json"
contains "$tmp/out" "appraisal: affirming" "appraisal line"
printf '{"anyOf":' > "$tmp/badpolicy.json"
expect 2 "malformed policy" -- "$verify" --policy "$tmp/badpolicy.json" "$tmp/ev.json"

# -o to a device writes to it, never replaces it
expect 0 "collect -o /dev/null" -- "$collect" --tee sample -o /dev/null
[ -c /dev/null ] || { echo "FAIL: /dev/null is no longer a device"; fails=$((fails + 1)); }

echo "$fails failures"
[ "$fails" -eq 0 ]
