#!/usr/bin/env bash
# The CPU experiment of rlvr/README.md, in order; every step resumes (a finished training run is
# skipped, an evaluation run continues where it stopped), so re-running after an interruption
# redoes nothing. N1/N2/N3 set the number of test documents per evaluation. The evaluation runs go
# to leaderboard/runs/rlvr-eval (committed: the published leaderboard is built from them).
#   bash rlvr/experiment.sh            # everything
#   STEPS="train eval1" bash rlvr/experiment.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export MEDVIE_INCLUDE_PATH=rlvr/tasks
N1=${N1:-200}   # main comparison: the whole test split (random:3 header queries; ≈ 33 min per model here)
N2=${N2:-30}    # keys=all: base, RLVR, SFT and the a sweep
N3=${N3:-$N2}   # keys=all, thinking on vs off (same documents as N2, so the leaderboard pairs them)
STEPS=${STEPS:-"train eval1 sft ablations eval2 eval3 eval4"}
OUT=${OUT:-leaderboard/runs/rlvr-eval}

source rlvr/experiment_lib.sh  # train, evaluate

for step in $STEPS; do
  case $step in
    train)
      train cpu-qwen2.5-0.5b train 40   # 40 of the config's 60 steps (CPU time); --max-steps 40 also set the lr schedule to 40 steps from the resume on
      medvie-bench rlvr ship --final runs/rlvr/cpu-qwen2.5-0.5b/final --dest rlvr/checkpoints/qwen2.5-0.5b-rlvr ;;
    eval1)
      evaluate med-lab-en-header "$N1" random:3 off rules qwen2.5-0.5b-local qwen2.5-0.5b-rlvr ;;
    sft)
      train sft-cpu-qwen2.5-0.5b sft
      medvie-bench rlvr ship --final runs/rlvr/sft-cpu-qwen2.5-0.5b/final --dest rlvr/checkpoints/qwen2.5-0.5b-sft
      evaluate med-lab-en-header "$N1" random:3 off qwen2.5-0.5b-sft ;;
    ablations)
      for c in ablation-keys-all ablation-keys-all-a0 ablation-keys-all-a1 ablation-thinking; do
        train $c
        mkdir -p rlvr/results/logs/$c   # the per-step log and metadata, kept with the results
        cp runs/rlvr/$c/train_log.jsonl runs/rlvr/$c/final/metadata.json rlvr/results/logs/$c/
      done
      medvie-bench rlvr ablations random3-a0.5=rlvr/checkpoints/qwen2.5-0.5b-rlvr \
        all-a0=rlvr/results/logs/ablation-keys-all-a0 all-a0.5=rlvr/results/logs/ablation-keys-all \
        all-a1=rlvr/results/logs/ablation-keys-all-a1 random3-thinking=rlvr/results/logs/ablation-thinking \
        --max-steps 6 --out rlvr/results/ablations ;;
    eval2)
      evaluate med-lab-en-header "$N2" all off rules qwen2.5-0.5b-local qwen2.5-0.5b-rlvr qwen2.5-0.5b-sft \
        qwen2.5-0.5b-ablation-keys-all qwen2.5-0.5b-ablation-keys-all-a0 qwen2.5-0.5b-ablation-keys-all-a1 ;;
    eval3)
      evaluate med-lab-en-header "$N3" all on qwen2.5-0.5b-local qwen2.5-0.5b-ablation-thinking
      evaluate med-lab-en-header "$N3" all off qwen2.5-0.5b-ablation-thinking ;;
    eval4)
      evaluate sroie-sample 20 all off qwen2.5-0.5b-local qwen2.5-0.5b-rlvr qwen2.5-0.5b-sft ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
