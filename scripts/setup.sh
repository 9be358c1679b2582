#!/usr/bin/env bash
# Installs what medvie-bench needs on a fresh Debian/Ubuntu machine with Python >= 3.10.
#   bash scripts/setup.sh          # the package, fonts, OCR and the local LLM runtime
#   bash scripts/setup.sh test     # the same, plus what the test suite uses (browser, torch, trl)
# System packages are installed with apt-get when it is available and we are root (or have sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

apt_packages=(fonts-noto-cjk fonts-dejavu-core fonts-liberation tesseract-ocr)
if [ "$mode" = "test" ]; then
  apt_packages+=(chromium)
fi

apt_install() {
  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "setup: not root and no sudo; install these yourself: ${apt_packages[*]}" >&2; return 0
    fi
  fi
  local missing=()
  for p in "${apt_packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
if command -v apt-get >/dev/null 2>&1; then apt_install; fi

py="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
# llama-cpp-python compiles llama.cpp for this CPU (-march=native). On CPUs with AMX (Sapphire
# Rapids and later) inside a VM that does not grant the AMX tile state, its AMX kernels die with a
# general protection fault on the first prompt of more than a few tokens (seen on this project's
# machines, 2026-12-04): build without AMX; every other instruction set stays native.
# The multimodal library (mtmd, LLAVA_BUILD) is not used here (text models only; llama_cpp imports
# it lazily): skipping it shortens the compile.
no_amx="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
export CMAKE_ARGS="${CMAKE_ARGS:-} -DLLAVA_BUILD=OFF"
if grep -q amx_tile /proc/cpuinfo 2>/dev/null; then
  export CMAKE_ARGS="${CMAKE_ARGS} -DCMAKE_C_FLAGS='${no_amx}' -DCMAKE_CXX_FLAGS='${no_amx}'"
fi
# torch first and pinned (test mode): 2.13.0 is the CPU build this project's machines have on local disk.
extras="datasets,ocr,local-models"
if [ "$mode" = "test" ]; then
  extras="$extras,test,rlvr"
fi
# Only the test extras (rlvr, hf) need torch; a plain install does without it.
if [ "$mode" = "test" ]; then
  "$py" -m pip install -q "torch==2.13.0" 2>&1 | grep -v "Running pip as the 'root'" || true
fi
"$py" -m pip install -q -e ".[${extras}]" 2>&1 | grep -v "Running pip as the 'root'" || true
"$py" -c "import benchmark" && echo "setup: medvie-bench installed (${mode})"
