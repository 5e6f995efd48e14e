#!/usr/bin/env bash
# Runs every benchmark program that has been built; each prints its own table of figures.
set -euo pipefail
build_dir=${1:-build}
shopt -s nullglob
found=0
for bench in "$build_dir"/bench/*; do
  [ -x "$bench" ] || continue
  found=1
  echo "== $(basename "$bench")"
  "$bench"
done
[ "$found" = 1 ] || echo "no benchmark programs built yet"
