#!/usr/bin/env bash
# Benchmark: Rock Ridge + Joliet images of two trees, built by discburn, genisoimage and
# `xorriso -as mkisofs`, against the floor of reading every file once
# (`tar cf - TREE | cat >/dev/null`; GNU tar writing straight to /dev/null reads nothing).
#
#   bench/isofs.sh [--runs N] [--cache cold|warm] [--trees src,tiny] [--tools LIST]
#                  [--tiny-files N] [--src-tree DIR] [--no-build] [--keep]
#
# Trees (built once, kept in the cache directory $DISCBURN_BENCH_CACHE, default
# ~/.cache/discburn-bench, never in the repository):
#   src   Debian's linux-source-6.1 unpacked (apt-get install linux-source-6.1 puts the
#         tarball in /usr/src). Without it the script says so and uses /usr/share instead;
#         --src-tree DIR picks any other tree.
#   tiny  200,000 tiny files from isofs/tests/fixtures/make_tree.sh --only-many.
# Tools (--tools, comma-separated, default floor,discburn,genisoimage,xorriso):
#   floor        tar cf - TREE | cat >/dev/null
#   discburn     discburn mkisofs -R -J -o OUT TREE; the binary is $DISCBURN, else
#                $CARGO_TARGET_DIR/release/discburn (default target/), built with
#                `cargo build --release -p discburn` unless --no-build. When it is missing
#                or has no mkisofs yet, the run says so and goes on with the others.
#   genisoimage  genisoimage -R -J -quiet -o OUT TREE
#   xorriso      xorriso -as mkisofs -R -J -quiet -o OUT TREE
# Cache: "cold" (default when /proc/sys/vm/drop_caches is writable, i.e. root) runs
# `sync; echo 3 > /proc/sys/vm/drop_caches` before every run; "warm" reads the tree once
# first and runs with it in the page cache. Each figure is the median of --runs (default 3).
# Wall time is measured around the command; CPU time (user+sys, less sensitive to other load
# on a shared machine) and peak RSS by /usr/bin/time (package `time`).
# Images go to a scratch directory in the cache directory and are deleted after each run
# (--keep keeps the last of each).
set -euo pipefail

die() { echo "bench/isofs.sh: $*" >&2; exit 1; }
note() { echo "# $*"; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cache=${DISCBURN_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/discburn-bench}
runs=3 mode= trees=src,tiny tools=floor,discburn,genisoimage,xorriso
tiny_n=200000 src_tree= build=1 keep=0

while [[ $# -gt 0 ]]; do
    case $1 in
        --runs) runs=${2:?}; shift ;;
        --cache) mode=${2:?}; shift ;;
        --trees) trees=${2:?}; shift ;;
        --tools) tools=${2:?}; shift ;;
        --tiny-files) tiny_n=${2:?}; shift ;;
        --src-tree) src_tree=${2:?}; shift ;;
        --no-build) build=0 ;;
        --keep) keep=1 ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number, not $runs"

[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing: apt-get install time"
for t in ${tools//,/ }; do
    case $t in
        floor) command -v tar >/dev/null || die "tar is missing" ;;
        genisoimage) command -v genisoimage >/dev/null || die "genisoimage is missing: apt-get install genisoimage" ;;
        xorriso) command -v xorriso >/dev/null || die "xorriso is missing: apt-get install xorriso" ;;
        discburn) ;;
        *) die "unknown tool $t (floor, discburn, genisoimage, xorriso)" ;;
    esac
done

can_drop=0
if [[ -w /proc/sys/vm/drop_caches ]] && (echo 1 > /proc/sys/vm/drop_caches) 2>/dev/null; then
    can_drop=1
fi
if [[ -z $mode ]]; then
    if [[ $can_drop -eq 1 ]]; then mode=cold; else mode=warm; fi
fi
case $mode in
    cold) [[ $can_drop -eq 1 ]] || die "--cache cold needs root (writing /proc/sys/vm/drop_caches)" ;;
    warm) ;;
    *) die "--cache is cold or warm, not $mode" ;;
esac

mkdir -p "$cache"
scratch=$cache/scratch
rm -rf "$scratch"
mkdir -p "$scratch"

# --- trees -------------------------------------------------------------------------------
prepare_src() {
    if [[ -n $src_tree ]]; then
        [[ -d $src_tree ]] || die "--src-tree $src_tree is not a directory"
        src_dir=$(cd "$src_tree" && pwd -P); src_name=$(basename "$src_dir"); return
    fi
    local tarball
    tarball=$(ls /usr/src/linux-source-*.tar.xz /usr/src/linux-source-*.tar.bz2 2>/dev/null | sort -V | tail -1 || true)
    if [[ -z $tarball ]]; then
        note "linux-source is not installed (apt-get install linux-source-6.1); using /usr/share instead"
        src_dir=/usr/share; src_name=usr-share; return
    fi
    src_name=$(basename "$tarball"); src_name=${src_name%.tar.*}
    src_dir=$cache/$src_name
    if [[ ! -e $cache/$src_name.complete ]]; then
        note "unpacking $tarball into $src_dir (once)"
        rm -rf "$src_dir" "$src_dir.tmp"
        mkdir -p "$src_dir.tmp"
        tar -xf "$tarball" -C "$src_dir.tmp"
        local top
        top=$(ls "$src_dir.tmp")
        [[ $(echo "$top" | wc -l) -eq 1 ]] || die "unexpected layout in $tarball"
        mv "$src_dir.tmp/$top" "$src_dir"
        rmdir "$src_dir.tmp"
        touch "$cache/$src_name.complete"
    fi
}

prepare_tiny() {
    tiny_name=tiny-$tiny_n
    tiny_dir=$cache/$tiny_name
    if [[ ! -e $cache/$tiny_name.complete ]]; then
        note "making $tiny_n tiny files in $tiny_dir (once)"
        rm -rf "$tiny_dir"
        bash "$repo/isofs/tests/fixtures/make_tree.sh" --many "$tiny_n" --only-many "$tiny_dir"
        touch "$cache/$tiny_name.complete"
    fi
}

# --- discburn ------------------------------------------------------------------------------
discburn_ok=0 discburn_why=
find_discburn() {
    local bin=${DISCBURN:-${CARGO_TARGET_DIR:-$repo/target}/release/discburn}
    if [[ -z ${DISCBURN:-} && $build -eq 1 ]]; then
        note "building discburn: cargo build --release -p discburn"
        if ! (cd "$repo" && cargo build --release -p discburn) >"$scratch/build.log" 2>&1; then
            discburn_why="cargo build --release -p discburn failed: $(grep -m1 '^error' "$scratch/build.log" || tail -1 "$scratch/build.log")"
            return
        fi
    fi
    if [[ ! -x $bin ]]; then
        discburn_why="no binary at $bin (build it with cargo build --release -p discburn, or set DISCBURN)"
        return
    fi
    discburn=$bin
    mkdir -p "$scratch/probe/d"
    echo probe > "$scratch/probe/d/f.txt"
    if ! "$discburn" mkisofs -R -J -o "$scratch/probe.iso" "$scratch/probe" >"$scratch/probe.log" 2>&1 \
        || [[ ! -s $scratch/probe.iso ]]; then
        discburn_why="$bin cannot build an image yet: $(head -1 "$scratch/probe.log")"
        [[ -s $scratch/probe.log ]] || discburn_why+="(no output, no image)"
        return
    fi
    discburn_ok=1
}

# --- measuring -----------------------------------------------------------------------------
# run_one TOOL TREE OUT -> sets r_wall (s), r_rss (KiB), r_cpu (user+sys s), r_status
run_one() {
    local tool=$1 tree=$2 out=$3
    local cmd=()
    case $tool in
        floor) cmd=(sh -c 'tar cf - "$1" | cat >/dev/null' sh "$tree") ;;
        discburn) cmd=("$discburn" mkisofs -R -J -o "$out" "$tree") ;;
        genisoimage) cmd=(genisoimage -R -J -quiet -o "$out" "$tree") ;;
        xorriso) cmd=(xorriso -as mkisofs -R -J -quiet -o "$out" "$tree") ;;
    esac
    rm -f "$out"
    if [[ $mode == cold ]]; then
        sync; echo 3 > /proc/sys/vm/drop_caches
    fi
    local t0 t1
    t0=$EPOCHREALTIME
    set +e
    /usr/bin/time -f '%M %U %S' -o "$scratch/time.out" "${cmd[@]}" >"$scratch/$tool.log" 2>&1
    r_status=$?
    set -e
    t1=$EPOCHREALTIME
    r_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    read -r r_rss r_cpu < <(tail -1 "$scratch/time.out" | awk '{ printf "%d %.2f\n", $1, $2 + $3 }')
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

bench_tree() {
    local name=$1 tree=$2
    local nfiles nentries bytes
    read -r nfiles bytes < <(find "$tree" -type f -printf '%s\n' | awk '{ n++; s += $1 } END { printf "%d %d\n", n, s }')
    nentries=$(find "$tree" | wc -l)
    echo
    echo "== $name: $tree"
    printf '   %d regular files, %d entries, %.1f MB of file data; cache %s; median of %d run(s)\n' \
        "$nfiles" "$nentries" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$mode" "$runs"
    if [[ $mode == warm ]]; then
        tar cf - "$tree" 2>/dev/null | cat >/dev/null    # warm-up: the tree is in the page cache from here
    fi
    declare -A wall rss size cpu
    local tool
    for tool in ${tools//,/ }; do
        if [[ $tool == discburn && $discburn_ok -eq 0 ]]; then
            wall[$tool]=n/a; continue
        fi
        local walls=() rsss=() cpus=() i ok=1
        for ((i = 0; i < runs; i++)); do
            run_one "$tool" "$tree" "$scratch/$tool-$name.iso"
            if [[ $r_status -ne 0 ]]; then
                echo "   $tool failed (exit $r_status): $(tail -3 "$scratch/$tool.log" | tr '\n' ' ')"
                ok=0; break
            fi
            walls+=("$r_wall"); rsss+=("$r_rss"); cpus+=("$r_cpu")
        done
        if [[ $ok -eq 0 ]]; then wall[$tool]=failed; continue; fi
        wall[$tool]=$(printf '%s\n' "${walls[@]}" | median)
        rss[$tool]=$(printf '%s\n' "${rsss[@]}" | median)
        cpu[$tool]=$(printf '%s\n' "${cpus[@]}" | median)
        size[$tool]=$( [[ -f $scratch/$tool-$name.iso ]] && stat -c %s "$scratch/$tool-$name.iso" || echo 0)
        [[ $keep -eq 1 ]] || rm -f "$scratch/$tool-$name.iso"
        echo "   $tool runs (s): ${walls[*]}" >>"$scratch/runs.log"
    done

    printf '   %-12s %9s %8s %11s %9s %10s %11s %9s %9s %9s\n' tool "wall s" "cpu s" "files/s" \
        "MB/s" "RSS MB" "image MB" "x floor" "t/disc" "rss/disc"
    for tool in ${tools//,/ }; do
        local w=${wall[$tool]}
        if [[ $w == n/a || $w == failed ]]; then
            printf '   %-12s %9s\n' "$tool" "$w"; continue
        fi
        awk -v tool="$tool" -v w="$w" -v c="${cpu[$tool]}" -v m="${rss[$tool]}" -v n="$nfiles" -v b="$bytes" \
            -v img="${size[$tool]}" -v fl="${wall[floor]:-}" -v dw="${wall[discburn]:-}" \
            -v dm="${rss[discburn]:-}" 'BEGIN {
                xf = (fl ~ /^[0-9.]+$/ && fl > 0) ? sprintf("%.2f", w / fl) : "-"
                td = (dw ~ /^[0-9.]+$/ && dw > 0) ? sprintf("%.2f", w / dw) : "-"
                rd = (dm ~ /^[0-9.]+$/ && dm > 0) ? sprintf("%.2f", m / dm) : "-"
                im = (tool == "floor") ? "-" : sprintf("%.1f", img / 1e6)
                printf "   %-12s %9.2f %8.2f %11.0f %9.1f %10.1f %11s %9s %9s %9s\n",
                    tool, w, c, n / w, b / 1e6 / w, m / 1024, im, xf, td, rd }'
    done
    echo "   (x floor: wall / floor wall; t/disc, rss/disc: tool / discburn, above 1 means discburn wins)"
    local dw=${wall[discburn]:-n/a}
    if [[ $dw =~ ^[0-9.]+$ ]]; then
        awk -v d="$dw" -v dm="${rss[discburn]}" -v g="${wall[genisoimage]:-}" \
            -v x="${wall[xorriso]:-}" -v xm="${rss[xorriso]:-}" -v f="${wall[floor]:-}" 'BEGIN {
            yn = "no"; if (g ~ /^[0-9.]+$/ && x ~ /^[0-9.]+$/ && d < g && d < x) yn = "yes"
            fl = (f ~ /^[0-9.]+$/ && f > 0) ? ((d <= 1.3 * f) ? "yes" : "no") : "-"
            mm = (xm ~ /^[0-9]+$/) ? ((dm <= xm) ? "yes" : "no") : "-"
            printf "   targets: faster than both peers: %s; within 1.3x of the floor: %s; RSS <= xorriso: %s\n", yn, fl, mm }'
    fi
}

echo "discburn isofs benchmark  $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) CPUs  $(uname -r)  load $(cut -d" " -f1-3 /proc/loadavg)"
echo "peers: $(genisoimage --version 2>&1 | head -1); $(xorriso -version 2>&1 | head -1 | cut -d: -f1)"
if [[ ,$tools, == *,discburn,* ]]; then
    find_discburn
    if [[ $discburn_ok -eq 1 ]]; then
        echo "discburn: $discburn"
    else
        echo "discburn: NOT MEASURED: $discburn_why"
    fi
fi
case $mode in
    cold) echo "cache: cold (sync; echo 3 > /proc/sys/vm/drop_caches before every run)" ;;
    warm) echo "cache: warm (one warm-up read of the tree, then runs from the page cache)" ;;
esac

for t in ${trees//,/ }; do
    case $t in
        src) prepare_src; bench_tree "$src_name" "$src_dir" ;;
        tiny) prepare_tiny; bench_tree "$tiny_name" "$tiny_dir" ;;
        *) die "unknown tree $t (src, tiny)" ;;
    esac
done
[[ $keep -eq 1 ]] || rm -rf "$scratch"
