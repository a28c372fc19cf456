"""The console shell on a real sandbox: sidebar, panels, status bar, scopes, environments, state."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.api import AdminClient, ApiKeyAuth
from app.ui.panels import registry
from tests.ui.shell_harness import (  # noqa: F401  (the console fixtures)
    add_profile,
    console_factory_fixture,
    console_fixture,
    wait_for_identity,
    wait_for_rows,
)
from tests.waiting import wait_until


def test_console_opens_profile_with_contacts_and_a_live_status_bar(console, run_async, sandbox, sandbox_credentials):
    add_profile(console, "Demo", sandbox.url, sandbox_credentials["test"]["owner_key"])

    async def scenario():
        assert await console.start()
        window = console.window
        rows = await wait_for_rows(window)
        await wait_for_identity(console)
        await wait_until(lambda: window.status.connection_state == "online", 10, "never shown online")
        await wait_until(lambda: "requests left" in window.status.rate_label.text(), 10, "no rate limit shown")
        await wait_until(lambda: "→ 200" in window.status.request_label.text(), 10, "no last request shown")
        assert rows > 0
        assert [window.sidebar.item(i).text() for i in range(window.sidebar.count())] == [
            spec.title for spec in registry.MODULES]
        assert "Demo" in window.status.profile_label.text()
        assert " ms" in window.status.request_label.text()
        for spec in registry.MODULES:
            assert window.sidebar.is_enabled(spec.name), spec.name
            page = window.open_module(spec.name)
            assert page.objectName() == f"panel.{spec.name}"
            assert window.stack.currentWidget() is page
        await console.shutdown()

    run_async(scenario(), timeout=60)


def test_modules_the_credential_may_not_use_are_disabled_with_the_reason(console, run_async, sandbox,
                                                                          sandbox_credentials):
    async def scenario():
        owner = AdminClient(sandbox.url, ApiKeyAuth(sandbox_credentials["test"]["owner_key"]))
        async with owner:
            crm_only = await owner.api_keys.create({"name": "crm reader", "scopes": ["crm:read"]})
        add_profile(console, "CRM reader", sandbox.url, crm_only.secret)
        assert await console.start()
        await wait_for_identity(console)
        window = console.window
        for name in ("tickets", "webhooks", "quota", "api_keys"):
            assert not window.sidebar.is_enabled(name), name
            reason = window.sidebar.item_of(name).toolTip()
            assert registry.spec_of(name).default_scope in reason, reason
            page = window.open_module(name)
            assert reason in page.message  # opened anyway (palette, shortcut): the page says why
        for name in ("contacts", "invoices", "request_log"):
            assert window.sidebar.is_enabled(name), name
        log_page = window.open_module("request_log")
        assert not log_page.tabs.isTabEnabled(1)
        assert "logs:read" in log_page.server_view_reason
        await console.shutdown()

    run_async(scenario(), timeout=60)


def test_live_profile_is_marked_unmistakably_and_test_is_calm(console, run_async, sandbox, sandbox_credentials):
    add_profile(console, "Prod", sandbox.url, sandbox_credentials["live"]["owner_key"], environment="live")
    add_profile(console, "Staging", sandbox.url, sandbox_credentials["test"]["owner_key"])

    async def scenario():
        window = console.window
        assert await console.start("Prod")
        await wait_for_identity(console)
        bar = window.environment_bar
        assert bar.isVisible() and bar.environment == "live"
        assert "LIVE" in bar.label.text()
        assert not bar.tag.isVisible()
        colour = bar.grab().toImage().pixelColor(3, 3)
        assert colour.red() > 150 and colour.blue() < 80, colour.name()  # orange, whatever the theme
        assert "(LIVE)" in window.windowTitle()
        assert window.windowTitle().count("Opsdesk") == 1, window.windowTitle()

        assert await console.switch_profile("Staging")
        await wait_for_identity(console)
        assert bar.environment == "test"
        assert bar.tag.isVisible() and bar.tag.text() == "Test data"
        assert "LIVE" not in bar.label.text()
        assert window.workarea.styleSheet() == ""
        await console.shutdown()

    run_async(scenario(), timeout=60)


def test_switching_profiles_closes_the_old_connection(console, run_async, sandbox, sandbox_credentials):
    add_profile(console, "One", sandbox.url, sandbox_credentials["test"]["owner_key"])
    add_profile(console, "Two", sandbox.url, sandbox_credentials["test"]["readonly_key"])

    async def scenario():
        assert await console.start("One")
        await wait_for_rows(console.window)
        first = console.session
        assert await console.switch_profile("Two")
        assert console.session is not first
        assert first.client._http.is_closed
        assert len(first.tasks) == 0
        assert console.window.context is console.session.context
        assert "Two" in console.window.status.profile_label.text()
        await wait_for_rows(console.window)
        await console.shutdown()
        assert console.session is None

    run_async(scenario(), timeout=60)


def test_window_geometry_and_open_module_are_restored(console_factory, run_async, sandbox, sandbox_credentials):
    async def first_run():
        console = console_factory()
        add_profile(console, "Demo", sandbox.url, sandbox_credentials["test"]["owner_key"])
        assert await console.start()
        console.window.resize(760, 540)
        console.window.open_module("request_log")
        console.window.close()
        assert console.closed.is_set()
        await console.shutdown()

    async def second_run():
        console = console_factory()
        assert await console.start()
        assert console.window.current_module == "request_log"
        assert console.window.sidebar.currentItem().text() == "Request log"
        assert (console.window.width(), console.window.height()) == (760, 540)
        await console.shutdown()

    run_async(first_run(), timeout=60)
    run_async(second_run(), timeout=60)


def test_keyboard_shortcuts_open_modules(console, qtbot, run_async, sandbox, sandbox_credentials):
    add_profile(console, "Demo", sandbox.url, sandbox_credentials["test"]["owner_key"])

    async def scenario():
        assert await console.start()
        window = console.window
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
        assert window.current_module == "request_log"
        qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        assert window.current_module == "contacts"
        await console.shutdown()

    run_async(scenario(), timeout=60)


def test_a_login_profile_signs_in_with_email_and_password(memory_keyring, console, run_async, sandbox,
                                                         sandbox_credentials):
    from app.core.profiles import Profile

    agent = sandbox_credentials["test"]["agent_user"]
    profile = console.store.add(Profile(name="Agent", base_url=sandbox.url, auth_kind="login",
                                        login_email=agent["email"]))
    console.secrets.set(profile.id, "password", agent["password"])

    async def scenario():
        assert await console.start()
        await wait_for_rows(console.window)
        await wait_for_identity(console)
        window = console.window
        # The agent role: crm, support, logs:read, quota:read; no webhooks or keys.
        assert window.sidebar.is_enabled("tickets") and window.sidebar.is_enabled("quota")
        assert not window.sidebar.is_enabled("webhooks") and not window.sidebar.is_enabled("api_keys")
        await wait_until(lambda: ("opsdesk", f"{profile.id}:refresh_token") in memory_keyring.entries, 10,
                         "the refresh token was not kept in the keychain")
        await console.shutdown()

    run_async(scenario(), timeout=60)


def test_a_rotated_own_key_is_used_and_kept_and_sign_out_ends_the_session(memory_keyring, console, run_async, sandbox,
                                                                          sandbox_credentials):
    owner_key = sandbox_credentials["test"]["owner_key"]

    async def scenario():
        owner = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        async with owner:
            mine = await owner.api_keys.create({"name": "console key", "scopes": ["crm:read", "keys:read"]})
            replacement = await owner.api_keys.create({"name": "console key 2", "scopes": ["crm:read"]})
        profile = add_profile(console, "Mine", sandbox.url, mine.secret)
        assert await console.start()
        await wait_for_identity(console)
        context = console.session.context
        context.credential_changed(replacement.secret)
        # The very next request already uses the new key; the keychain write follows in the background.
        assert (await console.session.client.me.get()).id == replacement.id
        await wait_until(lambda: memory_keyring.entries.get(("opsdesk", f"{profile.id}:api_key")) == replacement.secret,
                         10, "the rotated key was not stored")
        assert "new key" in console.window.notice("secret").plain_text

        context.sign_out("this key was revoked")
        await wait_until(lambda: console.window.status.connection_state == "signed_out", 10, "not signed out")
        assert console.session is None and console.window.context is None
        assert "this key was revoked" in console.window.notice("signed_out").plain_text
        await console.shutdown()

    run_async(scenario(), timeout=60)
