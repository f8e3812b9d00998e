#!/usr/bin/env bash
# Benchmark: `discburn read --all` against `dd if=/dev/sr0 bs=64k` in the same QEMU guest,
# both reading QEMU's scsi-cd (discburn through SG_IO, dd through the kernel's sr driver
# and page cache), and the ratio of their rates (issue 7 asks for at least 0.9).
#
#   bench/read.sh [--mb N] [--runs N]
#
# --mb     size of the ISO made with genisoimage (default 200)
# --runs   runs of each reader in one guest; the best time of each counts (default 3)
#
# Each run first reads the disc once with cat (warming QEMU's host-side page cache for
# both), then drops the guest's page cache before dd and before discburn. Times come from
# the guest clock (date +%s%N around each command).
#
# Needs what tests/run-all.sh sets up: DISCBURN_GUEST_KERNEL (the unpacked guest kernel)
# and DISCBURN_GUEST_BIN (the static discburn); when they are unset, the script builds the
# static binary into $CARGO_TARGET_DIR/guest (default target/guest) and asks for the kernel.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MB=200
RUNS=3
while [ $# -gt 0 ]; do
    case "$1" in
        --mb) MB="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "bench/read.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

if [ -z "${DISCBURN_GUEST_KERNEL:-}" ]; then
    echo "bench/read.sh: DISCBURN_GUEST_KERNEL is unset: run tests/run-all.sh once (it fetches the guest kernel) and export the folder it prints" >&2
    exit 1
fi
if [ -z "${DISCBURN_GUEST_BIN:-}" ]; then
    TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
    RUSTFLAGS='-C target-feature=+crt-static' cargo build --release \
        --target x86_64-unknown-linux-gnu -p discburn --target-dir "$TARGET_DIR/guest" >&2
    export DISCBURN_GUEST_BIN="$TARGET_DIR/guest/x86_64-unknown-linux-gnu/release/discburn"
fi

DISCBURN_BENCH_MB="$MB" DISCBURN_BENCH_RUNS="$RUNS" \
    cargo test -q -p discburn-tests --test guest_read -- \
    --ignored --exact read_throughput_vs_dd --nocapture 2>&1 |
    grep -E '^(image|dd |discburn |ratio)'
