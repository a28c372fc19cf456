"""One line of text fitted to a width (elided with "…"), mostly without measuring it exactly.

Measuring a text exactly (`QFontMetricsF.elidedText`, `horizontalAdvance`) runs the text shaper,
and in a table repaint that measuring cost about as much as the drawing. For Latin text the sum of
the characters' own advances, in fractional pixels, is never less than the shaped width (kerning
and ligatures only tighten a line), so a text whose sum fits surely fits. Only texts near or past
the width, or with characters outside Latin (other scripts, combining marks, control
characters), are measured exactly; the answer is the same either way.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF

#: Room kept below the width for fonts whose kerning, unusually, widens a pair.
SLACK = 1.0
#: Characters summed from their own advances: printable Latin up to the combining marks, without
#: the C1 controls and the soft hyphen (Qt's line breaking and elision treat those specially).
_SUMMED = frozenset(range(0x20, 0x7F)) | frozenset(range(0xA0, 0x300)) - {0xAD}
_ELIDE_RIGHT = Qt.TextElideMode.ElideRight


class _Advances(dict):
    """Character -> advance, filled on first use; a KeyError for characters not summed."""

    def __init__(self, metrics: QFontMetricsF) -> None:
        super().__init__()
        self._metrics = metrics

    def __missing__(self, char: str) -> float:
        if ord(char) not in _SUMMED:
            raise KeyError(char)
        advance = self[char] = self._metrics.horizontalAdvance(char)
        return advance


class TextFit:
    """Fits texts of one font to widths; keep one per font (the advances are learnt as used)."""

    def __init__(self, metrics: QFontMetricsF) -> None:
        self.metrics = metrics
        self._advance_of = _Advances(metrics).__getitem__

    def fitted(self, text: str, width: float) -> str:
        """`text` itself when it fits in `width` pixels, else its start and "…" within them."""
        try:
            if sum(map(self._advance_of, text)) <= width - SLACK:
                return text
        except KeyError:
            pass
        return self.metrics.elidedText(text, _ELIDE_RIGHT, width)
