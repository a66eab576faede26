#!/usr/bin/env bash
# Runs the fuzz targets (after `cmake --preset native-asan && cmake --build --preset fuzz`).
#   tests/fuzz/run.sh [SECONDS [TARGET...]]   fuzz each target for SECONDS (default 30) from
#                                              the seed corpus and the regression inputs
#   tests/fuzz/run.sh --replay                 run each target once on every committed
#                                              regression input (tests/fuzz/regressions/<target>/)
# (Logs are read with grep -a: a fuzzer log can hold the bytes of an input it prints.)
# Prints one line per target (executions, exec/s, crash or not) and exits non-zero on any
# crash, sanitizer report, leak, timeout or out-of-memory. Crashing inputs are written to
# build/fuzz/artifacts/; each one fixed is committed under tests/fuzz/regressions/<target>/.
# Environment: FUZZ_BUILD (default build/native-asan), FUZZ_WORK (default build/fuzz),
# WISP_CLI (a native `wisp` used to make .wisp seeds; default build/native/wisp, optional),
# FUZZ_FLAGS (extra libFuzzer flags, e.g. "-runs=10000000"), FUZZ_TIMEOUT (seconds per input,
# default 10; raise it on a loaded machine), FUZZ_JOBS (targets fuzzed at once, default 1: each
# libFuzzer process uses one core, so CI runs two on its two cores).
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${FUZZ_BUILD:-build/native-asan}
WORK=${FUZZ_WORK:-build/fuzz}
CLI=${WISP_CLI:-build/native/wisp}
REGRESSIONS=tests/fuzz/regressions
ALL_TARGETS="onnx_loader wisp_loader npy run_graph"
# Limits for every run: a hostile input must fail fast, not take 2 GiB or 10 s.
LIMIT_FLAGS=(-rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout="${FUZZ_TIMEOUT:-10}")
# A UBSan finding aborts (the build has -fno-sanitize-recover); show where it happened.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

seed_kind() {  # the seed folder of a target
  case $1 in onnx_loader|run_graph) echo onnx ;; wisp_loader) echo wisp ;; npy) echo npy ;; esac
}

for t in $ALL_TARGETS; do
  if [ ! -x "$BUILD/tests/fuzz/fuzz_$t" ]; then
    echo "missing $BUILD/tests/fuzz/fuzz_$t: build with cmake --preset native-asan && cmake --build --preset fuzz" >&2
    exit 2
  fi
done

if [ "${1:-}" = "--replay" ]; then
  mkdir -p "$WORK"
  status=0
  for t in $ALL_TARGETS; do
    files=("$REGRESSIONS/$t"/*)
    [ -e "${files[0]}" ] || { echo "fuzz_$t: no regression inputs"; continue; }
    if "$BUILD/tests/fuzz/fuzz_$t" "${LIMIT_FLAGS[@]}" "${files[@]}" >"$WORK/replay_$t.log" 2>&1; then
      echo "fuzz_$t: ${#files[@]} regression inputs replayed, no crash"
    else
      echo "fuzz_$t: a regression input FAILED; see $WORK/replay_$t.log"
      grep -a -m3 -E "ERROR|SUMMARY|runtime error|Running:" "$WORK/replay_$t.log" || tail -5 "$WORK/replay_$t.log"
      status=1
    fi
  done
  exit $status
fi

SECONDS_PER_TARGET=${1:-30}
shift || true
TARGETS=${*:-$ALL_TARGETS}
mkdir -p "$WORK/artifacts"

# Seeds (built once into $WORK/seeds): the small ONNX models of the test data, .wisp conversions
# of some of them, and .npy files of every supported dtype and version (plus refused ones).
if [ ! -f "$WORK/seeds/.done" ]; then
  rm -rf "$WORK/seeds"
  mkdir -p "$WORK/seeds/onnx" "$WORK/seeds/wisp" "$WORK/seeds/npy"
  i=0
  for m in tests/data/onnx-backend-tests/*/*/model.onnx tests/data/onnx-backend-tests/*/*.onnx \
           tests/data/cli/*.onnx tests/data/loader/*.onnx; do
    [ -f "$m" ] && [ "$(stat -c %s "$m")" -le 65536 ] || continue
    cp "$m" "$WORK/seeds/onnx/$i.onnx"; i=$((i + 1))
  done
  if [ -x "$CLI" ]; then
    for m in tests/data/cli/linear.onnx tests/data/cli/mixed.onnx \
             tests/data/onnx-backend-tests/node/{test_loop11,test_if,test_conv_with_strides_padding,test_gather_0,test_lstm_defaults,test_cast_FLOAT_to_STRING}/model.onnx; do
      [ -f "$m" ] || continue
      "$CLI" convert "$m" "$WORK/seeds/wisp/$(basename "$(dirname "$m")")_$(basename "$m" .onnx).wisp" >/dev/null 2>&1 || true
    done
  fi
  cp tests/fuzz/seeds/wisp/*.wisp "$WORK/seeds/wisp/" 2>/dev/null || true  # committed, for machines without a CLI
  /usr/bin/python3 tests/fuzz/make_npy_seeds.py "$WORK/seeds/npy" || cp tests/data/cli/*.npy "$WORK/seeds/npy/"
  cp tests/data/cli/*.npy "$WORK/seeds/npy/"
  touch "$WORK/seeds/.done"
fi

JOBS=${FUZZ_JOBS:-1}
case $JOBS in ''|*[!0-9]*|0) echo "FUZZ_JOBS must be a positive number, not '$JOBS'" >&2; exit 2 ;; esac

fuzz_target() {  # fuzz_target TARGET: fuzzes one target, prints its result, fails on a crash
  local t=$1 log="$WORK/$1.log" rc runs rate
  mkdir -p "$WORK/corpus/$t" "$REGRESSIONS/$t"
  # The first folder receives new inputs; seeds and regressions are only read.
  # shellcheck disable=SC2086
  "$BUILD/tests/fuzz/fuzz_$t" "$WORK/corpus/$t" "$WORK/seeds/$(seed_kind "$t")" "$REGRESSIONS/$t" \
      -max_total_time="$SECONDS_PER_TARGET" "${LIMIT_FLAGS[@]}" -artifact_prefix="$WORK/artifacts/$t-" \
      -print_final_stats=1 ${FUZZ_FLAGS:-} >"$log" 2>&1
  rc=$?
  runs=$(grep -a -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  rate=$(grep -a -o 'exec/s: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo '?')
  # One printf per result, so that targets fuzzed at once do not interleave their lines.
  if [ $rc -eq 0 ]; then
    printf 'fuzz_%s: %s executions (last %s exec/s), no crash\n' "$t" "$runs" "$rate"
  else
    printf 'fuzz_%s: CRASH after %s executions (exit %s); see %s\n%s\n' "$t" "$runs" "$rc" "$log" \
        "$(grep -a -m3 -E "ERROR|SUMMARY|runtime error|fuzz_$t:" "$log" || tail -5 "$log")"
  fi
  return $rc
}

status=0
running=0
for t in $TARGETS; do
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
  fuzz_target "$t" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
