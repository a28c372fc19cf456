"""The launcher's application gets Fusion from Qt's own `-style` argument, and the theme's palette
still wins: the first paint looks exactly as when `apply_theme` set the style itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QPushButton
from app.ui import theme
app = theme.styled_application("opsdesk") if sys.argv[1] == "styled" else QApplication(["opsdesk"])
calls = []
original = QApplication.setStyle
QApplication.setStyle = staticmethod(lambda *args: calls.append(args) or original(*args))
theme.apply_theme(app, sys.argv[2])
button = QPushButton("Retry")
button.show()
app.processEvents()
palette = button.palette()
print(json.dumps({"style": app.style().name(), "set_style_calls": len(calls),
                  "window": palette.color(QPalette.ColorRole.Window).name(),
                  "button": palette.color(QPalette.ColorRole.Button).name(),
                  "text": palette.color(QPalette.ColorRole.ButtonText).name()}))
"""


def _look(how: str, mode: str) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", PROBE, how, mode], check=False, cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_styled_application_looks_as_one_styled_by_apply_theme(mode):
    styled, plain = _look("styled", mode), _look("plain", mode)
    assert styled["style"] == plain["style"] == "fusion"
    assert {k: styled[k] for k in ("window", "button", "text")} == {k: plain[k] for k in ("window", "button", "text")}
    # The style came from Qt's argument: apply_theme did not hand it to Python again.
    assert styled["set_style_calls"] == 0 and plain["set_style_calls"] == 1
