"""The layer rules hold: only app.ui imports Qt, the sandbox stands alone (import-linter contracts)."""

import subprocess
import sys
from pathlib import Path


def test_import_contracts_are_kept():
    root = Path(__file__).resolve().parents[1]
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
