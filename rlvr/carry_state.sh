#!/usr/bin/env bash
# Carries the resumable state of a long RLVR experiment across sessions whose machines do not keep
# files: only the repository does. `save` copies, per training run in runs/rlvr/, final/ when it has
# finished, else its newest checkpoint (LoRA weights, optimizer, scheduler and RNG state: what TRL
# resumes from), and its training log and seen prompts, plus the rapidocr cache of the photos (OCR is
# minutes per hundred pages), into rlvr/state/ (git-ignored: 59 MB for three seeds would push the
# tracked tree past a device call's 64 MiB; keep it where the next session finds it). `restore` puts
# them back before the experiment runs again. Evaluation runs need nothing here: their run folders under leaderboard/ are committed.
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
