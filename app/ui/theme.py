"""Light and dark appearance: follow the OS, or force one (screenshots, tests).

`apply_theme(app, "system")` keeps following the operating system's colour scheme as it changes;
"light" and "dark" pin one. Widgets use palette roles; the few colours that carry meaning (live
environment orange, error red, success green) come from `semantic_colour`, chosen to read on both.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

MODES = ("system", "light", "dark")

_SEMANTIC = {
    # name: (on light, on dark)
    "live": ("#c2410c", "#fb923c"),
    "live_background": ("#c2410c", "#9a3412"),
    "test": ("#2563eb", "#60a5fa"),
    "error": ("#b91c1c", "#f87171"),
    "warning": ("#b45309", "#fbbf24"),
    "success": ("#15803d", "#4ade80"),
    "muted": ("#6b7280", "#9ca3af"),
}


def _light_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#f5f6f8",
        QPalette.ColorRole.WindowText: "#1f2328",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f0f2f5",
        QPalette.ColorRole.ToolTipBase: "#ffffff",
        QPalette.ColorRole.ToolTipText: "#1f2328",
        QPalette.ColorRole.PlaceholderText: "#8b949e",
        QPalette.ColorRole.Text: "#1f2328",
        QPalette.ColorRole.Button: "#eceef1",
        QPalette.ColorRole.ButtonText: "#1f2328",
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: "#2563eb",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#1d4ed8",
        QPalette.ColorRole.Mid: "#c9ced6",
        QPalette.ColorRole.Dark: "#9aa3ae",
        QPalette.ColorRole.Light: "#ffffff",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    _set_disabled(palette, "#9aa3ae")
    return palette


def _dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#1e2126",
        QPalette.ColorRole.WindowText: "#e6e8eb",
        QPalette.ColorRole.Base: "#16181c",
        QPalette.ColorRole.AlternateBase: "#1f2228",
        QPalette.ColorRole.ToolTipBase: "#2b2f36",
        QPalette.ColorRole.ToolTipText: "#e6e8eb",
        QPalette.ColorRole.PlaceholderText: "#7d8590",
        QPalette.ColorRole.Text: "#e6e8eb",
        QPalette.ColorRole.Button: "#2b2f36",
        QPalette.ColorRole.ButtonText: "#e6e8eb",
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: "#3b82f6",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#7cb3ff",
        QPalette.ColorRole.Mid: "#3a3f47",
        QPalette.ColorRole.Dark: "#111316",
        QPalette.ColorRole.Light: "#3a3f47",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    _set_disabled(palette, "#6b7280")
    return palette


def _set_disabled(palette: QPalette, colour: str) -> None:
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))


def fusion_application(program: str) -> QApplication:
    """The console's QApplication, in the Fusion style from its first line (Qt's `-style` argument).

    The same style `apply_theme` sets, chosen without `QApplication.setStyle`: that call hands
    Python the new QStyle, and wrapping one creates the Python enums of QStyle (11, ~5 ms at
    start-up, measured), which nothing on the way to the first paint needs otherwise."""
    app = QApplication([program, "-style", "fusion"])
    app._opsdesk_started_in_fusion = True
    return app


def os_prefers_dark() -> bool:
    """True when the operating system's colour scheme is dark."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, mode: str = "system") -> str:
    """Apply "system", "light" or "dark"; returns the scheme now in effect ("light" or "dark")."""
    if mode not in MODES:
        raise ValueError(f"Unknown theme {mode!r}; expected one of: {', '.join(MODES)}.")
    hints = QGuiApplication.styleHints()
    if mode == "system":
        hints.unsetColorScheme()
        if not getattr(app, "_opsdesk_follows_os", False):
            hints.colorSchemeChanged.connect(lambda _scheme: _follow_os(app))
            app._opsdesk_follows_os = True  # connect once, however often the theme is re-applied
        app._opsdesk_theme_mode = "system"
        scheme = "dark" if os_prefers_dark() else "light"
    else:
        hints.setColorScheme(Qt.ColorScheme.Dark if mode == "dark" else Qt.ColorScheme.Light)
        app._opsdesk_theme_mode = mode
        scheme = mode
    # Fusion draws every widget from the palette on all three platforms, so both schemes look
    # the same everywhere and nothing stays light inside a dark window.
    if getattr(app, "_opsdesk_started_in_fusion", False):
        app._opsdesk_started_in_fusion = False  # `fusion_application` chose it: nothing to set now
    else:
        app.setStyle("Fusion")
    app.setPalette(_dark_palette() if scheme == "dark" else _light_palette())
    app._opsdesk_scheme = scheme
    _tell_followers()
    return scheme


#: Widgets that colour themselves from the theme, and how (see `follow_theme`).
_followers: weakref.WeakKeyDictionary[QWidget, Callable[[QWidget], None]] = weakref.WeakKeyDictionary()


def follow_theme(widget: QWidget, restyle: Callable[[QWidget], None]) -> None:
    """Call `restyle(widget)` after every theme change for as long as `widget` lives.

    `restyle` is given the widget rather than bound to it (e.g. `TintedLabel.restyle`): the
    registry holds widgets weakly, and a bound method would keep its widget alive.

    For a widget that sets a style sheet on itself: Qt then marks its palette as its own, and a
    new application palette reaches it with no PaletteChange (nor ApplicationPaletteChange) event,
    so a light/dark switch, the operator's or the OS's, would leave it in the old colours.
    `restyle` runs on the widget's thread once the switch is complete (the new palette in place).
    """
    _followers[widget] = restyle


def _tell_followers() -> None:
    import shiboken6
    from PySide6.QtCore import QTimer

    for widget, restyle in list(_followers.items()):
        if shiboken6.isValid(widget):
            QTimer.singleShot(0, widget, lambda widget=widget, restyle=restyle: restyle(widget))


def _follow_os(app: QApplication) -> None:
    if getattr(app, "_opsdesk_theme_mode", "system") == "system":
        apply_theme(app, "system")


def current_scheme() -> str:
    """"dark" or "light": the scheme the application's palette is showing."""
    app = QApplication.instance()
    scheme = getattr(app, "_opsdesk_scheme", None)
    if scheme:
        return scheme
    window = QApplication.palette().color(QPalette.ColorRole.Window)
    return "dark" if window.lightness() < 128 else "light"


def semantic_colour(name: str) -> QColor:
    """The meaning-carrying colour `name` (live, test, error, warning, success, muted) for the scheme."""
    light, dark = _SEMANTIC[name]
    return QColor(dark if current_scheme() == "dark" else light)
