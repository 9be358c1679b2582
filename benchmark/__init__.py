"""medvie-bench: benchmark, leaderboard and RLVR harness for medical visual information extraction.

The public facade is small; everything else lives in private-ish submodules:

    from benchmark import score_document, load_task, run_eval
"""

from typing import Any

__version__ = "0.1.0"

__all__ = ["DocCounts", "__version__", "aggregate", "parse_output", "score_document"]
_FROM_SCORING = ("DocCounts", "aggregate", "parse_output", "score_document")


def __getattr__(name: str) -> Any:
    """The facade's names are imported on first use, so that ``import benchmark.<anything>`` (every
    CLI command) does not pay for the scorer's imports (numpy) it may not need."""
    if name in _FROM_SCORING:
        from benchmark import scoring

        return getattr(scoring, name)
    raise AttributeError(f"module 'benchmark' has no attribute {name!r}")
