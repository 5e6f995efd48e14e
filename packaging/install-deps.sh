#!/usr/bin/env bash
# Installs, with apt-get only, every Debian 12 package DistOpt Workbench needs to build, test and run.
# Idempotent: when every package is already present it returns without touching apt's lists.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # libFuzzer and the sanitizers of `make fuzz`
  clang
  # Qt 6: Widgets, Charts (needs the OpenGL dev package under --no-install-recommends), SVG, SQLite driver
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev libqt6opengl6-dev
  libqt6sql6-sqlite qt6-qpa-plugins libgl-dev
  # numerics, messaging, serialisation, storage, compression
  libeigen3-dev libzmq3-dev cppzmq-dev nlohmann-json3-dev libsqlite3-dev sqlite3 zlib1g-dev
  # command lines
  libcli11-dev
  # screenshots without a display, and fonts so they are legible
  xvfb xauth x11-apps fonts-dejavu-core
  # exported figures rendered as a reader's viewer would (pdftoppm, pdftotext) in the export tests
  poppler-utils
  # the cluster tests: a real sshd and a single-node Slurm (munge, slurmctld, slurmd) started by the tests
  openssh-server slurm-wlm munge
  # users' real data set
  dataset-fashion-mnist
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
