#!/usr/bin/env bash
# Builds the libFuzzer harnesses in their own tree (build-fuzz, clang, ASan + UBSan + fuzzer coverage)
# and runs each for a bounded time on one core, seeded from tests/fuzz/corpus/NAME. Prints per target
# the executions and crashes; exits 1 if any target crashed (the input is kept under
# build-fuzz/fuzz-work/crashes/ and its path printed: replay it with `build-fuzz/fuzz/NAME FILE`).
#
#   FUZZ_SECONDS=N     seconds per target (default 60)
#   FUZZ_TARGETS="a b" only these targets (default: every fuzz_* harness)
#   FUZZ_BUILD_DIR=D   build tree (default build-fuzz)
#   FUZZ_TIMEOUT=S     seconds one input may take (default 10; libFuzzer counts wall-clock time, so a
#                      campaign niced on a loaded machine needs more before a slow input means a hang)
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-60}
timeout=${FUZZ_TIMEOUT:-10}
build=${FUZZ_BUILD_DIR:-build-fuzz}
corpus_root=tests/fuzz/corpus
work="$build/fuzz-work"

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ is missing (Debian: apt-get install clang)" >&2
  exit 1
fi
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Fuzz -DDISTOPT_FUZZ=ON \
    -DDISTOPT_WERROR="${DISTOPT_WERROR:-OFF}" "${launcher[@]}" >/dev/null || exit 1
fi
targets=${FUZZ_TARGETS:-$(sed -n 's/^distopt_add_fuzzer(\(fuzz_[a-z_]*\) .*/\1/p' tests/fuzz/CMakeLists.txt)}
# shellcheck disable=SC2086
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target $targets || exit 1

mkdir -p "$work/crashes"
failed=0
total=0
printf '%-30s %12s %8s\n' target execs crashes
for target in $targets; do
  mkdir -p "$work/corpus/$target" "$corpus_root/$target"
  log="$work/$target.log"
  # New inputs go to the scratch corpus (first folder); the repository's seeds are only read.
  "$build/fuzz/$target" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/crashes/$target-" "$work/corpus/$target" "$corpus_root/$target" >"$log" 2>&1
  status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  crashes=0
  if [ "$status" -ne 0 ]; then
    crashes=1
    failed=1
  fi
  total=$((total + ${execs:-0}))
  printf '%-30s %12s %8s\n' "$target" "${execs:-?}" "$crashes"
  if [ "$status" -ne 0 ]; then
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|artifact_prefix|Test unit written)' "$log" | head -n 8 | sed 's/^/    /'
  fi
done
printf '%-30s %12s\n' total "$total"
if [ "$failed" -ne 0 ]; then
  echo "fuzz: a target crashed (logs in $work)" >&2
  exit 1
fi
