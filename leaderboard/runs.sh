#!/usr/bin/env bash
# The runs the published leaderboard is built from, written to leaderboard/runs/ (committed, so
# the page can be rebuilt on any machine and a new run is added without redoing the others).
# Every step resumes: a finished run is read back, an interrupted one continues.
#   bash leaderboard/runs.sh                       # everything (about 1 h 15 min on 2 CPU cores)
#   STEPS="baselines" bash leaderboard/runs.sh     # only the runs without a language model
# then
#   medvie-bench leaderboard --runs leaderboard/runs --include-path rlvr/tasks
# The RLVR evaluations (leaderboard/runs/rlvr-eval/) come from rlvr/experiment.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-leaderboard/runs}
N=${N:-20}
STEPS=${STEPS:-"baselines layout llm real"}
LAYOUT_TASKS=med-lab-en,med-lab-zh,sroie-sample
REAL_TASKS=rjua-lab-zh,rjua-imaging-zh   # tasks/real: no gold OCR, so only models that run OCR

for step in $STEPS; do
  case $step in
    baselines)  # no model: every task with gold OCR (the synthetic ones and SROIE), and the photo OCR
      medvie-bench run --model rules,ocr-layout-rules-gold --task synthetic,sroie-sample --split test \
        --limit "$N" --out "$OUT" --quiet
      medvie-bench run --model ocr-rules --task sroie-sample --split test --limit "$N" --out "$OUT" --quiet
      python bench/bench_layout.py --tasks "$LAYOUT_TASKS" --extractors ocr-layout-rules \
        --limit "$N" --runs "$OUT" --no-fields ;;
    layout)     # layout + Qwen2.5-0.5B on llama.cpp
      python bench/bench_layout.py --tasks "$LAYOUT_TASKS" --extractors qwen2.5-0.5b-layout \
        --limit "$N" --runs "$OUT" --no-fields ;;
    llm)        # naive OCR text → Qwen2.5-0.5B (slowest: 27–60 s per lab report, by machine)
      python bench/bench_layout.py --tasks "$LAYOUT_TASKS" --extractors qwen2.5-0.5b-naive \
        --limit "$N" --runs "$OUT" --no-fields ;;
    real)       # the real medical track, every document (5 + 5), every CPU extractor (about 10 min idle)
      medvie-bench run --model ocr-rules,ocr-layout-rules,qwen2.5-0.5b-layout,qwen2.5-0.5b-naive \
        --task "$REAL_TASKS" --split test --out "$OUT" --quiet ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
