"""The prepared GPU check (issue 21; docs/gpu-check.md): the GPU recipe's mechanics in one
device call, or the same parts on a CPU with tiny sizes.

    bash scripts/gpu_check.sh run                  # on the device: installs the carried wheels, then this
    python3 bench/gpu_check.py --cpu --out DIR     # here, no install
    python3 bench/gpu_check.py --parts train:200,eval --set steps=10 --out DIR
    python3 bench/gpu_check.py docs [--cpu]        # generate the synthetic documents the parts read

Parts, in this order (``bench/gpu_check_parts.py``): ``env`` (versions, the GPU, a bf16 matmul),
``train`` (the tiny Qwen2.5-VL, GRPO with the GPU config's settings on document images),
``eval`` (the trained checkpoint through ``medvie-bench run`` with the HF adapter), ``generate``
(tokens/s of the HF adapter's generate at batch 1 and 8), ``tests`` (tests/test_rlvr.py and
tests/test_hf_adapter.py). Each runs in its own process under its own time limit, cut to what the
global ``--budget`` leaves after the minimum that later parts need, so one failure, hang or crash
does not stop the others. Written to ``--out``: ``gpu_check.json`` (the ``Report`` schema),
``gpu_check.txt`` (one line per part) and ``logs.tar.gz`` (part logs, training log, predictions).
Exit code 0 when every part passed, 1 otherwise, 2 for bad arguments (nothing written).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tarfile
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from gpu_check_schema import PART_NAMES, CheckSettings, InstallResult, PartResult, Report
from pydantic import ValidationError

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DOCS_CACHE = REPO / ".cache" / "gpu-check" / "medvie-cache"
REPORT_RESERVE_S = 5.0
LOG_SUFFIXES = (".log", ".json", ".jsonl", ".yaml", ".xml", ".txt", ".png")


@dataclass(frozen=True)
class PartBudget:
    gpu_cap_s: float
    cpu_cap_s: float
    min_s: float  # below this a part is not started (and later parts keep this much in reserve)


BUDGETS = {
    "env": PartBudget(60, 120, 15),
    "train": PartBudget(240, 300, 45),
    "eval": PartBudget(90, 150, 30),
    "generate": PartBudget(60, 120, 20),
    "tests": PartBudget(150, 300, 60),
}


class UsageError(ValueError):
    """Bad command-line input: one line on stderr, exit code 2."""


def parse_parts(text: str) -> list[tuple[str, float | None]]:
    """``env,train:200,eval`` → [(name, cap or None)], in the check's own order."""
    chosen: dict[str, float | None] = {}
    for item in (x.strip() for x in text.split(",") if x.strip()):
        name, _, cap = item.partition(":")
        if name not in PART_NAMES:
            raise UsageError(f"--parts: unknown part {name!r} (parts: {', '.join(PART_NAMES)})")
        try:
            seconds = float(cap) if cap else None
        except ValueError:
            raise UsageError(f"--parts: {item!r}: the time after ':' must be seconds") from None
        if seconds is not None and not 1 <= seconds <= 3600:
            raise UsageError(f"--parts: {item!r}: seconds must be within 1..3600")
        chosen[name] = seconds
    if not chosen:
        raise UsageError("--parts: no part named")
    return [(n, chosen[n]) for n in PART_NAMES if n in chosen]


def make_settings(cpu: bool, sets: list[str]) -> CheckSettings:
    changes: dict[str, Any] = {}
    for text in sets:
        key, eq, value = text.partition("=")
        if not eq or key.strip() not in CheckSettings.model_fields or key.strip() == "mode":
            fields = ", ".join(f for f in CheckSettings.model_fields if f != "mode")
            raise UsageError(f"--set {text!r}: expected FIELD=VALUE with FIELD one of {fields}")
        changes[key.strip()] = yaml.safe_load(value)
    try:
        settings = CheckSettings.cpu(**changes) if cpu else CheckSettings.gpu(**changes)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise UsageError(f"--set {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    if not (REPO / settings.config).is_file():
        raise UsageError(f"--set config: no such file: {REPO / settings.config}")
    from benchmark.tasks import TaskError, TaskRegistry

    try:
        TaskRegistry().get(settings.task)
    except TaskError as exc:
        raise UsageError(f"--set task: {exc}") from None
    return settings


def part_env(mode: str, docs_cache: Path) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path, "MEDVIE_CACHE": str(docs_cache), "PYTHONUNBUFFERED": "1",
           "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false"}
    if mode == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
    return env


def timeouts(parts: list[tuple[str, float | None]], mode: str) -> list[tuple[str, float, float]]:
    """(name, cap, min) per part: an explicit ``name:seconds`` is both its cap and its minimum."""
    out = []
    for name, explicit in parts:
        b = BUDGETS[name]
        cap = explicit if explicit is not None else (b.gpu_cap_s if mode == "gpu" else b.cpu_cap_s)
        out.append((name, cap, min(b.min_s, cap)))
    return out


def run_part(name: str, timeout: float, work: Path, env: dict[str, str]) -> PartResult:
    """The part in its own process group (killed whole at the timeout); its JSON result, or the
    end of its log as the error."""
    log = work / "logs" / f"{name}.log"
    result = work / "parts" / f"{name}.json"
    result.unlink(missing_ok=True)
    deadline = time.time() + timeout
    cmd = [sys.executable, str(Path(__file__).resolve()), "part", name, "--work", str(work),
           "--deadline", f"{deadline:.1f}"]
    t0 = time.time()
    status = None
    with log.open("w", encoding="utf-8") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=REPO,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            rc = proc.wait()
            status = "timeout"
    seconds = round(time.time() - t0, 1)
    data = json.loads(result.read_text(encoding="utf-8")) if result.is_file() else {}
    error = data.get("error")
    if status is None:
        status = "pass" if rc == 0 and data.get("status") == "pass" else "fail"
    if status == "timeout":
        error = f"killed after {timeout:.0f} s"
    elif status == "fail" and not error:
        error = f"exit {rc}: " + " | ".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-5:])
    return PartResult(name=name, status=status, seconds=seconds, timeout_s=round(timeout, 1),
                      figures=data.get("figures", {}), error=error, log=f"logs/{name}.log")


def headline(p: PartResult) -> str:
    """One short line of the figures that matter for each part ('-' where a figure is missing)."""
    f = p.figures

    def g(key: str) -> Any:
        return f.get(key, "-")

    if not f:
        return ""
    if p.name == "env":
        return (f"{f.get('gpu', 'no GPU')}, torch {g('torch')}, transformers {g('transformers')}, trl {g('trl')}, "
                f"bf16 matmul {g('bf16_matmul_tflops')} TFLOP/s, documents {g('documents')}")
    if p.name == "train":
        return (f"{g('steps_done')}/{g('steps_planned')} steps on {g('trained_on')}, {g('s_per_step')} s/step "
                f"(first {g('s_first_step')} s), peak {g('peak_gpu_mem_allocated_gib')} GiB, "
                f"{g('completion_tokens_per_s_whole_step')} completion tok/s, "
                f"last reward {(f.get('last') or {}).get('reward', '-')}")
    if p.name == "eval":
        return (f"{g('documents')} documents via medvie-bench run on {g('device')}, {g('s_per_document')} s/doc, "
                f"{g('error_kinds')}")
    if p.name == "generate":
        speeds = ", ".join(f"{k}: {v.get('tokens_per_s')} tok/s" for k, v in f.items()
                           if k.startswith("batch") and isinstance(v, dict))
        return f"{speeds} ({g('device')}, {g('dtype')}), peak {g('peak_gpu_mem_allocated_gib')} GiB"
    if p.name == "tests":
        return "; ".join(f"{k}: {v.get('tests')} tests, {len(v.get('failed') or [])} failed, {v.get('seconds')} s"
                         for k, v in f.items() if isinstance(v, dict))
    return ""


def summary_text(report: Report) -> str:
    passed = sum(p.status == "pass" for p in report.parts)
    lines = [f"medvie-bench GPU check ({report.mode} mode): {passed}/{len(report.parts)} parts passed "
             f"in {report.wall_s:.0f} s of a {report.budget_s:.0f} s budget"]
    if report.install:
        i = report.install
        lines.append(f"{'install':9} {i.status:8} {i.seconds:6.1f} s  {i.method} {i.detail}".rstrip())
    for p in report.parts:
        line = f"{p.name:9} {p.status:8} {p.seconds:6.1f} s  {headline(p)}"
        if p.error:
            line += f"\n{'':27}error: {p.error[:300]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def pack_logs(work: Path, target: Path) -> None:
    with tarfile.open(target, "w:gz") as tar:
        for path in sorted(work.rglob("*")):
            if path.is_file() and path.suffix in LOG_SUFFIXES and path.stat().st_size < 5 * 2**20:
                tar.add(path, arcname=str(path.relative_to(work)))


def read_install(path: Path | None) -> InstallResult | None:
    if path is None or not path.is_file():
        return None
    try:
        return InstallResult.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        return InstallResult(status="fail", seconds=0.0, method="unknown", detail=f"unreadable {path}: {exc}")


def check(args: argparse.Namespace) -> int:
    parts = parse_parts(args.parts)
    settings = make_settings(args.cpu, args.set)
    budget = args.budget if args.budget is not None else (420.0 if settings.mode == "gpu" else 900.0)
    if budget <= 0:
        raise UsageError("--budget must be positive")
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    t0 = time.time()
    end = t0 + budget - REPORT_RESERVE_S
    work, out = args.work.resolve(), args.out.resolve()
    for sub in ("logs", "parts"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    (work / "settings.json").write_text(settings.model_dump_json(indent=1), encoding="utf-8")
    env = part_env(settings.mode, args.docs_cache.resolve())
    plan = timeouts(parts, settings.mode)
    results: list[PartResult] = []
    for i, (name, cap, min_s) in enumerate(plan):
        reserve = sum(m for _, _, m in plan[i + 1:])
        timeout = min(cap, end - time.time() - reserve)
        if timeout < min_s:
            results.append(PartResult(name=name, status="skipped", error=f"budget: {timeout:.0f} s left for it, "
                                      f"needs {min_s:.0f} s"))
        else:
            print(f"[gpu_check] {name}: up to {timeout:.0f} s", flush=True)
            results.append(run_part(name, timeout, work, env))
        print(f"[gpu_check] {name}: {results[-1].status} {headline(results[-1])}", flush=True)
    report = Report(mode=settings.mode, ok=all(p.status == "pass" for p in results), started_at=started,
                    wall_s=round(time.time() - t0, 1), budget_s=budget,
                    host={"platform": platform.platform(), "python": platform.python_version(),
                          "cpus": os.cpu_count()},
                    settings=settings, install=read_install(args.install_json), parts=results)
    text = summary_text(report)
    (out / "gpu_check.json").write_text(report.model_dump_json(indent=1), encoding="utf-8")
    (out / "gpu_check.txt").write_text(text, encoding="utf-8")
    pack_logs(work, out / "logs.tar.gz")
    print(text, end="")
    return 0 if report.ok else 1


def part_main(argv: list[str]) -> int:
    """``part NAME --work DIR --deadline EPOCH``: run one part, write ``parts/NAME.json``."""
    from gpu_check_parts import PARTS, PartFailed

    p = argparse.ArgumentParser(prog="gpu_check.py part")
    p.add_argument("name", choices=sorted(PARTS))
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--deadline", type=float, required=True)
    a = p.parse_args(argv)
    settings = CheckSettings.model_validate_json((a.work / "settings.json").read_text(encoding="utf-8"))
    figures: dict[str, Any] = {}
    error = None
    try:
        figures = PARTS[a.name](settings, a.work, a.deadline)
    except PartFailed as exc:
        figures, error = exc.figures, str(exc)
    except Exception as exc:
        traceback.print_exc()
        error = f"{type(exc).__name__}: {exc}"
    status = "pass" if error is None else "fail"
    payload = {"status": status, "figures": figures, "error": error}
    (a.work / "parts" / f"{a.name}.json").write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    return 0 if status == "pass" else 1


def docs_main(argv: list[str]) -> int:
    """``docs [--cpu] [--set ...] [--docs-cache DIR]``: generate the documents the parts read."""
    p = argparse.ArgumentParser(prog="gpu_check.py docs")
    p.add_argument("--cpu", action="store_true")
    p.add_argument("--set", action="append", default=[])
    p.add_argument("--docs-cache", type=Path, default=DEFAULT_DOCS_CACHE)
    a = p.parse_args(argv)
    settings = make_settings(a.cpu, a.set)
    os.environ["MEDVIE_CACHE"] = str(a.docs_cache.resolve())
    from rlvr.dataset import load_task_docs

    for split, n in (("train", settings.train_docs), ("test", settings.eval_docs)):
        _, docs = load_task_docs(settings.task, split, n)
        print(f"{settings.task} {split}: {len(docs)} documents in {a.docs_cache}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cpu", action="store_true", help="CPU mode: the GPU hidden, tiny sizes")
    p.add_argument("--out", type=Path, default=Path(os.environ.get("OUT") or "/tmp/gpu-check-out"),
                   help="where the report goes (default: $OUT, else /tmp/gpu-check-out)")
    p.add_argument("--work", type=Path, default=Path("/tmp/gpu-check-work"), help="scratch folder")
    p.add_argument("--docs-cache", type=Path, default=DEFAULT_DOCS_CACHE,
                   help="MEDVIE_CACHE for the parts (the carried synthetic documents)")
    p.add_argument("--budget", type=float, default=None, help="seconds for all parts (gpu 420, cpu 900)")
    p.add_argument("--parts", default=",".join(PART_NAMES), help="comma list; NAME:SECONDS caps one part")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="change one setting (steps, max_completion_length, eval_docs, ...)")
    p.add_argument("--install-json", type=Path, default=None, help="written by scripts/gpu_check.sh")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["part"]:
            return part_main(argv[1:])
        if argv[:1] == ["docs"]:
            return docs_main(argv[1:])
        return check(build_parser().parse_args(argv))
    except UsageError as exc:
        print(f"gpu_check: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
