"""The start-up thread that imports the first paint's plain modules while PySide6 loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.core.warm_imports import FIRST_PAINT_MODULES

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from app.core.warm_imports import warm_in_background
warm_in_background().join(60)
print(json.dumps({"loaded": [n for n in sys.argv[1:] if n in sys.modules],
                  "qt": sorted(n for n in sys.modules if n.startswith(("PySide6", "shiboken6")))}))
"""


def test_the_thread_loads_every_listed_module_and_nothing_of_qt():
    result = subprocess.run([sys.executable, "-c", PROBE, *FIRST_PAINT_MODULES], check=False, cwd=ROOT,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["loaded"] == list(FIRST_PAINT_MODULES)
    # Qt is the main thread's: its modules are imported (and its objects made) there only.
    assert seen["qt"] == []
