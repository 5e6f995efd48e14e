#!/usr/bin/env bash
# Installs the built packages into a fresh Debian root the way a user does (apt install ./FILE.deb, which
# fetches the dependencies from the archive), then, inside that root: runs a preset headless with the
# installed distopt-run, opens `man distopt-run`, and starts the workbench by its desktop entry's Exec
# line (offscreen) on a preset, running it to the end and exporting its report.
#   packaging/check-install-root.sh ROOT BUILD_DIR
# ROOT is a Debian 12 root made once with, e.g.:
#   debootstrap --variant=minbase bookworm ROOT http://deb.debian.org/debian
# It needs root (chroot) and a reachable Debian mirror. The root is changed (packages installed): use a
# copy for a second try.
set -euo pipefail
root=$(realpath "$1")
build=$(realpath "${2:-build}")
[ -x "$root/usr/bin/apt-get" ] || { echo "check-install-root: $root is not a Debian root" >&2; exit 2; }

workbench=$(ls "$build"/distopt-workbench_*.deb)
worker=$(ls "$build"/distopt-worker_*.deb)
mkdir -p "$root/tmp/debs"
cp "$workbench" "$worker" "$root/tmp/debs/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || true' EXIT

in_root() { chroot "$root" env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8 "$@"; }
export DEBIAN_FRONTEND=noninteractive
in_root apt-get update -qq
# man-db to read the man page; nothing else beyond what the packages pull in.
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq man-db >/dev/null
# The worker package alone first (a remote machine's install), then the workbench, which replaces it.
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./tmp/debs/$(basename "$worker")" >/dev/null
in_root distopt-worker --version
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./tmp/debs/$(basename "$workbench")" >/dev/null
dpkg-query --admindir="$root/var/lib/dpkg" -W distopt-workbench distopt-worker 2>/dev/null || true

# A preset, headless, from the installed programs (its data from /usr/share/distopt/data).
in_root distopt-run /usr/share/distopt/experiments/decentralized-p1-a9a-proxgt-sa.json \
  --set stop.updates=40 --out /tmp/a9a --quiet
grep -q '"path": "/usr/share/distopt/data/a9a.gz"' "$root/tmp/a9a/summary.json"
in_root distopt-run /usr/share/distopt/experiments/quickstart.json --engine=live --set stop.time=100 \
  --out /tmp/live --quiet
grep -q '"termination": "time_limit"' "$root/tmp/live/summary.json"

# The man page, as `man distopt-run` shows it.
in_root env MANPAGER=cat man distopt-run | grep -q -- '--print-config'

# The menu entry: its Exec line, field codes given a preset, started offscreen; it runs the preset and
# exports the report, then quits.
mkdir -p -m 0700 "$root/tmp/xdg"
desktop=$(ls "$root"/usr/share/applications/*.desktop)
exec_line=$(sed -n 's/^Exec=//p' "$desktop")
command=${exec_line//%f//usr/share/distopt/experiments/quickstart.json}
echo "check-install-root: starting the menu entry's command: $command --run --export-report /tmp/report"
# shellcheck disable=SC2086  # the Exec line is split into words as a desktop launcher splits it
in_root env QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=/tmp/xdg $command --run --export-report /tmp/report
test -s "$root/tmp/report/report.pdf"
echo "check-install-root: installed with apt in $root; a9a and quickstart presets ran headless; man distopt-run" \
  "shows the page; the desktop entry's Exec line ran the quickstart and exported its report"
