#!/usr/bin/env bash
# Regenerates the seed corpora in tests/fuzz/corpus/ from the real encoders (fuzz_make_corpus) and the
# shipped experiment presets. Run after a wire format changes; commit the result.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${FUZZ_BUILD_DIR:-build-fuzz}
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Fuzz -DDISTOPT_FUZZ=ON
fi
cmake --build "$build" --target fuzz_make_corpus
"$build/fuzz/fuzz_make_corpus" tests/fuzz/corpus
mkdir -p tests/fuzz/corpus/fuzz_experiment
for preset in resources/experiments/*.json; do
  cp "$preset" "tests/fuzz/corpus/fuzz_experiment/$(basename "$preset" .json)"
done
# One preset with --set overrides after NUL bytes, as distopt-run applies them.
printf '%s\0%s\0%s' "$(cat resources/experiments/async-e3-quadratic-32.json)" 'algorithm.params.gamma=0.04' \
  'workers.count=8' >tests/fuzz/corpus/fuzz_experiment/with-overrides
