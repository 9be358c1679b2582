"""Start-up: which heavy packages `medvie-bench --help` and `medvie-bench score` import, checked in
a fresh interpreter (timing lives in bench/bench_startup.py; this asserts the cause of slowness)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# imported by none of the commands below (each takes from 0.1 s to several seconds to import)
NEVER = ["pandas", "torch", "datasets", "ray", "transformers", "pyarrow", "openai", "httpx", "PIL", "tqdm"]
# scipy.optimize's package import alone is ~0.4 s of CPU; the scorer loads only scipy's assignment solver
NOT_FOR_SCORE = [*NEVER, "scipy.optimize", "scipy.linalg", "scipy.sparse", "zss"]
NOT_FOR_HELP = [*NEVER, "numpy", "scipy", "pydantic", "jinja2", "yaml", "rapidfuzz"]

PROBE = """
import contextlib, io, json, sys
from benchmark.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def imported_by(*argv: str) -> tuple[int, set[str]]:
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["code"], set(result["modules"])


def test_help_imports_no_heavy_package():
    code, modules = imported_by("--help")
    assert code == 0
    assert sorted(m for m in NOT_FOR_HELP if m in modules) == []


def test_score_imports_only_what_scoring_needs(tmp_path: Path):
    rows = [{"Item Name": "WBC", "Result": "5.3"}, {"Item Name": "RBC", "Result": "4.1"}]
    gt = {"Name": "Zhang San", "Indicators": rows}
    pred = {"Name": "Zhang San", "Indicators": [rows[1], {**rows[0], "Result": "5.8"}]}
    gold_path, pred_path = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold_path.write_text(json.dumps({"id": "a", "gt": gt}) + "\n", encoding="utf-8")
    pred_path.write_text(json.dumps({"id": "a", "prediction": pred}) + "\n", encoding="utf-8")
    # med-lab-en declares Indicators a list of objects: its rows are aligned
    code, modules = imported_by("score", "--gold", str(gold_path), "--pred", str(pred_path), "--task", "med-lab-en")
    assert code == 0
    assert "scipy.optimize._lsap" in modules  # the two rows were aligned: the solver did run
    assert sorted(m for m in NOT_FOR_SCORE if m in modules) == []
