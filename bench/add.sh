#!/usr/bin/env bash
# Benchmark: `discburn add` of a large tree to an emulated BD-R, end to end (msinfo, scan,
# layout, build, FIFO, WRITE(10) to the emulated drive, close, read-back verify),
# against the floor of reading the tree once (`tar cf - TREE | cat >/dev/null`).
#
#   bench/add.sh [--tree DIR] [--runs N] [--no-build] [--keep] [--no-16x]
#
# Per run:
#   floor        tar of the tree (warm cache).
#   add          emu:DISC,profile=bd-r, unthrottled, with the read-back verify (the default):
#                MB/s of session end to end. Target: at least 10x the fastest real BD
#                writing speed (12x BD = 54 MB/s), i.e. >= 540 MB/s.
#   --no-verify  the same without the read-back verify.
#   --verify-md5 the verify hashing the read-back with MD5 too (a second MD5 pass).
#   fresh medium the verified add again, onto a disc image file that is created by the run
#                (see "The emulated medium" below).
#   16x BD       emu:DISC,profile=bd-r,speed=16 (72 MB/s modeled): writing MB/s and the
#                lowest FIFO fill (no starvation: it must stay above 0 %).
# One untimed add runs first (warm-up); the summary gives the median of the runs.
#
# The emulated medium: the blank disc is created and its image file filled with zeros up to
# the session's size before the clock starts (the emulated drive ignores the file's content
# where its state says nothing is recorded), as a real disc exists before it is burned.
# The medium's storage is the emulator's cost, not discburn's: on a VM whose free memory
# goes back to the host (virtio-balloon free page reporting, as on the machines here),
# every page-cache page of a new 1.4 GB file is faulted in from the host, 3-6 s of system
# time for plain `dd` alone, more than all of discburn's work. The "fresh medium" line
# shows that case.
# Wall and CPU (user+sys) seconds are printed; CPU time moves less with the machine's load,
# which is printed too (load average at the start of each run).
# $DISCBURN_BASELINE, when set to another discburn binary, is measured the same way in the
# same run (before/after comparisons).
# The tree defaults to the linux-source tree bench/isofs.sh unpacks into
# $DISCBURN_BENCH_CACHE (default ~/.cache/discburn-bench), else /usr/share.
# The binary is $DISCBURN, else `cargo build --release -p discburn` unless --no-build.
# Caches are warm (the tree is read once before timing): the floor is then the cost of
# reading every file from the page cache.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${DISCBURN_BENCH_CACHE:-$HOME/.cache/discburn-bench}"
tree= runs=1 build=1 keep=0 x16=1
while [ $# -gt 0 ]; do
    case "$1" in
        --tree) tree=${2:?}; shift ;;
        --runs) runs=${2:?}; shift ;;
        --no-build) build=0 ;;
        --keep) keep=1 ;;
        --no-16x) x16=0 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
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
[ -z "${DISCBURN_BASELINE:-}" ] || [ -x "$DISCBURN_BASELINE" ] \
    || { echo "add.sh: DISCBURN_BASELINE=$DISCBURN_BASELINE is not executable" >&2; exit 1; }
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "add.sh: needs GNU time (apt-get install time)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/discburn-add-bench.XXXXXX")
cleanup() { [ "$keep" -eq 1 ] && echo "kept $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT

secs() { date +%s.%N; }
json() { sed -n "s/.*\"$1\": \\([0-9.]*\\).*/\\1/p" "$2" | head -1; }
load() { cut -d' ' -f1 /proc/loadavg; }

# Bytes of zeros to lay down before a run (the session's size with room to spare).
prealloc_mb=0
# burn BIN LABEL DEVOPTS [add options]: one `add` to a new blank disc, preallocated unless
# PREALLOC=0; prints a result line and leaves the MB/s in $work/last.
burn() {
    local bin=$1 label=$2 devopts=$3; shift 3
    rm -f "$work/disc.img" "$work/disc.img.state"
    if [ "${PREALLOC:-1}" = 1 ]; then
        "$bin" media --dev "emu:$work/disc.img,profile=bd-r" >/dev/null
        dd if=/dev/zero of="$work/disc.img" bs=1M count="$prealloc_mb" conv=notrunc status=none
    fi
    local t0 t1 wall cpu blocks mb ws fifo
    t0=$(secs)
    "$TIME" -f '%U %S' -o "$work/cpu" \
        "$bin" add --json -q "$@" --dev "emu:$work/disc.img,profile=bd-r$devopts" "$tree" >"$work/add.json"
    t1=$(secs)
    wall=$(echo "$t1 - $t0" | bc -l)
    cpu=$(awk '{print $1 + $2}' "$work/cpu")
    blocks=$(json blocks "$work/add.json")
    ws=$(json seconds "$work/add.json")
    fifo=$(json fifo_min_percent "$work/add.json")
    mb=$(echo "$blocks * 2048 / 1000000" | bc -l)
    if [ -n "$devopts" ]; then
        printf '  %-28s writing %6.2f s = %4.0f MB/s, lowest FIFO fill %s %% (%.0f MB session)\n' \
            "$label" "$ws" "$(echo "$mb / $ws" | bc -l)" "$fifo" "$mb"
    else
        printf '  %-28s %6.2f s wall = %4.0f MB/s end to end (%.1fx floor), cpu %5.2f s, writing part %.2f s (%.0f MB session)\n' \
            "$label" "$wall" "$(echo "$mb / $wall" | bc -l)" "$(echo "$wall / $floor" | bc -l)" \
            "$cpu" "$ws" "$mb"
    fi
    echo "$mb / $wall" | bc -l >"$work/last"
}
median() { sort -n | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

files=$(find "$tree" -type f | wc -l)
bytes=$(du -sb "$tree" | cut -f1)
prealloc_mb=$(( bytes * 12 / 10 / 1048576 + 64 ))
echo "tree: $tree ($files files, $(( bytes / 1000000 )) MB); $(nproc) CPUs; target >= 540 MB/s end to end"
tar cf - -C "$tree" . | cat >/dev/null   # warm the cache
floor=1
burn "$DISCBURN" "warm-up (not counted)" "" >/dev/null
: >"$work/verified"
: >"$work/unverified"
for r in $(seq 1 "$runs"); do
    echo "run $r (load average $(load)):"
    t0=$(secs); tar cf - -C "$tree" . | cat >/dev/null; t1=$(secs)
    floor=$(echo "$t1 - $t0" | bc -l)
    printf '  %-28s %6.2f s wall = %4.0f MB/s of tree\n' "floor (tar)" "$floor" \
        "$(echo "$bytes / 1000000 / $floor" | bc -l)"
    for bin in "$DISCBURN" ${DISCBURN_BASELINE:+"$DISCBURN_BASELINE"}; do
        tag=""
        [ "$bin" = "$DISCBURN" ] || tag=" (baseline)"
        burn "$bin" "add$tag" ""
        [ -n "$tag" ] || cat "$work/last" >>"$work/verified"
        burn "$bin" "add --no-verify$tag" "" --no-verify
        [ -n "$tag" ] || cat "$work/last" >>"$work/unverified"
    done
    burn "$DISCBURN" "add --verify-md5" "" --verify-md5
    PREALLOC=0 burn "$DISCBURN" "add, fresh medium" ""
    if [ "$x16" -eq 1 ]; then
        burn "$DISCBURN" "add, modeled 16x BD" ",speed=16"
    fi
done
printf 'median of %s runs: add %.0f MB/s (%.1fx 12x BD), add --no-verify %.0f MB/s (%.1fx)\n' "$runs" \
    "$(median <"$work/verified")" "$(echo "$(median <"$work/verified") / 54" | bc -l)" \
    "$(median <"$work/unverified")" "$(echo "$(median <"$work/unverified") / 54" | bc -l)"
