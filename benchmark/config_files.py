"""YAML files that may ``extends:`` another (model specs, RLVR training configs).

A file states only what it changes: its mappings are merged over the parent's key by key, lists and
plain values replace the parent's. ``extends`` is a path relative to the file; relative paths
inside the merged result are read against the extending file, as if it had spelled them out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it (same safe constructors, ~6x faster: task files are
# parsed on every start-up), the pure-Python one otherwise
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` through the fastest safe loader available."""
    return yaml.load(text, Loader=_SAFE_LOADER)


def merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in child.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def read_yaml_extending(
    path: Path, what: str, own: tuple[str, ...] = (), _seen: tuple[Path, ...] = ()
) -> dict[str, Any]:
    """The mapping in ``path`` with its ``extends`` chain resolved. ``own`` lists keys an extending
    file must set itself (a spec's ``name``: inheriting it would shadow the parent). Errors are
    ``ValueError`` naming the file."""
    path = path.resolve()
    if path in _seen:
        raise ValueError(f"{_seen[-1]}: 'extends' loops back to {path}")
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        where = f"{_seen[-1]}: extends " if _seen else ""
        raise ValueError(f"{where}{path}: cannot read the {what}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: YAML does not parse: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a {what} must be a YAML mapping")
    parent = data.pop("extends", None)
    if parent is None:
        return data
    missing = [k for k in own if k not in data]
    if missing:
        raise ValueError(f"{path}: a {what} that extends another must set its own {', '.join(missing)}")
    return merge(read_yaml_extending(path.parent / str(parent), what, (), (*_seen, path)), data)
