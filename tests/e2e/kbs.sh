#!/bin/sh
# kbs and kbs-client end to end (Trustee KBS protocol v0.4.0, ../shared/specs/kbs-protocol.md).
#
# Five kbs servers on 127.0.0.1, each on a free port and always stopped:
#   A  background check: in-process AS signing with a key this test made, simulated SNP
#      trusted, Ed25519 admin key; the issuer of passport tokens
#   B  passport relying party: --no-attestation, trusts A's signing key as a JWKS
#   S  --resource-policy that allows the sample TEE, EC P-256 admin key
#   T  --session-timeout 1, RSA admin key
#   L  an AS minting Trustee's legacy "simple" tokens
# kbs-client runs the RCAR handshake with sample and simulated SNP evidence, passport mode
# and the admin routes; the negatives are crafted with curl, openssl and python3, each
# checked for its status, an ErrorInformation body, nothing released, and the server still
# serving afterwards.
# usage: kbs.sh BUILD_ROOT
set -u
bin=$(cd "$1" && pwd)/examples
tmp=$(mktemp -d)
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null; done
  for p in $pids; do wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
client() { "$bin/kbs-client" "$@"; }
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# ---- JSON helpers (python3, as tests/e2e/as_restful.sh) ----
cat > "$tmp/h.py" <<'PY'
import base64, json, sys
cmd, a = sys.argv[1], sys.argv[2:]
def load(p): return json.load(open(p))
if cmd == "get":            # get FILE KEY: a top-level string member
    print(load(a[0])[a[1]])
elif cmd == "rt":           # rt NONCE JWK_FILE: the runtime data the report data binds
    print(json.dumps({"additional-evidence": "", "nonce": a[0], "tee-pubkey": load(a[1])}))
elif cmd == "body":         # body NONCE JWK_FILE EVIDENCE_FILE [TOML]: an Attestation
    b = {"runtime-data": {"nonce": a[0], "tee-pubkey": load(a[1])},
         "tee-evidence": {"primary_evidence": load(a[2]), "additional_evidence": ""}}
    if len(a) > 3:
        b["init-data"] = {"format": "toml", "body": open(a[3]).read()}
    print(json.dumps(b))
elif cmd == "tamper":       # tamper EVIDENCE_FILE: one bit of the signed SNP report
    e = load(a[0]); e["attestation_report"]["guest_svn"] ^= 1; print(json.dumps(e))
elif cmd == "errinfo":      # errinfo FILE VARIANT: a KBS ErrorInformation of that variant
    o = load(a[0])
    assert set(o) == {"type", "detail"}, o
    assert o["type"] == "https://github.com/confidential-containers/kbs/errors/" + a[1], o
    assert isinstance(o["detail"], str) and o["detail"], o
elif cmd == "claims":       # claims TOKEN_FILE: the payload, unverified
    p = open(a[0]).read().strip().split(".")[1]
    print(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())
elif cmd == "header":
    p = open(a[0]).read().strip().split(".")[0]
    print(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())
PY
py() { python3 -S "$tmp/h.py" "$@"; }  # -S: no site, starts twice as fast

# ---- keys, repository, the simulated device ----
cd "$tmp" || exit 1
openssl genpkey -algorithm ed25519 -out admin.pem 2>/dev/null &&
  openssl pkey -in admin.pem -pubout -out admin.pub &&
  openssl genpkey -algorithm ed25519 -out wrong-admin.pem 2>/dev/null &&
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out admin-ec.pem 2>/dev/null &&
  openssl pkey -in admin-ec.pem -pubout -out admin-ec.pub &&
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out admin-rsa.pem 2>/dev/null &&
  openssl pkey -in admin-rsa.pem -pubout -out admin-rsa.pub ||
  { echo "FAIL: openssl key generation"; exit 1; }

# P-256 public JWK of a PEM key: x and y are the last 64 bytes of the SubjectPublicKeyInfo
jwk() { # jwk PEM ALG
  openssl pkey -in "$1" -pubout -outform DER > "$1.der"
  printf '{"kty":"EC","crv":"P-256","x":"%s","y":"%s","alg":"%s"}' \
    "$(tail -c 64 "$1.der" | head -c 32 | b64url)" "$(tail -c 32 "$1.der" | b64url)" "$2"
}
# the issuer's token signing key, and the JWKS the relying party trusts
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out signer.pem 2>/dev/null
printf '{"keys":[%s]}' "$(jwk signer.pem ES256)" > signer.jwks
printf '{"attestation_token_broker":{"type":"Ear","duration_min":5,"signer":{"key_path":"%s"}}}' \
  "$tmp/signer.pem" > as.json
# two tee keys for the curl-level handshakes
for k in k1 k2; do
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $k.pem 2>/dev/null
  jwk $k.pem ECDH-ES+A256KW > $k.jwk
done

# the repository: seed 002's default/akv/coco_one, a binary key, and the same secret as
# the Secrets Store CSI driver mounts it (Kubernetes' atomic writer: "..data" and
# per-file symlinks into a timestamped directory)
mkdir -p res/default/akv res/default/key resB/default/akv
printf 'a secret' > res/default/akv/coco_one
printf 'another secret' > res/default/akv/coco_two
head -c 4096 /dev/urandom > res/default/key/bin
printf 'the relying party secret' > resB/default/akv/coco_one
csi=res/default/akvcsi
mkdir -p $csi/..2026_01_01_00_00_00.000000001
printf 'a secret' > $csi/..2026_01_01_00_00_00.000000001/coco_one
ln -s ..2026_01_01_00_00_00.000000001 $csi/..data
ln -s ..data/coco_one $csi/coco_one
mkdir outside && printf 'not a resource' > outside/passwd
ln -s ../../outside res/default/ext # a link out of the repository

# create the simulated SNP device before the servers trust its directory
printf '{}' > init.json
"$bin/attest-collect" --simulate snp --state-dir dev --runtime-data init.json \
  --runtime-data-json -o /dev/null || { echo "FAIL: simulated device"; exit 1; }
printf '{"version":"1.0.0","allOf":[{"allOf":[%s]}]}' \
  '{"claim":"submods.cpu0.ear.status","exists":true}' > allow-all.json

start_kbs() { # start_kbs NAME ARGS... -> $url_NAME, $pid_NAME
  name=$1; shift
  : > "$name.log"
  "$bin/kbs" --socket 127.0.0.1:0 "$@" > "$name.log" 2>&1 &
  p=$!
  pids="$pids $p"
  for _ in $(seq 200); do
    grep -q "^listening on" "$name.log" && break
    kill -0 "$p" 2>/dev/null || break
    sleep 0.05
  done
  port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$name.log")
  [ -n "$port" ] || { cat "$name.log"; echo "FAIL: kbs $name did not start"; exit 1; }
  eval "url_$name=http://127.0.0.1:$port pid_$name=$p"
}
t0=$(date +%s%N)
tl=$t0
lap() { # lap NAME: how long the section took
  tn=$(date +%s%N); echo "# $1: $(( (tn - tl) / 1000000 )) ms"; tl=$tn
}
start_kbs A -c as.json --resource-dir res --trust-dir dev --admin-key admin.pub
start_kbs B --no-attestation --trust-issuer signer.jwks --resource-dir resB
start_kbs S --resource-dir res --resource-policy allow-all.json --admin-key admin-ec.pub
start_kbs T --resource-dir res --trust-dir dev --session-timeout 1 --admin-key admin-rsa.pub
printf '{"attestation_token_broker":{"type":"Simple"}}' > simple.json
start_kbs L -c simple.json --resource-dir res
lap "5 servers up"
A=$url_A B=$url_B S=$url_S T=$url_T

# ---- curl-level protocol ----
req() { # req URL METHOD PATH [BODY_FILE] [curl args...] -> $code, body in ./body
  u=$1 m=$2 pth=$3; shift 3
  if [ $# -ge 1 ] && [ -f "$1" ]; then
    f=$1; shift
    code=$(curl -s --path-as-is -b jar -c jar -o body -w '%{http_code}' -X "$m" \
      -H 'Content-Type: application/json' --data-binary @"$f" "$@" "$u$pth")
  else
    code=$(curl -s --path-as-is -b jar -c jar -o body -w '%{http_code}' -X "$m" "$@" "$u$pth")
  fi
}
expect() { # expect CODE DESCRIPTION
  if [ "$code" = "$1" ]; then ok "$2"; else fail "$2: HTTP $code, want $1: $(head -c 300 body)"; fi
}
refusal() { # refusal CODE VARIANT DESCRIPTION: status, ErrorInformation, nothing released
  expect "$1" "$3"
  py errinfo body "$2" 2>/dev/null || fail "$3: not a $2 ErrorInformation: $(head -c 300 body)"
  ! grep -q ciphertext body || fail "$3: a JWE was released"
}
new_session() { # new_session URL [TEE]: POST /auth with a fresh cookie jar -> $nonce
  rm -f jar
  printf '{"version":"0.4.0","tee":"%s","extra-params":{"supported-hash-algorithms":["sha384"]}}' \
    "${2:-snp}" > auth.json
  req "$1" POST /kbs/v0/auth auth.json
  [ "$code" = 200 ] || { fail "auth on $1: HTTP $code: $(head -c 300 body)"; nonce=none; return; }
  nonce=$(py get body nonce)
  grep -q "kbs-session-id" jar || fail "auth on $1: no kbs-session-id cookie"
}
snp_evidence() { # snp_evidence NONCE BIND_JWK OUT: simulated SNP evidence over H(JCS(rt))
  py rt "$1" "$2" > rt.json
  "$bin/attest-collect" --simulate snp --state-dir dev --runtime-data rt.json \
    --runtime-data-json -o "$3" || fail "attest-collect"
}
healthy() { # healthy URL DESCRIPTION
  c=$(curl -s -o /dev/null -w '%{http_code}' "$1/healthz")
  [ "$c" = 200 ] || fail "$2: server no longer serving (healthz $c)"
}

# ==== 1. sample TEE: a token, then the default resource policy refuses it ====
if client --url "$A" attest > sample.tok 2> err; then
  ok "attest with sample evidence returns a token"
  "$bin/attest-token" --jwks signer.jwks sample.tok > sample.claims 2>&1 ||
    fail "the token does not verify with the issuer key the test generated"
  grep -q '"ear.veraison.annotated-evidence":{"sample"' sample.claims ||
    fail "sample token claims: $(head -c 300 sample.claims)"
else
  fail "attest with sample evidence: $(cat err)"
fi
client --url "$A" get-resource --path default/akv/coco_one > out 2> err; rc=$?
if [ $rc = 1 ] && grep -q "HTTP 401 PolicyDeny" err && [ ! -s out ]; then
  ok "sample evidence refused by the default resource policy (401 PolicyDeny)"
else
  fail "sample evidence under the default policy: exit $rc, $(cat err)"
fi
out=$(client --url "$S" get-resource --path default/akv/coco_one 2> err)
[ "$out" = "a secret" ] && ok "sample evidence allowed by --resource-policy" ||
  fail "sample under an allowing --resource-policy: '$out' $(cat err)"

# the same with the AS minting Trustee's legacy "simple" token (kbs L): the default policy
# refuses "tee": "sample" too
client --url "$url_L" get-resource --path default/akv/coco_one > out 2> err; rc=$?
if [ $rc = 1 ] && grep -q "PolicyDeny" err && [ ! -s out ]; then
  ok "sample evidence with a simple token refused by the default resource policy"
else
  fail "sample evidence with a simple token (-c broker type Simple) passes the default" \
    "resource policy: exit $rc, released '$(cat out)'"
fi

lap "1 sample TEE and resource policies"
# ==== 2. simulated SEV-SNP: the full handshake releases seed 002's AKV secret ====
out=$(client --url "$A" get-resource --path default/akv/coco_one --simulate-dir dev 2> err)
[ "$out" = "a secret" ] && ok "snp handshake fetches default/akv/coco_one" ||
  fail "snp get-resource default/akv/coco_one: '$out' $(cat err)"
if client --url "$A" get-resource --path default/key/bin --simulate-dir dev -o bin.out 2> err &&
   cmp -s bin.out res/default/key/bin && [ "$(stat -c %a bin.out)" = 600 ]; then
  ok "binary resource byte for byte, -o file mode 0600"
else
  fail "binary resource: $(cat err)"
fi
out=$(client --url "$A" get-resource --path default/akvcsi/coco_one --simulate-dir dev 2> err)
if [ "$out" = "a secret" ]; then
  ok "AKV CSI driver mount (atomic-writer symlinks) is served"
else
  fail "AKV CSI driver mount default/akvcsi/coco_one (a symlink into ..data) is refused:" \
    "$(cat err)"
fi
out=$(client --url "$A" get-resource --path default/ext/passwd --simulate-dir dev 2> err)
if [ -z "$out" ] && grep -q "PluginInternalError" err; then
  ok "a symlinked directory leading out of the repository is not followed"
else
  fail "default/ext -> outside served '$out' $(cat err)"
fi

# init data: the simulated host launches the guest with HOST_DATA = its digest
cat > initdata.toml <<'TOML'
version = "0.1.0"
algorithm = "sha384"
[data]
"policy.txt" = "kbs e2e"
TOML
if client --url "$A" attest --simulate-dir dev --init-data initdata.toml > init.tok 2> err &&
   "$bin/attest-token" --jwks signer.jwks init.tok > init.claims &&
   python3 -c 'import json,sys
e = json.load(open(sys.argv[1]))["submods"]["cpu0"]["ear.veraison.annotated-evidence"]
assert e["init_data_claims"] == {"policy.txt": "kbs e2e"}, e["init_data_claims"]
assert e["init_data"] == e["snp"]["host_data"] != "0" * 64, e' init.claims; then
  ok "init data bound to HOST_DATA and exposed as init_data_claims"
else
  fail "init data with simulated snp: $(cat err) $(head -c 300 init.claims 2>/dev/null)"
fi
out=$(client --url "$S" get-resource --path default/akv/coco_two --init-data initdata.toml 2> err)
[ "$out" = "another secret" ] && ok "init data with sample evidence" ||
  fail "init data with sample evidence: '$out' $(cat err)"

lap "2 simulated SNP, init data"
# ==== 3. passport mode: A issues, B releases to the Bearer token ====
if client --url "$A" attest --simulate-dir dev --save-token pass.tok --save-key pass.pem \
     > stdout.tok 2> err && cmp -s pass.tok stdout.tok &&
   [ "$(stat -c %a pass.pem)" = 600 ]; then
  ok "attest --save-token --save-key (key mode 0600)"
else
  fail "attest --save-token --save-key: $(cat err)"
fi
"$bin/attest-token" --jwks signer.jwks pass.tok > /dev/null 2> err &&
  py header pass.tok | grep -q "$(jwk signer.pem ES256 | sed 's/,"alg".*//; s/^{//')" &&
  ok "the issuer's token is signed by the configured signer key" ||
  fail "issuer token vs signer key: $(cat err)"
out=$(client --url "$B" get-resource --path default/akv/coco_one --token pass.tok \
  --key pass.pem 2> err)
[ "$out" = "the relying party secret" ] &&
  ok "passport: relying kbs releases to the issuer's token" ||
  fail "passport get-resource: '$out' $(cat err)"
client --url "$A" attest --simulate-dir dev --save-key other.pem > other.tok 2> err
client --url "$B" get-resource --path default/akv/coco_one --token pass.tok --key other.pem \
  > out 2> err; rc=$?
[ $rc = 1 ] && grep -q "does not decrypt" err && [ ! -s out ] &&
  ok "passport: a token is useless without its tee key" || fail "wrong key: exit $rc $(cat err)"
client --url "$B" get-resource --path default/akv/coco_one --token sample.tok --key pass.pem \
  > out 2> err; rc=$?
[ $rc = 1 ] && grep -q "PolicyDeny" err && ok "passport: sample token denied by B's policy" ||
  fail "passport sample token: exit $rc $(cat err)"
client --url "$S" attest > s.tok 2> err
rm -f jar
req "$B" GET /kbs/v0/resource/default/akv/coco_one -H "Authorization: Bearer $(cat s.tok)"
refusal 401 TokenVerifierError "passport: token of an untrusted issuer"
req "$B" GET /kbs/v0/resource/default/akv/coco_one -H "Authorization: Bearer not.a.jwt"
refusal 401 TokenVerifierError "passport: garbage Bearer token"
req "$B" GET /kbs/v0/resource/default/akv/coco_one
refusal 401 TokenNotFound "passport: no cookie and no token"
rm -f jar
printf '{"version":"0.4.0","tee":"snp","extra-params":""}' > auth.json
req "$B" POST /kbs/v0/auth auth.json
refusal 404 PluginNotFound "passport: /auth on a kbs without attestation"
printf '{"runtime-data":{},"tee-evidence":{}}' > att.json
req "$B" POST /kbs/v0/attest att.json
refusal 404 PluginNotFound "passport: /attest on a kbs without attestation"
healthy "$B" "passport negatives"

# a session kept in a cookie jar, reused by a second run with the saved key
rm -f cj
client --url "$A" --cookie-jar cj attest --simulate-dir dev --save-key cj.pem > /dev/null 2> err
out=$(client --url "$A" --cookie-jar cj get-resource --path default/akv/coco_one \
  --key cj.pem 2> err)
[ "$out" = "a secret" ] && ok "session reused from --cookie-jar with the saved key" ||
  fail "cookie-jar session: '$out' $(cat err)"

lap "3 passport mode"
# ==== 4. negatives at the protocol level (kbs A unless said) ====
# the curl-level handshake, positive first: evidence over H(JCS(runtime data)) for k1
new_session "$A"
snp_evidence "$nonce" k1.jwk ev.json; py body "$nonce" k1.jwk ev.json > att.json
req "$A" POST /kbs/v0/attest att.json; expect 200 "curl-level handshake"
py get body token > curl.tok 2>/dev/null
req "$A" POST /kbs/v0/attest att.json
[ "$code" = 200 ] && [ "$(py get body token)" = "$(cat curl.tok)" ] &&
  ok "a second /attest on an attested session returns the same token (§3.3)" ||
  fail "second /attest: HTTP $code"
req "$A" GET /kbs/v0/resource/default/akv/nosuch
refusal 401 PluginInternalError "unknown resource"
# the session is still good and its JWE opens with k1 (kbs-client reads curl's jar)
out=$(client --url "$A" --cookie-jar jar get-resource --path default/akv/coco_one \
  --key k1.pem 2> err)
[ "$out" = "a secret" ] && ok "curl handshake, kbs-client decrypts with the tee key" ||
  fail "curl session + kbs-client: '$out' $(cat err)"
for p in "../../../etc/passwd" "default/../../outside/passwd" "default/akv/.." \
         "%2e%2e/%2e%2e/outside" "default%2f..%2f..%2foutside/x/passwd" "default/akv" \
         "default/akv/coco_one/x" "default//coco_one"; do
  req "$A" GET "/kbs/v0/resource/$p"
  refusal 404 InvalidRequestPath "path traversal $p"
done
req "$A" GET /kbs/v0/../../outside/passwd
refusal 404 PluginNotFound "path traversal above /kbs/v0/"
client --url "$A" get-resource --path ../../outside/passwd > out 2> err; rc=$?
[ $rc = 1 ] && grep -q InvalidRequestPath err && [ ! -s out ] &&
  ok "kbs-client sends .. as is and reports the refusal" || fail "client traversal: $rc $(cat err)"

# replay: a challenge whose evidence was refused cannot take new evidence
new_session "$A"
snp_evidence "$nonce" k1.jwk ev.json
py tamper ev.json > bad.json; py body "$nonce" k1.jwk bad.json > att.json
req "$A" POST /kbs/v0/attest att.json
refusal 401 AttestationError "tampered evidence (one bit of the signed report)"
py body "$nonce" k1.jwk ev.json > att.json
req "$A" POST /kbs/v0/attest att.json
refusal 401 AttestationError "replayed nonce: new evidence on a spent challenge"
grep -q "used already" body || fail "replayed nonce message: $(cat body)"
req "$A" GET /kbs/v0/resource/default/akv/coco_one
refusal 401 TokenNotFound "no resource on a session whose attestation failed"
# the nonce of another session
new_session "$A"; old=$nonce
new_session "$A"
snp_evidence "$old" k1.jwk ev.json; py body "$old" k1.jwk ev.json > att.json
req "$A" POST /kbs/v0/attest att.json
refusal 401 AttestationError "nonce of another session"
grep -q "not this session's challenge" body || fail "other nonce message: $(cat body)"
# evidence bound to another tee-pubkey: report data over k2, runtime data sends k1
new_session "$A"
snp_evidence "$nonce" k2.jwk ev.json; py body "$nonce" k1.jwk ev.json > att.json
req "$A" POST /kbs/v0/attest att.json
refusal 401 AttestationError "evidence bound to another tee-pubkey"
grep -q "report_data" body || fail "binding message: $(cat body)"
# init data that is not what the guest was launched with
sed 's/kbs e2e/kbs e3e/' initdata.toml > other.toml
new_session "$A"
snp_evidence "$nonce" k1.jwk ev.json; py body "$nonce" k1.jwk ev.json other.toml > att.json
req "$A" POST /kbs/v0/attest att.json
refusal 401 AttestationError "init data other than the launch HOST_DATA"
# the resource policy, at the protocol level
new_session "$A" sample
py rt "$nonce" k1.jwk > rt.json
"$bin/attest-collect" --tee sample --runtime-data rt.json --runtime-data-json -o sev.json
py body "$nonce" k1.jwk sev.json > att.json
req "$A" POST /kbs/v0/attest att.json; expect 200 "sample attestation (curl)"
req "$A" GET /kbs/v0/resource/default/akv/coco_one
refusal 401 PolicyDeny "policy deny (sample TEE, default resource policy)"
# malformed requests
printf '{"version":"0.4.0","tee":' > bad.json
rm -f jar; req "$A" POST /kbs/v0/auth bad.json
refusal 401 AttestationError "malformed JSON in /auth"
printf '{"version":"0.1.0","tee":"snp","extra-params":""}' > old.json
req "$A" POST /kbs/v0/auth old.json
refusal 401 AttestationError "protocol version 0.1.0"
grep -q "Version Mismatch" body || fail "version message: $(cat body)"
new_session "$A"
req "$A" POST /kbs/v0/attest bad.json
refusal 401 AttestationError "malformed JSON in /attest"
rm -f jar; req "$A" POST /kbs/v0/attest att.json
refusal 401 AttestationError "/attest without a session cookie"
req "$A" GET /kbs/v0/nosuch
refusal 404 PluginNotFound "unknown plugin"
healthy "$A" "protocol negatives"

lap "4 protocol negatives"
# expired sessions (kbs T, 1 s sessions). curl drops a cookie once its Expires has passed,
# so the session ids are sent by hand: the server must refuse them by itself. Sessions live
# between 0 and 1 s here (a whole-second clock, see the report), so a handshake that
# straddles a second boundary is retried.
new_session "$T"
sid1=$(awk '$6 == "kbs-session-id" { print $7 }' jar)
for _ in 1 2 3 4 5; do
  new_session "$T"
  snp_evidence "$nonce" k1.jwk ev.json; py body "$nonce" k1.jwk ev.json > att.json
  req "$T" POST /kbs/v0/attest att.json
  [ "$code" = 200 ] && break
done
expect 200 "attested on a 1 s session"
sid2=$(awk '$6 == "kbs-session-id" { print $7 }' jar)
rm -f jar
# a flood of unauthenticated /auth requests (the table holds 4096 sessions) must not
# evict a session that has attested. It attests before the sleep below, so every flood
# session expires strictly later (whole seconds) and the outcome does not depend on ties.
rm -f fl
client --url "$A" --cookie-jar fl attest --simulate-dir dev --save-key fl.pem > /dev/null 2> err
sleep 2
req "$T" POST /kbs/v0/attest att.json -H "Cookie: kbs-session-id=$sid1"
refusal 401 AttestationError "/attest on an expired session (timeout 1 s, 2 s later)"
grep -q "session not found or expired" body || fail "expired message: $(cat body)"
req "$T" GET /kbs/v0/resource/default/akv/coco_one -H "Cookie: kbs-session-id=$sid2"
refusal 401 TokenNotFound "resource on an expired attested session"
healthy "$T" "expired session"
python3 -S - "${A#http://}" <<'PY'
import http.client, sys
host, port = sys.argv[1].split(":")
c = http.client.HTTPConnection(host, int(port))
for _ in range(4096):
    c.request("POST", "/kbs/v0/auth", body='{"version":"0.4.0","tee":"snp","extra-params":""}',
              headers={"Content-Type": "application/json"})
    c.getresponse().read()
PY
out=$(client --url "$A" --cookie-jar fl get-resource --path default/akv/coco_one \
  --key fl.pem 2> err)
if [ "$out" = "a secret" ]; then
  ok "an attested session survives 4096 unauthenticated /auth requests"
else
  fail "4096 unauthenticated /auth requests evict an attested session: $(cat err)"
fi
healthy "$A" "session flood"

lap "4 expired sessions (sleep 2), session flood"
# ==== 5. admin routes ====
rm -f jar
printf 'uploaded' > up.bin
req "$A" POST /kbs/v0/resource/default/up/one up.bin
refusal 401 AdminAuthAccess "admin route without a token"
req "$A" POST /kbs/v0/resource/default/up/one up.bin -H "Authorization: Bearer $(cat pass.tok)"
refusal 401 AdminAuthAccess "admin route with an attestation token"
client --url "$A" set-resource --path default/up/one --resource-file up.bin \
  --admin-key wrong-admin.pem 2> err; rc=$?
[ $rc = 1 ] && grep -q AdminAuthAccess err && ok "admin route with a wrong admin key" ||
  fail "wrong admin key: exit $rc $(cat err)"
client --url "$B" set-resource --path default/up/one --resource-file up.bin \
  --admin-key admin.pem 2> err; rc=$?
[ $rc = 1 ] && grep -q "DenyAll" err && ok "admin route on a kbs without --admin-key" ||
  fail "DenyAll: exit $rc $(cat err)"
[ ! -e res/default/up ] && [ ! -e resB/default/up ] || fail "a refused upload left a file"
client --url "$A" set-resource --path ../../escape/x --resource-file up.bin \
  --admin-key admin.pem 2> err; rc=$?
[ $rc = 1 ] && [ ! -e escape ] && [ ! -e ../escape ] && ok "admin upload outside the repository" ||
  fail "admin traversal: exit $rc $(cat err)"
healthy "$A" "admin negatives"

head -c 3000 /dev/urandom > up.bin
if client --url "$A" set-resource --path default/up/one --resource-file up.bin \
     --admin-key admin.pem 2> err &&
   client --url "$A" get-resource --path default/up/one --simulate-dir dev -o up.out 2>> err &&
   cmp -s up.bin up.out; then
  ok "admin set-resource, then get-resource returns it (Ed25519 admin JWT)"
else
  fail "set-resource round trip: $(cat err)"
fi
printf 'v2' > up.bin
client --url "$A" set-resource --path default/up/one --resource-file up.bin --admin-key admin.pem &&
  [ "$(client --url "$A" get-resource --path default/up/one --simulate-dir dev)" = v2 ] &&
  ok "set-resource overwrites" || fail "overwrite"
client --url "$A" delete-resource --path default/up/one --admin-key admin.pem 2> err &&
  ok "delete-resource" || fail "delete-resource: $(cat err)"
client --url "$A" get-resource --path default/up/one --simulate-dir dev > out 2> err; rc=$?
[ $rc = 1 ] && grep -q PluginInternalError err && ok "deleted resource is gone" ||
  fail "after delete: exit $rc $(cat err)"
client --url "$A" delete-resource --path default/up/one --admin-key admin.pem 2> err; rc=$?
[ $rc = 1 ] && ok "deleting twice is refused" || fail "second delete: exit $rc"
# EC P-256 (ES256) and RSA (RS256) admin keys
client --url "$S" set-resource --path default/ec/one --resource-file up.bin \
  --admin-key admin-ec.pem 2> err &&
  [ "$(client --url "$S" get-resource --path default/ec/one 2>> err)" = v2 ] &&
  ok "ES256 admin JWT" || fail "ES256 admin: $(cat err)"
rm -rf res/default/ec
client --url "$T" delete-resource --path default/akv/nosuch --admin-key admin-rsa.pem 2> err; rc=$?
[ $rc = 1 ] && grep -q PluginInternalError err &&
  ok "RS256 admin JWT (authorized, then not found)" ||
  fail "RS256 admin: exit $rc $(cat err)"

# reference values and the attestation policy
printf '{"version":"0.1.0","type":"sample","payload":"%s"}' \
  "$(printf '{"kbs_e2e_value":["abc","def"]}' | base64 -w0)" > rv.json
client --url "$A" set-reference-value --message-file rv.json --admin-key admin.pem 2> err &&
  client --url "$A" get-reference-value --id kbs_e2e_value --admin-key admin.pem > rv.out 2>> err &&
  grep -q abc rv.out && ok "set-reference-value, get-reference-value" ||
  fail "reference values: $(cat err) $(cat rv.out 2>/dev/null)"
printf '{"version":"1.0","defaults":{"hardware":2,"executables":3}}' > ap.json
if client --url "$A" set-attestation-policy --policy-file ap.json --admin-key admin.pem 2> err &&
   client --url "$A" attest --simulate-dir dev > ap.tok 2>> err &&
   py claims ap.tok | grep -q '"ear.status": *"affirming"'; then
  ok "set-attestation-policy default_cpu applies to the next attestation"
else
  fail "attestation policy: $(cat err) $(py claims ap.tok 2>/dev/null | head -c 300)"
fi
printf 'package policy\ndefault allow = true\n' > ap.rego
client --url "$A" set-attestation-policy --policy-file ap.rego --admin-key admin.pem 2> err; rc=$?
[ $rc = 1 ] && ok "a Rego attestation policy is refused (libattest policies are JSON)" ||
  fail "rego policy: exit $rc $(cat err)"
# the resource policy, changed at run time: now the sample TEE is allowed on A too
client --url "$A" set-resource-policy --policy-file allow-all.json --admin-key admin.pem 2> err &&
  [ "$(client --url "$A" get-resource --path default/akv/coco_one 2>> err)" = "a secret" ] &&
  ok "set-resource-policy takes effect" || fail "set-resource-policy: $(cat err)"
printf '{"version":"1.0.0"}' > badpol.json
client --url "$A" set-resource-policy --policy-file badpol.json --admin-key admin.pem 2> err; rc=$?
[ $rc = 1 ] && grep -q ParsePolicyError err && ok "a malformed resource policy is refused" ||
  fail "bad resource policy: exit $rc $(cat err)"

lap "5 admin routes"
# ==== 6. usage errors and a clean stop ====
client --url "$A" get-resource 2> /dev/null; [ $? = 2 ] || fail "missing --path is not exit 2"
client --url "$A" get-resource --path a/b/c --token pass.tok 2> /dev/null
[ $? = 2 ] || fail "--token without --key is not exit 2"
client --url http://127.0.0.1:1 attest 2> /dev/null
[ $? = 2 ] || fail "connection refused is not exit 2"
for s in A B S T L; do
  eval "u=\$url_$s p=\$pid_$s"
  healthy "$u" "kbs $s at the end"
  kill "$p" && wait "$p"; st=$?
  [ "$st" -eq 0 ] && ok "kbs $s: still serving, clean stop on SIGTERM" || fail "kbs $s exit $st"
done
pids=""
lap "6 usage errors, stop"
echo "# total $(( ($(date +%s%N) - t0) / 1000000 )) ms"
echo "$fails failures"
[ "$fails" -eq 0 ]
