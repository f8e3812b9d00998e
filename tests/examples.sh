#!/usr/bin/env bash
# Runs one example of each library crate against an emulated drive and checks what it did
# with independent readers (xorriso), as CI does after the tests:
#   transport  inquiry   INQUIRY + TEST UNIT READY through the tracer
#   mmc        append    three sessions appended to an emulated BD-R
#   isofs      sessions  lists the sessions of that disc's image file
#   emu        emu_write a raw-CDB session on an emulated DVD+R
# and tests/lib-consumer, a program outside the workspace depending on the crates by path:
# three sessions appended to an emulated BD-R through mmc::job::append with progress
# callbacks, every session read by xorriso and its tree compared.
# Needs xorriso (Debian package xorriso).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
command -v xorriso >/dev/null || { echo "examples.sh: xorriso missing: install the Debian package xorriso" >&2; exit 1; }
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT
fail() { echo "examples.sh: FAIL: $*" >&2; exit 1; }
run() { cargo run -q -p "$1" --example "$2" -- "${@:3}"; }

out="$(run discburn-transport inquiry "emu:$W/cd.disc,profile=cd-r" 2>"$W/trace")"
grep -q "'DISCBURN' 'EMULATED DRIVE'" <<<"$out" || fail "inquiry printed: $out"
grep -q "^ready$" <<<"$out" || fail "inquiry printed: $out"
grep -q "INQUIRY" "$W/trace" && grep -q "TEST UNIT READY" "$W/trace" || fail "no trace: $(cat "$W/trace")"

for n in 1 2 3; do
    mkdir -p "$W/src$n"
    echo "session $n" >"$W/src$n/file$n.txt"
    out="$(run discburn-mmc append "$W/bd.disc" "$W/src$n")"
    grep -q "session $n at LBA" <<<"$out" || fail "append $n printed: $out"
done
# Every session as xorriso reads it at the start the example reported.
starts="$(run discburn-isofs sessions "$W/bd.disc" | sed -n 's/^session [0-9]* at LBA \([0-9]*\) .*/\1/p')"
[ "$(wc -l <<<"$starts")" -eq 3 ] || fail "sessions found: $starts"
n=0
for s in $starts; do
    n=$((n + 1))
    names="$(xorriso -indev "$W/bd.disc" -load sbsector "$s" -ls / 2>/dev/null | tr -d "'" | sort | tr '\n' ' ')"
    want="$(seq 1 "$n" | sed 's/.*/file&.txt/' | sort | tr '\n' ' ')"
    [ "$names" = "$want" ] || fail "session $n at $s: xorriso lists '$names', expected '$want'"
done

out="$(run discburn-emu emu_write "$W/dvd.disc" 4 profile=dvd+r 2>&1)"
[ "$(stat -c %s "$W/dvd.disc")" -ge $((4 * 1024 * 1024)) ] || fail "emu_write: $out"
# Resolved as the workspace is (its lock file), built into the workspace's target dir.
cp Cargo.lock tests/lib-consumer/Cargo.lock
mkdir "$W/consumer"
out="$(CARGO_TARGET_DIR="$ROOT/target" cargo run -q --manifest-path tests/lib-consumer/Cargo.toml -- "$W/consumer" 2>&1)" \
    || fail "lib-consumer: $out"
grep -q "^3 sessions appended through mmc::job::append and read by xorriso$" <<<"$out" || fail "lib-consumer printed: $out"
echo "examples.sh: 4 examples and the library consumer ran and their results were checked"
