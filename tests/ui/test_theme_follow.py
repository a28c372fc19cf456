"""A light/dark switch while the console runs recolours the widgets that style themselves.

Defect: a widget with a style sheet of its own (the message strip's banners, the tickets' tinted
notices, the webhooks' coloured labels) gets no palette event when the application's palette
changes, so after the operator or the OS switched the theme they kept the old one's colours:
a light strip with light text in a dark window.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from app.ui.panels.tickets.tinted_label import TintedLabel
from app.ui.panels.webhooks.semantic_label import SemanticLabel
from app.ui.theme import apply_theme, semantic_colour
from app.ui.widgets.banner import Banner


def _background(widget: QWidget) -> QColor:
    """The colour of the widget's top-left corner as painted (its strip's background)."""
    return QColor(widget.grab().toImage().pixel(3, 3))


def test_a_theme_switch_recolours_banners_tinted_notices_and_coloured_labels(qtbot):
    app = QApplication.instance()
    apply_theme(app, "light")
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    banner = Banner("test.banner", window)
    banner.show_message("warning", "Offline: showing cached data")
    notice = TintedLabel("warning", "test.notice", window)
    notice.setText("New activity on this ticket")
    label = SemanticLabel("Failed", window)
    label.set_kind("error")
    for widget in (banner, notice, label):
        layout.addWidget(widget)
    window.resize(500, 200)
    window.show()
    qtbot.waitExposed(window)
    assert _background(banner).lightness() > 128 and _background(notice).lightness() > 128

    try:
        for scheme, dark in (("dark", True), ("light", False)):
            apply_theme(app, scheme)
            qtbot.waitUntil(lambda dark=dark: (_background(banner).lightness() < 128) == dark
                            and (_background(notice).lightness() < 128) == dark, timeout=3000)
            error = semantic_colour("error").name()
            qtbot.waitUntil(lambda error=error: error in label.styleSheet(), timeout=3000)
    finally:
        apply_theme(app, "light")
