#!/usr/bin/env bash
# Runs the iSCSI fuzz targets with libFuzzer (cargo fuzz, nightly toolchain).
#
#   mmc/iscsi/fuzz/run.sh [TARGET|all] [RUNS]     (default: all targets, 1000000 runs each)
#
# The committed seeds in seeds/TARGET/ are read together with the working corpus in
# corpus/TARGET/ (git-ignored, grown by libFuzzer); crashes land in artifacts/TARGET/
# (git-ignored). Exit status is non-zero when a target crashes, hangs or over-allocates.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
cargo +nightly fuzz --version >/dev/null 2>&1 ||
    { echo "run.sh: needs the nightly toolchain and cargo-fuzz (rustup toolchain install nightly; cargo install cargo-fuzz)" >&2; exit 1; }
which=${1:-all}
runs=${2:-1000000}
if [[ $which == all ]]; then
    targets=$(cd "$here/fuzz_targets" && ls *.rs | sed 's/\.rs$//')
else
    [[ -f $here/fuzz_targets/$which.rs ]] || { echo "run.sh: no target $which" >&2; exit 1; }
    targets=$which
fi
cd "$here/.."
for t in $targets; do
    mkdir -p "$here/corpus/$t"
    # conn spawns a thread per connection: LeakSanitizer counts std's per-thread
    # bookkeeping (__cxa_thread_atexit_impl) as a leak when the process ends.
    leaks=1
    [[ $t == conn ]] && leaks=0
    echo "== $t: $runs runs"
    cargo +nightly fuzz run -O "$t" "$here/corpus/$t" "$here/seeds/$t" -- \
        -runs="$runs" -max_len=16384 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=256 \
        -detect_leaks="$leaks" -print_final_stats=1
done
