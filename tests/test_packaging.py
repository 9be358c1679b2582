"""Packaging: the console script works, and help and scoring never import heavy dependencies."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

HEAVY = ("torch", "transformers", "vllm", "trl", "peft", "datasets", "onnxruntime", "rapidocr", "llama_cpp")


def test_help_and_scoring_import_no_heavy_dependency():
    code = (
        "import sys, io, contextlib\n"
        "from benchmark.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "from benchmark import score_document, aggregate, parse_output\n"
        "aggregate([score_document({'a': '1'}, parse_output('{\"a\": 1}').value)])\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_console_script_help():
    out = subprocess.run(["medvie-bench", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("run", "score", "tasks", "models"):
        assert command in out.stdout
