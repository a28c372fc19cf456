"""The frame every module panel lives in: name, required scope, banner, background work.

A panel subclasses `ModulePanel`, sets `module_name`, `title`, `required_scope` and
`write_scope`, builds its widgets into `self.body`, and implements `activate()` (show cached rows
at once, then refresh). Errors from its tasks land in its own banner as human messages with the
request id.

The offline / read-only / scope gate lives here, once: `writable` is derived from the session's
connection state and identity (the stores'), `_update_write_state(writable)` is the panel's hook
to enable or disable its controls, and the offline strip (with Retry) shows while the server
cannot be reached and goes away by itself as soon as any exchange is answered again.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any, ClassVar

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.api import errors
from app.ui.error_messages import describe, request_id_of
from app.ui.panel_context import PanelContext
from app.ui.store_binding import bind
from app.ui.widgets.message_strip import MessageStrip

log = logging.getLogger(__name__)
#: The operation that lists each module's records (a platform without it shows only what was made here).
_LIST_OPERATIONS = {"contacts": "contacts.list", "tickets": "tickets.list", "invoices": "invoices.list",
                    "webhooks": "webhooks.list", "api_keys": "api_keys.list"}


class ModulePanel(QWidget):
    """Base of `panel.<module>` widgets. Subclasses set the class attributes below."""

    module_name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    #: The scope without which the sidebar shows this module disabled, with the reason.
    required_scope: ClassVar[str] = ""
    #: The scope its writes need; empty for a panel that only reads.
    write_scope: ClassVar[str] = ""
    #: What the offline strip says the panel still offers.
    offline_text: ClassVar[str] = "Offline: showing cached data. Changes are off until the server can be reached."

    def __init__(self, context: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stores = context.stores
        self.setObjectName(f"panel.{self.module_name}")
        #: The fixed-height place for the panel's messages (showing or clearing one never moves a
        #: control): the window's, shared with the shell's notices, or one of its own when alone.
        shared = context.message_strip
        self.messages = shared if shared is not None else MessageStrip(f"{self.module_name}.messages", self)
        self.banner = self.messages.channel(f"{self.module_name}.banner", self)
        self.banner.sig_request_link.connect(context.open_request_log)
        self.offline_banner = self.messages.channel(f"{self.module_name}.offline", self)
        #: What the profile's platform cannot guarantee for this panel's edits (shown until dismissed).
        self.platform_banner = self.messages.channel(f"{self.module_name}.platform", self)
        note = self.platform_note()
        if note:
            self.platform_banner.show_message("info", note, action=("Got it", self.platform_banner.clear))
        self.body = QWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        if shared is None:
            layout.addWidget(self.messages)
        layout.addWidget(self.body, 1)
        self._gate_applied = False
        bind(self.stores.connection.changes, self, lambda _state: self._gate_changed())
        bind(self.stores.identity.changes, self, lambda _identity: self._gate_changed())

    async def activate(self) -> None:
        """Called when the panel is shown: show what the cache has, then refresh from the server."""

    async def refresh(self) -> None:
        """Ask the server again (the offline strip's Retry); by default, activate once more."""
        await self.activate()

    # ---- the gate: offline, read-only, scopes ------------------------------------------------
    @property
    def offline(self) -> bool:
        return self.stores.connection.offline

    @property
    def read_only(self) -> bool:
        """Offline, or the credential lacks `write_scope` (unknown scopes: let the server judge)."""
        return self.write_block_reason() is not None

    @property
    def writable(self) -> bool:
        return not self.read_only

    def write_block_reason(self) -> str | None:
        """Why writes are off right now, as a tooltip says it; None when they are on."""
        if self.offline:
            return "Offline: read-only until the server can be reached"
        return self._scope_block_reason()

    def _scope_block_reason(self) -> str | None:
        # The identity store's answer, as soon as it arrives: this panel may hear it before the session does.
        scopes = self.stores.identity.scopes or self.context.scopes
        if self.write_scope and scopes and self.write_scope not in scopes:
            return f"This credential cannot make changes here (it needs {self.write_scope})."
        return None

    def platform_note(self) -> str | None:
        """The sentence saying what the platform lacks that this panel's edits rely on, if anything."""
        if not self.write_scope:
            return None
        manifest = self.context.manifest
        notes = []
        listing = _LIST_OPERATIONS.get(self.module_name)
        if listing and not manifest.supports(listing):
            notes.append(f"{manifest.display_name} cannot list these: only the ones made here are shown.")
        if not manifest.has("etag"):
            notes.append(f"{manifest.display_name} cannot detect a colleague's concurrent change; "
                         "Opsdesk compares update times before saving instead.")
        if not manifest.has("idempotency_key"):
            notes.append("A new record whose answer is lost is not sent again by itself: check before retrying.")
        return " ".join(notes) or None

    @property
    def queues_offline(self) -> bool:
        """Offline, edits of existing records still save: they wait in the profile's outbox."""
        return self.stores.outbox is not None

    def edit_block_reason(self) -> str | None:
        """Why changing an existing record is off right now (offline only when there is no outbox)."""
        if self.offline and self.queues_offline:
            return self._scope_block_reason()
        return self.write_block_reason()

    def platform_block_reason(self, operation: str) -> str | None:
        """Why the profile's platform refuses `operation` ("contacts.update"), or None when it has it."""
        manifest = self.context.manifest
        if manifest.supports(operation):
            return None
        noun, _, verb = operation.partition(".")
        return f"{manifest.display_name} cannot {verb} {noun} through its API."

    @property
    def editable(self) -> bool:
        return self.edit_block_reason() is None

    def _gate_changed(self) -> None:
        state = self.stores.connection.current
        if state.offline:
            detail = f" ({state.detail})" if state.detail else ""
            waits = (" Edits you save now wait in the outbox and are sent when the server answers again."
                     if self.queues_offline else "")
            self.offline_banner.show_message("warning", self.offline_text + waits + detail,
                                             action=("Retry", lambda: self.run(self.refresh())))
        else:
            self.offline_banner.clear()
        self._update_write_state(self.writable)

    def _update_write_state(self, writable: bool) -> None:
        """Enable or disable the panel's write controls; subclasses override."""

    def showEvent(self, event) -> None:
        # The first show applies the gate: subclasses build their controls after this __init__.
        if not self._gate_applied:
            self._gate_applied = True
            self._gate_changed()
        super().showEvent(event)

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
        if isinstance(error, errors.ApiConnectionError):
            # Said by the offline strip, which goes away when the server answers again.
            self.stores.connection.mark_offline(str(error))
            return
        if not isinstance(error, errors.ApiError):
            log.exception("unexpected error in %s", self.module_name, exc_info=error)
        self.banner.show_message("error", describe(error), request_id_of(error))

    def show_notice(self, message: str, kind: str = "info") -> None:
        self.banner.show_message(kind, message)
