"""The committed leaderboard is a pure function of the committed runs.

``leaderboard/runs/`` holds the run directories (predictions with per-document counts, manifests)
that ``leaderboard/index.html``, ``leaderboard.json`` and ``leaderboard.csv`` were built from.
Rebuilding from them must give the published figures, so a run added without rebuilding the page,
or a page edited by hand, fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leaderboard.build import BuildOptions, build_data
from leaderboard.collect import collect
from leaderboard.config import load_display
from leaderboard.render import table

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "leaderboard" / "runs"
PUBLISHED = ROOT / "leaderboard" / "leaderboard.json"


@pytest.fixture(scope="module")
def rebuilt() -> dict:
    opt = BuildOptions(include_paths=(ROOT / "rlvr" / "tasks",))
    col = collect(RUNS, keep_records=0, include_paths=opt.include_paths)
    return build_data(col, load_display(None), opt, with_explorer=False)


def test_published_json_is_rebuilt_from_committed_runs(rebuilt):
    published = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    fresh = json.loads(json.dumps(rebuilt, ensure_ascii=False, allow_nan=False))
    for data in (published, fresh):  # the explorer (documents, thumbnails) is not rebuilt here
        data["meta"].pop("generated_at")
        data["meta"].pop("explorer_docs")
        data.pop("explorer", None)
    assert fresh["runs"] == published["runs"]
    assert fresh == published


def test_published_csv_matches(rebuilt):
    published = (ROOT / "leaderboard" / "leaderboard.csv").read_text(encoding="utf-8")
    assert table(rebuilt).to_csv(index=False) == published


def test_every_committed_run_is_accounted_for(rebuilt):
    on_disk = {p.parent.relative_to(RUNS).as_posix() for p in RUNS.rglob("manifest.json")}
    assert on_disk == {r["run_key"] for r in rebuilt["runs"]}
    assert all(r["included"] or r["reason"] for r in rebuilt["runs"])
