#!/usr/bin/env bash
# make install-check: a fresh clone of this repository, `make install PREFIX=$T`, then
# $T/bin/waymark run from /tmp on the sample data. Exits non-zero on the first failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/waymark-install-XXXXXX)"
trap 'rm -rf "$work"' EXIT
git clone -q "$root" "$work/clone"
make -C "$work/clone" install PREFIX="$work/prefix"
bin="$work/prefix/bin/waymark"
if ldd "$bin" | grep -q libswift; then echo "install-check: $bin needs Swift libraries at run time" >&2; ldd "$bin" >&2; exit 1; fi
cp -R "$root/sample-events/feeds" "$work/feeds"
rm -rf "$work/clone"   # the installed binary must not need the source tree
cd /tmp
"$bin" --version | grep -q "^waymark [0-9]" 
"$bin" help verify | grep -q "^Usage: waymark verify"
status=0; "$bin" ingest --manifest "$work/feeds/manifest.json" --log "$work/log" > "$work/ingest.out" || status=$?
[ "$status" -eq 2 ] || { echo "install-check: ingest exited $status (2 expected: the sample's dirty feeds)" >&2; exit 1; }
"$bin" project all --log "$work/log" --out "$work/models" > /dev/null
"$bin" timeline --out "$work/models" --child police:GMP:P0001234 | grep -q '"child":"la:309:538333"'
"$bin" verify --log "$work/log" > /dev/null
man -l "$work/prefix/share/man/man1/waymark.1" > /dev/null 2>&1 || test -s "$work/prefix/share/man/man1/waymark.1"
echo "install-check: installed from a fresh clone and ran the sample pipeline from /tmp"
