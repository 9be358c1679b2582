#!/usr/bin/env bash
# Times the README's first Quick start line as a newcomer runs it: fresh clone, fresh venv,
# empty pip cache, empty medvie-bench cache (everything under /tmp/qs). Usage: bash bench/bench_quickstart.sh [REPO]
set -uo pipefail
repo=${1:-$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)}
root=/tmp/qs; rm -rf "$root"; mkdir -p "$root"
export PIP_CACHE_DIR=$root/pipcache MEDVIE_CACHE=$root/medvie-cache HOME=$root/home
mkdir -p "$HOME"
git clone -q "$repo" "$root/clone" && cd "$root/clone"
python3 -m venv "$root/venv" && source "$root/venv/bin/activate"
line=$(grep -m1 '^bash scripts/setup.sh && ' README.md)
echo "line: $line"
t0=$(date +%s)
setup_part=${line%% && *}; run_part=${line#* && }
eval "$setup_part"; t1=$(date +%s)
echo "SETUP_S $((t1-t0))"
eval "$run_part"; rc=$?; t2=$(date +%s)
echo "RUN_S $((t2-t1)) rc=$rc"
echo "TOTAL_S $((t2-t0))"
