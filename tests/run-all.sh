#!/usr/bin/env bash
# The test command: installs what the tests need on a fresh Debian/Ubuntu machine, fetches
# the guest kernel for the VM test bed (cached outside the repository), builds the static
# guest `discburn` once, then runs every test of the workspace.
#
#   bash tests/run-all.sh [extra args for `cargo test`]
#
# Environment it sets for the tests (the VM tests fail, naming this script, without them):
#   DISCBURN_GUEST_BIN     statically linked discburn to put into the guest initramfs
#   DISCBURN_GUEST_KERNEL  folder holding the unpacked linux-image-*-cloud-amd64 package
#   DISCBURN_WIN_EXE       discburn.exe built for x86_64-pc-windows-gnu (run under wine64)
# Knobs: DISCBURN_KERNEL_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/discburn/kernel),
#        DISCBURN_SKIP_INSTALL=1 (do not call apt-get even if something is missing).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '[run-all] %s\n' "$*" >&2; }
now() { date +%s; }
T0=$(now)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

# --- 1. Debian packages ---------------------------------------------------------------
PACKAGES=(qemu-system-x86 qemu-block-extra busybox-static cpio tgt sg3-utils xorriso
    genisoimage wodim libarchive-tools p7zip-full growisofs dvd+rw-tools cdrskin gddrescue python3
    man-db groff-base util-linux grub-common grub-pc-bin grub-efi-amd64-bin mtools ovmf isolinux
    syslinux-common seabios gdisk fdisk libiscsi-bin qemu-utils gcc-mingw-w64-x86-64 wine64
    cdparanoia libcdio-utils cdrdao erofs-utils dvdisaster)
APT_UPDATED=0
apt_update() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        "${SUDO[@]}" apt-get update -q >&2
        APT_UPDATED=1
    fi
}
missing=()
find_missing() {
    missing=()
    for p in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
            missing+=("$p")
        fi
    done
}
find_missing
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "${DISCBURN_SKIP_INSTALL:-0}" = 1 ]; then
        log "missing packages (not installing, DISCBURN_SKIP_INSTALL=1): ${missing[*]}"
    else
        apt_update
        # Two rounds: installing one package may remove another that was there already
        # (seen: a backports qemu-utils removed by Debian's qemu-block-extra of another
        # version); the second round installs it again, in the version that fits.
        for round in 1 2; do
            log "apt-get install ${missing[*]} (round $round)"
            "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
            find_missing
            [ "${#missing[@]}" -eq 0 ] && break
        done
        if [ "${#missing[@]}" -gt 0 ]; then
            log "still not installed after apt-get install: ${missing[*]}"
            exit 1
        fi
    fi
fi

# cargo-deb builds the Debian package that tests/deb.sh installs (from crates.io).
if ! command -v cargo-deb >/dev/null; then
    log "cargo install cargo-deb --version 3.8.0 --locked"
    cargo install cargo-deb --version 3.8.0 --locked >&2
fi

# --- 2. The guest kernel (linux-image-cloud-amd64 resolved to its versioned package) ----
HOME_DIR="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
CACHE="${DISCBURN_KERNEL_CACHE:-${XDG_CACHE_HOME:-${HOME_DIR:-/tmp}/.cache}/discburn/kernel}"
mkdir -p "$CACHE"
resolve_kernel_pkg() {
    apt-cache depends linux-image-cloud-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}
# Downloads and unpacks package $1 into $CACHE/$1 unless it is there; fails if it cannot.
fetch_kernel() {
    local pkg="$1" dir="$CACHE/$1" tmp
    [ -e "$dir/.complete" ] && return 0
    log "fetching guest kernel package $pkg into $dir"
    tmp="$(mktemp -d)"
    chmod 1777 "$tmp" # apt-get download runs as _apt and writes here
    if ! (cd "$tmp" && apt-get download -q "$pkg" >&2); then
        rm -rf "$tmp"
        return 1
    fi
    rm -rf "$dir.partial"
    dpkg -x "$tmp"/*.deb "$dir.partial" || return 1
    rm -rf "$tmp" "$dir"
    mv "$dir.partial" "$dir" || return 1
    touch "$dir/.complete"
}
KPKG="$(resolve_kernel_pkg || true)"
if [ -z "$KPKG" ] || ! fetch_kernel "$KPKG"; then
    # No package lists yet, or stale ones naming a version no longer served.
    apt_update
    KPKG="$(resolve_kernel_pkg || true)"
    if [ -n "$KPKG" ] && ! fetch_kernel "$KPKG"; then KPKG=""; fi
fi
if [ -n "$KPKG" ]; then
    KDIR="$CACHE/$KPKG"
    ln -sfn "$KPKG" "$CACHE/current"
elif [ -e "$CACHE/current/.complete" ]; then
    KDIR="$(readlink -f "$CACHE/current")"
    log "could not resolve or fetch linux-image-cloud-amd64; using the cached $KDIR"
else
    log "could not resolve or fetch linux-image-cloud-amd64 (apt-cache depends / apt-get download)"
    exit 1
fi
export DISCBURN_GUEST_KERNEL="$KDIR"
log "guest kernel: $DISCBURN_GUEST_KERNEL ($(( $(now) - T0 )) s)"

# --- 3. The static guest binary --------------------------------------------------------
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
GUEST_TARGET_DIR="$TARGET_DIR/guest"
log "building the static guest discburn"
# No debug info for the guest copy (the profile's debug = 1 only slows this build down).
RUSTFLAGS='-C target-feature=+crt-static' CARGO_PROFILE_RELEASE_DEBUG=false cargo build --release \
    --target x86_64-unknown-linux-gnu -p discburn --target-dir "$GUEST_TARGET_DIR" >&2
export DISCBURN_GUEST_BIN="$GUEST_TARGET_DIR/x86_64-unknown-linux-gnu/release/discburn"
log "guest binary: $DISCBURN_GUEST_BIN ($(( $(now) - T0 )) s)"

# --- 3b. The Windows build, run under wine64 by the wine_* tests --------------------------
# Debian's mingw-w64 gcc links it (rustc's default linker for this target off Windows).
WIN_TARGET_DIR="$TARGET_DIR/windows"
log "building discburn.exe (x86_64-pc-windows-gnu)"
rustup target add x86_64-pc-windows-gnu >&2 2>/dev/null || true
CARGO_PROFILE_DEV_DEBUG=false cargo build --target x86_64-pc-windows-gnu -p discburn \
    --target-dir "$WIN_TARGET_DIR" >&2
export DISCBURN_WIN_EXE="$WIN_TARGET_DIR/x86_64-pc-windows-gnu/debug/discburn.exe"
log "windows binary: $DISCBURN_WIN_EXE ($(( $(now) - T0 )) s)"

# --- 4. Every test ---------------------------------------------------------------------
log "cargo test --workspace --no-fail-fast"
status=0
cargo test --workspace --no-fail-fast "$@" || status=$?

# --- 5. The slow ISO tests (a sparse file over 4 GiB as multi-extent, 100,000 files), in
# release: they are #[ignore]d in a plain `cargo test` because of their size, not skipped.
if [ "$#" -eq 0 ]; then
    log "cargo test --release -p discburn-isofs --test big -- --ignored (4 GiB image, 100,000 files)"
    cargo test --release -p discburn-isofs --test big -- --ignored || status=$?
fi
# --- 6. One example of each library crate on the emulated drive, results checked --------
if [ "$#" -eq 0 ]; then
    log "bash tests/examples.sh"
    bash tests/examples.sh || status=$?
fi
# --- 7. The Debian package: built, installed with dpkg, used, removed (needs root) ----
if [ "$#" -eq 0 ]; then
    log "bash tests/deb.sh"
    bash tests/deb.sh || status=$?
fi
log "all tests done in $(( $(now) - T0 )) s (status $status)"
exit "$status"
