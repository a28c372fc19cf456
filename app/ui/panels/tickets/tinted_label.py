"""A message on a tinted strip (the composer's "check before sending", the "new activity" notice)
that always shows its whole text and takes its colours from the palette (`tints`)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QSizePolicy, QWidget

from app.ui.panels.tickets.tints import strip_style
from app.ui.theme import follow_theme


class TintedLabel(QLabel):
    """Word-wrapped; its height is what its wrapped lines need, so no sentence is ever cut."""

    def __init__(self, kind: str, object_name: str, parent: QWidget | None = None, *,
                 text_format: Qt.TextFormat = Qt.TextFormat.PlainText, bold: bool = False) -> None:
        super().__init__(parent)
        self.kind = kind
        self._bold = bold
        self.setObjectName(object_name)
        self.setWordWrap(True)
        self.setTextFormat(text_format)
        # Minimum: the layout may give it more height, never less than its wrapped text needs.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._restyle()
        follow_theme(self, TintedLabel._restyle)

    def _restyle(self) -> None:
        # The application's palette: this label's own is the style sheet's once one is set, and a
        # parent's may still be the old theme's while the change goes round.
        palette = QApplication.palette()
        sheet = strip_style(palette, self.kind, f'QLabel[objectName="{self.objectName()}"]')
        if self._bold:
            sheet = sheet.replace("padding:6px;", "padding:6px; font-weight:bold;")
        if sheet != self.styleSheet():  # setting the same sheet again would start another round
            self.setStyleSheet(sheet)
