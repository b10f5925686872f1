#!/usr/bin/env bash
# Builds the Windows package staff unzip and double-click, on Linux:
#
#   target/dist/renkei-windows-x64.zip
#     renkei.exe     cross-built with mingw-w64 (x86_64-pc-windows-gnu)
#     使い方.txt     the guide renkei writes into a new 入力/ (UTF-8 with BOM, CRLF)
#     ルール/        the default rule files (templates/*.toml), to copy and edit for --rules
#     記入用紙/      the blank 例① and 例② forms (`renkei template`)
#     入力/          empty: staff put the month's sheets here
#
# The guide and the forms are made by running the Linux build of the same
# source, so the zip never holds a second copy of either. Installs what it
# needs where it is missing (Debian packages, the rustup target) and can be
# run again at any time: it rebuilds the zip from scratch. Honours
# CARGO_TARGET_DIR. Try the result under Wine with tools/windows-smoke.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

TRIPLE=x86_64-pc-windows-gnu
TARGET_DIR=${CARGO_TARGET_DIR:-target}
DIST=$TARGET_DIR/dist
NAME=renkei-windows-x64
STAGE=$DIST/$NAME
ZIP=$DIST/$NAME.zip

say() { printf '%s\n' "package-windows: $*" >&2; }

# --- What the build needs (idempotent) ---------------------------------------
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! rustup target list --installed | grep -qx "$TRIPLE"; then
  say "adding the Rust target $TRIPLE"
  rustup target add "$TRIPLE"
fi

# --- Build: the exe, and the Linux build that makes the guide and the forms ---
# The linker for $TRIPLE is set in .cargo/config.toml.
say "building renkei.exe ($TRIPLE, release)"
cargo build --release --locked --target "$TRIPLE" --bin renkei
say "building the Linux renkei (release)"
cargo build --release --locked --bin renkei
EXE=$TARGET_DIR/$TRIPLE/release/renkei.exe
LINUX_BIN=$(realpath "$TARGET_DIR/release/renkei")

# --- Stage the folder the zip holds ------------------------------------------
rm -rf "$STAGE" "$ZIP"
mkdir -p "$STAGE/ルール" "$STAGE/入力"
cp "$EXE" "$STAGE/renkei.exe"
x86_64-w64-mingw32-strip "$STAGE/renkei.exe"
cp templates/*.toml "$STAGE/ルール/"
"$LINUX_BIN" template -o "$STAGE/記入用紙" >/dev/null

# renkei started alone in an empty folder writes 入力/使い方.txt: that file,
# byte for byte, is the zip's guide.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
(cd "$scratch" && "$LINUX_BIN" 2>/dev/null) || status=$?
if [ "$status" != 2 ] || [ ! -f "$scratch/入力/使い方.txt" ]; then
  say "renkei did not write 入力/使い方.txt (exit $status)"
  exit 1
fi
cp "$scratch/入力/使い方.txt" "$STAGE/使い方.txt"

# --- Zip ----------------------------------------------------------------------
# Python's zipfile marks non-ASCII names as UTF-8 (flag bit 11), which
# Explorer's "すべて展開" reads correctly. Entries are sorted and at the
# zip's root (Explorer extracts into a folder named after the zip); folders
# have entries of their own, so the empty 入力/ is kept.
python3 - "$STAGE" "$ZIP" <<'PY'
import os, sys, zipfile
stage, out = sys.argv[1:]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for dirpath, dirnames, filenames in os.walk(stage):
        dirnames.sort()
        rel = os.path.relpath(dirpath, stage)
        if rel != ".":
            z.write(dirpath, rel + "/")
        for f in sorted(filenames):
            z.write(os.path.join(dirpath, f), f if rel == "." else f"{rel}/{f}")
PY

say "wrote $ZIP ($(du -k "$ZIP" | cut -f1) KiB)"
python3 - "$ZIP" <<'PY'
import sys, zipfile
for i in zipfile.ZipFile(sys.argv[1]).infolist():
    print(f"  {i.file_size:>10}  {i.filename}")
PY
