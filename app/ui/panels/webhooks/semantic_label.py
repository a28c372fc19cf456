"""A label whose text colour carries meaning (success, warning, error) and stays readable when
the theme switches between light and dark: the colour is looked up again on every theme change."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.ui.theme import follow_theme, semantic_colour


class SemanticLabel(QLabel):
    """`set_kind("error")` colours the text; `set_kind(None)` returns to the palette's text colour."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, bold: bool = False) -> None:
        super().__init__(text, parent)
        self._kind: str | None = None
        self._bold = bold
        follow_theme(self, SemanticLabel._restyle)

    @property
    def kind(self) -> str | None:
        return self._kind

    def set_kind(self, kind: str | None) -> None:
        self._kind = kind
        self._restyle()

    def _restyle(self) -> None:
        weight = " font-weight: bold;" if self._bold else ""
        sheet = f"color: {semantic_colour(self._kind).name()};{weight}" if self._kind else ""
        if sheet != self.styleSheet():
            self.setStyleSheet(sheet)
