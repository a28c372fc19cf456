"""A banner reads well in either theme: a dark strip with light text (and a visible ✕) in the dark
theme, a light strip with dark text in the light one; never the theme's text on the wrong strip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from app.ui.widgets.banner import Banner


def _close(a: QColor, b: QColor, tolerance: int = 40) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) <= tolerance


def _pixels(banner: Banner, left: int = 0, right: int | None = None) -> list[QColor]:
    image = banner.grab().toImage()
    right = image.width() if right is None else right
    return [image.pixelColor(x, y) for x in range(left, right) for y in range(image.height())]


def _themed(qtbot, window: str, text: str) -> Banner:
    palette = QPalette()
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(role, QColor(text))
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    banner = Banner("test.banner")
    qtbot.addWidget(banner)
    banner.setPalette(palette)
    banner.resize(500, 40)
    banner.show_message("warning", "Test event queued: its delivery appears in the Deliveries tab.")
    qtbot.waitExposed(banner)
    return banner


def test_dark_theme_banner_is_a_dark_strip_with_light_text_and_a_visible_close(qtbot):
    banner = _themed(qtbot, "#1e1e1e", "#e6e6e6")
    image = banner.grab().toImage()
    assert image.pixelColor(4, 4).lightness() < 80, "the strip stays light in a dark theme"
    text = QColor("#ffdca8")
    assert sum(_close(p, text) for p in _pixels(banner, 0, 300)) > 20, "no light text on the dark strip"
    close_button = banner.findChild(type(banner._close), "test.banner.close")
    x = close_button.geometry().left()
    assert sum(_close(p, text) for p in _pixels(banner, x, x + close_button.width())) > 3, "the ✕ is invisible"


def test_light_theme_banner_is_a_light_strip_with_dark_text(qtbot):
    banner = _themed(qtbot, "#f5f5f5", "#1a1a1a")
    assert banner.grab().toImage().pixelColor(4, 4).lightness() > 200
    assert sum(_close(p, QColor("#663c00")) for p in _pixels(banner, 0, 300)) > 20


def test_html_entities_never_show_as_text(qtbot):
    banner = Banner("test.banner")
    qtbot.addWidget(banner)
    banner.show_message("success", "The server's totals match: \"draft\" saved <b>")
    assert banner.plain_text.startswith("The server's totals match: \"draft\" saved <b>")
    # Qt's auto-detection showed "&#x27;" literally when it took the escaped text for plain text.
    assert banner._label.textFormat() == Qt.TextFormat.RichText
