# Shared steps of rlvr/experiment.sh and rlvr/experiment2.sh (sourced, not run). Both resume: a finished
# training run is skipped, an unfinished one continues from its last checkpoint, and an evaluation run
# continues where it stopped (medvie-bench run's cache). Nothing here commits anything.

train() {  # train CONFIG [train|sft] [MAX_STEPS]: skipped when final/ already holds that many steps
  local cfg=rlvr/configs/$1.yaml
  if python - "$cfg" "${3:-}" <<'PY'
import json, sys
from pathlib import Path
from rlvr.config import load_config
cfg = load_config(sys.argv[1])
meta = Path(cfg.output_dir) / "final" / "metadata.json"
want = int(sys.argv[2] or cfg.trainer.get("max_steps", 0))
done = meta.is_file() and (Path(cfg.output_dir) / "final" / "adapter.gguf").is_file()
sys.exit(0 if done and json.loads(meta.read_text())["global_step"] >= want else 1)
PY
  then echo "== $1: already trained"; return; fi
  echo "== training $1"
  medvie-bench rlvr "${2:-train}" --config "$cfg" ${3:+--max-steps "$3"}
}

evaluate() {  # evaluate TASK N KEYS THINKING MODEL... (EXAMPLES=off for example-free prompts)
  local task=$1 n=$2 keys=$3 thinking=$4; shift 4
  for m in "$@"; do
    medvie-bench run --model "$m" --model-path rlvr/specs --task "$task" --split test --limit "$n" \
      --keys "$keys" --thinking "$thinking" --examples "${EXAMPLES:-on}" --out "$OUT" --quiet
  done
}
