"""``scipy.optimize.linear_sum_assignment`` without importing all of ``scipy.optimize``.

The function lives in scipy's compiled ``scipy.optimize._lsap``, which needs only numpy. Reaching
it through ``scipy.optimize`` first runs that package's ``__init__`` (scipy.optimize, scipy.linalg,
scipy.sparse, numpy.f2py: about 0.4 s of CPU), a cost every ``medvie-bench score`` paid on its
first list of objects. The extension is loaded from its file instead; with a scipy laid out
differently the public import is used.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


@functools.cache
def _implementation() -> Callable[..., Any]:
    import importlib.machinery
    import importlib.util
    from pathlib import Path

    try:
        spec = importlib.util.find_spec("scipy")
        if spec is None or spec.origin is None:
            raise ImportError("scipy")
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = Path(spec.origin).parent / "optimize" / f"_lsap{suffix}"
            if path.is_file():
                loader = importlib.machinery.ExtensionFileLoader("scipy.optimize._lsap", str(path))
                module_spec = importlib.util.spec_from_file_location("scipy.optimize._lsap", path, loader=loader)
                if module_spec is None:
                    break
                module = importlib.util.module_from_spec(module_spec)
                loader.exec_module(module)
                return module.linear_sum_assignment
    except (ImportError, OSError, AttributeError):
        pass
    from scipy.optimize import linear_sum_assignment

    return linear_sum_assignment


def linear_sum_assignment(cost_matrix: Any, maximize: bool = False) -> tuple[Any, Any]:
    """(row indices, column indices) of an optimal assignment, as scipy's."""
    return _implementation()(cost_matrix, maximize=maximize)
