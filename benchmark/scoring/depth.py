"""A bound on JSON nesting, for gold files and for untrusted model output alike.

Real extraction answers nest three or four levels (a list of lab indicators inside a report);
anything deeper than ``MAX_JSON_DEPTH`` containers is refused: a gold file that deep is an input
error, a prediction that deep is the parse error ``too_deep``. The bound keeps every recursive
step after parsing (flattening, tree edit distance, record serialisation) far from Python's
recursion limit. Depth counts containers: ``1`` and ``"a"`` have depth 0, ``{}`` and ``[1]``
depth 1, ``{"a": [1]}`` depth 2.
"""

from __future__ import annotations

import re
from typing import Any

MAX_JSON_DEPTH = 64

_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)


def exceeds_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a decoded JSON value nests more than ``limit`` containers (iterative, no recursion)."""
    if type(value) is not dict and type(value) is not list:
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        container, depth = stack.pop()
        if depth > limit:
            return True
        for child in container.values() if type(container) is dict else container:
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    return False


def cap_depth(text: str, depth: int) -> str:
    """JSON text with every container that opens at nesting level ``depth`` replaced by ``[]``.

    The result decodes without deep recursion, and a value that was deeper than ``depth - 1``
    still is (its capped containers sit at level ``depth``), so the depth check after decoding
    still refuses it. Text that is not JSON stays not JSON.
    """
    out: list[str] = []
    level = 0
    kept_to = 0
    cut_from = -1
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token[0] == '"':
            continue
        if token in "[{":
            level += 1
            if level == depth and cut_from < 0:
                cut_from = match.start()
        else:
            if level == depth and cut_from >= 0:
                out.append(text[kept_to:cut_from])
                out.append("[]")
                kept_to = match.end()
                cut_from = -1
            level -= 1
    if cut_from >= 0:  # unclosed at the end: keep it unclosed (still not JSON), but shallow
        out.append(text[kept_to:cut_from])
        out.append("[")
    else:
        out.append(text[kept_to:])
    return "".join(out)
