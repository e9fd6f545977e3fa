#!/bin/sh
# Every public header compiles alone as C99 -pedantic and as C++ (-Wall -Wextra -Werror).
# usage: headers.sh SOURCE_ROOT
set -eu
root=$1
cc=${CC:-cc}
cxx=${CXX:-c++}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for h in "$root"/include/attest/*.h; do
  name=attest/$(basename "$h")
  printf '#include <%s>\nint attest_header_test_dummy;\n' "$name" > "$tmp/t.c"
  "$cc" -std=c99 -pedantic -Wall -Wextra -Werror -I"$root/include" -c "$tmp/t.c" -o "$tmp/t.o"
  cp "$tmp/t.c" "$tmp/t.cpp"
  "$cxx" -std=c++11 -pedantic -Wall -Wextra -Werror -I"$root/include" -c "$tmp/t.cpp" \
    -o "$tmp/t.o"
  n=$((n + 1))
done
echo "$n headers compile as C99 and C++"
