#!/bin/sh
# Compile every C example and synopsis in the documentation.
#
#   docs/check-examples.sh SRCDIR
#
# Each fenced block opened with a line reading exactly ```c in SRCDIR/docs/**/*.md is a
# complete program (an EXAMPLE). Each block opened with ~~~c holds declarations (a
# SYNOPSIS, a callback typedef) and is compiled after #include <attest/attest.h>, so a
# prototype or typedef that drifts from the header fails as conflicting types. Every block
# is written to a file of its own and compiled (not linked) against SRCDIR/include with
# -std=c11 -Wall -Wextra -Werror, so only the public headers are needed, no built library.
# Every page in docs/api/ must hold at least one ```c block: each reference page has an
# EXAMPLE. Prints one line per block; exits 1 when a block does not compile or a page has
# no example, 2 on a usage error.
# CC and CFLAGS from the environment are honoured (CFLAGS comes after our flags).
set -eu

if [ $# -ne 1 ] || [ ! -d "$1/docs" ] || [ ! -f "$1/include/attest/attest.h" ]; then
    echo "usage: $0 SRCDIR (the libattest source tree)" >&2
    exit 2
fi
src=$1
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM

total=0
failed=0
page=0

{ find "$src/docs" -name '*.md'; echo "$src/README.md"; } | LC_ALL=C sort > "$tmp/pages"
while IFS= read -r md; do
    page=$((page + 1))
    dir="$tmp/$page"
    mkdir "$dir"
    # Block k of the page goes to $dir/k.c; $dir/k.line holds the line of its opening
    # fence; $dir/k.decl exists for a ~~~c block.
    awk -v dir="$dir" '
        !inside && /^(```|~~~)c[ \t]*$/ {
            inside = 1; fence = substr($0, 1, 3); n++; f = dir "/" n ".c"
            print NR > (dir "/" n ".line"); close(dir "/" n ".line")
            if (fence == "~~~") {
                print "" > (dir "/" n ".decl"); close(dir "/" n ".decl")
                print "#include <attest/attest.h>" > f
            } else {
                printf "" > f
            }
            next
        }
        inside && substr($0, 1, 3) == fence { inside = 0; close(f); next }
        inside                              { print >> f }
        END { if (inside) { print "unterminated " fence "c block" > "/dev/stderr"; exit 1 } }
    ' "$md"
    rel=${md#"$src"/}
    k=1
    examples=0
    while [ -f "$dir/$k.c" ]; do
        where="$rel:$(cat "$dir/$k.line")"
        if [ -f "$dir/$k.decl" ]; then
            what=synopsis
        else
            what=example
            examples=$((examples + 1))
        fi
        # shellcheck disable=SC2086 # CFLAGS is a list of words
        if "$cc" -std=c11 -Wall -Wextra -Werror -I"$src/include" ${CFLAGS:-} \
                -c "$dir/$k.c" -o "$dir/$k.o" 2>"$dir/$k.err"; then
            echo "ok   $where ($what)"
        else
            echo "FAIL $where ($what)"
            sed 's/^/     /' "$dir/$k.err"
            failed=$((failed + 1))
        fi
        total=$((total + 1))
        k=$((k + 1))
    done
    case $rel in
    docs/api/*.md)
        if [ "$examples" -eq 0 ]; then
            echo "FAIL $rel: no \`\`\`c example"
            failed=$((failed + 1))
        fi
        ;;
    esac
done < "$tmp/pages"

echo "$total blocks checked, $failed failures"
[ "$failed" -eq 0 ]
