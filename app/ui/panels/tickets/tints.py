"""The ticket panel's own colours, derived from the palette so they read in light and dark themes.

Internal notes, the "new activity" notice and the composer's warning need a colour of their own;
a fixed light yellow or pink stays bright in a dark window and, with the theme's light text on
it, becomes unreadable. Here each is the palette's base tinted towards a meaning colour (amber
for notes, the theme's warning and error colours), with text that keeps the palette's contrast.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

from app.ui.theme import semantic_colour

#: The house's note amber; notes are tinted towards it.
NOTE_AMBER = QColor("#f2b600")


@dataclass(frozen=True)
class Tint:
    """A card or strip: background, border (accent) and text colour, as #rrggbb."""

    background: str
    border: str
    text: str


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """`a` moved `amount` of the way towards `b`."""
    return QColor(round(a.red() + (b.red() - a.red()) * amount),
                  round(a.green() + (b.green() - a.green()) * amount),
                  round(a.blue() + (b.blue() - a.blue()) * amount))


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def tint(palette: QPalette, kind: str) -> Tint:
    """Colours for `kind`: "note" (internal notes), "warning" or "error" (notices and warnings)."""
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    accent = NOTE_AMBER if kind == "note" else semantic_colour(kind)
    dark = is_dark(palette)
    background = mix(base, accent, 0.16 if dark else 0.22)
    # Text leans a little towards the accent, never so far that it loses contrast with the card.
    foreground = mix(text, accent, 0.25 if dark else 0.35)
    return Tint(background.name(), mix(base, accent, 0.6 if dark else 0.75).name(), foreground.name())


def strip_style(palette: QPalette, kind: str, selector: str) -> str:
    """A style sheet for a tinted message strip (a QLabel) named by `selector`."""
    colours = tint(palette, kind)
    return (f"{selector} {{background:{colours.background}; color:{colours.text};"
            f" border:1px solid {colours.border}; border-radius:4px; padding:6px;}}")
