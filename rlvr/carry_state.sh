#!/usr/bin/env bash
# Carries the resumable state of a long RLVR experiment across sessions whose machines do not keep
# files: only the repository does. `save` copies, per training run in runs/rlvr/, its newest
# checkpoint (LoRA weights, optimizer, scheduler and RNG state: what TRL resumes from), final/ when
# there is one, and the training log, plus the rapidocr cache of the photos (OCR is minutes per
# hundred pages), into rlvr/state/ for a commit. `restore` puts them back before the experiment
# runs again. Evaluation runs need nothing here: their run folders under leaderboard/ are committed.
#   bash rlvr/carry_state.sh save      # at the end of a session (after `touch runs/rlvr/NAME/STOP`)
#   bash rlvr/carry_state.sh restore   # at the start of the next one
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=rlvr/state
CACHE=${MEDVIE_CACHE:-$HOME/.cache/medvie-bench}

newest_checkpoint() {  # the checkpoint-N folder with the largest N, or nothing
  find "$1" -maxdepth 1 -type d -name 'checkpoint-*' | awk -F- '{print $NF" "$0}' | sort -n | tail -1 | cut -d' ' -f2-
}

case "${1:-}" in
  save)
    for run in runs/rlvr/*/; do
      [ -d "$run" ] || continue
      name=$(basename "$run"); dest=$STATE/runs/$name
      ckpt=$(newest_checkpoint "$run")
      rm -rf "$dest"; mkdir -p "$dest"
      [ -n "$ckpt" ] && cp -r "$ckpt" "$dest/"
      [ -d "$run/final" ] && cp -r "$run/final" "$dest/"
      for f in train_log.jsonl metadata.json; do [ -f "$run/$f" ] && cp "$run/$f" "$dest/"; done
      echo "carry: saved $name (${ckpt:+$(basename "$ckpt")}${ckpt:-no checkpoint}$([ -d "$run/final" ] && echo ', final'))"
    done
    if [ -d "$CACHE/ocr/rapidocr" ]; then
      mkdir -p "$STATE/ocr"; rm -rf "$STATE/ocr/rapidocr"; cp -r "$CACHE/ocr/rapidocr" "$STATE/ocr/"
      echo "carry: saved the rapidocr cache ($(find "$STATE/ocr" -type f | wc -l) pages)"
    fi
    du -sh "$STATE" ;;
  restore)
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
    fi ;;
  *) echo "usage: bash rlvr/carry_state.sh save|restore" >&2; exit 2 ;;
esac
