"""Where the console keeps non-secret UI state: window geometry, open module, table columns."""

from __future__ import annotations

from PySide6.QtCore import QSettings


def ui_state_settings() -> QSettings:
    """The INI file of non-secret UI state in the config dir."""
    from app.core import paths

    return QSettings(str(paths.config_dir() / "ui-state.ini"), QSettings.Format.IniFormat)
