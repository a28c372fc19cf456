"""The API keys panel (`panel.api_keys`): list, create, rotate with a rehearsal, revoke.

Secrets appear exactly once, in `SecretRevealDialog`. Rotation follows the "roll key" pattern:
the old key keeps working through the grace period chosen, and the new one must pass a test call
(the rehearsal) before the console switches to it or lets the old one go. When the rotated or
revoked key is the one this console itself signs in with, the panel tells the shell
(`PanelContext.credential_changed` / `sign_out`), which owns the keychain and the connection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from app.api.models import ApiKey, ApiKeyCreate
from app.ui.module_panel import ModulePanel
from app.ui.panel_context import PanelContext
from app.ui.widgets.confirm_dialog import confirm_action, run_dialog
from app.ui.panels.api_keys.create_key_dialog import CreateKeyDialog
from app.ui.panels.api_keys.key_rows import key_columns, key_status, masked
from app.ui.panels.api_keys.rehearsal import rehearse
from app.ui.panels.api_keys.rotate_key_dialog import RotateKeyDialog
from app.ui.widgets.selection import select_record, selected_record
from app.ui.record_table_model import RecordTableModel
from app.ui.widgets.secret_reveal import reveal_secret
from app.ui.widgets.timestamps import when

CACHE_RESOURCE = "api_keys"
#: A "now" rotation keeps the old key alive this long until the rehearsal passed and it is revoked.
SAFETY_GRACE_HOURS = 1
#: Statuses are time-dependent ("expiring soon"): repaint them now and then.
_REPAINT_MS = 60_000


class ApiKeysPanel(ModulePanel):
    """Keys of the workspace, with create / rotate / revoke for credentials holding keys:write."""

    module_name = "api_keys"
    title = "API keys"
    required_scope = "keys:read"

    def __init__(self, context: PanelContext, parent=None) -> None:
        super().__init__(context, parent)
        self.own_key_id: str | None = None
        self._creator_names: dict[str, str] = {}
        self.model = RecordTableModel(key_columns(lambda: self.own_key_id, self._creator_name), self)
        self.table = QTableView(self.body)
        self.table.setObjectName("api_keys.table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # newest first
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.model.columnCount() - 1, QHeaderView.ResizeMode.Stretch)  # scopes
        self.table.selectionModel().selectionChanged.connect(self._update_actions)

        self.new_button = self._button("New key…", "api_keys.new", self._on_new)
        self.rotate_button = self._button("Rotate…", "api_keys.rotate", self._on_rotate)
        self.revoke_button = self._button("Revoke…", "api_keys.revoke", self._on_revoke)
        self.refresh_button = self._button("Refresh", "api_keys.refresh", lambda: self.run(self.refresh()))
        self.summary = QLabel("", self.body)
        self.summary.setObjectName("api_keys.summary")
        bar = QHBoxLayout()
        for button in (self.new_button, self.rotate_button, self.revoke_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.summary)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(8, 0, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self._repaint = QTimer(self)
        self._repaint.setInterval(_REPAINT_MS)
        self._repaint.timeout.connect(self.model.refresh_cells)
        self._repaint.start()
        for change in (self.model.modelReset, self.model.rowsInserted, self.model.dataChanged):
            change.connect(self._update_summary)
        self._update_actions()

    def _button(self, text: str, name: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(text, self.body)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # ---- loading -----------------------------------------------------------------------------
    async def activate(self) -> None:
        cache = self.context.cache
        if cache is not None and not self.model.rows:
            cached = await cache.get_list(CACHE_RESOURCE, None)
            if cached is not None:
                self.model.set_rows([ApiKey.model_validate(row) for row in cached.rows])
        await self.refresh()

    async def refresh(self) -> None:
        """Reload every key and find out which one this console uses."""
        client = self.context.client
        if client is None:
            return
        me = await client.me.get()
        self.own_key_id = me.id if me.kind == "api_key" else None
        keys = [key async for key in (await client.api_keys.list()).iter_items()]
        members = [member async for member in (await client.members.list()).iter_items()]
        self._creator_names = {**{key.id: f"key “{key.name}”" for key in keys},
                               **{member.id: member.name for member in members}}
        self.model.set_rows(keys)
        self._update_actions()
        if self.context.cache is not None:
            await self.context.cache.put_list(CACHE_RESOURCE, None,
                                              [key.model_dump(mode="json") for key in keys], None)

    def _creator_name(self, creator_id: str | None) -> str:
        return self._creator_names.get(creator_id or "", creator_id or "")

    def selected_key(self) -> ApiKey | None:
        """The ApiKey the actions apply to, or None."""
        return selected_record(self.table, self.model)

    def select_key(self, key_id: str) -> None:
        """Select this record's row, if it is listed."""
        select_record(self.table, self.model, key_id)

    def _update_summary(self) -> None:
        keys = self.model.rows
        usable = sum(1 for key in keys if key_status(key) in ("active", "expiring soon"))
        self.summary.setText(f"{usable} usable of {len(keys)} keys")

    def _update_actions(self, *_args: Any) -> None:
        writable = self.context.has_scope("keys:write")
        key = self.selected_key()
        usable = key is not None and key_status(key) in ("active", "expiring soon")
        self.new_button.setEnabled(writable)
        self.rotate_button.setEnabled(writable and usable)
        self.revoke_button.setEnabled(writable and key is not None and key.status != "revoked")
        reason = "" if writable else "Your credential lacks the keys:write scope."
        for button in (self.new_button, self.rotate_button, self.revoke_button):
            button.setToolTip(reason)

    # ---- create ------------------------------------------------------------------------------
    def _on_new(self) -> None:
        self.run(self.create_key())

    async def create_key(self) -> None:
        """Ask for name, scopes and expiry; create; show the secret once."""
        created: list[Any] = []

        async def submit(body: ApiKeyCreate) -> None:
            created.append(await self.context.client.api_keys.create(body))

        await run_dialog(CreateKeyDialog(self.context.scopes, submit, self))
        if not created:
            return
        key = created.pop()
        secret = key.secret
        self.model.upsert(ApiKey.model_validate(key.model_dump(exclude={"secret"})))
        self.select_key(key.id)
        del key
        await reveal_secret(self, "New API key", f"The secret of “{self._name_of(self.selected_key())}”",
                            secret)
        del secret
        self.show_notice("Key created. Only its prefix and last four characters are shown from now on.",
                         "success")

    # ---- rotate ------------------------------------------------------------------------------
    def _on_rotate(self) -> None:
        key = self.selected_key()
        if key is not None:
            self.run(self.rotate_key(key))

    async def rotate_key(self, key: ApiKey) -> None:
        """Rotate with a grace period; rehearse with the new key; switch the console if it is its own.

        The old key is only retired early ("now") after the rehearsal passed and, for the console's
        own key, after the console was seen answering as the new key: a failed step never cuts the
        console off.
        """
        is_own = key.id == self.own_key_id
        outcome: dict[str, Any] = {}

        async def submit(grace_hours: int, progress: Callable[[str], None]) -> None:
            progress("Rotating…")
            # A "now" rotation keeps a safety net until the rehearsal passed; the old key is then revoked.
            rotated = await self.context.client.api_keys.rotate(key.id, grace_hours or SAFETY_GRACE_HOURS)
            outcome["new"] = rotated
            progress("Rehearsing: a test call with the new key…")
            outcome["rehearsal"] = await rehearse(self.context.client.base_url, rotated.secret, rotated.id,
                                                  key.scopes)
            if not outcome["rehearsal"].ok:
                return
            if is_own:
                progress("Switching the console to the new key…")
                self.context.credential_changed(rotated.secret)
                me = await self.context.client.me.get()
                outcome["switched"] = me.id == rotated.id
                if not outcome["switched"]:
                    return
            if grace_hours == 0:
                progress("Retiring the old key…")
                await self.context.client.api_keys.revoke(key.id)
                outcome["revoked_old"] = True

        await run_dialog(RotateKeyDialog(key, is_own_key=is_own, live=self.context.is_live,
                                         submit=submit, parent=self))
        rotated = outcome.pop("new", None)
        if rotated is None:
            return
        secret = rotated.secret
        new_key = ApiKey.model_validate(rotated.model_dump(exclude={"secret", "previous_key"}))
        previous = rotated.previous_key
        del rotated
        rehearsal = outcome["rehearsal"]
        switched = outcome.get("switched", False)
        if switched:
            self.own_key_id = new_key.id
        self.model.upsert(new_key)
        if previous is not None:
            self.model.upsert(previous)
        self.select_key(new_key.id)
        note = rehearsal.message
        if switched:
            note += " The console now uses this key; it is stored in the keychain."
        elif is_own and rehearsal.ok:
            note += " The console could not switch to it by itself: update this profile's key with it."
        await reveal_secret(self, "Rotated API key", f"The new secret of “{new_key.name}”", secret, note=note)
        del secret
        old_until = (f"until {when(previous.expires_at)}" if previous is not None and previous.expires_at
                     else "through its grace period")
        if not rehearsal.ok:
            self.show_notice(f"Rotated “{new_key.name}”, but {rehearsal.message} The old key {masked(key)} "
                             f"still works {old_until}" + ("; the console keeps using it." if is_own else "."),
                             "warning")
        elif is_own and not switched:
            self.show_notice(f"Rotated “{new_key.name}”, but the console is still signed in with the old key "
                             f"{masked(key)}, which works {old_until}. Update this profile's key with the new "
                             "secret before then.", "warning")
        else:
            old_end = "was revoked" if outcome.get("revoked_old") else f"keeps working {old_until}"
            self.show_notice(f"Rotated “{new_key.name}”: {rehearsal.message} The old key {masked(key)} "
                             f"{old_end}.", "success")
        await self.refresh()

    # ---- revoke ------------------------------------------------------------------------------
    def _on_revoke(self) -> None:
        key = self.selected_key()
        if key is not None:
            self.run(self.revoke_key(key))

    async def revoke_key(self, key: ApiKey) -> None:
        """Typed confirmation of the key's name, then revoke; the console's own key signs out."""
        is_own = key.id == self.own_key_id
        warning = ("This is the key this console is using. Revoking it ends this session: you will be "
                   "signed out and need another key to sign in again.") if is_own else ""
        confirmed = await confirm_action(
            self, "Revoke API key",
            f"Revoke <b>{_escape(key.name)}</b> ({masked(key)})? Every call made with it fails from now on. "
            "This cannot be undone.", "Revoke key", expected_text=key.name, warning=warning)
        if not confirmed:
            return
        revoked = await self.context.client.api_keys.revoke(key.id)
        if is_own:
            self.context.sign_out(f"This console's API key “{key.name}” was revoked.")
            return
        self.model.upsert(revoked)
        self._update_actions()
        self.show_notice(f"Revoked “{key.name}” ({masked(key)}).", "success")

    @staticmethod
    def _name_of(key: ApiKey | None) -> str:
        return key.name if key is not None else "the new key"


def _escape(text: str) -> str:
    from html import escape

    return escape(text)

