"""Regenerates the module list at the end of ``docs/architecture.md`` (modules and line counts of
the product packages), so the map stays true when a room moves.

    python3 scripts/module_list.py          # rewrite the list in place
    python3 scripts/module_list.py --check  # exit 1 when the page misses a module or lists a gone one

``--check`` compares module names, not line counts: counts drift with every edit and are refreshed
whenever the list is regenerated; a room added, moved or removed is what makes the map untrue.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("baselines", "benchmark", "leaderboard", "medvie_synth", "rlvr")
PAGE = ROOT / "docs" / "architecture.md"
BLOCK = re.compile(r"<details><summary>Module list with line counts.*?</details>", re.S)


def module_lines() -> dict[Path, int]:
    return {p.relative_to(ROOT): len(p.read_text(encoding="utf-8").splitlines())
            for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py")) if "__pycache__" not in p.parts}


def render(lines: dict[Path, int]) -> str:
    by_package: dict[Path, dict[str, int]] = defaultdict(dict)
    for path, n in lines.items():
        by_package[path.parent][path.stem] = n
    largest = max(lines, key=lambda p: lines[p])
    out = [
        f"<details><summary>Module list with line counts ({len(lines)} modules, {sum(lines.values()):,} lines; "
        f"median {statistics.median(lines.values()):.0f}, largest <code>{largest.as_posix()}</code> "
        f"{lines[largest]})</summary>",
        "",
        "| package | modules | lines | module (lines) |",
        "|---|---|---|---|",
    ]
    for package in sorted(by_package):
        mods = by_package[package]
        names = sorted(mods, key=lambda m: (m != "__init__", m))
        listed = ", ".join(f"`{m}` {mods[m]}" if m == "__init__" else f"{m} {mods[m]}" for m in names)
        out.append(f"| `{package.as_posix()}/` | {len(mods)} | {sum(mods.values()):,} | {listed} |")
    return "\n".join([*out, "", "</details>"])


def _names(block: str) -> set[str]:
    """``package/module`` for every module a rendered list names."""
    names = set()
    for package, modules in re.findall(r"^\| `([^`]+)/` \| \d+ \| [\d,]+ \| (.*) \|$", block, re.M):
        names.update(f"{package}/{m.split()[0].strip('`')}" for m in modules.split(", "))
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    page = PAGE.read_text(encoding="utf-8")
    if not BLOCK.search(page):
        print(f"{PAGE}: no module list block found", file=sys.stderr)
        return 2
    new = BLOCK.sub(lambda _: render(module_lines()), page, count=1)
    if args.check:
        listed, actual = _names(BLOCK.search(page).group(0)), _names(new)
        for name in sorted(actual - listed):
            print(f"{PAGE.name}: module list lacks {name} (run python3 scripts/module_list.py)", file=sys.stderr)
        for name in sorted(listed - actual):
            print(f"{PAGE.name}: module list names {name}, which is gone", file=sys.stderr)
        return 0 if listed == actual else 1
    PAGE.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
