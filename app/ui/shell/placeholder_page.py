"""The page shown for a module that cannot show its panel: not built yet, failed, or not allowed.

It keeps the module's `panel.<module>` objectName so `MainWindow.open_module` always lands on a
page a test (or a screen reader) can find, and it says plainly why the real panel is not there.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.icons import icon


class PlaceholderPage(QWidget):
    """A centred icon, title and one sentence of explanation."""

    def __init__(self, module_name: str, title: str, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.module_name = module_name
        self.setObjectName(f"panel.{module_name}")
        self.message = message
        picture = QLabel(self)
        picture.setPixmap(icon(module_name).pixmap(64, 64))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading = QLabel(f"<h2>{title}</h2>", self)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(message, self)
        text.setObjectName(f"{module_name}.placeholder")
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(picture)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addStretch(2)
