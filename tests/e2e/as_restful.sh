#!/bin/sh
# as-restful end to end with curl: the seed-002 request shape (simulated SEV-SNP evidence,
# structured runtime data, structured init data) returns a token that attest-token
# verifies with the server's JWKS; policies, challenge, health; every bad request gets a
# 4xx with a JSON error and the server keeps serving. The server binds 127.0.0.1 on a free
# port and is always stopped.
# usage: as_restful.sh BUILD_ROOT
set -u
bin=$1/examples
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# a simulated SNP guest launched with HOST_DATA = sha384({}) truncated, as Trustee binds it
dev="$tmp/dev"
printf '{"nonce":"n0nce","tee-pubkey":{"kty":"EC","crv":"P-256","alg":"ECDH-ES+A256KW"}}' \
  > "$tmp/rt.json"
hd=$(printf '{}' | sha384sum | cut -c1-64)
"$bin/attest-collect" --simulate snp --state-dir "$dev" --host-data "$hd" \
  --runtime-data "$tmp/rt.json" --runtime-data-json -o "$tmp/snp.json" || exit 1
ev=$(base64 -w0 "$tmp/snp.json" | tr '+/' '-_' | tr -d '=')
printf '{"tee":"snp","evidence":"%s","runtime_data":{"structured":%s},"init_data":{"structured":{}},"runtime_data_hash_algorithm":"sha384","init_data_hash_algorithm":"sha384","policy_ids":[]}' \
  "$ev" "$(cat "$tmp/rt.json")" > "$tmp/req.json"

"$bin/as-restful" --socket 127.0.0.1:0 --trust-dir "$dev" > "$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q "listening on" "$tmp/log" && break; sleep 0.1; done
port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/log")
[ -n "$port" ] || { cat "$tmp/log"; echo "FAIL: server did not start"; exit 1; }
url=http://127.0.0.1:$port

req() { # req METHOD PATH [BODY_FILE] -> status in $code, body in $tmp/body
  if [ $# -ge 3 ]; then
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
      --data-binary @"$3" "$url$2")
  else
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X "$1" "$url$2")
  fi
}
expect() { # expect CODE DESCRIPTION
  if [ "$code" = "$1" ]; then ok "$2"; else fail "$2: HTTP $code, want $1: $(head -c 300 "$tmp/body")"; fi
}
json_error() { # the body is {"error": ..., "message": ...}
  python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert set(o)=={"error","message"}, o' \
    "$tmp/body" 2>/dev/null || fail "$1: body is not a JSON error: $(head -c 200 "$tmp/body")"
}

req POST /attestation "$tmp/req.json"; expect 200 "seed-002 request shape with SNP evidence"
cp "$tmp/body" "$tmp/token"
req GET /.well-known/jwks.json; expect 200 "jwks"
cp "$tmp/body" "$tmp/jwks.json"
if "$bin/attest-token" --jwks "$tmp/jwks.json" "$tmp/token" > "$tmp/claims"; then
  ok "attest-token verifies the token"
  python3 - "$tmp/claims" "$hd" <<'PY' || fail "token claims"
import json, sys
c = json.load(open(sys.argv[1]))
e = c["submods"]["cpu0"]["ear.veraison.annotated-evidence"]
assert e["runtime_data_claims"]["nonce"] == "n0nce", e
assert e["init_data"] == sys.argv[2] and e["init_data_claims"] == {}, e
assert e["snp"]["measurement"] and c["iss"] == "CoCo-Attestation-Service", c
PY
else
  fail "attest-token verifies the token"
fi

# policies
printf '{"version":"1.0","defaults":{"hardware":2,"executables":3}}' > "$tmp/p.json"
printf '{"type":"rego","policy_id":"default_cpu","policy":"%s"}' \
  "$(base64 -w0 "$tmp/p.json" | tr '+/' '-_' | tr -d '=')" > "$tmp/setp.json"
req POST /policy "$tmp/setp.json"; expect 200 "set policy"
req GET /policy; expect 200 "list policies"
grep -q '"policy-id":"default_cpu"' "$tmp/body" || fail "policy listed"
req GET /policy/default_cpu; expect 200 "get policy"
cmp -s "$tmp/body" "$tmp/p.json" || fail "policy text round trip"
req POST /attestation "$tmp/req.json"; expect 200 "attest with the stored default_cpu"
"$bin/attest-token" --jwks "$tmp/jwks.json" "$tmp/body" | grep -q '"ear.status":"affirming"' ||
  fail "stored policy applied"
printf '{"tee":"snp","tee_params":""}' > "$tmp/ch.json"
req POST /challenge "$tmp/ch.json"; expect 200 "challenge"
req GET /healthz; expect 200 "healthz"

# bad input: 4xx, JSON error, nothing minted, the server keeps serving
printf '{"tee":"snp","evidence":' > "$tmp/bad1"; req POST /attestation "$tmp/bad1"
expect 400 "malformed JSON"; json_error "malformed JSON"
sed 's/"evidence":"ey/"evidence":"ez/' "$tmp/req.json" > "$tmp/bad2"; req POST /attestation "$tmp/bad2"
case $code in 400|401) ok "tampered evidence ($code)";; *) fail "tampered evidence: $code";; esac
json_error "tampered evidence"
sed 's/"n0nce"/"other"/' "$tmp/req.json" > "$tmp/bad3"; req POST /attestation "$tmp/bad3"
expect 401 "runtime data of another session"; json_error "binding"
grep -q "report_data does not match" "$tmp/body" || fail "binding message"
sed 's/"policy_ids":\[\]/"policy_ids":["nosuch"]/' "$tmp/req.json" > "$tmp/bad4"
req POST /attestation "$tmp/bad4"; expect 404 "unknown policy"; json_error "unknown policy"
printf '{"policy_id":"x","policy":"%s"}' "$(printf 'package policy' | base64 -w0 | tr -d '=')" \
  > "$tmp/bad5"
req POST /policy "$tmp/bad5"; expect 400 "Rego is not accepted"; json_error "rego"
req GET /policy/nosuch; expect 404 "unknown policy id"
req GET /nope; expect 404 "unknown route"; json_error "unknown route"
head -c 17000000 /dev/zero > "$tmp/big"; req POST /attestation "$tmp/big"
expect 413 "oversized body"
req GET /healthz; expect 200 "still serving after errors"

kill "$pid" && wait "$pid"; status=$?; pid=""
[ "$status" -eq 0 ] && ok "clean stop on SIGTERM" || fail "exit status $status after SIGTERM"
echo "$fails failures"
[ "$fails" -eq 0 ]
