#!/bin/sh
# Install into a DESTDIR and build a small consumer with `pkg-config --cflags --libs attest`
# only, then run it against the installed library.
# usage: install.sh BUILD_ROOT SOURCE_ROOT
set -eu
build=$1 src=$2
cc=${CC:-cc}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --quiet --no-rebuild
pc=$(find "$dest" -name attest.pc | head -n 1)
[ -n "$pc" ] || { echo "install.sh: attest.pc not installed" >&2; exit 1; }
for f in include/attest/attest.h bin/attest-verify bin/attest-collect; do
  find "$dest" -path "*/$f" | grep -q . || { echo "install.sh: $f not installed" >&2; exit 1; }
done
find "$dest" -name 'libattest.so.0' | grep -q . || { echo "install.sh: no libattest.so.0" >&2; exit 1; }
find "$dest" -name 'attest-verify.1*' | grep -q . || { echo "install.sh: no man page" >&2; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$dest
cat > "$dest/consumer.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <attest/attest.h>
int main(void)
{
    const char *ev = "{\"svn\":\"1\",\"report_data\":\"AQID\"}";
    attest_ctx *ctx; attest_request *req; attest_result *res;
    if (attest_ctx_new(&ctx) != ATTEST_OK) return 1;
    if (attest_request_new(&req, NULL, (const uint8_t *)ev, strlen(ev)) != ATTEST_OK) return 1;
    if (attest_request_set_runtime_data(req, ATTEST_DATA_RAW, (const uint8_t *)"\1\2\3", 3,
                                        ATTEST_HASH_SHA384) != ATTEST_OK) return 1;
    if (attest_verify(ctx, req, &res) != ATTEST_OK) {
        fprintf(stderr, "%s\n", attest_ctx_last_error(ctx));
        return 1;
    }
    printf("%s %s %s\n", attest_version(), attest_result_tee(res), attest_result_claims_json(res));
    attest_result_free(res); attest_request_free(req); attest_ctx_free(ctx);
    return 0;
}
C
# shellcheck disable=SC2046
"$cc" -o "$dest/consumer" "$dest/consumer.c" $(pkg-config --cflags --libs attest)
libdir=$(dirname "$(find "$dest" -name 'libattest.so.0' | head -n 1)")
LD_LIBRARY_PATH=$libdir "$dest/consumer" | tee "$dest/out"
grep -q '^0\.1\.0 sample {"sample"' "$dest/out"
# the consumer must have used the installed library, not the build tree's
LD_LIBRARY_PATH=$libdir ldd "$dest/consumer" | grep -q "$dest" ||
  { echo "install.sh: consumer did not link the installed library" >&2; exit 1; }
echo "installed and consumed via pkg-config"
