#!/bin/sh
# The whole test suite, as CI runs it (README, second command):
#   1. build and `meson test` (unit, binding, fuzz-corpus replay, api gates, docs examples,
#      install, cli)
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. the unit, fuzz-replay and vector suites under valgrind
#   4. with clang: each libFuzzer target for FUZZ_SECONDS (default 20) from its corpus
# Build folders: build-test, build-asan, build-fuzz (recreated each run).
set -eu
cd "$(dirname "$0")/.."
fuzz_seconds=${FUZZ_SECONDS:-20}
jobs=${JOBS:-2}

step() { printf '\n==== %s\n' "$*"; }

step "build and test"
rm -rf build-test
meson setup build-test --werror >/dev/null
ninja -C build-test -j "$jobs" >/dev/null
meson test -C build-test --print-errorlogs --num-processes "$jobs"

step "sanitizers (address, undefined)"
rm -rf build-asan
meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
ninja -C build-asan -j "$jobs" >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes "$jobs" --no-suite install

step "valgrind"
CK_FORK=no meson test -C build-test --print-errorlogs --num-processes "$jobs" \
  --suite unit --suite fuzz --suite vectors \
  --wrapper 'valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect'

if command -v clang >/dev/null 2>&1; then
  step "libFuzzer, ${fuzz_seconds}s per target"
  rm -rf build-fuzz
  CC=clang meson setup build-fuzz -Db_lundef=false -Dexamples=false >/dev/null
  ninja -C build-fuzz -j "$jobs" >/dev/null
  for bin in build-fuzz/tests/fuzz/*-libfuzzer; do
    name=$(basename "$bin" -libfuzzer)
    work=$(mktemp -d)
    cp tests/fuzz/corpus/"$name"/* "$work"/
    echo "$name"
    "$bin" -max_total_time="$fuzz_seconds" -max_len=65536 -print_final_stats=0 "$work" \
      > "$work.log" 2>&1 || { tail -n 40 "$work.log"; exit 1; }
    grep -E '^Done' "$work.log" || true
    rm -rf "$work" "$work.log"
  done
else
  step "libFuzzer skipped: clang not installed"
fi

printf '\nall tests passed\n'
