"""The one shared scorer: parse → flatten/normalise → align → counts → aggregates.

``rlvr`` imports this package for its reward; nothing else re-implements matching.
"""

from benchmark.scoring.aggregate import aggregate, field_table, prf
from benchmark.scoring.counts import ERROR_KINDS, DocCounts, total
from benchmark.scoring.keys import scalar_paths
from benchmark.scoring.match import restrict, score_document
from benchmark.scoring.parse import PARSE_ERRORS, ParseResult, parse_output

__all__ = [
    "ERROR_KINDS",
    "PARSE_ERRORS",
    "DocCounts",
    "ParseResult",
    "aggregate",
    "field_table",
    "parse_output",
    "prf",
    "restrict",
    "scalar_paths",
    "score_document",
    "total",
]
