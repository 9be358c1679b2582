"""docs/architecture.md is the map of the code: its module list names the modules on disk (line
counts are refreshed when the list is regenerated)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_module_list_is_current():
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "module_list.py"), "--check"],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr  # names the module and the command that fixes the list
