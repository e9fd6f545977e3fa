#!/usr/bin/env python3
"""Compare libattest's canonical JSON and binding digests with Python's, computed
independently:  json.dumps(o, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
hashed with hashlib. Random documents cover nesting, arrays, escapes, unicode and integers
(the value types where RFC 8785 and Python agree). Object keys avoid mixing U+E000..U+FFFF
with characters above U+FFFF, the one place their key orders differ (RFC 8785 sorts UTF-16
units, Python code points); tests/unit/test_jcs.c covers that order with the RFC's vector.

usage: jcs_python.py PATH/TO/jcs-digest [COUNT]
"""
import hashlib
import json
import random
import subprocess
import sys

KEY_CHARS = ["a", "b", "z", "A", "_", "-", ".", "0", "9", " ", "\u00e9", "\u00f6",
             "\u0080", "\u4e2d", "\u20ac", "\"", "\\", "\n", "\t", "\x01", "\x1f", "/"]
VALUE_CHARS = KEY_CHARS + ["\U0001f600", "\U00010000", "\ufb33", "\ue000", "\x7f",
                           "\u2028", "'", "<", "&"]


def rand_string(rng, chars, max_len=8):
    return "".join(rng.choice(chars) for _ in range(rng.randint(0, max_len)))


def rand_int(rng):
    return rng.choice([0, -1, 1, 42, -7, 2**31, -2**31, 2**53, 2**53 + 1, -2**63,
                       2**64 - 1, rng.randint(-10**15, 10**15)])


def rand_value(rng, depth):
    kind = rng.randint(0, 7 if depth < 5 else 4)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rand_int(rng)
    if kind in (3, 4):
        return rand_string(rng, VALUE_CHARS)
    if kind == 5:
        return [rand_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rand_string(rng, KEY_CHARS, 5): rand_value(rng, depth + 1)
            for _ in range(rng.randint(0, 5))}


def expected(obj):
    canon = json.dumps(obj, sort_keys=True, separators=(",", ":"),
                       ensure_ascii=False).encode("utf-8")
    return " ".join([canon.hex()] + [hashlib.new(a, canon).hexdigest()
                                     for a in ("sha256", "sha384", "sha512")])


def run(tool, text):
    out = subprocess.run([tool], input=text, capture_output=True, check=True).stdout
    return out.decode().strip()


def main():
    tool = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    rng = random.Random(20261125)
    failures = 0
    for i in range(count):
        obj = {rand_string(rng, KEY_CHARS, 5): rand_value(rng, 0) for _ in range(4)}
        # Feed it in a different textual form: pretty, unsorted, ASCII-escaped or not.
        text = json.dumps(obj, indent=rng.choice([None, 1, 4]),
                          ensure_ascii=rng.choice([True, False])).encode("utf-8")
        got, want = run(tool, text), expected(obj)
        if got != want:
            failures += 1
            print(f"case {i}: input {text!r}\n  got  {got}\n  want {want}")
    # Invalid documents must be refused, never canonicalised.
    for bad in [b"{", b"[1,]", b'{"a":1,"a":2}', b"\"\\ud800\"", b"\xff", b"1e999", b""]:
        got = run(tool, bad)
        if not got.startswith("error jcs: "):
            failures += 1
            print(f"accepted invalid input {bad!r}: {got}")
    print(f"{count} random documents, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
