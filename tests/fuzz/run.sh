#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 30) on seed corpora built from the test
# models, and prints one line per target: executions, and whether it found a crash.
#   usage: tests/fuzz/run.sh [SECONDS]      (after cmake --build --preset fuzz)
# Crashing inputs are written to build/fuzz/artifacts/; add each as a regression test.
set -uo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_TARGET=${1:-30}
BUILD=build/native-fuzz
WORK=build/fuzz
CLI=${WISP_CLI:-build/native/wisp}
mkdir -p "$WORK/artifacts"

# Seeds: small ONNX models of the backend tests and the CLI tests, .wisp conversions of a
# few of them, and the CLI tests' .npy files (good and bad).
if [ ! -d "$WORK/seeds" ]; then
  mkdir -p "$WORK/seeds/onnx" "$WORK/seeds/wisp" "$WORK/seeds/npy"
  i=0
  for m in tests/data/onnx-backend-tests/node/*/model.onnx tests/data/cli/*.onnx; do
    [ "$(stat -c %s "$m")" -le 65536 ] || continue
    cp "$m" "$WORK/seeds/onnx/$i.onnx"; i=$((i + 1))
  done
  for m in tests/data/cli/linear.onnx tests/data/cli/mixed.onnx tests/data/onnx-backend-tests/node/test_loop11/model.onnx \
           tests/data/onnx-backend-tests/node/test_conv_with_strides_padding/model.onnx; do
    "$CLI" convert "$m" "$WORK/seeds/wisp/$(basename "$(dirname "$m")")_$(basename "$m" .onnx).wisp" >/dev/null || true
  done
  cp tests/data/cli/*.npy "$WORK/seeds/npy/"
fi

status=0
for spec in onnx_loader:onnx wisp_loader:wisp npy:npy run_graph:onnx; do
  target=${spec%%:*}; seeds=${spec##*:}
  mkdir -p "$WORK/corpus/$target"
  log="$WORK/$target.log"
  "$BUILD/tests/fuzz/fuzz_$target" "$WORK/corpus/$target" "$WORK/seeds/$seeds" -max_total_time="$SECONDS_PER_TARGET" \
      -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$WORK/artifacts/${target}-" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  if [ $rc -eq 0 ]; then
    echo "fuzz_$target: $runs executions, no crash"
  else
    echo "fuzz_$target: CRASH after $runs executions (exit $rc); see $log"
    grep -m3 -E "ERROR|SUMMARY|runtime error" "$log" || tail -5 "$log"
    status=1
  fi
done
exit $status
