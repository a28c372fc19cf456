"""The frame every module panel lives in: name, required scope, banner, background work.

A panel subclasses `ModulePanel`, sets `module_name`, `title` and `required_scope`, builds its
widgets into `self.body`, and implements `activate()` (show cached rows at once, then refresh).
Errors from its tasks land in its own banner as human messages with the request id.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any, ClassVar

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.ui.error_messages import describe, request_id_of
from app.ui.panel_context import PanelContext
from app.ui.widgets.banner import Banner

log = logging.getLogger(__name__)


class ModulePanel(QWidget):
    """Base of `panel.<module>` widgets. Subclasses set the class attributes below."""

    module_name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    #: The scope without which the sidebar shows this module disabled, with the reason.
    required_scope: ClassVar[str] = ""

    def __init__(self, context: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName(f"panel.{self.module_name}")
        self.banner = Banner(f"{self.module_name}.banner", self)
        self.banner.sig_request_link.connect(context.open_request_log)
        self.body = QWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.banner)
        layout.addWidget(self.body, 1)

    async def activate(self) -> None:
        """Called when the panel is shown: show what the cache has, then refresh from the server."""

    def run(self, coro: Coroutine[Any, Any, Any], *, name: str | None = None):
        """Start background work tied to this panel; its failure shows in the banner, not a dialog."""
        task = self.context.tasks.spawn(self._guarded(coro), name=name)
        # A task cancelled before it ever ran never awaited `coro`: close it so Python does not warn.
        task.add_done_callback(lambda done: coro.close() if done.cancelled() else None)
        return task

    async def _guarded(self, coro: Coroutine[Any, Any, Any]) -> Any:
        try:
            return await coro
        except Exception as error:  # every failure is reported in the banner (and logged if unexpected)
            self.show_error(error)
            return None

    def show_error(self, error: BaseException) -> None:
        from app.api import errors

        if not isinstance(error, errors.ApiError):
            log.exception("unexpected error in %s", self.module_name, exc_info=error)
        self.banner.show_message("error", describe(error), request_id_of(error))

    def show_notice(self, message: str, kind: str = "info") -> None:
        self.banner.show_message(kind, message)
