"""Live and test look different at a glance, so nobody changes production by mistake.

Live: a bold orange bar across the top of the window and an orange frame round the work area.
Test: a calm "Test data" tag and no frame.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from app.ui.theme import semantic_colour


class EnvironmentBar(QFrame):
    """The strip above the panels; `environment` is "live" or "test"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shell.environment")
        self.environment = ""
        self.label = QLabel(self)
        self.label.setObjectName("shell.environment.text")
        self.tag = QLabel("Test data", self)
        self.tag.setObjectName("shell.environment.tag")
        self.tag.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.tag)
        self.hide()

    def set_environment(self, environment: str, profile_name: str, workspace: str = "") -> None:
        self.environment = environment
        where = f" · workspace {workspace}" if workspace else ""
        if environment == "live":
            orange = semantic_colour("live_background").name()
            self.label.setText(f"<b>LIVE</b> — {profile_name}{where}. Changes here affect real customers.")
            self.setStyleSheet(f"#shell\\.environment {{ background:{orange}; }}"
                               "#shell\\.environment QLabel { color:#ffffff; font-weight:600; }")
            self.tag.hide()
        else:
            blue = semantic_colour("test").name()
            self.label.setText(f"{profile_name}{where}")
            self.setStyleSheet(
                f"#shell\\.environment\\.tag {{ color:{blue}; border:1px solid {blue};"
                " border-radius:9px; padding:1px 10px; }"
            )
            self.tag.show()
        self.show()


def live_frame_style(environment: str) -> str:
    """The style sheet of the work area's frame: an orange border in live, none in test."""
    if environment != "live":
        return ""
    return f"#shell\\.workarea {{ border:3px solid {semantic_colour('live_background').name()}; }}"
