#!/usr/bin/env bash
# A long fuzz campaign: RUNS executions of each target with the unsanitized, optimised build
# (fuzz-campaign preset), then every input the fuzzer kept, replayed through the ASan + UBSan
# build (native-asan preset), where a memory error or undefined behaviour that did not crash
# the fast build is reported.
#   tests/fuzz/campaign.sh RUNS [TARGET...]     e.g. tests/fuzz/campaign.sh 10000000 run_graph
# CAMPAIGN_SECONDS (default 86400) caps each target's time: a campaign that must fit a time
# budget stops there, and a later one continues from the kept corpus.
# Builds both presets first. The corpus grows in $FUZZ_WORK/corpus/<target> (default
# build/fuzz-campaign/work, apart from CI's build/fuzz, which tests/fuzz/ci.sh empties), so a
# campaign continues where the last one stopped; logs are $FUZZ_WORK/<target>.log and
# $FUZZ_WORK/asan_replay_<target>.log. FUZZ_JOBS (default 1) targets run at once.
set -uo pipefail
cd "$(dirname "$0")/../.."
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/wisp-ccache}" CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"  # as .ci/test
RUNS=${1:?usage: tests/fuzz/campaign.sh RUNS [TARGET...]}
shift
TARGETS=${*:-onnx_loader wisp_loader npy run_graph}
export FUZZ_WORK=${FUZZ_WORK:-build/fuzz-campaign/work}
WORK=$FUZZ_WORK

.ci/configure fuzz-campaign && cmake --build --preset fuzz-campaign || exit 2
status=0
FUZZ_BUILD=build/fuzz-campaign FUZZ_FLAGS="-runs=$RUNS ${FUZZ_FLAGS:-}" \
  tests/fuzz/run.sh "${CAMPAIGN_SECONDS:-86400}" $TARGETS || status=1

# Configured as CI does (.ci/configure: unity batches), so the ASan objects are CI's, from ccache.
.ci/configure fuzz && cmake --build --preset fuzz || exit 2

for t in $TARGETS; do
  log="$WORK/asan_replay_$t.log"
  count=$(find "$WORK/corpus/$t" -type f | wc -l)
  # Batches of files (not the folder) so that every input is run once, and a failure names it.
  if find "$WORK/corpus/$t" -type f -print0 |
       xargs -0 -n 500 build/native-asan/tests/fuzz/fuzz_"$t" -rss_limit_mb=2048 -malloc_limit_mb=1024 \
         -timeout=60 >"$log" 2>&1; then
    echo "fuzz_$t: $count corpus inputs replayed under ASan + UBSan, no error"
  else
    echo "fuzz_$t: a corpus input FAILED under ASan + UBSan; see $log"
    grep -a -m3 -E "ERROR|SUMMARY|runtime error|Running:" "$log" | tail -3
    status=1
  fi
done
exit $status
