#!/usr/bin/env bash
# Benchmark (issue 14): Rock Ridge + Joliet images of trees of every shape, and appending a
# session to a Linux-source-shaped tree, by discburn, genisoimage, `xorriso -as mkisofs`,
# bsdtar's ISO writer and hadris-cli (`hadris iso mkisofs -R -J`, a Rust crate), against the
# floor of reading every file once (`tar cf - TREE | cat >/dev/null`).
#
#   bench/shapes.sh [--runs N] [--trees flat,linux,deep,unicode] [--no-append] [--no-build]
#
# Trees, made once by `cargo run --release -p discburn-isofs --example make_shaped_tree`
# (deterministic: the same bytes on every machine) into $DISCBURN_BENCH_CACHE (default
# ~/.cache/discburn-bench):
#   flat     200,000 files of 4-15 bytes in 2,000 directories of 100 (in the root)
#   linux    the shape of linux-source-6.1: 78,579 files (1.1 GB) in 5,151 directories,
#            up to 10 levels, power-law files per directory (isofs/tests/common/shapes.rs)
#   deep     30,000 files in 2,558 directories 12 levels deep (Rock Ridge relocation)
#   unicode  20,000 files with names of 40-120 characters of Latin, Greek, Cyrillic, CJK
#            and emoji, up to 240 bytes
# For each tree and tool: wall seconds, CPU seconds (user+sys), peak RSS (/usr/bin/time),
# bytes of peak RSS per entry, image blocks, and the ratio to the floor's wall time; on
# linux, the issue's targets (at least 2.4x faster than genisoimage, 1.6x than hadris-cli).
# hadris-cli 3.0.0-rc.2 is installed on first use by `cargo install --locked` into
# $DISCBURN_BENCH_CACHE/hadris-cli-3.0.0-rc.2 (HADRIS=PATH takes another binary).
# Append (on linux): session 1 is discburn's image of the tree; then each tool writes
# session 2 of (a) 1,000 new files in 10 new directories and (b) 100 files changed in place
# across 10 directories, with -C/-M of that image (mkisofs multisession; bsdtar has none);
# reported: time, peak RSS, the session's size in blocks, and the ratio to discburn, with
# the target (discburn at least 3x faster than genisoimage). hadris-cli has no -M.
# The cache is warm (each tree is read once first). Figures are the median of --runs
# (default 1); the load average is printed: on a shared machine the times move with it.
set -euo pipefail

die() { echo "bench/shapes.sh: $*" >&2; exit 1; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cache=${DISCBURN_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/discburn-bench}
runs=1 trees=flat,linux,deep,unicode append=1 build=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --runs) runs=${2:?}; shift ;;
        --trees) trees=${2:?}; shift ;;
        --no-append) append=0 ;;
        --no-build) build=0 ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number, not $runs"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing: apt-get install time"
command -v genisoimage >/dev/null || die "genisoimage is missing: apt-get install genisoimage"
command -v xorriso >/dev/null || die "xorriso is missing: apt-get install xorriso"
command -v bsdtar >/dev/null || die "bsdtar is missing: apt-get install libarchive-tools"

target=${CARGO_TARGET_DIR:-$repo/target}
if [[ $build -eq 1 ]]; then
    (cd "$repo" && cargo build -q --release -p discburn --bin discburn \
        && cargo build -q --release -p discburn-isofs --example make_shaped_tree)
fi
discburn=${DISCBURN:-$target/release/discburn}
maker=$target/release/examples/make_shaped_tree
[[ -x $discburn ]] || die "no discburn binary at $discburn (drop --no-build)"
[[ -x $maker ]] || die "no make_shaped_tree at $maker (drop --no-build)"

mkdir -p "$cache"
hadris_version=3.0.0-rc.2
hadris=${HADRIS:-$cache/hadris-cli-$hadris_version/bin/hadris}
if [[ ! -x $hadris ]]; then
    [[ -z ${HADRIS:-} ]] || die "HADRIS=$HADRIS is not an executable"
    echo "# installing hadris-cli $hadris_version into $cache/hadris-cli-$hadris_version" \
        "(cargo install --locked, once; a few minutes)" >&2
    cargo install -q hadris-cli --version "$hadris_version" --locked \
        --root "$cache/hadris-cli-$hadris_version" >&2 \
        || die "cargo install hadris-cli --version $hadris_version failed (network? see above)"
fi
scratch=$(mktemp -d "$cache/shapes.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

tree_dir() {
    case $1 in
        flat) echo "$cache/flat-2000x100" ;;
        linux) echo "$cache/linux-shaped" ;;
        deep) echo "$cache/deep-30000" ;;
        unicode) echo "$cache/unicode-20000" ;;
        *) die "unknown tree $1" ;;
    esac
}
make_tree() {
    local d; d=$(tree_dir "$1")
    [[ -e $d.complete ]] && return
    rm -rf "$d"
    echo "# making $1 in $d" >&2
    case $1 in
        flat) "$maker" flat 2000 100 "$d" >&2 ;;
        *) "$maker" "$1" "$d" >&2 ;;
    esac
    touch "$d.complete"
}

# Runs "$@" once under /usr/bin/time; prints "wall cpu rss_kb".
measure() {
    local t0 t1 out
    out=$scratch/time.$$
    t0=$(date +%s.%N)
    # A tool that fails is reported as FAILED (with its first error line) and the run
    # goes on: xorriso 1.5.4 fails on the unicode tree ("Calculated/written tree end
    # address mismatch").
    /usr/bin/time -f "%U %S %M" -o "$out" "$@" >/dev/null 2>"$scratch/err" || {
        echo "FAILED: $1: $(grep -m1 -i 'fatal\|error\|fail' "$scratch/err")" >&2
        echo "FAILED 0 0"; return 0; }
    t1=$(date +%s.%N)
    read -r u s m < "$out"
    echo "$(echo "$t1 - $t0" | bc) $(echo "$u + $s" | bc) $m"
}
# The median of --runs runs of "$@" (by wall time).
median() {
    local i
    for ((i = 0; i < runs; i++)); do measure "$@"; done | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2)'
}
blocks() { echo $(( $(stat -c %s "$1") / 2048 )); }

echo "== bench/shapes.sh $(date -u +%FT%TZ), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), warm cache, median of $runs"
echo "   discburn $("$discburn" --version 2>/dev/null | head -1), $(genisoimage --version 2>&1 | head -1), $(xorriso -version 2>/dev/null | head -1), $(bsdtar --version), $("$hadris" --version)"
# "met" or "NOT met": whether $1 >= $2.
verdict() { if [[ $(echo "$1 >= $2" | bc -l) -eq 1 ]]; then echo met; else echo "NOT met"; fi; }

for t in ${trees//,/ }; do
    make_tree "$t"
    d=$(tree_dir "$t")
    entries=$(find "$d" -mindepth 1 | wc -l)
    tar cf - -C "$d" . | cat >/dev/null   # warm the cache
    echo
    echo "== $t: $d ($entries entries)"
    printf '   %-12s %8s %8s %9s %8s %10s %8s\n' tool "wall s" "cpu s" "RSS MB" "B/entry" "blocks" "x floor"
    floor=
    declare -A took=()
    for tool in floor discburn genisoimage xorriso bsdtar hadris; do
        img=$scratch/$tool.iso
        case $tool in
            floor) r=$(median sh -c "tar cf - -C '$d' . | cat >/dev/null") ;;
            discburn) r=$(median "$discburn" mkisofs -quiet -R -J -o "$img" "$d") ;;
            genisoimage) r=$(median genisoimage -quiet -R -J -o "$img" "$d") ;;
            xorriso) r=$(median xorriso -as mkisofs -quiet -R -J -o "$img" "$d") ;;
            bsdtar) r=$(median bsdtar -cf "$img" --format iso9660 --options joliet -C "$d" .) ;;
            hadris) r=$(median "$hadris" iso mkisofs -R -J --force -o "$img" "$d") ;;
        esac
        read -r wall cpu rss <<< "$r"
        if [[ $wall == FAILED ]]; then
            printf '   %-12s FAILED\n' "$tool"; rm -f "$img"; continue
        fi
        [[ -z $floor ]] && floor=$wall
        took[$tool]=$wall
        b=-
        [[ -f $img ]] && { b=$(blocks "$img"); rm -f "$img"; }
        printf '   %-12s %8.2f %8.2f %9.1f %8d %10s %8.2f\n' "$tool" "$wall" "$cpu" \
            "$(echo "$rss / 1024" | bc -l)" "$(( rss * 1024 / entries ))" "$b" \
            "$(echo "$wall / $floor" | bc -l)"
    done
    if [[ $t == linux && -n ${took[discburn]:-} ]]; then
        for p in "genisoimage 2.4" "hadris 1.6"; do
            read -r tool want <<< "$p"
            if [[ -z ${took[$tool]:-} ]]; then
                echo "   target: >=${want}x faster than $tool: $tool FAILED"; continue
            fi
            x=$(echo "${took[$tool]} / ${took[discburn]}" | bc -l)
            printf '   target: >=%sx faster than %s: %.2fx, %s\n' "$want" "$tool" "$x" "$(verdict "$x" "$want")"
        done
    fi
done

[[ $append -eq 1 ]] || exit 0
make_tree linux
d=$(tree_dir linux)
s1=$scratch/session1.iso
"$discburn" mkisofs -quiet -R -J -o "$s1" "$d"
next=$(blocks "$s1")
# (a) 1,000 new files in 10 new directories at several depths; (b) 100 files changed in
# place (other contents): the first 10 files of 10 directories of at least 10 files, spread
# over the tree.
new=$scratch/new changed=$scratch/changed
mapfile -t dirs < <(cd "$d" && find . -mindepth 1 -type d | sort | awk 'NR % 500 == 7' | head -10)
for k in "${!dirs[@]}"; do
    mkdir -p "$new/${dirs[$k]}/new-dir-$k"
    for f in $(seq -w 0 99); do echo "new file $k $f" > "$new/${dirs[$k]}/new-dir-$k/new-$f.c"; done
done
mapfile -t cand < <(cd "$d" && find . -mindepth 2 -type f -printf '%h\n' | sort | uniq -c |
    awk '$1 >= 10 { print $2 }')
[[ ${#cand[@]} -ge 10 ]] || die "the linux tree has only ${#cand[@]} directories of 10 files"
step=$(( ${#cand[@]} / 10 )) cdirs=()
for ((i = 0; i < 10; i++)); do cdirs+=("${cand[$(( i * step + step / 2 ))]}"); done
for x in "${cdirs[@]}"; do
    mkdir -p "$changed/$x"
    find "$d/$x" -maxdepth 1 -type f | sort | awk 'NR <= 10' | while read -r f; do
        echo "changed in place" > "$changed/$x/$(basename "$f")"
    done
done
nnew=$(find "$new" -type f | wc -l) nchanged=$(find "$changed" -type f | wc -l)
[[ $nnew -eq 1000 && $nchanged -eq 100 ]] || die "append cases: $nnew new and $nchanged changed files, not 1000 and 100"
echo
echo "== append to the linux tree's session (${next} blocks): 1,000 new files in ${#dirs[@]} new directories / 100 files changed in place in ${#cdirs[@]} directories"
printf '   %-12s %-8s %8s %8s %9s %10s %8s\n' tool case "wall s" "cpu s" "RSS MB" "blocks" "t/disc"
declare -A appended=()
for c in new changed; do
    src=$scratch/$c
    base=
    for tool in discburn genisoimage xorriso; do
        out=$scratch/s2-$tool.iso
        case $tool in
            discburn) r=$(median "$discburn" mkisofs -quiet -R -J -C "0,$next" -M "$s1" -o "$out" "$src") ;;
            genisoimage) r=$(median genisoimage -quiet -R -J -C "0,$next" -M "$s1" -o "$out" "$src") ;;
            xorriso) r=$(median xorriso -as mkisofs -quiet -R -J -C "0,$next" -M "$s1" -o "$out" "$src") ;;
        esac
        read -r wall cpu rss <<< "$r"
        if [[ $wall == FAILED ]]; then
            printf '   %-12s %-8s FAILED\n' "$tool" "$c"; rm -f "$out"; continue
        fi
        [[ -z $base ]] && base=$wall
        appended[$tool-$c]=$wall
        printf '   %-12s %-8s %8.2f %8.2f %9.1f %10s %8.2f\n' "$tool" "$c" "$wall" "$cpu" \
            "$(echo "$rss / 1024" | bc -l)" "$(blocks "$out")" "$(echo "$wall / $base" | bc -l)"
        rm -f "$out"
    done
done
echo "   (bsdtar and hadris-cli write no multisession images; t/disc: tool / discburn, above 1 means discburn is faster)"
for c in new changed; do
    if [[ -z ${appended[discburn-$c]:-} || -z ${appended[genisoimage-$c]:-} ]]; then
        echo "   target: $c: >=3x faster than genisoimage: a tool FAILED"; continue
    fi
    x=$(echo "${appended[genisoimage-$c]} / ${appended[discburn-$c]}" | bc -l)
    printf '   target: %s: >=3x faster than genisoimage: %.2fx, %s\n' "$c" "$x" "$(verdict "$x" 3)"
done
