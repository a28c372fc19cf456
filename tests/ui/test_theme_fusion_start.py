"""The console's QApplication starts in Fusion (Qt's `-style` argument) and keeps it through theme
switches: Fusion is what draws both schemes from the palette on every platform, so a native style
left in place would show light controls inside a dark window (on Windows, macOS)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    from PySide6.QtGui import QPalette
    from app.ui.theme import apply_theme, fusion_application

    app = fusion_application("opsdesk")
    for mode in ("dark", "light", "dark"):
        apply_theme(app, mode)
        window = app.palette().color(QPalette.ColorRole.Window).lightness()
        print(mode, app.style().name(), "dark" if window < 128 else "light")
""")


def test_the_console_application_is_fusion_in_every_theme():
    # A process of its own: the test session's QApplication already exists and has its style.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_STYLE_OVERRIDE": "windows"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == ["dark fusion dark", "light fusion light", "dark fusion dark"]
