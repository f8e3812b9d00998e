#!/usr/bin/env bash
# The Debian package, built, installed with dpkg on this machine, used, and removed:
#   - `discburn --version`, `man discburn`, `man discburn-cdrecord` of the installed files;
#   - the personalities under their installed names: discburn-mkisofs and -genisoimage
#     build an image xorriso reads, discburn-cdrecord/-wodim answer -msinfo for a disc the
#     installed discburn appended to, discburn-readcd reads it back;
#   - bash completion from the installed script;
#   - the plain names (cdrecord, wodim, mkisofs, genisoimage) of wodim and genisoimage
#     untouched, before and after;
#   - `dpkg -r` removes every file the package installed.
# Needs root (dpkg -i), cargo-deb, man-db, xorriso, wodim, genisoimage (see run-all.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
fail() { echo "deb.sh: FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root to install the package with dpkg -i"
for t in dpkg man xorriso cargo-deb; do
    command -v "$t" >/dev/null || fail "$t missing (Debian: dpkg, man-db, xorriso; cargo install cargo-deb --locked)"
done
W="$(mktemp -d)"
installed=0
cleanup() {
    if [ "$installed" = 1 ]; then dpkg -r discburn >/dev/null 2>&1 || true; fi
    rm -rf "$W"
}
trap cleanup EXIT

DEB="$(bash cli/deb/build.sh | tail -1)"
[ -f "$DEB" ] || fail "no package built ($DEB)"
# The tools' own names, as their packages left them.
plain=(cdrecord wodim mkisofs genisoimage growisofs readom)
before="$(for n in "${plain[@]}"; do printf '%s %s\n' "$n" "$(readlink -f "/usr/bin/$n" 2>/dev/null || echo none)"; done)"

if dpkg-query -W -f='${Status}' discburn 2>/dev/null | grep -q 'ok installed'; then
    fail "a discburn package is installed already; remove it first (dpkg -r discburn)"
fi
installed=1
dpkg -i "$DEB" >"$W/dpkg.log" 2>&1 || fail "dpkg -i: $(cat "$W/dpkg.log")"
files="$(dpkg -L discburn)"
dpkg -V discburn || fail "dpkg -V discburn: installed files differ from the package"

# The installed binary and pages.
[ "$(command -v discburn)" = /usr/bin/discburn ] || fail "discburn is $(command -v discburn)"
v="$(discburn --version)"
[ "$v" = "discburn $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)" ] || fail "--version: $v"
page="$(MANWIDTH=80 PAGER=cat MANPAGER=cat man discburn 2>&1)" || fail "man discburn: $page"
grep -q '^NAME' <<<"$page" && grep -Eq 'discburn +- +Burn +multisession' <<<"$page" || fail "man discburn: $page"
page="$(MANWIDTH=80 PAGER=cat MANPAGER=cat man discburn-cdrecord 2>&1)" || fail "man discburn-cdrecord: $page"
grep -q -- '-msinfo' <<<"$page" || fail "man discburn-cdrecord: $page"
page="$(MANWIDTH=80 PAGER=cat MANPAGER=cat man discburn-wodim 2>&1)" || fail "man discburn-wodim: $page"
page="$(MANWIDTH=80 PAGER=cat MANPAGER=cat man discburn-add 2>&1)" || fail "man discburn-add: $page"
grep -q -- '--remove' <<<"$page" || fail "man discburn-add: $page"

# The personalities under their installed names.
mkdir -p "$W/src"
echo one >"$W/src/one.txt"
discburn-mkisofs -quiet -R -J -V INSTALLED -o "$W/a.iso" "$W/src" || fail "discburn-mkisofs"
xorriso -indev "$W/a.iso" -pvd_info 2>/dev/null | grep -q 'Volume Id    : INSTALLED' || fail "xorriso does not read discburn-mkisofs's image"
# -print-size names the size of the image the same command writes.
n="$(discburn-genisoimage -quiet -print-size -R -J -V INSTALLED "$W/src")"
[ "$n" = "$(( $(stat -c %s "$W/a.iso") / 2048 ))" ] || fail "discburn-genisoimage -print-size: $n"
discburn add --dev "emu:$W/bd.disc,profile=bd-r" "$W/src" >"$W/add.log" 2>&1 || fail "add: $(cat "$W/add.log")"
for n in cdrecord wodim; do
    m="$(discburn-$n "dev=emu:$W/bd.disc" -msinfo)" || fail "discburn-$n -msinfo"
    [[ "$m" =~ ^0,[0-9]+$ ]] || fail "discburn-$n -msinfo printed '$m'"
    # The first lines are the ones K3b and Brasero check; the last names discburn.
    discburn-$n -version | grep -q "^discburn-$n: the cdrecord command line of discburn " || fail "discburn-$n -version"
done
blocks="$(xorriso -indev "$W/bd.disc" -toc 2>/dev/null | sed -n 's/^ISO session  :   1 , *0 , *\([0-9]*\)s.*/\1/p')"
[ -n "$blocks" ] || fail "xorriso does not read the session add wrote"
discburn-readcd "dev=emu:$W/bd.disc" "f=$W/back.iso" "sectors=0-$blocks" >/dev/null 2>&1 || fail "discburn-readcd"
cmp -n $((blocks * 2048)) "$W/back.iso" "$W/bd.disc" || fail "discburn-readcd read other bytes"

# Completion from the installed script.
got="$(bash --norc --noprofile -c '
    source /usr/share/bash-completion/completions/discburn
    COMP_WORDS=(discburn ad); COMP_CWORD=1; COMP_LINE="discburn ad"; COMP_POINT=11
    _discburn discburn ad discburn; printf "%s\n" "${COMPREPLY[@]}"')"
[ "$got" = add ] || fail "bash completion of 'discburn ad': $got"

after="$(for n in "${plain[@]}"; do printf '%s %s\n' "$n" "$(readlink -f "/usr/bin/$n" 2>/dev/null || echo none)"; done)"
[ "$before" = "$after" ] || fail "the tools' own names changed: $before / $after"

# Removal.
dpkg -r discburn >"$W/dpkg.log" 2>&1 || fail "dpkg -r: $(cat "$W/dpkg.log")"
installed=0
dpkg-query -W -f='${Status}' discburn 2>/dev/null | grep -q 'ok installed' && fail "still installed"
while read -r f; do
    [ -d "$f" ] && continue
    [ -e "$f" ] || [ -L "$f" ] && fail "left behind: $f"
done <<<"$files"
after="$(for n in "${plain[@]}"; do printf '%s %s\n' "$n" "$(readlink -f "/usr/bin/$n" 2>/dev/null || echo none)"; done)"
[ "$before" = "$after" ] || fail "the tools' own names changed by the removal: $before / $after"
echo "deb.sh: $(basename "$DEB") installed, used and removed cleanly"
