#!/usr/bin/env bash
# Tries the Windows package under Wine the way staff use it: unzipped, run
# on Japanese folders, double-clicked, with a folder dropped on its icon, with
# an output workbook held open; then the library's unit tests built for
# Windows. Not part of CI (no Wine there).
#
#   tools/windows-smoke.sh          builds the zip (tools/package-windows.sh), then tries it
#
# Wine 8 lacks bcryptprimitives.dll (ProcessPrng), which Rust's standard
# library calls; Windows 10 and 11 have it. A test-only stand-in
# (tools/wine/bcryptprimitives.c) is built beside the unpacked exe here and is
# never part of the zip. Installs Wine, tmux and mingw-w64 where missing.
# Prints one line a check and ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR=$(realpath -m "${CARGO_TARGET_DIR:-target}")
ZIP=$TARGET_DIR/dist/renkei-windows-x64.zip
WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
[ -x "$WINE" ] || missing+=(wine wine64)
command -v tmux >/dev/null || missing+=(tmux)
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
if [ ${#missing[@]} -gt 0 ]; then
  echo "windows-smoke: installing ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

tools/package-windows.sh 2>&1 | grep '^package-windows:' >&2
cargo build --release --locked --quiet --example dump_outputs --example gen_corpus
LINUX_BIN=$TARGET_DIR/release/renkei
DUMP=$TARGET_DIR/release/examples/dump_outputs
GEN=$TARGET_DIR/release/examples/gen_corpus

WORK=$(mktemp -d /tmp/renkei-smoke.XXXXXX)
export WINEPREFIX=$WORK/wine WINEARCH=win64 WINEDEBUG=-all LC_ALL=C.UTF-8
TMUX_SESSION=renkei-smoke-$$
cleanup() {
  tmux kill-session -t "$TMUX_SESSION" 2>/dev/null || true
  "$WINESERVER" -k 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { # description, command...
  local what=$1; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
winpath() { winepath -w "$1" 2>/dev/null; }

# renkei.exe under Wine in folder $1 with the remaining arguments; stdin is
# not a terminal (as from a script), so it never waits for Enter. Sets
# $code, $out, $err.
win() {
  local dir=$1; shift
  code=0
  (cd "$dir" && timeout 600 "$WINE" "$PKG/renkei.exe" "$@" </dev/null >"$WORK/out.txt" 2>"$WORK/err.txt") || code=$?
  out=$(cat "$WORK/out.txt")
  err=$(cat "$WORK/err.txt")
}
has() { grep -qF -- "$2" <<<"$1"; }            # text, fixed phrase
lacks() { ! grep -qE -- "$2" <<<"$1"; }         # text, pattern
exits_saying() { [ "$1" = "$2" ] && has "$3" "$4"; } # code, wanted code, text, phrase
show() { while IFS= read -r l; do echo "       > $l"; done <<<"$1"; } # what staff read, into the log

# --- The package ----------------------------------------------------------------
echo "# package: $ZIP"
PKG=$WORK/パッケージ
mkdir -p "$PKG"
python3 - "$ZIP" "$PKG" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = [i.filename for i in z.infolist() if not i.filename.isascii() and not i.flag_bits & 0x800]
if bad:
    sys.exit(f"names not marked UTF-8: {bad}")
z.extractall(sys.argv[2])
PY
check "zip names are marked UTF-8 and it unpacks" test -f "$PKG/renkei.exe"
entries=$(cd "$PKG" && find . -mindepth 1 | sort)
expected=$(printf '%s\n' ./renkei.exe ./使い方.txt ./入力 ./記入用紙 ./記入用紙/記入用紙_例1_一覧.xlsx \
  ./記入用紙/記入用紙_例2_分類.xlsx ./ルール ./ルール/categories.toml ./ルール/kinds.toml \
  ./ルール/locations.toml ./ルール/professions.toml ./ルール/settings.toml | sort)
check "zip holds renkei.exe, 使い方.txt, ルール/ (5 rule files), 記入用紙/ (2 forms), empty 入力/, nothing else" \
  test "$entries" = "$expected"
check "zip holds no bcryptprimitives.dll (the Wine shim)" lacks "$entries" '\.dll$'
bom_and_crlf() { [ "$(head -c3 "$1" | od -An -tx1)" = " ef bb bf" ] && ! grep -qv $'\r$' "$1"; }
check "使い方.txt is UTF-8 with a BOM and CRLF line ends" bom_and_crlf "$PKG/使い方.txt"

x86_64-w64-mingw32-gcc -shared -O2 -s -o "$PKG/bcryptprimitives.dll" tools/wine/bcryptprimitives.c -ladvapi32
x86_64-w64-mingw32-gcc -municode -O2 -s -o "$WORK/holdopen.exe" tools/wine/holdopen.c
mkdir -p "$WINEPREFIX"
"$WINESERVER" -p # stays up between the runs below
timeout 300 "$WINE" wineboot -i >/dev/null 2>&1
win "$WORK" --version
check "renkei.exe starts under Wine ($(printf %s "$out"))" test "$code" = 0

# --- Same values as the Linux build -------------------------------------------
same_values() { # label, Windows output folder, Linux output folder
  "$DUMP" "$2" >"$WORK/win.tsv"
  "$DUMP" "$3" >"$WORK/linux.tsv"
  local rows
  rows=$(grep -c $'\t一覧\t' "$WORK/linux.tsv" || true)
  if [ "$rows" -gt 1 ] && diff -q "$WORK/win.tsv" "$WORK/linux.tsv" >/dev/null; then
    ok "$1: every cell of every output workbook equals the Linux build's (一覧 $((rows - 1)) rows, $(wc -l <"$WORK/linux.tsv") rows in all)"
  else
    fail "$1: outputs differ from the Linux build's"
    diff "$WORK/win.tsv" "$WORK/linux.tsv" | head -20
  fi
}
echo "# fixtures/ and a generated batch, Windows build against Linux build"
cp -r fixtures "$WORK/fixtures"
win "$WORK" run fixtures -o 出力_win
linux_code=0
(cd "$WORK" && "$LINUX_BIN" run fixtures -o 出力_linux >/dev/null 2>&1) || linux_code=$?
check "fixtures/: exit 1 (outputs written, broken files skipped), as on Linux" test "$code/$linux_code" = 1/1
same_values "fixtures/" "$WORK/出力_win" "$WORK/出力_linux"
check "a skipped file's path is shown with \\ (読めないファイル: broken\\HTMLを保存.xls)" has "$err" "読めないファイル: broken\\HTMLを保存.xls"
show "$(grep -F 'HTMLを保存' <<<"$err")"
check "the summary is Japanese" has "$out" "読んだ意見"

"$GEN" 150 "$WORK/生成" >/dev/null
win "$WORK" run 生成 -o 生成_win
linux_code=0
(cd "$WORK" && "$LINUX_BIN" run 生成 -o 生成_linux >/dev/null 2>&1) || linux_code=$?
check "generated batch of 150 workbooks: exit 0 on both" test "$code/$linux_code" = 0/0
same_values "generated batch" "$WORK/生成_win" "$WORK/生成_linux"

# --- Started alone, or with a folder dropped on the icon -----------------------
echo "# double-click and drag-and-drop"
EMPTY=$WORK/空のフォルダ
mkdir -p "$EMPTY"
cp "$PKG/renkei.exe" "$PKG/bcryptprimitives.dll" "$EMPTY/"
code=0
(cd "$EMPTY" && timeout 120 "$WINE" renkei.exe </dev/null >"$WORK/out.txt" 2>"$WORK/err.txt") || code=$?
err=$(cat "$WORK/err.txt")
check "no arguments in an empty folder: exit 2, creates 入力/ with 使い方.txt" test "$code" = 2 -a -f "$EMPTY/入力/使い方.txt"
check "… and says so in Japanese" has "$err" "「入力」フォルダを作りました"
check "… 使い方.txt is the zip's, byte for byte" cmp -s "$EMPTY/入力/使い方.txt" "$PKG/使い方.txt"

cp -r fixtures/*.xlsx fixtures/xls fixtures/ods "$EMPTY/入力/"
code=0
(cd "$EMPTY" && timeout 600 "$WINE" renkei.exe </dev/null >"$WORK/out.txt" 2>"$WORK/err.txt") || code=$?
check "no arguments with sheets in 入力/: exit 0, writes 出力/ beside it" \
  test "$code" = 0 -a -f "$EMPTY/出力/ランキング.xlsx" -a -f "$EMPTY/出力/分類一覧.xlsx"

MONTH="$WORK/令和6年 4月"
mkdir -p "$MONTH"
cp -r fixtures "$MONTH/入力 データ"
rm -rf "$MONTH/入力 データ/broken"
win "$WORK" "$(winpath "$MONTH/入力 データ")"
check "a folder dropped on the icon (Japanese name with spaces, as a Windows path): exit 0, writes 出力/ beside it" \
  test "$code" = 0 -a -f "$MONTH/出力/分類一覧.xlsx" -a -d "$MONTH/出力/フィードバック"
check "… the summary names the output folder with \\" has "$out" "出力フォルダ: $(winpath "$MONTH")\\出力"

# --- Exit codes and messages ----------------------------------------------------
echo "# exit codes and messages"
win "$WORK" run "$(winpath "$MONTH/入力 データ")" -o 出力_0
check "all files read: exit 0" test "$code" = 0
win "$WORK" run fixtures -o 出力_1
check "some files skipped: exit 1" test "$code" = 1
win "$WORK" run --foo
check "unknown option: exit 2, Japanese message" exits_saying "$code" 2 "$err" "エラー: 「--foo」というオプションはありません。"
check "… no English (error:, Usage, tip:)" lacks "$err" "error:|Usage|tip:"
show "$err"
win "$WORK" run fixtures -o
check "option without its value: exit 2, Japanese message" \
  exits_saying "$code" 2 "$err" "「--out」の後に出力フォルダを書いてください。"
show "$err"
win "$WORK" --help
check "--help: exit 0, Japanese labels" exits_saying "$code" 0 "$out" "使い方: renkei"
check "… no English (Usage, Options, Arguments, Commands, Print)" lacks "$out" "Usage|Options|Arguments|Commands|Print"
mkdir -p "$WORK/空"
win "$WORK" run 空 -o 出力_空
check "no inputs: exit 2" test "$code" = 2
show "$err"
win "$WORK" run ない -o 出力_ない
check "missing input folder: exit 2, named in Japanese" exits_saying "$code" 2 "$err" "「ない」が見つかりません"
show "$err"
echo x >"$WORK/ファイル"
win "$WORK" run fixtures -o ファイル
check "output path is a file: exit 2, 出力先「ファイル」はフォルダではなくファイルです" \
  exits_saying "$code" 2 "$err" "出力先「ファイル」はフォルダではなくファイルです"
check "… no system text or temporary name (os error, .tmp)" lacks "$err" "os error|\\.tmp"
show "$err"
win "$WORK" run fixtures -o 'ファイル\下'
check "output path under a file: exit 2, names the file in the way" \
  exits_saying "$code" 2 "$err" "途中の「ファイル」がフォルダではなくファイルです"
show "$err"

# --- An output workbook held open (as Excel holds it) ----------------------------
echo "# an output workbook held open without sharing"
hold() { # file to hold; sets $holder
  rm -f "$WORK/hold.in" "$WORK/hold.out"
  mkfifo "$WORK/hold.in"
  "$WINE" "$WORK/holdopen.exe" "$(winpath "$1")" <"$WORK/hold.in" >"$WORK/hold.out" 2>&1 &
  holder=$!
  exec 3>"$WORK/hold.in"
  for _ in $(seq 100); do grep -q held "$WORK/hold.out" 2>/dev/null && return 0; sleep 0.2; done
  echo "holdopen did not start: $(cat "$WORK/hold.out")"
  return 1
}
release() { echo >&3; exec 3>&-; wait "$holder" || true; }
OUT=$WORK/出力_0
before=$(cd "$OUT" && find . -type f -name '*.xlsx' -exec sha256sum {} + | sort)
hold "$OUT/ランキング.xlsx"
win "$WORK" run "$(winpath "$MONTH/入力 データ")" -o 出力_0
release
after=$(cd "$OUT" && find . -type f -name '*.xlsx' -exec sha256sum {} + | sort)
check "ランキング.xlsx held open: exit 2, says to close it in Excel" \
  exits_saying "$code" 2 "$err" "ランキング.xlsx を書き込めません。Excel で開いていたら閉じてから"
check "… and no output was replaced (all workbooks unchanged)" test "$before" = "$after"
show "$err"
hold "$OUT/分類一覧.xlsx"
win "$WORK" run "$(winpath "$MONTH/入力 データ")" -o 出力_0
release
check "分類一覧.xlsx held open: exit 2, names it as held by another program" \
  exits_saying "$code" 2 "$err" "はほかのプログラム（Excel など）で開かれています"
show "$err"
win "$WORK" run "$(winpath "$MONTH/入力 データ")" -o 出力_0
check "closed again: the same run succeeds (exit 0)" test "$code" = 0

# --- Waiting for Enter when double-clicked ------------------------------------------
# A terminal renkei.exe has to itself stands for the console Explorer gives a
# double-clicked program (GetConsoleProcessList counts 1 process); started
# through cmd /c, the console is shared (2), as from a terminal on Windows.
echo "# the wait for Enter"
pane() { tmux capture-pane -p -t "$TMUX_SESSION"; }
started_alone() { # folder, then the command line run in tmux
  local dir=$1; shift
  tmux kill-session -t "$TMUX_SESSION" 2>/dev/null || true
  tmux new-session -d -s "$TMUX_SESSION" -x 200 -y 50 -c "$dir" \
    "env WINEPREFIX='$WINEPREFIX' WINEDEBUG=-all LC_ALL=C.UTF-8 $* ; echo \"EXIT=\$?\"; sleep 600"
}
wait_for() { for _ in $(seq 150); do pane | grep -qF -- "$1" && return 0; sleep 0.2; done; return 1; }
rm -rf "$EMPTY/入力" "$EMPTY/出力"
started_alone "$EMPTY" "$WINE renkei.exe"
wait_for "Enter キーを押すと閉じます" && waited=yes || waited=no
sleep 2
check "own console (double-click): prints 「Enter キーを押すと閉じます…」 and waits" \
  exits_saying "$waited" yes "$(pane)" "Enter キー"
check "… still running 2 s later" lacks "$(pane)" "EXIT="
tmux send-keys -t "$TMUX_SESSION" Enter
check "… and closes on Enter (exit 2: it made 入力/)" wait_for "EXIT=2"
mkdir -p "$EMPTY/入力"
cp -r "$WORK/生成/." "$EMPTY/入力/"
started_alone "$EMPTY" "$WINE renkei.exe"
wait_for "Enter キーを押すと閉じます" && waited=yes || waited=no
check "double-clicked with 150 sheets in 入力/: the summary stays on screen, waiting for Enter" \
  exits_saying "$waited" yes "$(pane)" "読んだ意見"
check "… still running" lacks "$(pane)" "EXIT="
show "$(pane | grep -v '^$')"
tmux send-keys -t "$TMUX_SESSION" Enter
check "… and closes on Enter (exit 0)" wait_for "EXIT=0"
rm -rf "$EMPTY/入力" "$EMPTY/出力"
started_alone "$EMPTY" "$WINE cmd /c renkei.exe"
check "shared console (started from cmd): does not wait" wait_for "EXIT=2"
check "… and printed no prompt" lacks "$(pane)" "Enter キー"
rm -rf "$EMPTY/入力"
started_alone "$EMPTY" "$WINE renkei.exe </dev/null"
check "input redirected: does not wait" wait_for "EXIT=2"

# --- The library's own tests, built for Windows ------------------------------------
# Runs the cfg(windows) code paths the checks above do not reach one by one
# (path separators, Windows error codes, clap's labels) on the Windows build.
echo "# unit tests of the Windows build"
TESTS=$(cargo test --release --locked --target x86_64-pc-windows-gnu --lib --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["kind"] == ["lib"]:
        print(m["executable"])')
cp "$PKG/bcryptprimitives.dll" "$(dirname "$TESTS")/"
code=0
timeout 900 "$WINE" "$TESTS" </dev/null >"$WORK/unit.txt" 2>&1 || code=$?
rm -f "$(dirname "$TESTS")/bcryptprimitives.dll"
check "cargo test --lib, built for Windows, under Wine: $(grep '^test result' "$WORK/unit.txt")" test "$code" = 0

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
