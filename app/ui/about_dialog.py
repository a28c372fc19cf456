"""Help → About: the application's identity (version, license, Qt and Python versions).

Support staff read these numbers out when reporting a problem, so they are selectable text.
"""

from __future__ import annotations

import platform
import sys

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from app import __version__

LICENSE = "MIT License"


def version_lines() -> list[tuple[str, str]]:
    """(label, value) pairs shown in the dialog, also used by bug reports."""
    return [
        ("Opsdesk", __version__),
        ("License", LICENSE),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("System", f"{platform.system()} {platform.release()} {platform.machine()}"),
    ]


class AboutDialog(QDialog):
    """Modeless-friendly About box; `objectName` `about.dialog`."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("about.dialog")
        self.setWindowTitle("About Opsdesk")
        title = QLabel("<h2>Opsdesk</h2><p>Desktop admin console for the Platform API.</p>", self)
        rows = "".join(f"<tr><td><b>{label}</b>&nbsp;&nbsp;</td><td>{value}</td></tr>" for label, value in version_lines())
        details = QLabel(f"<table>{rows}</table>", self)
        details.setObjectName("about.versions")
        details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(details)
        layout.addWidget(buttons)
        if sys.platform == "darwin":
            self.setWindowModality(Qt.WindowModality.WindowModal)
