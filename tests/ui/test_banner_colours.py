"""A banner's text stays readable in the dark theme: its strip is light in either theme, so its
text must be the strip's dark colour, not the theme's light text colour."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from app.ui.widgets.banner import Banner


def _close(a: QColor, b: QColor, tolerance: int = 60) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) <= tolerance


def test_banner_text_is_dark_on_its_light_strip_in_a_dark_theme(qtbot):
    dark = QPalette()
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        dark.setColor(role, QColor("#e6e6e6"))
    dark.setColor(QPalette.ColorRole.Window, QColor("#1e1e1e"))
    banner = Banner("test.banner")
    qtbot.addWidget(banner)
    banner.setPalette(dark)
    banner.resize(500, 40)
    banner.show_message("info", "Test event queued: its delivery appears in the Deliveries tab.")
    qtbot.waitExposed(banner)
    image = banner.grab().toImage()
    pixels = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())]
    assert any(_close(pixel, QColor("#0d3c61")) for pixel in pixels), "no text in the strip's dark colour"
    assert not any(_close(pixel, QColor("#e6e6e6"), 20) for pixel in pixels), "text in the theme's light colour"
