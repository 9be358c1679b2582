"""What a GRPO run was trained on: every prompt its reward scored, by step (``seen_prompts.jsonl``).

The data-matched SFT baseline (``data.matched_to`` in an SFT config) is trained on exactly these
prompts, each with the answer the reward counted as right, so that SFT and RLVR see the same
documents, keys and prompts.

The match reward is wrapped (``recording``): each call appends one line
``{"session", "step", "rows": [{"doc_id", "keys", "queried_keys", "gt", "prompt"}, ...]}``, one row
per prompt (its ``num_generations`` completions arrive together and are written once). A resumed
run repeats the steps after its checkpoint; ``read_seen`` keeps, for each step, only the lines of
the last session that wrote it, and only the steps up to the run's final ``global_step``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

SEEN_NAME = "seen_prompts.jsonl"
_ROW_COLUMNS = ("doc_id", "keys", "queried_keys", "gt")


def _at(kwargs: dict[str, Any], name: str, i: int) -> Any:
    col = kwargs.get(name)
    return col[i] if isinstance(col, list | tuple) and i < len(col) else None


def _placeholder(obj: Any) -> str:
    """What is written for an object JSON cannot hold (a page image in a VLM prompt)."""
    return f"<{type(obj).__name__}>"


def recording(reward: Callable[..., list[float]], path: Path) -> Callable[..., list[float]]:
    """``reward`` (same name, same values) that also appends the prompts it scored to ``path``."""
    session = uuid.uuid4().hex[:12]

    def fn(completions: list[Any], **kwargs: Any) -> list[float]:
        out = reward(completions, **kwargs)
        state = kwargs.get("trainer_state")
        step = (int(getattr(state, "global_step", 0)) if state is not None else 0) + 1
        rows: list[dict[str, Any]] = []
        previous = None
        for i in range(len(completions)):
            row = {name: _at(kwargs, name, i) for name in _ROW_COLUMNS}
            ident = json.dumps(row, sort_keys=True, ensure_ascii=False)
            if ident != previous:  # the group's completions share one prompt
                rows.append({**row, "prompt": _at(kwargs, "prompts", i)})
            previous = ident
        with path.open("a", encoding="utf-8") as fh:
            line = {"session": session, "step": step, "rows": rows}
            fh.write(json.dumps(line, ensure_ascii=False, default=_placeholder) + "\n")
        return out

    fn.__name__ = getattr(reward, "__name__", "reward")  # TRL logs the reward under this name
    if hasattr(reward, "a"):
        fn.a = reward.a  # type: ignore[attr-defined]
    return fn


def read_seen(run_dir: Path, max_step: int | None = None) -> list[dict[str, Any]]:
    """The prompts a GRPO run in ``run_dir`` was rewarded on, in step order (see the module
    docstring). ``max_step`` defaults to ``final/metadata.json``'s ``global_step``."""
    path = Path(run_dir) / SEEN_NAME
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no record of the prompts this GRPO run saw (runs trained before rlvr.seen existed have none; "
            "retrain it to build a data-matched SFT)"
        )
    if max_step is None:
        meta = Path(run_dir) / "final" / "metadata.json"
        if not meta.is_file():
            raise FileNotFoundError(f"{meta}: the GRPO run has not finished (no final/metadata.json)")
        max_step = int(json.loads(meta.read_text())["global_step"])
    by_step: dict[int, tuple[str, list[dict[str, Any]]]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            step, session, rows = int(entry["step"]), str(entry["session"]), list(entry["rows"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a seen-prompts line ({exc})") from exc
        kept = by_step.get(step)
        if kept is None or kept[0] != session:
            by_step[step] = (session, list(rows))  # a later session replaces what an earlier one wrote
        else:
            kept[1].extend(rows)  # several reward calls in one step (gradient accumulation)
    return [row for step in sorted(by_step) if step <= max_step for row in by_step[step][1]]
