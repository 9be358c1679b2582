"""Import circles of the project's packages: strongly connected components of the module import graph.

    python3 scripts/import_cycles.py [--strings] [ROOT ...]
    (default roots: benchmark medvie_synth baselines leaderboard rlvr)

Edges are found with ``ast`` in the whole file, imports inside functions included; imports under
``if TYPE_CHECKING:`` never run and are left out. ``from pkg import name`` is an edge to ``pkg.name``
when that is a module, else to ``pkg``; a parent package is not an edge of its submodules.
``--strings`` also counts imports by string, which run on first use: ``"package.module:Class"`` and
``"package.module"`` literals (adapter and CLI tables) and an f-string ``f"pkg.{...}"`` combined with
a string constant of the same file naming a submodule of ``pkg`` (the lazy ``_LAZY`` maps of
package ``__init__`` files, ``synth.kinds.KINDS``). Prints each component of more than one module
with one shortest circle through it; exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import ast
import itertools
import sys
from collections import deque
from pathlib import Path

DEFAULT_ROOTS = ("benchmark", "medvie_synth", "baselines", "leaderboard", "rlvr")


def module_name(path: Path, base: Path) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _target(name: str, modules: set[str]) -> str | None:
    """The longest known module that ``name`` starts with."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in modules:
            return ".".join(parts[:n])
    return None


def edges_of(mod: str, path: Path, modules: set[str], strings: bool) -> dict[str, tuple[str, int]]:
    """Target module → (kind, line) of the first import of it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    is_pkg = path.name == "__init__.py"
    out: dict[str, tuple[str, int]] = {}

    def add(target: str | None, kind: str, line: int) -> None:
        if target and target != mod and line not in skip:
            out.setdefault(target, (kind, line))

    constants: list[tuple[str, int]] = []
    prefixes: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(_target(alias.name, modules), "import", node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = mod.split(".") if is_pkg else mod.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                add(full if full in modules else _target(base, modules), "import", node.lineno)
        elif strings and isinstance(node, ast.Constant) and isinstance(node.value, str):
            constants.append((node.value, node.lineno))
        elif strings and isinstance(node, ast.JoinedStr) and node.values:
            head = node.values[0]
            if isinstance(head, ast.Constant) and str(head.value).endswith("."):
                prefixes.append(str(head.value)[:-1])
    for value, line in constants:
        name = value.split(":", 1)[0] if value.count(":") == 1 else value
        if name in modules and "." in name:
            add(name, "string", line)
        for prefix in prefixes:
            if f"{prefix}.{value}" in modules:
                add(f"{prefix}.{value}", "string", line)
    return out


def strongly_connected(graph: dict[str, dict[str, tuple[str, int]]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                out.append(sorted(comp))
    return out


def shortest_circle(graph: dict[str, dict[str, tuple[str, int]]], comp: list[str]) -> list[str]:
    start, members = comp[0], set(comp)
    prev: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph.get(node, {})):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(prev[path[-1]])
                return [*reversed(path), start]
            if child in members and child not in prev:
                prev[child] = node
                queue.append(child)
    return comp


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roots", nargs="*", default=list(DEFAULT_ROOTS))
    parser.add_argument("--strings", action="store_true", help="also count imports by string (lazy maps, 'mod:Class')")
    args = parser.parse_args(argv)
    base = Path(__file__).resolve().parents[1]
    files = {module_name(p, base): p for root in args.roots for p in sorted((base / root).rglob("*.py"))}
    modules = set(files)
    graph = {mod: edges_of(mod, path, modules, args.strings) for mod, path in files.items()}
    circles = [c for c in strongly_connected(graph) if len(c) > 1]
    n_edges = sum(len(e) for e in graph.values())
    print(f"{len(modules)} modules, {n_edges} import edges{' (strings included)' if args.strings else ''}: "
          f"{len(circles)} import circle(s)")
    for comp in sorted(circles, key=lambda c: (-len(c), c)):
        circle = shortest_circle(graph, comp)
        hops = " → ".join(
            f"{a} ({graph[a][b][0]}, line {graph[a][b][1]})" for a, b in itertools.pairwise(circle)
        )
        print(f"- {len(comp)} modules: {', '.join(comp)}\n  e.g. {hops} → {circle[-1]}")
    return 1 if circles else 0


if __name__ == "__main__":
    sys.exit(main())
