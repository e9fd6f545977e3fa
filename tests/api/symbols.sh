#!/bin/sh
# Public-ABI gate: the dynamic symbols libattest.so defines are exactly those listed in
# lib/attest.map, and every one is attest_-prefixed.
# usage: symbols.sh LIBATTEST_SO ATTEST_MAP
set -eu
so=$1 map=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWi]$/ {sub(/@.*/, "", $3); print $3}' |
  sort -u > "$tmp/exported"
sed -n 's/^[[:space:]]*\(attest_[a-z0-9_]*\);$/\1/p' "$map" | sort -u > "$tmp/mapped"
status=0
if ! diff -u "$tmp/mapped" "$tmp/exported"; then
  echo "symbols.sh: exported symbols differ from $map (- map, + library)" >&2
  status=1
fi
if grep -v '^attest_' "$tmp/exported"; then
  echo "symbols.sh: exported symbols above lack the attest_ prefix" >&2
  status=1
fi
# Every exported function is declared in a public header.
for s in $(cat "$tmp/exported"); do
  grep -rqw "$s" "$(dirname "$map")/../include/attest" ||
    { echo "symbols.sh: $s is exported but not declared in include/attest" >&2; status=1; }
done
[ "$status" -eq 0 ] && echo "$(wc -l < "$tmp/exported") symbols, all in attest.map"
exit "$status"
