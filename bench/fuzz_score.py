"""Fuzz of ``medvie-bench score --gold G --pred P``: arbitrary JSON and bytes as both files.

    nice -n 10 python bench/fuzz_score.py [--cases 100000] [--cli 40] [--seed 0] [--out fuzz-failures]

Each case is a gold file and a prediction file: mostly well-formed lines whose answers are near the
gold (so the scorer's matching, alignment and value rules run), with hostile lines mixed in
(wrong types, deep nesting around and far past the limit, huge numbers, lone surrogates, think tags,
fences, torn text) and byte-level damage (truncation, flipped and inserted bytes, raw garbage).
Every case runs in process through ``score_data`` (the function behind the CLI); every
``cases/cli``-th case also runs through the real CLI process, whose outcome must agree.

A failure is any exception other than the clean input error (``TaskError``, one line), P/R/F1
outside [0, 1] or NaN, or from the CLI: an exit code other than 0/2, a traceback, an error of more
than one line, or counts that differ from the in-process result. Failing cases are written to
``--out`` for replay. Prints cases/s, the failure count and the elapsed time.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from benchmark.offline_scoring import score_data
from benchmark.scoring.depth import MAX_JSON_DEPTH
from benchmark.tasks.errors import TaskError
from benchmark.tasks.source_jsonl import JsonlSource
from benchmark.tasks.spec import FieldSpec, ScoringSpec, TaskSpec

KEYS = ["name", "Name", "age", "item name", "items", "date", "unit", "result", "", "a.b", "名称"]
TEXTS = ["x", "45", "45.0", "1,000", "1000", "13.20", "2024-01-31", "31/01/2024", "g/L", "男", "ｘ", "NaN", "1e999"]
TEXTS += ["{", "}", "<think>", "</think>", "```json", "", " ", "\u2028", "\x00", "a\nb"]
SURROGATE = "\udc80"  # a lone surrogate: legal in JSON text (escaped), not encodable as UTF-8
RULES_TASK = TaskSpec(
    name="fuzz-rules",
    version=0,
    language="und",
    source=JsonlSource(type="jsonl", splits={"test": "gold.jsonl"}),
    fields=[FieldSpec(key=k) for k in ("name", "age", "items", "date")],
    scoring=ScoringSpec(
        list_matching="multiset",
        value_rules={"name": "exact", "age": "number", "items.name": "alnum", "date": "date", "unit": "text"},
    ),
)


class Gen:
    """Random gold and prediction files from one seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.spliced: dict[str, str] = {}  # '"marker"' -> JSON text too deep for json.dumps

    def scalar(self) -> Any:
        r = self.rng
        kind = r.randrange(8)
        if kind == 0:
            return None
        if kind == 1:
            return r.random() < 0.5
        if kind == 2:
            return r.choice([0, -1, 45, 10**30, -(2**63)])
        if kind == 3:
            return r.choice([0.5, 13.2, 1e308, -0.0, float("nan"), float("inf")])
        if kind == 4:
            return "".join(chr(r.randrange(0x20, 0x3000)) for _ in range(r.randrange(6)))
        if kind == 5 and r.random() < 0.01:
            return SURROGATE
        return r.choice(TEXTS)

    def value(self, depth: int = 0) -> Any:
        r = self.rng
        if depth > 4 or r.random() < 0.45:
            return self.scalar()
        if r.random() < 0.5:
            return [self.value(depth + 1) for _ in range(r.randrange(4))]
        return self.obj(depth + 1)

    def key(self) -> str:
        return SURROGATE if self.rng.random() < 0.005 else self.rng.choice(KEYS)

    def obj(self, depth: int = 0) -> dict[str, Any]:
        return {self.key(): self.value(depth) for _ in range(self.rng.randrange(5))}

    def deep(self) -> str:
        """JSON text nested around (or far past) the depth limit, spliced into a line by ``encode``."""
        levels = self.rng.choice([MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1, 300, 5000])
        opens = [('{"a": ', "}") if self.rng.random() < 0.5 else ("[", "]") for _ in range(levels)]
        text = "".join(o for o, _ in opens) + json.dumps(self.scalar()) + "".join(c for _, c in reversed(opens))
        marker = f"@@deep{len(self.spliced)}@@"
        self.spliced[json.dumps(marker)] = text
        return marker

    def near(self, gt: Any) -> Any:
        """An answer close to the gold: keys dropped or re-cased, values changed, scalars listed."""
        r = self.rng
        if not isinstance(gt, dict):
            return self.value()
        out: dict[str, Any] = {}
        for key, value in gt.items():
            roll = r.random()
            if roll < 0.1:
                continue
            if roll < 0.2:
                key = key.upper()
            if isinstance(value, dict):
                value = self.near(value)
            elif isinstance(value, list):
                value = [self.near(v) if isinstance(v, dict) else v for v in value]
                r.shuffle(value)
            elif r.random() < 0.15:
                value = [value, self.scalar()]
            elif r.random() < 0.2:
                value = self.scalar()
            out[key] = value
        if r.random() < 0.2:
            out[self.key()] = self.value()
        return out

    def output_text(self, answer: Any) -> str:
        r = self.rng
        text = json.dumps(answer, ensure_ascii=r.random() < 0.5, allow_nan=True)
        roll = r.random()
        if roll < 0.15:
            text = f"```json\n{text}\n```"
        elif roll < 0.25:
            text = f"<think>{self.scalar()}</think><answer>{text}</answer>"
        elif roll < 0.3:
            text = "<think>" * r.randrange(1, 50) + text
        elif roll < 0.4:
            text = text[: r.randrange(len(text) + 1)]
        elif roll < 0.45:
            text = "{" * r.randrange(1, 3000)
        elif roll < 0.5:
            text = '{"a": ' + "9" * r.choice([10, 5000]) + "}"
        return text

    def hostile_line(self, doc_id: Any) -> Any:
        r = self.rng
        return r.choice(
            [
                self.value(),
                {"id": self.value(), "gt": self.obj(), "output": "{}"},
                {"id": doc_id},
                {"id": doc_id, "gt": self.value(), "output": self.value()},
                {"id": doc_id, "gt": self.deep(), "prediction": self.deep()},
                {"id": doc_id, "output": self.spliced.pop(json.dumps(self.deep()))},
            ]
        )

    def files(self) -> tuple[bytes, bytes]:
        r = self.rng
        ids = r.sample(["a", "b", "c", "d", "e", 1, 2], r.randrange(1, 6) if r.random() > 0.01 else 0)
        gold_rows, pred_rows = [], []
        for doc_id in ids:
            gt = self.obj()
            gold_rows.append({"id": doc_id, "gt": gt} if r.random() > 0.03 else self.hostile_line(doc_id))
            if r.random() < 0.85:
                answer = self.near(gt)
                if r.random() < 0.5:
                    pred_rows.append({"id": str(doc_id), "output": self.output_text(answer)})
                else:
                    pred_rows.append({"id": doc_id, "prediction": answer})
            if r.random() < 0.04:
                pred_rows.append(self.hostile_line(doc_id))
        if gold_rows and r.random() < 0.02:
            gold_rows.append(r.choice(gold_rows))  # a repeated gold id
        if pred_rows and r.random() < 0.05:
            pred_rows.append(r.choice(pred_rows))  # a repeated prediction id
        if r.random() < 0.05:
            pred_rows.append({"id": "zz", "output": "{}"})  # an id not in the gold
        r.shuffle(pred_rows)
        return self.damage(self.encode(gold_rows)), self.damage(self.encode(pred_rows))

    def encode(self, rows: list[Any]) -> bytes:
        ascii_only = self.rng.random() < 0.5
        ends = self.rng.choice(["\n", "\r\n", "\r"])
        text = "".join(json.dumps(row, ensure_ascii=ascii_only) + ends for row in rows)
        for marker, deep in self.spliced.items():
            text = text.replace(marker, deep)
        self.spliced.clear()
        return text.encode("utf-8", "surrogatepass")

    def damage(self, data: bytes) -> bytes:
        r = self.rng
        roll = r.random()
        if roll < 0.9 or not data:
            return data
        if roll < 0.93:
            return data[: r.randrange(len(data))]
        if roll < 0.96:
            i = r.randrange(len(data))
            return data[:i] + bytes([r.randrange(256)]) + data[i + 1 :]
        if roll < 0.98:
            i = r.randrange(len(data))
            return data[:i] + r.randbytes(r.randrange(1, 8)) + data[i:]
        return r.randbytes(r.randrange(300))


def _error_kind(message: str) -> str:
    """An input error without its file, line and details: ``field 'id': duplicate id``."""
    kind = re.sub(r"\s*\(.*$|, got .*$", "", message.split(": ", 1)[1])
    return "input error: " + re.sub(r" '[^']*'$", "", kind)


def _warning_kind(message: str) -> str:
    return "warning: " + re.sub(r"^\d+ ", "", message.split(": ", 1)[1].split(" (")[0])


def _in_process(gold: bytes, pred: bytes, task: TaskSpec | None, seen: Counter[str]) -> tuple[str, Any]:
    """("ok", (tp, fp, fn)) or ("input_error", message); raises what the scorer raised otherwise.
    ``seen`` counts what the scored cases exercised (parse errors, warnings)."""
    try:
        m = score_data(
            gold,
            pred,
            Path("gold.jsonl"),
            Path("pred.jsonl"),
            task,
            warn=lambda w: seen.update([_warning_kind(w)]),
        )
    except TaskError as exc:
        message = str(exc)
        if "\n" in message or not message.startswith(("gold.jsonl", "pred.jsonl")):
            raise AssertionError(f"input error not one line naming the file: {message!r}") from exc
        return "input_error", message
    for key in ("precision", "recall", "f1", "macro_f1"):
        if not 0.0 <= m[key] <= 1.0 or math.isnan(m[key]):
            raise AssertionError(f"{key} = {m[key]} outside [0, 1]")
    seen.update({f"parse error {kind}": n for kind, n in m["parse_error_kinds"].items()})
    return "ok", (m["tp"], m["fp"], m["fn"])


def _through_cli(folder: Path, gold: bytes, pred: bytes, expected: tuple[str, Any]) -> None:
    (folder / "gold.jsonl").write_bytes(gold)
    (folder / "pred.jsonl").write_bytes(pred)
    proc = subprocess.run(
        [sys.executable, "-m", "benchmark.cli", "score", "--gold", "gold.jsonl", "--pred", "pred.jsonl", "--json"],
        cwd=folder,
        capture_output=True,
        timeout=120,
        check=False,
    )
    stderr = proc.stderr.decode("utf-8", "backslashreplace")
    if b"Traceback" in proc.stderr or proc.returncode not in (0, 2):
        raise AssertionError(f"CLI exit {proc.returncode}: {stderr[-2000:]}")
    if expected[0] == "input_error":
        if proc.returncode != 2 or stderr.count("\n") != 1 or proc.stdout:
            raise AssertionError(f"CLI should fail cleanly with {expected[1]!r}; got {proc.returncode}: {stderr}")
        return
    if proc.returncode != 0:
        raise AssertionError(f"CLI failed where the library scored: {stderr}")
    m = json.loads(proc.stdout)
    if (m["tp"], m["fp"], m["fn"]) != expected[1]:
        raise AssertionError(f"CLI counts {(m['tp'], m['fp'], m['fn'])} != in-process {expected[1]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--cli", type=int, default=40, help="how many of the cases also run through the CLI process")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="where failing cases are written")
    args = ap.parse_args()

    gen = Gen(random.Random(args.seed))
    every = max(1, args.cases // args.cli) if args.cli else 0
    outcomes: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    failures: list[str] = []
    cli_s = 0.0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.cases):
            gold, pred = gen.files()
            task = RULES_TASK if i % 4 == 3 else None
            try:
                outcome = _in_process(gold, pred, task, seen)
                outcomes["scored" if outcome[0] == "ok" else _error_kind(outcome[1])] += 1
                if every and i % every == 0 and task is None:
                    t = time.perf_counter()
                    _through_cli(Path(tmp), gold, pred, outcome)
                    cli_s += time.perf_counter() - t
                    outcomes["(through the CLI)"] += 1
            except Exception:  # the fuzz's whole point: record anything unexpected
                failures.append(traceback.format_exc())
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / f"case-{i}.gold.jsonl").write_bytes(gold)
                (args.out / f"case-{i}.pred.jsonl").write_bytes(pred)
                (args.out / f"case-{i}.txt").write_text(f"task: {task and task.name}\n{failures[-1]}")
    elapsed = time.perf_counter() - start
    in_process_s = elapsed - cli_s

    print(f"cases: {args.cases:,} (seed {args.seed}); outcomes:")
    for name, n in outcomes.most_common():
        print(f"  {n:8,}  {name}")
    print("what the scored cases held (documents with a parse error, files with a warning):")
    for name, n in seen.most_common():
        print(f"  {n:8,}  {name}")
    print(f"in process: {args.cases / in_process_s:,.0f} cases/s")
    n_cli = outcomes["(through the CLI)"]
    if n_cli:
        print(f"through the CLI process: {n_cli} cases, {cli_s / n_cli:.2f} s each")
    print(f"failures: {len(failures)}" + (f" (written to {args.out}/)" if failures else ""))
    for text in failures[:3]:
        print(text.rstrip().splitlines()[-1])
    print(f"elapsed: {elapsed:.1f} s")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
