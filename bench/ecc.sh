#!/usr/bin/env bash
# Benchmark: `discburn add --ecc 10` against `discburn add` on the same tree in the same run,
# end to end on an emulated BD-R (msinfo, scan, layout, build, FIFO, the Reed-Solomon
# parity made while the session streams, WRITE(10) to the emulated drive, close, read-back
# verify of everything written).
#
#   bench/ecc.sh [--tree DIR] [--runs N] [--percent P] [--no-build] [--keep]
#
# Each run does one `add` and one `add --ecc P` (alternating which goes first), each onto a
# new blank disc preallocated with zeros before the clock starts (see bench/add.sh, "The
# emulated medium"). Speed is the ISO session's MB per wall second: the tree is the same, so
# the ratio is the plain add's wall time over the --ecc add's. Target (issue 18): the median
# ratio at least 0.7; the script exits 1 below it. Wall and CPU seconds and the load
# average are printed: on a shared machine the figures move with the load, the ratio less.
# The tree defaults to the linux-source tree bench/isofs.sh unpacks into
# $DISCBURN_BENCH_CACHE (default ~/.cache/discburn-bench), else /usr/share.
# The binary is $DISCBURN, else `cargo build --release -p discburn` unless --no-build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${DISCBURN_BENCH_CACHE:-$HOME/.cache/discburn-bench}"
tree= runs=3 build=1 keep=0 percent=10
while [ $# -gt 0 ]; do
    case "$1" in
        --tree) tree=${2:?}; shift ;;
        --runs) runs=${2:?}; shift ;;
        --percent) percent=${2:?}; shift ;;
        --no-build) build=0 ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        *) echo "ecc.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$tree" ]; then
    if [ -d "$CACHE/linux-source-6.1" ]; then tree="$CACHE/linux-source-6.1"
    else tree=/usr/share; echo "note: no linux-source tree in $CACHE (run bench/isofs.sh once); using /usr/share" >&2
    fi
fi
if [ -z "${DISCBURN:-}" ]; then
    if [ "$build" -eq 1 ]; then
        (cd "$ROOT" && cargo build --release -q -p discburn)
    fi
    DISCBURN="${CARGO_TARGET_DIR:-$ROOT/target}/release/discburn"
fi
[ -x "$DISCBURN" ] || { echo "ecc.sh: no discburn binary at $DISCBURN" >&2; exit 1; }
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "ecc.sh: needs GNU time (apt-get install time)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/discburn-ecc-bench.XXXXXX")
cleanup() { [ "$keep" -eq 1 ] && echo "kept $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT

secs() { date +%s.%N; }
json() { sed -n "s/.*\"$1\": \\([0-9.]*\\).*/\\1/p" "$2" | head -1; }
load() { cut -d' ' -f1 /proc/loadavg; }

bytes=$(du -sb "$tree" | cut -f1)
# The session with its parity, with room to spare.
prealloc_mb=$(( bytes * (120 + percent) / 100 / 1048576 + 64 ))

# burn LABEL [add options]: one add to a new blank, preallocated disc; leaves the wall
# seconds in $work/wall and prints a line.
burn() {
    local label=$1; shift
    rm -f "$work/disc.img" "$work/disc.img.state"
    "$DISCBURN" media --dev "emu:$work/disc.img,profile=bd-r" >/dev/null
    dd if=/dev/zero of="$work/disc.img" bs=1M count="$prealloc_mb" conv=notrunc status=none
    local t0 t1 wall cpu iso parity
    t0=$(secs)
    "$TIME" -f '%U %S' -o "$work/cpu" \
        "$DISCBURN" add --json -q "$@" --dev "emu:$work/disc.img,profile=bd-r" "$tree" >"$work/add.json"
    t1=$(secs)
    wall=$(echo "$t1 - $t0" | bc -l)
    cpu=$(awk '{print $1 + $2}' "$work/cpu")
    iso=$(json session_blocks "$work/add.json")
    [ -n "$iso" ] || iso=$(json blocks "$work/add.json")
    parity=$(json parity_blocks "$work/add.json")
    printf '  %-16s %6.2f s wall = %4.0f MB/s of session, cpu %5.2f s (%.0f MB session%s)\n' \
        "$label" "$wall" "$(echo "$iso * 2048 / 1000000 / $wall" | bc -l)" "$cpu" \
        "$(echo "$iso * 2048 / 1000000" | bc -l)" \
        "${parity:+, $(echo "$parity * 2048 / 1000000" | bc -l | xargs printf '%.0f') MB parity}"
    echo "$wall" >"$work/wall"
}
median() { sort -n | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

echo "tree: $tree ($(find "$tree" -type f | wc -l) files, $(( bytes / 1000000 )) MB); $(nproc) CPUs; target: add --ecc $percent >= 0.7x add"
tar cf - -C "$tree" . | cat >/dev/null   # warm the cache
burn "warm-up" >/dev/null
: >"$work/ratios"
for r in $(seq 1 "$runs"); do
    echo "run $r (load average $(load)):"
    if [ $((r % 2)) -eq 1 ]; then
        burn "add"; plain=$(cat "$work/wall")
        burn "add --ecc $percent" --ecc "$percent"; ecc=$(cat "$work/wall")
    else
        burn "add --ecc $percent" --ecc "$percent"; ecc=$(cat "$work/wall")
        burn "add"; plain=$(cat "$work/wall")
    fi
    ratio=$(echo "$plain / $ecc" | bc -l)
    printf '  ratio %.2fx\n' "$ratio"
    echo "$ratio" >>"$work/ratios"
done
m=$(median <"$work/ratios")
printf 'median of %s runs: add --ecc %s at %.2fx the speed of add (target >= 0.70x)\n' "$runs" "$percent" "$m"
if [ "$(echo "$m < 0.7" | bc -l)" = 1 ]; then
    echo "BELOW TARGET" >&2
    exit 1
fi
