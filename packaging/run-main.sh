#!/usr/bin/env bash
# The README's main job: the GUI when a display is available, otherwise the quickstart experiment
# headless, printing where its results went.
set -euo pipefail
build_dir=${1:-build}
bin="$build_dir/bin"
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$bin/distopt-workbench" resources/experiments/quickstart.json
fi
if [ ! -f resources/experiments/quickstart.json ]; then
  echo "No display found, and the headless engine has no quickstart experiment yet:"
  echo "built $("$bin/distopt-run" --version), $("$bin/distopt-worker" --version)."
  echo "Run '$bin/distopt-workbench' under a display to open the window."
  exit 0
fi
echo "No display found: running the quickstart experiment headless." >&2
out="${DISTOPT_OUT:-$build_dir/runs/quickstart}"
exec "$bin/distopt-run" resources/experiments/quickstart.json --out "$out"
