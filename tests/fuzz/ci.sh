#!/usr/bin/env bash
# The short fuzzing run of CI (.ci/hardening runs it after building native-asan, so the build
# here has nothing left to do): builds the fuzz targets of the native-asan preset (clang-16,
# ASan + UBSan, libFuzzer), replays every committed regression input, then fuzzes each target
# for SECONDS (default 30) from the seed corpus and the regression inputs, FUZZ_JOBS targets at
# once (default 1). Fails on any crash, sanitizer report, leak, timeout or out-of-memory; the
# crashing input is in build/fuzz/artifacts/ (FUZZ_WORK, see run.sh).
#   usage: tests/fuzz/ci.sh [SECONDS]        (needs .ci/setup: clang-16, libclang-rt-16-dev)
# Each run starts from an empty corpus folder so that CI time does not grow with old runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_TARGET=${1:-30}
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/wisp-ccache}"
# Paths below the checkout are hashed as relative ones, so a fresh clone in another folder
# (as CI makes) reuses the objects compiled in this one.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"

start=$SECONDS
.ci/configure fuzz
cmake --build --preset fuzz
echo "--- fuzz build: $((SECONDS - start)) s"

WORK=${FUZZ_WORK:-build/fuzz}  # run.sh's work folder (it reads FUZZ_WORK too)
rm -rf "$WORK/corpus" "$WORK/artifacts"
status=0
tests/fuzz/run.sh --replay || status=1
tests/fuzz/run.sh "$SECONDS_PER_TARGET" || status=1
echo "--- fuzz total: $((SECONDS - start)) s"
exit $status
