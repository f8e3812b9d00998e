#!/bin/sh
# Makes seed images for the isofs fuzz targets in DIR (default /tmp/isofs-corpus/seeds):
# isofs::fuzz::seeds (continuation areas, relocation RE/CL/PL, a multi-extent file, level 1;
# examples/fuzz_seeds), a small tree imaged by isofs (examples/mkiso), genisoimage -R -J and
# xorriso -as mkisofs -R -J, with trailing zero blocks cut so that libFuzzer's
# -max_len=131072 holds them.
set -eu
out=${1:-/tmp/isofs-corpus/seeds}
here=$(cd "$(dirname "$0")" && pwd -P)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/t/d/e" "$work/t4/x"
echo hi > "$work/t/d/e/f"; ln -s f "$work/t/d/e/l"; echo x > "$work/t/a"; echo 1 > "$work/t4/x/y"
(cd "$here/.." && cargo run -q --example mkiso -- "$work/s1.iso" "$work/t" rr joliet
 cargo run -q --example mkiso -- "$work/s4.iso" "$work/t4" level 1
 cargo run -q --example fuzz_seeds -- "$work/seeds" >/dev/null
 for f in "$work"/seeds/*.iso; do mv "$f" "$work/s-$(basename "$f")"; done)
genisoimage -quiet -R -J -o "$work/s2.iso" "$work/t"
xorriso -as mkisofs -quiet -R -J -o "$work/s3.iso" "$work/t" 2>/dev/null
for f in "$work"/s*.iso; do
    python3 - "$f" "$out" <<'PY'
import hashlib, sys
d = open(sys.argv[1], 'rb').read()
n = len(d)
while n > 0 and d[n - 2048:n] == bytes(2048):
    n -= 2048
open(f"{sys.argv[2]}/{hashlib.sha1(d[:n]).hexdigest()}", 'wb').write(d[:n])
PY
done
ls -l "$out"
