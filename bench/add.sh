#!/usr/bin/env bash
# Benchmark: `discburn add` of a large tree to an emulated BD-R, end to end (msinfo, scan,
# layout, build, FIFO, WRITE(10) to the emulated drive, close, read-back MD5 verify),
# against the floor of reading the tree once (`tar cf - TREE | cat >/dev/null`).
#
#   bench/add.sh [--tree DIR] [--runs N] [--no-build] [--keep]
#
# Two burns per run:
#   unthrottled  emu:DISC,profile=bd-r: MB/s end to end. Target: at least 10x the fastest
#                real BD writing speed (12x BD = 54 MB/s), i.e. >= 540 MB/s of session.
#   16x BD       emu:DISC,profile=bd-r,speed=16 (72 MB/s modeled): the lowest FIFO fill
#                (no starvation: it must stay above 0 %).
# The tree defaults to the linux-source tree bench/isofs.sh unpacks into
# $DISCBURN_BENCH_CACHE (default ~/.cache/discburn-bench), else /usr/share.
# The binary is $DISCBURN, else `cargo build --release -p discburn` unless --no-build.
# Caches are warm (the tree is read once before timing): the floor is then the cost of
# reading every file from the page cache.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${DISCBURN_BENCH_CACHE:-$HOME/.cache/discburn-bench}"
tree= runs=1 build=1 keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --tree) tree=${2:?}; shift ;;
        --runs) runs=${2:?}; shift ;;
        --no-build) build=0 ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) echo "add.sh: unknown option $1" >&2; exit 2 ;;
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
[ -x "$DISCBURN" ] || { echo "add.sh: no discburn binary at $DISCBURN" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/discburn-add-bench.XXXXXX")
cleanup() { [ "$keep" -eq 1 ] && echo "kept $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT

secs() { date +%s.%N; }
files=$(find "$tree" -type f | wc -l)
bytes=$(du -sb "$tree" | cut -f1)
echo "tree: $tree ($files files, $(( bytes / 1000000 )) MB)"
tar cf - -C "$tree" . | cat >/dev/null   # warm the cache
for r in $(seq 1 "$runs"); do
    t0=$(secs); tar cf - -C "$tree" . | cat >/dev/null; t1=$(secs)
    floor=$(echo "$t1 - $t0" | bc -l)

    rm -f "$work/disc.img" "$work/disc.img.state"
    t0=$(secs)
    "$DISCBURN" add --json -q --dev "emu:$work/disc.img,profile=bd-r" "$tree" >"$work/add.json"
    t1=$(secs)
    wall=$(echo "$t1 - $t0" | bc -l)
    blocks=$(sed -n 's/.*"blocks": \([0-9]*\).*/\1/p' "$work/add.json" | head -1)
    write_s=$(sed -n 's/.*"seconds": \([0-9.]*\).*/\1/p' "$work/add.json" | head -1)
    mb=$(echo "$blocks * 2048 / 1000000" | bc -l)

    rm -f "$work/disc.img" "$work/disc.img.state"
    "$DISCBURN" add --json -q --dev "emu:$work/disc.img,profile=bd-r,speed=16" "$tree" >"$work/add16.json"
    fifo16=$(sed -n 's/.*"fifo_min_percent": \([0-9]*\).*/\1/p' "$work/add16.json" | head -1)
    s16=$(sed -n 's/.*"seconds": \([0-9.]*\).*/\1/p' "$work/add16.json" | head -1)

    printf 'run %d: floor (tar) %.2f s = %.0f MB/s of tree\n' "$r" "$floor" "$(echo "$bytes / 1000000 / $floor" | bc -l)"
    printf '       add, unthrottled BD-R: %.2f s wall, %.0f MB session, %.0f MB/s end to end (%.1fx the floor time; writing+verify part %.2f s); target >= 540 MB/s\n' \
        "$wall" "$mb" "$(echo "$mb / $wall" | bc -l)" "$(echo "$wall / $floor" | bc -l)" "$write_s"
    printf '       add, modeled 16x BD (72 MB/s): writing %.2f s = %.0f MB/s, lowest FIFO fill %s %%\n' \
        "$s16" "$(echo "$mb / $s16" | bc -l)" "$fifo16"
done
