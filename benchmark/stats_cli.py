"""``medvie-bench compare``: F1 (or ``--metric``) with 95% CIs per run, and every pair's ΔF1 with a
paired test (:func:`benchmark.stats.compare_all`).

Each argument is a run directory or a model name (then its latest finished run on ``--task``
under ``--runs``). Runs must share task version and document ids, or the command refuses.
``--by CONDITION`` repeats the figures per level of a capture condition that the records carry
(``PredictionRecord.conditions``: ``rotation``, ``crop``, ``table_groups``, ``image_type``...).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from benchmark.records import RunManifest


class CompareError(ValueError):
    """A run that cannot be found or compared; the message says why."""


@dataclass
class LoadedRun:
    label: str
    path: Path
    manifest: RunManifest
    ids: list[str]
    table: dict[str, np.ndarray]  # every registered statistic (benchmark.metrics), documents sorted by id
    conditions: list[dict[str, Any] | None] = field(default_factory=list)  # per document, same order

    def counts(self, metric: str) -> np.ndarray:
        """(n_docs, k) statistics of a pooled metric ([tp, fp, fn] for F1)."""
        from benchmark.metrics import pooled

        return pooled(metric).counts(self.table)


def find_run(name: str, task: str | None, runs: Path) -> Path:
    """A run directory, or the latest finished run of model ``name`` on ``task`` under ``runs``.

    A model name picks its runs with all keys and thinking off; ``NAME+thinking`` thinking on.
    """
    from benchmark.store import MANIFEST, RunStore  # here: `medvie-bench --help` imports this module

    path = Path(name)
    if (path / MANIFEST).is_file():
        return path
    if task is None:
        raise CompareError(f"{name!r} is not a run directory; give --task to look it up by model")
    model, thinking = (name[: -len("+thinking")], True) if name.endswith("+thinking") else (name,
                                                                                         False)
    candidates = []
    for d in sorted((runs / task).glob(f"{model}__*")):
        try:
            m = RunStore(d).read_manifest()
        except (OSError, ValueError):
            continue
        if (m.model.get("name") == model and m.status == "finished"
                and bool(m.settings.get("thinking")) == thinking
                and m.settings.get("keys", "all") == "all"):
            candidates.append((m.finished_at or "", (d / MANIFEST).stat().st_mtime_ns, str(d), d))
    if not candidates:
        raise CompareError(f"no finished run of model {name!r} on task {task!r} under {runs} "
                           "(with all keys; a run directory can be given instead)")
    return max(candidates)[3]


def load_run(path: Path) -> LoadedRun:
    from benchmark.metrics.table import doc_table
    from benchmark.store import RunStore

    store = RunStore(path)
    manifest = store.read_manifest()
    if manifest.status != "finished":
        raise CompareError(f"{path}: the run is not finished (resume it with the same command)")
    records = sorted(store.iter_latest(manifest.cache_key), key=lambda r: r.id)
    n = manifest.task.get("n_docs")
    if n is not None and len(records) != n:
        raise CompareError(f"{path}: {len(records)} records for {n} documents")
    label = manifest.model.get("name", path.name)
    label += "+thinking" if manifest.settings.get("thinking") else ""
    return LoadedRun(label, path, manifest, [r.id for r in records], doc_table(records),
                     [r.conditions for r in records])


def check_runs(runs: list[LoadedRun]) -> None:
    """Refuse runs on different tasks, task versions or documents."""
    from benchmark.stats import check_comparable

    first = runs[0]
    for other in runs[1:]:
        ta, tb = first.manifest.task, other.manifest.task
        if ta.get("name") != tb.get("name"):
            raise CompareError(f"runs are on different tasks: {ta.get('name')} ({first.path}) "
                               f"and {tb.get('name')} ({other.path})")
        try:
            check_comparable(first.ids, other.ids, ta.get("version"), tb.get("version"))
        except ValueError as exc:
            raise CompareError(f"cannot compare {first.path} and {other.path}: {exc}") from exc


def _labels(runs: list[LoadedRun]) -> None:
    """Unique labels: a model name shared by several runs becomes the shortest tail of each run's
    path that tells them apart (``name``, ``parent/name``, ...), then ``#1``, ``#2``, ... for the
    same folder given twice."""
    shared = [r for r in runs if sum(o.label == r.label for o in runs) > 1]
    for depth in range(1, 4):
        tails = ["/".join(r.path.resolve().parts[-depth:]) for r in shared]
        if len(set(tails)) == len(tails) or depth == 3:
            for r, tail in zip(shared, tails, strict=True):
                r.label = tail
            break
    repeated = [sum(o.label == r.label for o in runs) > 1 for r in runs]
    for i, (r, again) in enumerate(zip(runs, repeated, strict=True)):
        if again:
            r.label += f"#{i + 1}"


def _label(metric: str) -> str:
    from benchmark.metrics import get

    return get(metric).label


def report(runs: list[LoadedRun], resamples: int, seed: int, alpha: float, metric: str = "f1") -> str:
    from benchmark.stats import compare_all

    comp = compare_all({r.label: r.counts(metric) for r in runs}, metric, resamples, alpha, seed)
    name = _label(metric)
    task = runs[0].manifest.task
    level = round(100 * (1 - alpha))
    w = max(12, *(len(r.label) for r in runs))
    lines = [
        f"task {task.get('name')} (version {task.get('version')}), {len(runs[0].ids)} documents, "
        f"{resamples} paired bootstrap resamples, seed {seed}",
        "",
        f"{'model':<{w}}  {name:>6}  {f'{level}% CI':<16}  run",
    ]
    for r, ci in zip(runs, comp.cis, strict=True):
        lines.append(f"{r.label:<{w}}  {ci.estimate:6.3f}  [{ci.low:.3f}, {ci.high:.3f}]    {r.path}")
    return "\n".join(lines + _pair_lines(comp, alpha))


def _pair_lines(comp: Any, alpha: float) -> list[str]:
    """The pairs of a ``Comparison``: Δ with its CI, bootstrap and randomization p-values."""
    from benchmark.stats import format_p

    level = round(100 * (1 - alpha))
    lines: list[str] = []
    if comp.pairs:
        pw = max(len(p.model_b) + len(p.model_a) + 3 for p in comp.pairs)
        lines += ["", f"{'B − A':<{pw}}  {'Δ' + _label(comp.metric):>7}  {f'{level}% CI':<18}  {'p':>6}  {'p_Holm':>6}"
                      f"  {'p_AR_Holm':>9}"]
        for p in comp.pairs:
            star = "*" if p.p_bootstrap_holm <= alpha else " "
            lines.append(
                f"{p.model_b + ' − ' + p.model_a:<{pw}}  {p.delta:+7.3f}  "
                f"[{p.low:+.3f}, {p.high:+.3f}]  {format_p(p.p_bootstrap):>6}  "
                f"{format_p(p.p_bootstrap_holm):>6}{star} {format_p(p.p_randomization_holm):>9}"
            )
        n = len(comp.pairs)
        lines += ["", f"p: paired bootstrap, two-sided; p_Holm: Holm-adjusted over {n} "
                      f"pair{'s' if n > 1 else ''} (* significant at α = {alpha}); "
                      "p_AR_Holm: approximate randomization, Holm-adjusted"]
    return lines


def document_conditions(runs: list[LoadedRun]) -> list[dict[str, Any] | None]:
    """Each document's conditions, from the first run whose records carry them; runs that carry
    them must agree (they scored the same documents)."""
    carrying = [r for r in runs if any(r.conditions)]
    if not carrying:
        raise CompareError(f"the records of {runs[0].path} carry no conditions (runs made before records "
                           "recorded them, or a task whose documents have none); --by needs them")
    first = carrying[0]
    for other in carrying[1:]:
        if other.conditions != first.conditions:
            doc = next(i for i, (a, b) in enumerate(zip(first.conditions, other.conditions, strict=True)) if a != b)
            raise CompareError(f"{first.path} and {other.path} record different conditions for document "
                               f"{first.ids[doc]!r}")
    return first.conditions


def report_by(runs: list[LoadedRun], name: str, resamples: int, seed: int, alpha: float,
              metric: str = "f1") -> str:
    """F1 (or ``metric``) with CIs per level of condition ``name`` and model, then per level the paired tests
    between the models (Holm over that level's pairs)."""
    from benchmark.conditions import condition_names, group_by_level
    from benchmark.stats import compare_all

    conditions = document_conditions(runs)
    known = condition_names(conditions)
    if name not in known:
        raise CompareError(f"no record carries condition {name!r}; conditions: {', '.join(known)}")
    groups = group_by_level(conditions, name)
    task = runs[0].manifest.task
    level = round(100 * (1 - alpha))
    comps = {lv: compare_all({r.label: r.counts(metric)[idx] for r in runs}, metric, resamples, alpha, seed)
             for lv, idx in groups.items()}
    lw = max(len(name), *(len(lv) for lv in groups))
    cw = max(22, *(len(r.label) for r in runs))
    lines = [
        f"task {task.get('name')} (version {task.get('version')}), {len(runs[0].ids)} documents by {name}, "
        f"{resamples} paired bootstrap resamples, seed {seed}; {_label(metric)} [{level}% CI]",
        "",
        f"{name:<{lw}}  {'n':>4}  " + "  ".join(f"{r.label:<{cw}}" for r in runs),
    ]
    for lv, comp in comps.items():
        cells = [f"{ci.estimate:.3f} [{ci.low:.3f}, {ci.high:.3f}]" for ci in comp.cis]
        lines.append(f"{lv:<{lw}}  {len(groups[lv]):>4}  " + "  ".join(f"{c:<{cw}}" for c in cells))
    if len(runs) > 1:
        for lv, comp in comps.items():
            lines += ["", f"{name} = {lv} ({len(groups[lv])} documents)", *_pair_lines(comp, alpha)[1:]]
    return "\n".join(lines)


def cmd_compare(args: argparse.Namespace) -> int:
    from benchmark.metrics import pooled

    try:
        try:
            pooled(args.metric)
        except ValueError as exc:
            raise CompareError(f"--metric: {exc}") from None
        runs = [load_run(find_run(x, args.task, args.runs)) for x in args.runs_or_models]
        if args.task and any(r.manifest.task.get("name") != args.task for r in runs):
            bad = next(r for r in runs if r.manifest.task.get("name") != args.task)
            raise CompareError(f"{bad.path} is a run of task {bad.manifest.task.get('name')!r}, "
                               f"not {args.task!r}")
        check_runs(runs)
        _labels(runs)
        if args.by:
            print(report_by(runs, args.by, args.resamples, args.seed, args.alpha, args.metric))
        else:
            print(report(runs, args.resamples, args.seed, args.alpha, args.metric))
    except (CompareError, FileNotFoundError) as exc:
        print(f"medvie-bench compare: {exc}", file=sys.stderr)
        return 2
    return 0


def add_subparser(sub: Any) -> None:
    p = sub.add_parser("compare", help="compare runs: F1 with CIs, paired tests, Holm adjustment")
    p.add_argument("runs_or_models", nargs="+", metavar="RUN_OR_MODEL",
                   help="a run directory, or a model name (its latest finished run on --task)")
    p.add_argument("--task", help="task of the runs (needed to look models up by name)")
    p.add_argument("--runs", type=Path, default=Path("runs"), help="runs folder (default: ./runs)")
    p.add_argument("--resamples", type=int, default=10_000, help="bootstrap resamples")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--metric", default="f1",
                   help="a pooled metric of the registry (benchmark/metrics/): f1, precision, recall...")
    p.add_argument("--by", metavar="CONDITION", default=None,
                   help="F1 and paired tests per level of a condition the records carry (rotation, crop, "
                        "table_groups, image_type...)")
    p.add_argument("--include-path", action="append", default=[], type=Path, metavar="DIR",
                   help="extra folder of task YAML files (accepted for symmetry; unused)")
    p.set_defaults(func=cmd_compare)
