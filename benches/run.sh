#!/usr/bin/env bash
# Benchmark: generate N workbooks at run time, then time `renkei run` on them
# (wall time, peak memory, per-stage split) and, when ../shared/perf-floor is
# present, the bare read-and-write floor on the same folder, back to back
# (this machine is shared and noisy: compare the ratio, not the seconds).
#
#   benches/run.sh [--stress] [N=2000] [WORKDIR=/tmp/renkei-bench]
#
# The corpus is realistic by default (mostly distinct remarks, a few exact
# and near repeats); --stress generates the old worst case for grouping
# (every remark a near-duplicate of ~30 others). Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
SHAPE=()
if [ "${1:-}" = "--stress" ]; then
  SHAPE=(--stress)
  shift
fi
N=${1:-2000}
WORK=${2:-/tmp/renkei-bench}
TARGET=${CARGO_TARGET_DIR:-target}
rm -rf "$WORK" && mkdir -p "$WORK"
cargo build --release --quiet --bin renkei --example gen_corpus
"$TARGET/release/examples/gen_corpus" "${SHAPE[@]}" "$N" "$WORK/in"
BIN=$TARGET/release/renkei

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >"$WORK/$label.out" 2>"$WORK/$label.err" || true
  read -r secs kib <"$WORK/time.txt"
  printf '%-10s wall %6.2f s   peak %6.1f MiB\n' "$label" "$secs" "$(echo "$kib/1024" | bc -l)"
}

FLOOR=../shared/perf-floor
if [ -d "$FLOOR" ]; then
  cargo build --release --quiet --manifest-path "$FLOOR/Cargo.toml" --target-dir "$WORK/floor-target"
fi
for i in 1 2 3; do
  echo "--- round $i"
  rm -rf "$WORK/out"
  RENKEI_TIMINGS=1 measure renkei "$BIN" run "$WORK/in" -o "$WORK/out" --quiet
  grep -h "timings\|peak memory\|読んだ意見" "$WORK/renkei.err" "$WORK/renkei.out" || true
  if [ -d "$FLOOR" ]; then
    measure floor "$WORK/floor-target/release/perf-floor" "$WORK/in" "$WORK/floor.xlsx"
    tail -1 "$WORK/floor.err"
  fi
done
