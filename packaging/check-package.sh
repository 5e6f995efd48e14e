#!/usr/bin/env bash
# Builds the Debian packages (cpack) from an existing build folder, checks them, unpacks
# distopt-workbench into a fresh root and runs presets headless from the unpacked programs: a simulated
# a9a run (data found in the installed share/distopt/data) and a short live run (worker processes
# started from the installed bin/). Nothing comes from the build or source tree.
#   packaging/check-package.sh [BUILD_DIR]
# With DISTOPT_INSTALL_ROOT=ROOT (a debootstrap root) it also runs packaging/check-install-root.sh there.
set -euo pipefail
build=$(realpath "${1:-build}")
cd "$(dirname "$0")/.."

rm -f "$build"/distopt-*.deb
(cd "$build" && cpack -G DEB >/dev/null)
workbench=$(ls "$build"/distopt-workbench_*.deb)
worker=$(ls "$build"/distopt-worker_*.deb)
echo "package: built $(basename "$workbench") and $(basename "$worker")"
dpkg-deb --field "$workbench" Package Version Section Depends
dpkg-deb --field "$worker" Package Depends

root=$(mktemp -d /tmp/distopt-package.XXXXXX)
trap 'rm -rf "$root"' EXIT
dpkg -x "$workbench" "$root"
prefix="$root/usr"

# Desktop integration files validate (validators are optional: CI installs them, people may not).
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$prefix"/share/applications/*.desktop; fi
if command -v appstreamcli >/dev/null; then appstreamcli validate --no-net --pedantic "$prefix"/share/metainfo/*.xml || true
  appstreamcli validate --no-net "$prefix"/share/metainfo/*.xml; fi
grep -q '^Exec=distopt-workbench' "$prefix"/share/applications/*.desktop
test -s "$prefix/share/man/man1/distopt-run.1.gz"

# A clean environment: no data folders but the unpacked ones, a private home and run store.
home="$root/home"
mkdir -p "$home"
run() { env -i PATH="$prefix/bin:/usr/bin:/bin" HOME="$home" XDG_DATA_DIRS="$root/none" QT_QPA_PLATFORM=offscreen "$@"; }
run distopt-run --version
run distopt-worker --version

# A preset copied elsewhere still finds its data (a9a, by the data search path) in the installed share.
cp "$prefix/share/distopt/experiments/decentralized-p1-a9a-proxgt-sa.json" "$home/a9a.json"
run distopt-run "$home/a9a.json" --set stop.updates=40 --out "$home/a9a" --quiet
grep -q "\"path\": \"$prefix/share/distopt/data/a9a.gz\"" "$home/a9a/summary.json"
test -s "$home/.local/share/distopt-workbench/runs.sqlite"

# A live run: the installed distopt-run starts the installed distopt-worker processes.
run distopt-run "$prefix/share/distopt/experiments/quickstart.json" --engine live --set workers.count=2 \
  --set stop.time=100 --out "$home/live" --quiet
grep -q '"termination"' "$home/live/summary.json"
echo "package: the unpacked distopt-workbench ran an a9a preset (sim) and the quickstart (live) headless"

# The whole user's install, when a fresh Debian 12 root is at hand (debootstrap; needs root and a mirror):
# apt install of both packages there, presets, man page and the menu entry's command. Off by default (it
# downloads Qt and more), so CI's time stays as it is.
if [ -n "${DISTOPT_INSTALL_ROOT:-}" ]; then bash packaging/check-install-root.sh "$DISTOPT_INSTALL_ROOT" "$build"; fi
