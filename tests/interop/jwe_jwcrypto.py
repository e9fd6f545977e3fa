#!/usr/bin/env python3
"""JWE interoperability with jwcrypto (python3-jwcrypto), both ways: every key management
algorithm we support (RSA1_5, RSA-OAEP, RSA-OAEP-256, ECDH-ES, ECDH-ES+A256KW on P-256,
P-384 and P-521), enc A256GCM, compact and flattened JSON serialisation.

usage: jwe_jwcrypto.py BUILD_ROOT
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    from jwcrypto import jwe, jwk
    from jwcrypto.common import json_encode
except ImportError:
    sys.exit("jwcrypto is missing: apt-get install python3-jwcrypto (tools/install-deps-debian.sh)")

tool = os.path.join(sys.argv[1], "tests", "tools", "jwe-tool")
tmp = tempfile.mkdtemp()
failures = 0
CASES = [
    ("RSA1_5", dict(kty="RSA", size=2048)),
    ("RSA-OAEP", dict(kty="RSA", size=2048)),
    ("RSA-OAEP-256", dict(kty="RSA", size=3072)),
    ("ECDH-ES", dict(kty="EC", crv="P-256")),
    ("ECDH-ES+A256KW", dict(kty="EC", crv="P-256")),
    ("ECDH-ES+A256KW", dict(kty="EC", crv="P-384")),
    ("ECDH-ES+A256KW", dict(kty="EC", crv="P-521")),
    ("ECDH-ES", dict(kty="EC", crv="P-521")),
]
PLAINTEXTS = [b"", b"x", b"the secret resource \x00\xff" * 100]


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


def p(name):
    return os.path.join(tmp, name)


def tool_run(args, data):
    return subprocess.run([tool] + args, input=data, capture_output=True)


for alg, params in CASES:
    name = f"{alg}/{params.get('crv', params.get('size'))}"
    # ours -> jwcrypto: encrypt to jwcrypto's public JWK, jwcrypto decrypts
    key = jwk.JWK.generate(**params)
    with open(p("pub.json"), "w") as f:
        f.write(key.export_public())
    for form in ("compact", "flattened"):
        # jwcrypto 1.1 cannot decrypt an empty payload, not even its own: skip it this way
        for pt in PLAINTEXTS[1:]:
            r = tool_run(["encrypt", p("pub.json"), alg, form], pt)
            if r.returncode != 0:
                check(False, f"{name} {form}: we encrypt ({r.stderr.decode().strip()})")
                continue
            try:
                token = jwe.JWE()
                token.allowed_algs = [alg, "A256GCM"]
                token.deserialize(r.stdout.decode(), key=key)
                check(token.payload == pt, f"{name} {form} {len(pt)} B: jwcrypto decrypts ours")
            except Exception as e:  # noqa: BLE001
                check(False, f"{name} {form}: jwcrypto decrypts ours ({e})")
    if form == "flattened":
        hdr = json.loads(r.stdout)["protected"]
        import base64
        h = json.loads(base64.urlsafe_b64decode(hdr + "=="))
        check(list(h)[:2] == ["alg", "enc"], f"{name}: protected header starts alg, enc (KBS order)")

    # jwcrypto -> ours: jwcrypto encrypts to our key, we decrypt
    kalg = alg
    r = tool_run(["keygen", kalg, p("our.json"), p("our.pem")], b"")
    check(r.returncode == 0, f"{name}: keygen")
    # our keygen's public JWK works for jwcrypto's encryption
    e = jwe.JWE(b"to our keygen", json_encode({"alg": alg, "enc": "A256GCM"}))
    e.allowed_algs = [alg, "A256GCM"]
    with open(p("our.json")) as f:
        e.add_recipient(jwk.JWK.from_json(f.read()))
    r = tool_run(["decrypt", p("our.pem")], e.serialize(compact=True).encode())
    check(r.returncode == 0 and r.stdout == b"to our keygen", f"{name}: keygen'd key round trip")
    # keygen makes P-256 / RSA-3072; for the other sizes bring a jwcrypto key as our PEM
    ours = jwk.JWK.generate(**params)
    with open(p("our.pem"), "wb") as f:
        f.write(ours.export_to_pem(private_key=True, password=None))
    for pt in PLAINTEXTS:
        e = jwe.JWE(pt, json_encode({"alg": alg, "enc": "A256GCM"}))
        e.allowed_algs = [alg, "A256GCM"]
        e.add_recipient(jwk.JWK.from_json(ours.export_public()))
        for form, text in (("compact", e.serialize(compact=True)), ("flattened", e.serialize())):
            r = tool_run(["decrypt", p("our.pem")], text.encode())
            check(r.returncode == 0 and r.stdout == pt,
                  f"{name} {form} {len(pt)} B: we decrypt jwcrypto's ({r.stderr.decode().strip()})")
    # tampering: any changed part is refused with the one message
    e = jwe.JWE(b"tamper me", json_encode({"alg": alg, "enc": "A256GCM"}))
    e.allowed_algs = [alg, "A256GCM"]
    e.add_recipient(jwk.JWK.from_json(ours.export_public()))
    parts = e.serialize(compact=True).split(".")
    for i, what in ((1, "encrypted_key"), (2, "iv"), (3, "ciphertext"), (4, "tag")):
        if not parts[i]:
            continue
        bad = list(parts)
        c = bad[i][0]
        bad[i] = ("B" if c != "B" else "C") + bad[i][1:]
        r = tool_run(["decrypt", p("our.pem")], ".".join(bad).encode())
        check(r.returncode == 1 and (b"decryption failed" in r.stderr or b"not unpadded" in r.stderr
                                     or b"must be 12" in r.stderr),
              f"{name}: tampered {what} refused")

# party info (apu/apv) takes part in the ECDH-ES key derivation (RFC 7518 §4.6.2)
from jwcrypto.common import base64url_encode  # noqa: E402
k = jwk.JWK.generate(kty="EC", crv="P-256")
with open(p("apu.pem"), "wb") as f:
    f.write(k.export_to_pem(private_key=True, password=None))
for alg in ("ECDH-ES", "ECDH-ES+A256KW"):
    e = jwe.JWE(b"with party info", json_encode({"alg": alg, "enc": "A256GCM",
                                                 "apu": base64url_encode(b"Alice"),
                                                 "apv": base64url_encode(b"Bob")}))
    e.allowed_algs = [alg, "A256GCM"]
    e.add_recipient(jwk.JWK.from_json(k.export_public()))
    r = tool_run(["decrypt", p("apu.pem")], e.serialize(compact=True).encode())
    check(r.returncode == 0 and r.stdout == b"with party info", f"{alg} with apu/apv")

print(f"{failures} failures")
sys.exit(1 if failures else 0)
