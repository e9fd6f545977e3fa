#!/usr/bin/env python3
"""Token interoperability with jwcrypto (python3-jwcrypto), both ways, every algorithm.

  1. jwcrypto makes a key; attest-verify --token ear|simple signs with it; jwcrypto
     verifies the token and its claims, and computes the RFC 7638 thumbprint that
     attest-token --pin-jwk accepts for the token's header jwk.
  2. jwcrypto mints a JWT; attest-token verifies it with the JWK as JWKS, and rejects it
     tampered, expired, or signed by another key.

usage: jose_jwcrypto.py BUILD_ROOT
"""
import json
import os
import subprocess
import sys
import tempfile
import time

try:
    from jwcrypto import jwk, jwt
except ImportError:
    sys.exit("jwcrypto is missing: apt-get install python3-jwcrypto (tools/install-deps-debian.sh)")

build = sys.argv[1]
collect = os.path.join(build, "examples", "attest-collect")
verify = os.path.join(build, "examples", "attest-verify")
token_tool = os.path.join(build, "examples", "attest-token")
tmp = tempfile.mkdtemp()
failures = 0

KEYS = {
    "ES256": dict(kty="EC", crv="P-256"),
    "ES384": dict(kty="EC", crv="P-384"),
    "RS256": dict(kty="RSA", size=2048),
    "RS384": dict(kty="RSA", size=3072),
    "PS256": dict(kty="RSA", size=2048),
    "EdDSA": dict(kty="OKP", crv="Ed25519"),
}


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


def path(name):
    return os.path.join(tmp, name)


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True)


runtime = {"nonce": "jwcrypto-interop", "tee-pubkey": {"kty": "EC", "crv": "P-256"}}
with open(path("rd.json"), "w") as f:
    json.dump(runtime, f)
r = run(collect, "--tee", "sample", "--runtime-data", path("rd.json"), "--runtime-data-json",
        "-o", path("ev.json"))
assert r.returncode == 0, r.stderr

for alg, params in KEYS.items():
    key = jwk.JWK.generate(**params)
    with open(path(alg + ".pem"), "wb") as f:
        f.write(key.export_to_pem(private_key=True, password=None))
    pub = jwk.JWK.from_json(key.export_public())

    # 1. ours -> jwcrypto
    for kind in ("ear", "simple"):
        r = run(verify, "--runtime-data-json", path("rd.json"), "--token", kind,
                "--signer-key", path(alg + ".pem"), "--signer-alg", alg, path("ev.json"))
        check(r.returncode == 0, f"{alg} {kind}: attest-verify mints ({r.stderr.strip()})")
        if r.returncode != 0:
            continue
        token = r.stdout.strip()
        try:
            t = jwt.JWT(jwt=token, key=pub, algs=[alg])
            claims = json.loads(t.claims)
            header = json.loads(t.header)
        except Exception as e:  # noqa: BLE001 - report any jwcrypto refusal
            check(False, f"{alg} {kind}: jwcrypto verifies ({e})")
            continue
        check(header["alg"] == alg and header["typ"] == "JWT", f"{alg} {kind}: header")
        check(claims["exp"] - claims["iat"] == 300 and claims["iss"] == "CoCo-Attestation-Service",
              f"{alg} {kind}: iat/exp/iss")
        if kind == "ear":
            sub = claims["submods"]["cpu0"]
            ev = sub["ear.veraison.annotated-evidence"]
            check(sub["ear.status"] == "warning" and ev["sample"]["svn"] == "1" and
                  ev["runtime_data_claims"] == runtime, f"{alg} ear: claims")
        else:
            flat = json.loads(claims["tcb-status"])
            check(claims["tee"] == "sample" and flat["sample.svn"] == "1" and
                  claims["customized_claims"]["runtime_data"] == runtime, f"{alg} simple: claims")
        # RFC 7638 thumbprint as jwcrypto computes it pins the header jwk
        hk = jwk.JWK(**header["jwk"])
        check(hk.thumbprint() == header["kid"], f"{alg} {kind}: kid is the RFC 7638 thumbprint")
        with open(path("tok.jwt"), "w") as f:
            f.write(token)
        r = run(token_tool, "--pin-jwk", pub.thumbprint(), path("tok.jwt"))
        check(r.returncode == 0, f"{alg} {kind}: attest-token --pin-jwk (jwcrypto thumbprint)")

    # 2. jwcrypto -> ours
    now = int(time.time())
    claims = {"iss": "jwcrypto", "iat": now, "exp": now + 60, "aud": "libattest"}
    t = jwt.JWT(header={"alg": alg, "kid": "k1"}, claims=claims)
    t.make_signed_token(key)
    token = t.serialize()
    with open(path("their.jwt"), "w") as f:
        f.write(token)
    jwks = json.loads(pub.export_public())
    jwks["kid"] = "k1"
    with open(path("jwks.json"), "w") as f:
        json.dump({"keys": [jwks]}, f)
    r = run(token_tool, "--jwks", path("jwks.json"), "--issuer", "jwcrypto", "--audience",
            "libattest", path("their.jwt"))
    check(r.returncode == 0 and json.loads(r.stdout) == claims,
          f"{alg}: attest-token verifies jwcrypto's token ({r.stderr.strip()})")
    head, body, sig = token.split(".")
    tampered = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with open(path("bad.jwt"), "w") as f:
        f.write(".".join([head, tampered, sig]))
    r = run(token_tool, "--jwks", path("jwks.json"), path("bad.jwt"))
    check(r.returncode == 1, f"{alg}: tampered payload rejected")
    r = run(token_tool, "--jwks", path("jwks.json"), "--at", str(now + 3600), path("their.jwt"))
    check(r.returncode == 1 and "expired" in r.stderr, f"{alg}: expired rejected")
    other = jwk.JWK.generate(**params)
    ojwks = json.loads(other.export_public())
    with open(path("other.json"), "w") as f:
        json.dump(ojwks, f)
    r = run(token_tool, "--jwks", path("other.json"), path("their.jwt"))
    check(r.returncode == 1, f"{alg}: another key rejected")

print(f"{failures} failures")
sys.exit(1 if failures else 0)
