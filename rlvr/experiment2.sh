#!/usr/bin/env bash
# The second CPU experiment of rlvr/README.md (issue 16: "RLVR results that survive a skeptic"), in order.
# Days of CPU time: run it across sessions. Every step skips what is done (a finished training run is
# skipped, an unfinished one resumes from its last checkpoint, an evaluation run continues where it
# stopped), so re-running after an interruption redoes nothing. It commits nothing: commit
# leaderboard/runs/rlvr-eval/, leaderboard/runs-examples-off/ and rlvr/results/ yourself as results
# come in. The machines keep nothing but the repository between sessions: carry the training state
# with rlvr/carry_state.sh, `park` at the end of a session (into git history, out of the tree),
# `restore` before the next run. Run nothing else heavy beside it (evaluations are timed; two llama.cpp processes on 2 cores crawl).
#   bash rlvr/experiment2.sh                         # everything, in order
#   STEPS="ocr train" bash rlvr/experiment2.sh       # some steps
#   N=100 bash rlvr/experiment2.sh                   # fewer test documents (at least 100 per comparison)
set -euo pipefail
cd "$(dirname "$0")/.."
export MEDVIE_INCLUDE_PATH=rlvr/tasks
N=${N:-100}    # test documents per comparison (the issue's minimum; 200 doubles ≈ 9 h of evaluation)
K=${K:-4}      # cells per query on med-lab-en-read (flat-schema:K)
STEPS=${STEPS:-"ocr train sft eval-read header budget thinking compare"}
OUT=${OUT:-leaderboard/runs/rlvr-eval}
# --examples off runs stay out of leaderboard/runs until the board tells the setting apart (it reads
# keys and thinking from a manifest, not examples): same task, model and keys would look like one entry
EXOUT=${EXOUT:-leaderboard/runs-examples-off}
RES=${RES:-rlvr/results/read}
if [ "$N" -lt 100 ]; then echo "N=$N: every comparison needs at least 100 test documents" >&2; exit 2; fi
source rlvr/experiment_lib.sh  # train, evaluate

BASE=qwen2.5-0.5b-rapidocr
BASELINES="rules-rapidocr ocr-layout-rules lookup-rapidocr"
SEEDS=${SEEDS:-"0 1 2"}  # SEEDS=0: one seed's training, SFT and evaluation first

ocr() {  # rapidocr over the training and test photos of med-lab-en-read, once (cached on disk per image)
  nice -n 10 python - "$N" <<'PY'
import sys, time
from benchmark.ocr import apply_ocr
from benchmark.tasks import TaskRegistry, load_documents
task = TaskRegistry().get("med-lab-en-read")
for split, limit in (("train", 100), ("test", int(sys.argv[1]))):
    docs = load_documents(task, split, limit)
    start, spent = time.time(), 0.0
    for i, doc in enumerate(docs, 1):
        spent += apply_ocr(doc, "rapidocr").meta["ocr_s"]
        if i % 25 == 0 or i == len(docs):
            print(f"== ocr {split}: {i}/{len(docs)} pages, {spent / i:.1f} s of OCR per page "
                  f"({time.time() - start:.0f} s wall this session)", flush=True)
PY
}

trained() {  # trained RUN: runs/rlvr/RUN has finished (else says that MODEL waits for it)
  if [ -f "runs/rlvr/$1/final/metadata.json" ]; then return 0; fi
  echo "== $2: skipped until runs/rlvr/$1 has finished"; return 1
}

compare() {  # compare OUTNAME TASK KEYS EXAMPLES [--pair A:B ...] -- NAME=MODEL ...: skipped while a run is missing
  local name=$1 task=$2 keys=$3 examples=$4; shift 4
  local pairs=()
  while [ "$1" != "--" ]; do pairs+=("$1"); shift; done; shift
  local runs
  if ! runs=$(python -m rlvr.find_runs --out "$OUT" --task "$task" --keys "$keys" --examples "$examples" "$@"); then
    echo "== compare $name: skipped (runs missing, see above)"; return 0
  fi
  mkdir -p "$(dirname "$RES")"
  # shellcheck disable=SC2086
  medvie-bench rlvr compare $runs "${pairs[@]}" --out "$RES-$name.json" > /dev/null
  echo "== compare $name: $RES-$name.md"
}

for step in $STEPS; do
  case $step in
    ocr)
      ocr ;;
    train)  # RLVR-100 on med-lab-en-read, three training seeds
      for s in $SEEDS; do train read-grpo-s$s train; done ;;
    sft)  # the data-matched SFT of each seed (needs that GRPO run finished), then SFT-100
      for s in $SEEDS; do  # first: 100 rows each, where SFT-100 is 400
        if trained read-grpo-s$s read-sftm-s$s; then train read-sftm-s$s sft; fi
      done
      train read-sft100 sft ;;
    eval-read)  # the main table: every baseline and every seed on the same N test documents
      evaluate med-lab-en-read "$N" "flat-schema:$K" off $BASELINES $BASE
      for s in $SEEDS; do
        if trained read-grpo-s$s rlvr-s$s; then evaluate med-lab-en-read "$N" "flat-schema:$K" off qwen2.5-0.5b-read-rlvr-s$s; fi
        if trained read-sftm-s$s sftm-s$s; then evaluate med-lab-en-read "$N" "flat-schema:$K" off qwen2.5-0.5b-read-sftm-s$s; fi
      done
      trained read-sft100 sft100 || continue  # the example-free runs below need it and RLVR-s0
      evaluate med-lab-en-read "$N" "flat-schema:$K" off qwen2.5-0.5b-read-sft100
      trained read-grpo-s0 rlvr-s0 || continue
      EXAMPLES=off OUT=$EXOUT evaluate med-lab-en-read "$N" "flat-schema:$K" off $BASE qwen2.5-0.5b-read-rlvr-s0 \
        qwen2.5-0.5b-read-sft100 ;;
    header)  # the shipped header models with absent keys queried (schema:3), with and without examples
      evaluate med-lab-en-header "$N" schema:3 off rules lookup qwen2.5-0.5b-local qwen2.5-0.5b-rlvr qwen2.5-0.5b-sft
      EXAMPLES=off OUT=$EXOUT evaluate med-lab-en-header "$N" schema:3 off qwen2.5-0.5b-local qwen2.5-0.5b-rlvr \
        qwen2.5-0.5b-sft
      evaluate med-lab-en-header 30 all off lookup ;;  # beside the committed keys=all runs (issue: 0.655)
    budget)  # annotation-budget curve: 25 / 50 / 100 training documents, RLVR and SFT, seed 0
      for n in 25 50; do train read-grpo-n$n train; train read-sft-n$n sft; done
      for n in 25 50; do evaluate med-lab-en-read "$N" "flat-schema:$K" off qwen2.5-0.5b-read-rlvr-n$n qwen2.5-0.5b-read-sft-n$n; done ;;
    thinking)  # the thinking ablation again with a cap that lets </think> close (512 tokens)
      train ablation-thinking-512 train
      evaluate med-lab-en-header 30 all on qwen2.5-0.5b-ablation-thinking-512
      evaluate med-lab-en-header 30 all off qwen2.5-0.5b-ablation-thinking-512 ;;
    compare)  # tables with CIs, minimum detectable ΔF1 and Holm over each table's F1 comparisons
      pairs=(); seeds=()
      for s in $SEEDS; do
        seeds+=(rlvr-s$s=qwen2.5-0.5b-read-rlvr-s$s sftm-s$s=qwen2.5-0.5b-read-sftm-s$s)
        pairs+=(--pair sftm-s$s:rlvr-s$s)
      done
      compare main med-lab-en-read "flat-schema:$K" on "${pairs[@]}" -- base=$BASE rules=rules-rapidocr \
        ocr-layout-rules=ocr-layout-rules lookup=lookup-rapidocr sft100=qwen2.5-0.5b-read-sft100 "${seeds[@]}"
      OUT=$EXOUT compare examples-off med-lab-en-read "flat-schema:$K" off -- base=$BASE rlvr-s0=qwen2.5-0.5b-read-rlvr-s0 \
        sft100=qwen2.5-0.5b-read-sft100
      compare budget med-lab-en-read "flat-schema:$K" on --pair sft-n25:rlvr-n25 --pair sft-n50:rlvr-n50 \
        --pair sft100:rlvr-s0 -- base=$BASE rlvr-n25=qwen2.5-0.5b-read-rlvr-n25 rlvr-n50=qwen2.5-0.5b-read-rlvr-n50 \
        rlvr-s0=qwen2.5-0.5b-read-rlvr-s0 sft-n25=qwen2.5-0.5b-read-sft-n25 sft-n50=qwen2.5-0.5b-read-sft-n50 \
        sft100=qwen2.5-0.5b-read-sft100
      RES=rlvr/results/header compare schema3 med-lab-en-header schema:3 on --pair sft:rlvr -- \
        base=qwen2.5-0.5b-local rules=rules lookup=lookup rlvr=qwen2.5-0.5b-rlvr sft=qwen2.5-0.5b-sft
      OUT=$EXOUT RES=rlvr/results/header compare schema3-examples-off med-lab-en-header schema:3 off -- \
        base=qwen2.5-0.5b-local rlvr=qwen2.5-0.5b-rlvr sft=qwen2.5-0.5b-sft
      tables=$(ls "$RES"-*.json rlvr/results/header-schema3*.json 2>/dev/null || true)
      if [ -n "$tables" ]; then  # one Holm family over every F1 comparison of the tables above
        # shellcheck disable=SC2086
        medvie-bench rlvr holm $tables --out "$RES-holm-all.md" > /dev/null
        echo "== Holm over all tables: $RES-holm-all.md"
      fi ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
