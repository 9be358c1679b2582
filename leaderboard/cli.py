"""``medvie-bench leaderboard``: every run under --runs → index.html, leaderboard.json, .csv."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any


def build_board(runs: Path, out: Path, include_paths: list[Path], **options: Any) -> tuple[dict[str, Any], dict]:
    """Collect every run under ``runs`` and write the board to ``out``: (data, {kind: path}).

    ``options`` are :class:`leaderboard.build.BuildOptions` fields (resamples, seed, …); the
    include paths add ``$MEDVIE_INCLUDE_PATH``. Raises ``ValueError`` on bad runs or display files."""
    from leaderboard.build import BuildOptions, build_data
    from leaderboard.collect import collect
    from leaderboard.config import load_display
    from leaderboard.render import write_leaderboard

    display = load_display(options.pop("display", None))
    env = [Path(x) for x in os.environ.get("MEDVIE_INCLUDE_PATH", "").split(os.pathsep) if x]
    opt = BuildOptions(include_paths=tuple(env + list(include_paths)), **options)
    col = collect(runs, keep_records=opt.explorer_docs, include_paths=opt.include_paths)
    data = build_data(col, display, opt)
    return data, write_leaderboard(data, out)


def cmd_leaderboard(args: argparse.Namespace) -> int:
    if not args.runs.is_dir():
        print(f"medvie-bench leaderboard: no runs folder {args.runs}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    try:
        data, paths = build_board(
            args.runs, args.out, args.include_path, display=args.display,
            resamples=args.resamples, seed=args.seed, alpha=args.alpha, baseline=args.baseline,
            explorer_docs=args.explorer_docs, explorer_budget=args.explorer_budget, cache_dir=args.cache_dir,
        )
    except ValueError as exc:
        print(f"medvie-bench leaderboard: {exc}", file=sys.stderr)
        return 2
    meta = data["meta"]
    print(f"{meta['n_included']} of {meta['n_runs']} runs, {len(data['entries'])} models, "
          f"{len(data['scopes'])} columns in {time.perf_counter() - start:.1f} s")
    for kind, path in paths.items():
        print(f"{kind:<5} {path}  ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


def add_subparser(sub: Any) -> None:
    p = sub.add_parser("leaderboard", help="build the static leaderboard page from all runs")
    p.add_argument("--runs", type=Path, default=Path("runs"), help="runs folder (default: ./runs)")
    p.add_argument("--out", type=Path, default=Path("leaderboard"),
                   help="output folder for index.html, leaderboard.json, leaderboard.csv")
    p.add_argument("--baseline", default=None,
                   help="model marked as baseline for significance (default: rules, if run)")
    p.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--explorer-docs", type=int, default=12, metavar="N",
                   help="documents per task and model in the document explorer (0: none)")
    p.add_argument("--explorer-budget", type=int, default=3000, metavar="N",
                   help="at most N document views in all: fewer per model and task on big boards")
    p.add_argument("--display", type=Path, default=None, help="display YAML (default: packaged)")
    p.add_argument("--cache-dir", type=Path, default=None,
                   help="thumbnail cache (default: $MEDVIE_CACHE/thumbs)")
    p.add_argument("--include-path", action="append", default=[], type=Path, metavar="DIR",
                   help="extra folder of task YAML files, for ground truth and images")
    p.set_defaults(func=cmd_leaderboard)
