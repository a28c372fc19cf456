"""Profiles through the dialog: add, test, edit, open, delete; secrets only in the keychain, or nowhere."""

from __future__ import annotations

import keyring
from keyring.backends import fail
from PySide6.QtCore import Qt

from app.core import paths
from app.core.keychain import SecretStore
from app.core.profile_service import NO_KEYCHAIN_NOTICE
from tests.ui.shell_harness import (  # noqa: F401  (the console fixture)
    add_profile,
    console_factory_fixture,
    wait_for_rows,
)
from tests.waiting import wait_until


def _click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _choose(qtbot, dialog, name: str) -> None:
    """Click the profile called `name` in the dialog's list."""
    item = dialog.list.findItems(name, Qt.MatchFlag.MatchExactly)[0]
    qtbot.mouseClick(dialog.list.viewport(), Qt.MouseButton.LeftButton, pos=dialog.list.visualItemRect(item).center())
    assert dialog.form.name.text() == name


def _fill(qtbot, dialog, name: str, url: str, secret: str) -> None:
    form = dialog.form
    for widget, text in ((form.name, name), (form.base_url, url), (form.secret, secret)):
        widget.clear()
        qtbot.keyClicks(widget, text)


def test_profile_crud_through_the_dialog_keeps_secrets_in_the_keychain(console_factory, qtbot, run_async, memory_keyring, sandbox,
                                                                       sandbox_credentials, monkeypatch, tmp_path):
    home = tmp_path
    console = console_factory()
    first = add_profile(console, "First", sandbox.url, sandbox_credentials["test"]["owner_key"])
    key = sandbox_credentials["test"]["readonly_key"]

    async def scenario():
        assert await console.start()
        console.show_profiles()
        dialog = console._profiles_dialog
        assert dialog.isVisible() and not dialog.isModal()
        assert dialog.names() == ["First"]
        assert not dialog.keychain_note.isVisible()

        _click(qtbot, dialog.add_button)
        _fill(qtbot, dialog, "Second", "http://127.0.0.1:1/v1", key)
        _click(qtbot, dialog.test_button)
        await wait_until(lambda: dialog.result.text().startswith("Connection failed"), 20, dialog.result.text())
        assert "Cannot reach the server" in dialog.result.text()
        assert dialog.form.name.text() == "Second"  # what the user typed is still there

        dialog.form.base_url.clear()
        qtbot.keyClicks(dialog.form.base_url, sandbox.url)
        _click(qtbot, dialog.test_button)
        await wait_until(lambda: dialog.result.text().startswith("Connected"), 20, dialog.result.text())
        assert "logs:read" in dialog.result.text()

        _click(qtbot, dialog.save_button)
        await wait_until(lambda: "Second" in dialog.names(), 10, dialog.result.text())
        second = console.store.get("Second")
        assert memory_keyring.entries[("opsdesk", f"{second.id}:api_key")] == key
        assert key not in (home / "profiles.json").read_text()

        dialog.form.base_url.clear()
        qtbot.keyClicks(dialog.form.base_url, "not a url")
        _click(qtbot, dialog.save_button)
        await wait_until(lambda: "not an http(s) URL" in dialog.result.text(), 10, dialog.result.text())
        assert dialog.form.base_url.text() == "not a url"
        dialog.form.base_url.clear()
        qtbot.keyClicks(dialog.form.base_url, sandbox.url)
        dialog.form.name.clear()
        qtbot.keyClicks(dialog.form.name, "Second (read-only)")
        _click(qtbot, dialog.save_button)
        await wait_until(lambda: "Second (read-only)" in dialog.names(), 10, dialog.result.text())
        assert console.store.get("Second (read-only)").id == second.id
        assert memory_keyring.entries[("opsdesk", f"{second.id}:api_key")] == key

        _click(qtbot, dialog.switch_button)
        await wait_until(lambda: console.session is not None and console.session.profile.id == second.id, 20,
                         dialog.result.text())
        await wait_for_rows(console.window)

        dialog.reload(select="First")
        assert dialog.list.currentItem().text() == "First"
        cache_dir = paths.profile_cache_dir(first.id)
        assert cache_dir.exists()
        _click(qtbot, dialog.delete_button)
        assert dialog.confirm_button.isVisible()
        assert "First" in dialog.confirm_label.text()
        _click(qtbot, dialog.confirm_button)
        await wait_until(lambda: "First" not in dialog.names(), 10, dialog.result.text())
        assert ("opsdesk", f"{first.id}:api_key") not in memory_keyring.entries
        assert not cache_dir.exists()
        assert console.session.profile.id == second.id  # the open profile was not the deleted one
        await console.shutdown()

    run_async(scenario(), timeout=90)


def test_without_a_keychain_the_secret_is_kept_for_the_session_and_never_written(console_factory, qtbot, run_async, sandbox,
                                                                                 sandbox_credentials, monkeypatch,
                                                                                 tmp_path):
    home = tmp_path
    keyring.set_keyring(fail.Keyring())  # a headless Linux; the autouse fixture restores the memory keyring
    console = console_factory(secrets=SecretStore())
    key = sandbox_credentials["test"]["owner_key"]

    async def scenario():
        console.show_profiles()
        dialog = console._profiles_dialog
        assert dialog.keychain_note.isVisible()
        assert dialog.keychain_note.text() == NO_KEYCHAIN_NOTICE
        _click(qtbot, dialog.add_button)
        _fill(qtbot, dialog, "Headless", sandbox.url, key)
        _click(qtbot, dialog.save_button)
        await wait_until(lambda: "Headless" in dialog.names(), 10, dialog.result.text())
        assert "for this session only" in dialog.result.text()
        _click(qtbot, dialog.switch_button)
        await wait_until(lambda: console.session is not None, 20, dialog.result.text())
        await wait_for_rows(console.window)
        notice = console.window.notice("keychain")
        assert notice is not None and notice.plain_text == NO_KEYCHAIN_NOTICE
        request_log = console.window.open_module("request_log")
        await console.window.activation("request_log")
        assert request_log.records
        await console.shutdown()

    run_async(scenario(), timeout=90)
    written = [path for path in home.rglob("*") if path.is_file()]
    assert any(path.name == "cache.sqlite3" for path in written)  # the scan below covers real files
    for path in written:
        assert key.encode() not in path.read_bytes(), f"the key was written to {path}"


def test_open_in_the_dialog_switches_the_console_to_the_chosen_profile(console_factory, qtbot, run_async, sandbox,
                                                                        sandbox_credentials):
    """Defect 2 of issue 12: Open failed every time with "Unexpected problem: RuntimeError" (the
    list was rebuilt while the handler still held the deleted list item)."""
    console = console_factory()
    add_profile(console, "First", sandbox.url, sandbox_credentials["test"]["owner_key"])
    second = add_profile(console, "Second", sandbox.url, sandbox_credentials["test"]["readonly_key"])

    async def scenario():
        assert await console.start("First")
        await wait_for_rows(console.window)
        console.show_profiles()
        dialog = console._profiles_dialog
        _choose(qtbot, dialog, "Second")
        _click(qtbot, dialog.switch_button)
        await wait_until(lambda: dialog.result.text() not in ("", "Opening 'Second'…"), 30, "Open never finished")
        assert dialog.result.text() == "Opened 'Second'.", dialog.result.text()
        assert console.session.profile.id == second.id
        assert "Second" in console.window.status.profile_label.text()
        opened = dialog.list.findItems("Second", Qt.MatchFlag.MatchExactly)[0]
        assert opened.font().bold() and "open" in opened.toolTip()
        assert not dialog.list.findItems("First", Qt.MatchFlag.MatchExactly)[0].font().bold()
        assert await wait_for_rows(console.window) > 0
        assert console.window.problems() == []
        await console.shutdown()

    run_async(scenario(), timeout=90)


def test_test_connection_detects_the_platform_and_a_saved_profile_speaks_it(console_factory, qtbot, run_async,
                                                                           memory_keyring, sandbox, sandbox_credentials):
    """A BiVelio key pasted into a new profile: Test connection finds BiVelio, says what it lacks, the
    form switches to it; saved and opened, the console lists BiVelio's contacts through its mount."""
    section = sandbox_credentials["live"]["dialects"]["bivelio"]
    url = sandbox.url.removesuffix("/v1") + section["base_url"]
    console = console_factory()
    add_profile(console, "First", sandbox.url, sandbox_credentials["test"]["owner_key"])

    async def scenario():
        assert await console.start()
        console.show_profiles()
        dialog = console._profiles_dialog
        _click(qtbot, dialog.add_button)
        assert dialog.form.platform.currentData() == "opsdesk"
        _fill(qtbot, dialog, "Shop on BiVelio", url, section["api_key"])
        _click(qtbot, dialog.test_button)
        await wait_until(lambda: dialog.result.text().startswith(("Connected", "Connection failed")), 20,
                         dialog.result.text())
        assert dialog.result.text().startswith("Connected to BiVelio"), dialog.result.text()
        assert "Not on this platform: support" in dialog.result.text() and "etag" in dialog.result.text()
        assert "compares update times" in dialog.result.toolTip()  # the whole sentence on hover
        assert dialog.form.platform.currentData() == "bivelio"
        _click(qtbot, dialog.save_button)
        await wait_until(lambda: "Shop on BiVelio" in dialog.names(), 10, dialog.result.text())
        saved = console.store.get("Shop on BiVelio")
        assert saved.platform == "bivelio"
        assert memory_keyring.entries[("opsdesk", f"{saved.id}:api_key")] == section["api_key"]
        _click(qtbot, dialog.switch_button)
        await wait_until(lambda: console.session is not None and console.session.profile.id == saved.id, 20,
                         dialog.result.text())
        await wait_for_rows(console.window)
        assert not console.window.sidebar.is_enabled("tickets")  # BiVelio has no ticketing API
        assert "BiVelio" in console.window.disabled_reason("tickets")

    run_async(scenario(), timeout=90)
