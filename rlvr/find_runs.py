"""Find evaluation run folders by model and settings, for ``medvie-bench rlvr compare``.

``python -m rlvr.find_runs --out OUT --task TASK --keys KEYS [--examples off] [--thinking on]
NAME=MODEL ...`` prints ``NAME=RUN_DIR`` for each model: the run under ``OUT/TASK/`` whose manifest
names that model and those settings, the one with the most finished documents when several match.
Exit code 2 and one line per model without a run (nothing printed on stdout then).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def find_run(out: Path, task: str, model: str, keys: str, thinking: bool = False, examples: bool = True) -> Path | None:
    from benchmark.store import MANIFEST, RunStore

    best: tuple[int, Path] | None = None
    for manifest in sorted((out / task).glob(f"{model}__*/{MANIFEST}")):
        store = RunStore(manifest.parent, report=None)
        try:
            m = store.read_manifest()
        except (OSError, ValueError):
            continue
        s = m.settings
        if m.model.get("name") != model or str(s.get("keys")) != keys:
            continue
        if bool(s.get("thinking")) != thinking or bool(s.get("examples", True)) != examples:
            continue
        n = len(store.document_ids())
        if best is None or n > best[0]:
            best = (n, manifest.parent)
    return best[1] if best else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m rlvr.find_runs", description=__doc__)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--task", required=True)
    p.add_argument("--keys", required=True)
    p.add_argument("--thinking", choices=("on", "off"), default="off")
    p.add_argument("--examples", choices=("on", "off"), default="on")
    p.add_argument("models", nargs="+", help="NAME=MODEL")
    args = p.parse_args(argv)
    found, missing = [], []
    for item in args.models:
        name, _, model = item.partition("=")
        model = model or name
        run = find_run(args.out, args.task, model, args.keys, args.thinking == "on", args.examples == "on")
        if run is None:
            missing.append(model)
        else:
            found.append(f"{name}={run}")
    for model in missing:
        print(f"rlvr.find_runs: no run of {model} on {args.task} with keys {args.keys}, thinking {args.thinking}, "
              f"examples {args.examples} under {args.out}", file=sys.stderr)
    if missing:
        return 2
    print(" ".join(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
