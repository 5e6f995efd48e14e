#!/usr/bin/env bash
# The README's main job: the GUI when a display is available, otherwise the quickstart experiment
# headless, printing where its results went.
set -euo pipefail
build_dir=${1:-build}
bin="$build_dir/bin"
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$bin/distopt-workbench" resources/experiments/quickstart.json
fi
out="${DISTOPT_OUT:-$build_dir/runs/quickstart}"
echo "No display found: running the quickstart experiment headless (results in $out)." >&2
exec "$bin/distopt-run" resources/experiments/quickstart.json --out "$out"
