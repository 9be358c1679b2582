"""The leaderboard: run directories → pandas tables → statistics → one self-contained HTML page.

``collect`` reads runs into tables, ``build`` turns them into the page's data (with the
statistics of :mod:`benchmark.stats`), ``render`` writes ``index.html``, ``leaderboard.json`` and
``leaderboard.csv``; ``display.yaml`` holds names, metric directions and task groups.
Submodules are imported on first use, so ``medvie-bench`` starts without pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "BuildOptions": "leaderboard.build",
    "build_data": "leaderboard.build",
    "Collection": "leaderboard.collect",
    "collect": "leaderboard.collect",
    "DisplayConfig": "leaderboard.config",
    "load_display": "leaderboard.config",
    "render_html": "leaderboard.render",
    "write_leaderboard": "leaderboard.render",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'leaderboard' has no attribute {name!r}")
