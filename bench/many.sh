#!/usr/bin/env bash
# Benchmark: `discburn add` to four emulated BD-Rs at once against the same add to one,
# all at a modeled 16x (emu option speed=16: the emulated drive's buffer drains at 16 x
# 4.5 MB/s = 72 MB/s and WRITE waits for room, as a real drive throttles its host).
#
#   bench/many.sh [--tree DIR] [--mb N] [--runs N] [--no-build] [--keep]
#
# Per run, timed from the start of the process to its end (msinfo, scan, layout, build,
# FIFO, WRITE(10) to the drives, close, read-back verify of every drive):
#   1 drive      add --dev emu:A,profile=bd-r,speed=16 TREE
#   4 drives     add --dev emu:A,... --dev emu:B,... --dev emu:C,... --dev emu:D,... TREE
# and the ratio of the two. Target (issue 15): the four-drive add takes at most 1.3x the
# time of one drive (one build of the session, a FIFO and a writing thread per drive: the
# drives write in parallel, the slowest paces the producer). Every drive must verify.
#
# The tree defaults to N MB (--mb, default 512) of incompressible files made once in the
# work directory (--tree DIR takes any tree). The blank discs are created and their image
# files filled with zeros to the session's size before the clock starts (see bench/add.sh,
# "The emulated medium": a VM's page faults on new files are the emulator's cost, not
# discburn's). The median of the runs is printed with the load average: on a shared
# machine the figures move with the load.
# The binary is $DISCBURN, else `cargo build --release -p discburn` unless --no-build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tree= mb=512 runs=1 build=1 keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --tree) tree=${2:?}; shift ;;
        --mb) mb=${2:?}; shift ;;
        --runs) runs=${2:?}; shift ;;
        --no-build) build=0 ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        *) echo "many.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
if [ -z "${DISCBURN:-}" ]; then
    if [ "$build" -eq 1 ]; then
        (cd "$ROOT" && cargo build --release -q -p discburn)
    fi
    DISCBURN="${CARGO_TARGET_DIR:-$ROOT/target}/release/discburn"
fi
[ -x "$DISCBURN" ] || { echo "many.sh: no discburn binary at $DISCBURN" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/discburn-many-bench.XXXXXX")
cleanup() { [ "$keep" -eq 1 ] && echo "kept $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT

if [ -z "$tree" ]; then
    tree="$work/tree"
    mkdir -p "$tree"
    # 8 MiB files of random bytes: the session is as large as the tree.
    for i in $(seq 1 $(( (mb + 7) / 8 ))); do
        head -c 8388608 /dev/urandom >"$tree/f$i.bin"
    done
fi
bytes=$(du -sb "$tree" | cut -f1)
prealloc_mb=$(( bytes * 11 / 10 / 1048576 + 64 ))

secs() { date +%s.%N; }
load() { cut -d' ' -f1 /proc/loadavg; }
median() { sort -n | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# run N: one add to N new blank BD-Rs at modeled 16x; prints the wall seconds.
run() {
    local n=$1 devs=() i t0 t1
    for i in $(seq 1 "$n"); do
        rm -f "$work/d$i.img" "$work/d$i.img.state"
        "$DISCBURN" media --dev "emu:$work/d$i.img,profile=bd-r,speed=16" >/dev/null
        dd if=/dev/zero of="$work/d$i.img" bs=1M count="$prealloc_mb" conv=notrunc status=none
        devs+=(--dev "emu:$work/d$i.img")
    done
    sync
    t0=$(secs)
    "$DISCBURN" --json add -q "${devs[@]}" "$tree" >"$work/add.json"
    t1=$(secs)
    # Every drive verified (one summary per drive; several drives: {"drives": [...]}).
    local ok
    ok=$(grep -c '"verified": true' "$work/add.json" || true)
    if [ "$ok" -ne "$n" ]; then
        echo "many.sh: $ok of $n drives verified:" >&2
        cat "$work/add.json" >&2
        exit 1
    fi
    echo "$t1 - $t0" | bc -l
}

echo "tree: $tree ($(( bytes / 1000000 )) MB); $(nproc) CPUs; modeled 16x BD-R (72 MB/s); target: 4 drives <= 1.3x 1 drive"
run 1 >/dev/null   # warm-up (not counted)
: >"$work/one"
: >"$work/four"
: >"$work/ratio"
for r in $(seq 1 "$runs"); do
    l=$(load)
    t1=$(run 1)
    t4=$(run 4)
    ratio=$(echo "$t4 / $t1" | bc -l)
    echo "$t1" >>"$work/one"
    echo "$t4" >>"$work/four"
    echo "$ratio" >>"$work/ratio"
    printf 'run %s (load average %s): 1 drive %6.2f s (%4.0f MB/s), 4 drives %6.2f s (%4.0f MB/s per drive), ratio %.2f\n' \
        "$r" "$l" "$t1" "$(echo "$bytes / 1000000 / $t1" | bc -l)" \
        "$t4" "$(echo "$bytes / 1000000 / $t4" | bc -l)" "$ratio"
done
m=$(median <"$work/ratio")
printf 'median of %s runs: 1 drive %.2f s, 4 drives %.2f s, ratio %.2f (target <= 1.30: %s)\n' "$runs" \
    "$(median <"$work/one")" "$(median <"$work/four")" "$m" \
    "$(echo "$m <= 1.3" | bc -l | sed 's/1/met/; s/0/NOT met/')"
