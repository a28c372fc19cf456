"""The API keys panel against the real sandbox: create shows the secret once, rotate rehearses
and switches the console's own key, revoke asks for the name and signs the console out."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    Qt,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from app.api import AdminClient, ApiKeyAuth, RequestRecord, errors
from app.cache import AsyncPageCache
from app.core.sandbox_process import SandboxProcess
from app.ui.panel_context import PanelContext
from app.ui.panels.api_keys.key_rows import STATUS
from app.ui.panels.api_keys.panel import ApiKeysPanel
from tests.waiting import wait_until


# ---- shared helpers (the webhooks and quota tests import these) ------------------------------
@dataclass
class Session:
    """A console connection as the shell would set it up: client, cache, context, what it recorded."""

    client: AdminClient
    cache: AsyncPageCache
    context: PanelContext
    records: list[RequestRecord] = field(default_factory=list)
    signed_out: list[str] = field(default_factory=list)
    switched_to: list[str] = field(default_factory=list)

    async def close(self) -> None:
        await self.context.tasks.cancel_all()
        await self.cache.close()
        await self.client.aclose()


async def open_session(url: str, secret: str, cache_dir: Path, *, environment: str = "test") -> Session:
    """Connect like the shell: keep request records, a cache file, callbacks that act as the shell's."""
    client = AdminClient(url, ApiKeyAuth(secret))
    cache = await AsyncPageCache.open(cache_dir / "cache.sqlite3")
    me = await client.me.get()
    session = Session(client, cache, PanelContext(client=client, cache=cache, profile=None,
                                                  scopes=frozenset(me.scopes), environment=environment))
    client.add_request_listener(session.records.append)

    def credential_changed(new_secret: str) -> None:
        # What the shell does: the connection switches in place (its keychain write is the shell's test).
        session.switched_to.append(new_secret)
        client.set_auth(ApiKeyAuth(new_secret))

    session.context.credential_changed = credential_changed
    session.context.sign_out = session.signed_out.append
    return session


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float, message: str) -> None:
    """Poll an async condition (one that needs a server round trip) until it holds or time is up."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(message)
        await asyncio.sleep(0.1)


def top_level(name: str) -> QWidget | None:
    """The visible top-level window (dialog) with this objectName."""
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == name and widget.isVisible():
            return widget
    return None


async def dialog(name: str, timeout: float = 10.0) -> QWidget:
    await wait_until(lambda: top_level(name) is not None, timeout, f"dialog {name} did not open")
    return top_level(name)


def child(parent: QWidget, name: str) -> QWidget:
    found = parent.findChild(QWidget, name)
    assert found is not None, f"no widget named {name}"
    return found


def click(widget: QWidget) -> None:
    assert widget.isEnabled(), f"{widget.objectName()} is disabled"
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


_FLAT_MODELS = (QAbstractTableModel, QAbstractListModel)
_MODEL_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.EditRole)


def model_texts(model: QAbstractItemModel, parent: QModelIndex | None = None) -> list[str]:
    """Every cell's display, tooltip and edit text in an item model, child rows included."""
    parent = parent or QModelIndex()
    texts: list[str] = []
    for row in range(model.rowCount(parent)):
        for column in range(model.columnCount(parent)):
            index = model.index(row, column, parent)
            texts += [str(value) for role in _MODEL_ROLES if (value := model.data(index, role)) is not None]
        first = model.index(row, 0, parent)
        # Flat models have no child rows (and some answer rowCount for any parent): only trees recurse.
        if not isinstance(model, _FLAT_MODELS) and model.rowCount(first) > 0:
            texts += model_texts(model, first)
    return texts


def all_widget_texts() -> list[str]:
    """Every text a person could see (or a screen reader read) in any widget of the app:
    widget texts, every cell of every table/list/tree, every combo box item."""
    texts: list[str] = []
    for widget in QApplication.allWidgets():
        if isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        elif isinstance(widget, QLabel):
            texts.append(widget.text())
        elif isinstance(widget, (QTextEdit, QPlainTextEdit)):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            texts += model_texts(widget.model())
        texts += [widget.toolTip(), widget.windowTitle(), widget.accessibleName()]
    return texts


def files_under(*roots: Path) -> list[Path]:
    return [path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()]


def assert_secret_nowhere(secret: str, session: Session, *dirs: Path) -> None:
    """The secret is in no widget, no request record, no cache file, no config file."""
    assert not any(secret in text for text in all_widget_texts()), "secret still shown in a widget"
    for record in session.records:
        blob = repr(record)
        assert secret not in blob, f"secret in the request log ({record.method} {record.url})"
    for path in files_under(*dirs):
        assert secret.encode() not in path.read_bytes(), f"secret written to {path}"


async def confirm_saved_and_close(reveal: QWidget) -> str:
    """Read the secret off the reveal dialog, check it refuses to close first, then close it."""
    secret = child(reveal, "secret_reveal.secret").text()
    QTest.keyClick(reveal, Qt.Key.Key_Escape)
    assert reveal.isVisible(), "the secret dialog closed before the user confirmed saving it"
    assert "Tick that you saved" in child(reveal, "secret_reveal.hint").text()
    assert not child(reveal, "secret_reveal.done").isEnabled()
    click(child(reveal, "secret_reveal.copy"))
    assert QApplication.clipboard().text() == secret
    child(reveal, "secret_reveal.saved").setChecked(True)
    click(child(reveal, "secret_reveal.done"))
    await wait_until(lambda: top_level("secret_reveal") is None, 5, "secret dialog did not close")
    QApplication.clipboard().clear()
    return secret


async def settle_for_grab() -> None:
    """Let the running qasync loop serve the events a theme change posted (layout, polish, paint).

    Never `qapp.processEvents()` inside a coroutine: the nested pass also fires qasync's timers, so
    another task's wake-up runs while this task is still executing, asyncio refuses it ("Cannot
    enter into task ... while another task ... is being executed"), the wake-up is lost and that
    task (and whoever awaits it, e.g. `cancel_all` on close) waits forever.
    """
    await asyncio.sleep(0.05)


async def screenshot(widget: QWidget, module: str, qapp, size: tuple[int, int] = (1200, 760)) -> None:
    """Write DIR/<module>-light.png and -dark.png when OPSDESK_SCREENSHOTS=DIR is set."""
    target = os.environ.get("OPSDESK_SCREENSHOTS")
    if not target:
        return
    from app.ui.theme import apply_theme

    Path(target).mkdir(parents=True, exist_ok=True)
    widget.resize(*size)
    for scheme in ("light", "dark"):
        apply_theme(qapp, scheme)
        for each in QApplication.allWidgets():
            each.setPalette(qapp.palette())
        await settle_for_grab()
        widget.grab().save(str(Path(target) / f"{module}-{scheme}.png"))
    apply_theme(qapp, "light")


def row_of(panel_model, predicate: Callable) -> int:
    return next(i for i, record in enumerate(panel_model.rows) if predicate(record))


# ---- tests -------------------------------------------------------------------------------------
@pytest.fixture
def owner_key(sandbox_credentials) -> str:
    return sandbox_credentials["test"]["owner_key"]


def test_create_shows_the_secret_once_and_never_again(qtbot, qapp, run_async, sandbox, owner_key,
                                                      tmp_path, user_dirs) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, owner_key, tmp_path)
        panel = ApiKeysPanel(session.context)
        qtbot.addWidget(panel)
        panel.show()
        try:
            await panel.activate()
            assert panel.model.rowCount() >= 2
            click(panel.new_button)
            form = await dialog("api_keys.create_dialog")
            assert not child(form, "api_keys.create.scope.crm:read").isChecked()
            click(child(form, "api_keys.create.submit"))
            assert "name" in child(form, "api_keys.create.error").text()
            QTest.keyClicks(child(form, "api_keys.create.name"), "Zapier sync")
            click(child(form, "api_keys.create.submit"))
            assert "scope" in child(form, "api_keys.create.error").text()
            child(form, "api_keys.create.scope.crm:read").setChecked(True)
            child(form, "api_keys.create.expiry").setCurrentIndex(1)  # 7 days
            click(child(form, "api_keys.create.submit"))
            secret = await confirm_saved_and_close(await dialog("secret_reveal"))
            assert secret.startswith("opk_test_")

            row = row_of(panel.model, lambda key: key.name == "Zapier sync")
            key = panel.model.rows[row]
            assert key.scopes == ["crm:read"] and panel.model.index(row, 1).data() == f"{key.prefix}…{key.last4}"
            assert panel.model.index(row, STATUS).data() == "Expiring soon"  # 7 days: within the warning window
            await wait_until(lambda: not session.context.tasks, 10)
            assert "Key created" in panel.banner.plain_text

            # The secret works (it was real) yet is nowhere in the console any more.
            async with AdminClient(sandbox.url, ApiKeyAuth(secret)) as other:
                assert (await other.me.get()).id == key.id
            assert f"{key.prefix}…{key.last4}" in all_widget_texts(), "the scan reads the table's cells"
            assert_secret_nowhere(secret, session, tmp_path, user_dirs / "xdg_config_home")
            await screenshot(panel, "api_keys", qapp)
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_scopes_the_credential_lacks_are_disabled_with_the_reason(qtbot, run_async, sandbox, sandbox_credentials,
                                                                  tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, sandbox_credentials["test"]["owner_key"], tmp_path)
        session.context.scopes = frozenset({"keys:read", "keys:write", "crm:read"})
        panel = ApiKeysPanel(session.context)
        qtbot.addWidget(panel)
        panel.show()
        try:
            await panel.activate()
            click(panel.new_button)
            form = await dialog("api_keys.create_dialog")
            lacking = child(form, "api_keys.create.scope.support:write")
            assert not lacking.isEnabled() and "does not hold support:write" in lacking.toolTip()
            assert child(form, "api_keys.create.scope.crm:read").isEnabled()
            click(child(form, "api_keys.create.cancel"))
            await wait_until(lambda: top_level("api_keys.create_dialog") is None, 5)
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_revoking_another_key_needs_its_name_typed(qtbot, run_async, sandbox, owner_key, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, owner_key, tmp_path)
        spare = await session.client.api_keys.create({"name": "Spare key", "scopes": ["crm:read"]})
        spare_secret = spare.secret
        panel = ApiKeysPanel(session.context)
        qtbot.addWidget(panel)
        panel.show()
        try:
            await panel.activate()
            panel.select_key(spare.id)
            click(panel.revoke_button)
            confirm = await dialog("confirm_dialog")
            button = child(confirm, "confirm_dialog.confirm")
            QTest.keyClicks(child(confirm, "confirm_dialog.typed"), "Spare")
            assert not button.isEnabled()
            QTest.keyClicks(child(confirm, "confirm_dialog.typed"), " key")
            click(button)
            await wait_until(lambda: panel.model.rows[panel.model.row_of_id(spare.id)].status == "revoked", 10)
            assert session.signed_out == []
            async with AdminClient(sandbox.url, ApiKeyAuth(spare_secret), max_retries=0) as other:
                with pytest.raises(errors.Unauthorized):
                    await other.me.get()
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


@pytest.fixture
def fast_sandbox(tmp_path_factory) -> SandboxProcess:
    """A sandbox of our own where an hour lasts 6 s (time scale 600): grace periods run out in a test."""
    process = SandboxProcess.start(tmp_path_factory.mktemp("fast-sandbox"), seed_size=20, time_scale=600)
    yield process
    process.stop()


def test_rotating_the_consoles_own_key_switches_it_and_the_old_key_dies_after_grace(
        qtbot, run_async, fast_sandbox, tmp_path, user_dirs) -> None:
    async def scenario() -> None:
        old_secret = fast_sandbox.credentials()["test"]["owner_key"]
        session = await open_session(fast_sandbox.url, old_secret, tmp_path)
        panel = ApiKeysPanel(session.context)
        qtbot.addWidget(panel)
        panel.show()
        try:
            await panel.activate()
            own = panel.own_key_id
            assert own is not None and "(this console)" in panel.model.index(panel.model.row_of_id(own), 0).data()
            panel.select_key(own)
            click(panel.rotate_button)
            form = await dialog("api_keys.rotate_dialog")
            assert child(form, "api_keys.rotate.own_key").isVisible()
            child(form, "api_keys.rotate.grace").setCurrentIndex(1)  # 1 hour (6 s here)
            click(child(form, "api_keys.rotate.submit"))
            reveal = await dialog("secret_reveal", timeout=20)
            assert "Test call with the new key succeeded" in child(reveal, "secret_reveal.note").text()
            new_secret = await confirm_saved_and_close(reveal)
            assert session.switched_to == [new_secret] and new_secret != old_secret
            await wait_until(lambda: not session.context.tasks, 15)
            assert "succeeded" in panel.banner.plain_text and panel.own_key_id != own

            # After the (scaled) hour the old key is dead, and the console still works.
            async with AdminClient(fast_sandbox.url, ApiKeyAuth(old_secret), max_retries=0) as old:
                async def old_key_dead() -> bool:
                    try:
                        await old.me.get()
                    except errors.Unauthorized:
                        return True
                    return False

                assert not await old_key_dead(), "the old key died before its grace period ended"
                await eventually(old_key_dead, 15, "the old key still works after its grace period")
            new_id = panel.own_key_id
            await panel.refresh()  # the console keeps working on the new key
            assert panel.own_key_id == new_id and new_id != own
            assert panel.model.index(panel.model.row_of_id(own), STATUS).data() == "Expired"
            assert_secret_nowhere(new_secret, session, tmp_path, user_dirs / "xdg_config_home")
        finally:
            await session.close()

    run_async(scenario(), timeout=90)


def test_revoking_the_consoles_own_key_warns_and_signs_out(qtbot, run_async, fast_sandbox, tmp_path) -> None:
    async def scenario() -> None:
        secret = fast_sandbox.credentials()["test"]["owner_key"]
        session = await open_session(fast_sandbox.url, secret, tmp_path)
        # Revoke a key of its own making, so the other tests' owner key survives.
        own = await session.client.api_keys.create({"name": "Console key", "scopes": sorted(session.context.scopes)})
        session.client.set_auth(ApiKeyAuth(own.secret))
        panel = ApiKeysPanel(session.context)
        qtbot.addWidget(panel)
        panel.show()
        try:
            await panel.activate()
            assert panel.own_key_id == own.id
            panel.select_key(own.id)
            click(panel.revoke_button)
            confirm = await dialog("confirm_dialog")
            assert "session" in child(confirm, "confirm_dialog.warning").text()
            QTest.keyClicks(child(confirm, "confirm_dialog.typed"), "Console key")
            click(child(confirm, "confirm_dialog.confirm"))
            await wait_until(lambda: session.signed_out, 10, "the console did not sign out")
            assert "revoked" in session.signed_out[0]
            with pytest.raises(errors.Unauthorized):
                await session.client.me.get()
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_live_rotation_now_needs_the_name_typed_and_retires_the_old_key_after_the_rehearsal(
        qtbot, run_async, sandbox, owner_key, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, owner_key, tmp_path, environment="live")
        old = await session.client.api_keys.create({"name": "Deploy bot", "scopes": ["crm:read", "logs:read"]})
        old_secret = old.secret
        panel = ApiKeysPanel(session.context)
        qtbot.addWidget(panel)
        panel.show()
        try:
            await panel.activate()
            panel.select_key(old.id)
            click(panel.rotate_button)
            form = await dialog("api_keys.rotate_dialog")
            child(form, "api_keys.rotate.grace").setCurrentIndex(0)  # now
            assert "as soon as the new key has passed a test call" in child(form, "api_keys.rotate.grace_help").text()
            submit = child(form, "api_keys.rotate.submit")
            assert not submit.isEnabled()
            QTest.keyClicks(child(form, "api_keys.rotate.typed"), "Deploy bot")
            click(submit)
            new_secret = await confirm_saved_and_close(await dialog("secret_reveal", timeout=20))
            await wait_until(lambda: not session.context.tasks, 15)
            assert session.switched_to == []  # not the console's own key
            assert "was revoked" in panel.banner.plain_text
            assert panel.model.rows[panel.model.row_of_id(old.id)].status == "revoked"
            async with AdminClient(sandbox.url, ApiKeyAuth(old_secret), max_retries=0) as retired:
                with pytest.raises(errors.Unauthorized):
                    await retired.me.get()
            async with AdminClient(sandbox.url, ApiKeyAuth(new_secret)) as fresh:
                me = await fresh.me.get()
                assert sorted(me.scopes) == ["crm:read", "logs:read"] and me.id != old.id
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_if_the_console_cannot_switch_keys_a_now_rotation_keeps_the_old_key(qtbot, run_async, fast_sandbox,
                                                                           tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(fast_sandbox.url, fast_sandbox.credentials()["test"]["owner_key"], tmp_path)
        own = await session.client.api_keys.create({"name": "Console key", "scopes": sorted(session.context.scopes)})
        session.client.set_auth(ApiKeyAuth(own.secret))
        session.context.credential_changed = lambda secret: None  # a shell that fails to switch
        panel = ApiKeysPanel(session.context)
        qtbot.addWidget(panel)
        panel.show()
        try:
            await panel.activate()
            panel.select_key(own.id)
            click(panel.rotate_button)
            form = await dialog("api_keys.rotate_dialog")
            child(form, "api_keys.rotate.grace").setCurrentIndex(0)  # now
            click(child(form, "api_keys.rotate.submit"))
            reveal = await dialog("secret_reveal", timeout=20)
            assert "could not switch" in child(reveal, "secret_reveal.note").text()
            await confirm_saved_and_close(reveal)
            await wait_until(lambda: not session.context.tasks, 15)
            assert panel.banner.kind == "warning" and "still signed in with the old key" in panel.banner.plain_text
            assert (await session.client.me.get()).id == own.id  # the console was not cut off
            assert panel.own_key_id == own.id
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_the_panel_marks_the_consoles_own_key_from_the_sessions_identity_without_asking_again(
        qtbot, run_async, sandbox, owner_key, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, owner_key, tmp_path)
        await session.context.stores.identity.load()  # what the session does once at sign-in
        asked_before = len(session.records)
        panel = ApiKeysPanel(session.context)
        qtbot.addWidget(panel)
        panel.show()
        try:
            await panel.activate()
            await panel.refresh()
            asked = [r.url.rsplit("/v1", 1)[1] for r in session.records[asked_before:]]
            assert "/me" not in asked and "/api-keys?limit=100" in asked
            own = session.context.stores.identity.current.credential_id
            assert "(this console)" in panel.model.index(panel.model.row_of_id(own), 0).data()
            usable = sum(1 for key in panel.model.rows if key.status != "revoked"
                         and panel.model.index(panel.model.row_of_id(key.id), STATUS).data() in ("Active", "Expiring soon"))
            assert child(panel, "api_keys.summary").text() == f"{usable} usable of {panel.model.rowCount()} keys"
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_the_palettes_new_key_opens_the_form_or_says_why_not(qtbot, run_async, sandbox, owner_key,
                                                             sandbox_credentials, tmp_path) -> None:
    readonly = sandbox_credentials["test"]["readonly_key"]

    async def scenario() -> None:
        (tmp_path / "owner").mkdir()
        (tmp_path / "reader").mkdir()
        session = await open_session(sandbox.url, owner_key, tmp_path / "owner")
        reader = await open_session(sandbox.url, readonly, tmp_path / "reader")
        panel = ApiKeysPanel(session.context)
        read_only = ApiKeysPanel(reader.context)
        for each in (panel, read_only):
            qtbot.addWidget(each)
            each.show()
        try:
            await panel.activate()
            panel.start_new()  # what the command palette's "New API key" calls
            form = await dialog("api_keys.create_dialog")
            click(child(form, "api_keys.create.cancel"))
            await wait_until(lambda: top_level("api_keys.create_dialog") is None, 5)
            await read_only.activate()
            read_only.start_new()
            assert "needs keys:write" in read_only.banner.plain_text and top_level("api_keys.create_dialog") is None
        finally:
            await session.close()
            await reader.close()

    run_async(scenario(), timeout=60)
