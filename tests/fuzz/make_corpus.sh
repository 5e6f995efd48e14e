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
# Launchers (issue 24): a Slurm launch with every field, one with none and overrides that fill them in,
# and ssh hosts, so the fuzzer starts from documents that reach the launcher fields' checks.
quick=$(cat resources/experiments/quickstart.json)
slurm='"launcher": "slurm", "slurm": {"partition": "cpu", "nodes": 4, "tasks_per_node": 4, "time": "1-02:00:00", "srun_args": ["--mem-per-cpu=1G", "--exclusive", "--constraint=avx2"], "program": "/opt/distopt/bin/distopt-worker"}'
printf '%s' "${quick/\"unit_ms\": 5\}/\"unit_ms\": 5, $slurm\}}" >tests/fuzz/corpus/fuzz_experiment/launcher-slurm
printf '%s\0%s\0%s\0%s\0%s' "${quick/\"unit_ms\": 5\}/\"unit_ms\": 5, \"launcher\": \"slurm\"\}}" \
  'workers.slurm.partition=debug' 'workers.slurm.time=30:00' 'workers.slurm.srun_args=["--qos=short"]' \
  'workers.slurm.nodes=2' >tests/fuzz/corpus/fuzz_experiment/launcher-slurm-overrides
hosts='"hosts": [{"host": "alice@box1", "count": 8}, {"host": "box2", "count": 4, "program": "/opt/w"}]'
printf '%s' "${quick/\"unit_ms\": 5\}/\"unit_ms\": 5, $hosts\}}" >tests/fuzz/corpus/fuzz_experiment/launcher-ssh-hosts
