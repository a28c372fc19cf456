"""The API keys panel (`panel.api_keys`): list, create, rotate with a rehearsal, revoke.

Secrets appear exactly once, in `SecretRevealDialog`. Rotation follows the "roll key" pattern:
the old key keeps working through the grace period chosen, and the new one must pass a test call
(the rehearsal) before the console switches to it or lets the old one go. When the rotated or
revoked key is the one this console itself signs in with, the panel tells the shell
(`PanelContext.credential_changed` / `sign_out`), which owns the keychain and the connection.
The panel is a view over `stores.api_keys`, which holds the list, knows the console's own key
from the session's identity, and runs the rotation's steps. Same-named keys (a rotation leaves
two) are told apart by prefix…last4 and creation time, in the list and in the revoke question.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from app.api.models import ApiKey, ApiKeyCreate
from app.data.api_keys import USABLE, KeyRotation, key_status, masked
from app.data.listed_store import Revealed
from app.data.record_store import StoreChange
from app.ui.module_panel import ModulePanel
from app.ui.panel_context import PanelContext
from app.ui.panels.api_keys.create_key_dialog import CreateKeyDialog
from app.ui.panels.api_keys.key_rows import KEY, KEY_WIDTHS, key_columns
from app.ui.panels.api_keys.revoke_confirmation import confirm_revoke
from app.ui.panels.api_keys.rotate_key_dialog import RotateKeyDialog, rehearsal_text
from app.ui.record_table_model import RecordTableModel
from app.ui.store_binding import bind
from app.ui.time_text import relative
from app.ui.widgets.column_layout import ColumnLayout
from app.ui.widgets.confirm_dialog import run_dialog
from app.ui.widgets.secret_reveal import reveal_secret
from app.ui.widgets.selection import follow_store, select_record, selected_record

#: Statuses are time-dependent ("expiring soon"): repaint them now and then.
_REPAINT_MS = 60_000


class ApiKeysPanel(ModulePanel):
    """Keys of the workspace, with create / rotate / revoke for credentials holding keys:write."""

    module_name = "api_keys"
    title = "API keys"
    required_scope = "keys:read"
    write_scope = "keys:write"

    def __init__(self, context: PanelContext, parent=None) -> None:
        super().__init__(context, parent)
        self.store = self.stores.api_keys
        self.model = RecordTableModel(key_columns(lambda: self.store.own_key_id, self.store.creator_name), self)
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
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # The key column fits the widest prefix…last4 the font can draw (its characters are random).
        widest_key = self.table.fontMetrics().horizontalAdvance("opk_live_WMWM…MWMW") + 14
        self.columns = ColumnLayout(self.table, "api_keys", {**KEY_WIDTHS, KEY: max(KEY_WIDTHS[KEY], widest_key)})
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
        self._repaint.timeout.connect(self._update_summary)
        self._repaint.start()
        bind(self.store.changes, self, self._on_store_changed)
        # The "(this console)" mark follows the identity (a rotation switches the console's key).
        bind(self.stores.identity.changes, self, lambda _identity: self.model.refresh_cells())
        self._on_store_changed(StoreChange(reset=True))

    def _button(self, text: str, name: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(text, self.body)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    @property
    def own_key_id(self) -> str | None:
        """The key this console signs in with, from the session's identity."""
        return self.store.own_key_id

    # ---- loading -----------------------------------------------------------------------------
    async def activate(self) -> None:
        await self.store.load_cached()
        await self.refresh()

    async def refresh(self) -> None:
        """Reload every key (the console's own is known from the session's identity)."""
        if self.store.connected:
            await self.store.reload()

    def _on_store_changed(self, change: StoreChange) -> None:
        follow_store(self.table, self.model, self.store, change)
        self._update_summary()
        self._update_actions()

    def selected_key(self) -> ApiKey | None:
        """The ApiKey the actions apply to, or None."""
        return selected_record(self.table, self.model)

    def select_key(self, key_id: str) -> None:
        """Select this record's row, if it is listed."""
        select_record(self.table, self.model, key_id)

    def _update_summary(self) -> None:
        self.summary.setText(f"{self.store.usable_count()} usable of {len(self.store.listed)} keys")

    def _update_write_state(self, writable: bool) -> None:
        self._update_actions()

    def _update_actions(self, *_args: Any) -> None:
        writable = self.writable
        key = self.selected_key()
        usable = key is not None and key_status(key) in USABLE
        self.new_button.setEnabled(writable)
        self.rotate_button.setEnabled(writable and usable)
        self.revoke_button.setEnabled(writable and key is not None and key.status != "revoked")
        reason = self.write_block_reason() or ""
        for button in (self.new_button, self.rotate_button, self.revoke_button):
            button.setToolTip(reason)

    def _refused(self) -> bool:
        """Say why writes are off (for the command palette's actions, which have no button to grey out)."""
        reason = self.write_block_reason()
        if reason:
            self.show_notice(reason, "warning")
        return reason is not None

    # ---- create ------------------------------------------------------------------------------
    def _on_new(self) -> None:
        self.run(self.create_key())

    def start_new(self) -> None:
        """The command palette's "New API key"."""
        if not self._refused():
            self._on_new()

    async def create_key(self) -> None:
        """Ask for name, scopes and expiry; create; show the secret once."""
        created: list[Revealed[ApiKey]] = []

        async def submit(body: ApiKeyCreate) -> None:
            created.append(await self.store.create_key(body))

        await run_dialog(CreateKeyDialog(self.context.scopes, submit, self))
        if not created:
            return
        revealed = created.pop()
        key, secret = revealed.record, revealed.secret
        del revealed
        self.select_key(key.id)
        await reveal_secret(self, "New API key", f"The secret of “{key.name}”", secret)
        del secret
        self.show_notice("Key created. Only its prefix and last four characters are shown from now on.",
                         "success")

    # ---- rotate ------------------------------------------------------------------------------
    def _on_rotate(self) -> None:
        key = self.selected_key()
        if key is not None:
            self.run(self.rotate_key(key))

    def rotate_selected(self) -> None:
        """The command palette's "Rotate the selected API key"."""
        if self._refused():
            return
        if self.selected_key() is None:
            self.show_notice("Select the key to rotate in the list first.", "info")
        self._on_rotate()

    async def rotate_key(self, key: ApiKey) -> None:
        """Rotate with a grace period; rehearse with the new key; switch the console if it is its own.

        The store runs the steps (`ApiKeyStore.rotate`); the old key is only retired early ("now")
        after the rehearsal passed and, for the console's own key, after the console was seen
        answering as the new key: a failed step never cuts the console off.
        """
        rotation = self.store.rotation(key)

        async def submit(grace_hours: int, progress: Callable[[str], None]) -> None:
            await self.store.rotate(rotation, grace_hours, switch_credential=self.context.credential_changed,
                                    progress=progress)

        await run_dialog(RotateKeyDialog(key, is_own_key=rotation.is_own, live=self.context.is_live,
                                         submit=submit, parent=self))
        if rotation.new_key is None:
            return
        secret, rotation.secret = rotation.secret, ""
        self.select_key(rotation.new_key.id)
        await reveal_secret(self, "Rotated API key", f"The new secret of “{rotation.new_key.name}”", secret,
                            note=_rotation_note(rotation))
        del secret
        self.show_notice(*_rotation_notice(rotation))
        await self.refresh()

    # ---- revoke ------------------------------------------------------------------------------
    def _on_revoke(self) -> None:
        key = self.selected_key()
        if key is not None:
            self.run(self.revoke_key(key))

    async def revoke_key(self, key: ApiKey) -> None:
        """Typed confirmation (the key's name, or its prefix…last4 when another key has that name),
        then revoke; the console's own key signs out."""
        is_own = key.id == self.store.own_key_id
        warning = ("This is the key this console is using. Revoking it ends this session: you will be "
                   "signed out and need another key to sign in again.") if is_own else ""
        confirmed = await confirm_revoke(self, key, self.store.listed, warning=warning)
        if not confirmed:
            return
        await self.store.revoke(key)
        if is_own:
            self.context.sign_out(f"This console's API key “{key.name}” was revoked.")
            return
        self.show_notice(f"Revoked “{key.name}” ({masked(key)}).", "success")


def _rehearsed(rotation: KeyRotation) -> tuple[bool, str]:
    if rotation.rehearsal is None:
        return False, "the new key was not tested (the rotation stopped before its test call)."
    return rotation.rehearsal.ok, rehearsal_text(rotation.rehearsal)


def _rotation_note(rotation: KeyRotation) -> str:
    """What the secret dialog says beside the new secret."""
    ok, note = _rehearsed(rotation)
    if rotation.switched:
        note += " The console now uses this key; it is stored in the keychain."
    elif rotation.is_own and ok:
        note += " The console could not switch to it by itself: update this profile's key with it."
    return note


def _rotation_notice(rotation: KeyRotation) -> tuple[str, str]:
    """The banner after a rotation: what happened to the old key, and whether anything is left to do."""
    ok, rehearsal = _rehearsed(rotation)
    name, old, previous = rotation.new_key.name, masked(rotation.old), rotation.previous
    old_until = (f"until it expires {relative(previous.expires_at)}" if previous is not None and previous.expires_at
                 else "through its grace period")
    if not ok:
        return (f"Rotated “{name}”, but {rehearsal} The old key {old} still works {old_until}"
                + ("; the console keeps using it." if rotation.is_own else "."), "warning")
    if rotation.is_own and not rotation.switched:
        return (f"Rotated “{name}”, but the console is still signed in with the old key {old}, which works "
                f"{old_until}. Update this profile's key with the new secret before then.", "warning")
    old_end = "was revoked" if rotation.revoked_old else f"keeps working {old_until}"
    return f"Rotated “{name}”: {rehearsal} The old key {old} {old_end}.", "success"
