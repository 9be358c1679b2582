"""medvie-bench: benchmark, leaderboard and RLVR harness for medical visual information extraction.

The public facade is small; everything else lives in private-ish submodules:

    from benchmark import score_document, load_task, run_eval
"""

from benchmark.scoring import DocCounts, aggregate, parse_output, score_document

__version__ = "0.1.0"

__all__ = ["DocCounts", "__version__", "aggregate", "parse_output", "score_document"]
