#!/usr/bin/env bash
# Carries the resumable state of a long RLVR experiment across sessions whose machines keep nothing
# but the repository's history (runs/ and the OCR cache were lost between the sessions of 2026-12-05).
# `save` copies, per training run in runs/rlvr/, final/ when it has finished, else its newest
# checkpoint (LoRA weights, optimizer, scheduler and RNG state: what TRL resumes from), and its
# training log and seen prompts, plus the rapidocr cache of the photos (OCR is minutes per hundred
# pages), into rlvr/state/ (git-ignored). `park` saves, then commits rlvr/state/ in a commit of its
# own on the current branch and removes it again in the next one, which adds rlvr/state.ref naming
# the first: the state lives in git history, not in the tree, because a device call carries at most
# 64 MiB of tree (docs/gpu-check.md) and the tracked tree is already ≈ 54 MiB. Other staged or
# unstaged work is left alone (the commits are built in a private index). `restore` takes
# rlvr/state/ back out of that commit when it is missing, then puts everything back in place.
# Evaluation runs need nothing here: their run folders under leaderboard/ are committed.
#   bash rlvr/carry_state.sh park      # at the end of a session (after `touch runs/rlvr/NAME/STOP`)
#   bash rlvr/carry_state.sh restore   # at the start of the next one
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=rlvr/state
CACHE=${MEDVIE_CACHE:-$HOME/.cache/medvie-bench}

newest_checkpoint() {  # the complete checkpoint-N folder with the largest N, or nothing. The trainer
  # writes trainer_state.json after the weights, optimizer and RNG state: a folder without it is still
  # being written (`save` may run beside a training run)
  find "$1" -mindepth 2 -maxdepth 2 -path '*/checkpoint-*/trainer_state.json' -printf '%h\n' \
    | awk -F- '{print $NF" "$0}' | sort -n | tail -1 | cut -d' ' -f2-
}

save() {
  for run in runs/rlvr/*/; do
    [ -d "$run" ] || continue
    name=$(basename "$run"); dest=$STATE/runs/$name
    rm -rf "$dest"; mkdir -p "$dest"
    if [ -f "$run/final/metadata.json" ]; then  # finished: the adapter is all that is used again
      what="final"
      cp -r "$run/final" "$dest/"
    else  # unfinished: the newest checkpoint, what TRL resumes from
      ckpt=$(newest_checkpoint "$run")
      what=${ckpt:+$(basename "$ckpt")}; what=${what:-no checkpoint}
      [ -n "$ckpt" ] && cp -r "$ckpt" "$dest/"
    fi
    # the base model's tokenizer (11 MB) is not needed to resume or to evaluate
    find "$dest" -name tokenizer.json -delete
    # seen_prompts.jsonl: what the data-matched SFT of this run trains on
    for f in train_log.jsonl metadata.json seen_prompts.jsonl; do [ -f "$run/$f" ] && cp "$run/$f" "$dest/"; done
    echo "carry: saved $name ($what)"
  done
  if [ -d "$CACHE/ocr/rapidocr" ]; then
    mkdir -p "$STATE/ocr"; rm -rf "$STATE/ocr/rapidocr"; cp -r "$CACHE/ocr/rapidocr" "$STATE/ocr/"
    echo "carry: saved the rapidocr cache ($(find "$STATE/ocr" -type f | wc -l) pages)"
  fi
  du -sh "$STATE"
}

park() {  # commit rlvr/state/ (ignored) in a commit of its own, then a commit without it + rlvr/state.ref
  local index parked tree
  index=$(mktemp); trap 'rm -f "$index"' RETURN
  export GIT_INDEX_FILE=$index
  git read-tree HEAD
  git add -f "$STATE"
  parked=$(git commit-tree "$(git write-tree)" -p HEAD \
    -m "rlvr state: parked ($(du -sh "$STATE" | cut -f1); out of the tree again in the next commit)")
  git rm -r -q --cached "$STATE"
  echo "$parked" > "$STATE.ref"
  git add "$STATE.ref"
  tree=$(git write-tree)
  git update-ref HEAD "$(git commit-tree "$tree" -p "$parked" \
    -m "rlvr state: rlvr/state.ref names the commit that holds it (bash rlvr/carry_state.sh restore)")"
  unset GIT_INDEX_FILE
  git reset -q -- "$STATE.ref"  # the real index learns the new file; nothing else in it changes
  echo "carry: parked in $parked"
}

restore() {
  if [ ! -d "$STATE" ] && [ -f "$STATE.ref" ]; then
    git archive "$(cat "$STATE.ref")" "$STATE" | tar -x
    echo "carry: took $STATE out of $(cat "$STATE.ref")"
  fi
  [ -d "$STATE" ] || { echo "carry: nothing saved in $STATE"; exit 0; }
    for saved in "$STATE"/runs/*/; do
      [ -d "$saved" ] || continue
      name=$(basename "$saved"); run=runs/rlvr/$name
      mkdir -p "$run"
      # a newer local checkpoint (this session's) wins over the saved one
      cp -rn "$saved"/. "$run"/
      echo "carry: restored $name"
    done
    if [ -d "$STATE/ocr/rapidocr" ]; then
      mkdir -p "$CACHE/ocr"; cp -rn "$STATE/ocr/rapidocr" "$CACHE/ocr/"
      echo "carry: restored the rapidocr cache"
    fi
}

case "${1:-}" in
  save) save ;;
  park) save; park ;;
  restore) restore ;;
  *) echo "usage: bash rlvr/carry_state.sh save|park|restore" >&2; exit 2 ;;
esac
