"""First run: no profile → a local sandbox child, a "Local sandbox" profile, demo data; crash and restart."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.core.first_run import LOCAL_SANDBOX_NAME
from tests.ui.shell_harness import console_factory_fixture, wait_for_rows  # noqa: F401  (fixture)
from tests.waiting import wait_until


def test_first_run_creates_the_sandbox_profile_and_shows_demo_data(console_factory, qtbot, run_async, memory_keyring,
                                                                   monkeypatch, tmp_path):
    console = console_factory()

    async def scenario():
        assert console.store.list() == []
        assert await console.start()
        profile = console.store.get(LOCAL_SANDBOX_NAME)
        assert profile.is_local_sandbox and profile.environment == "test"
        secret = memory_keyring.entries[("opsdesk", f"{profile.id}:api_key")]
        assert secret.startswith("opk_test_")
        assert await wait_for_rows(console.window) > 0
        child = console.local_sandbox.process
        assert child.running()
        await console.shutdown()
        assert not child.running(), "the sandbox child outlived the console"

    run_async(scenario(), timeout=120)


def test_a_crashed_sandbox_is_shown_and_can_be_restarted(console_factory, qtbot, run_async, monkeypatch, tmp_path):
    console = console_factory()

    async def scenario():
        assert await console.start()
        window = console.window
        await wait_for_rows(window)
        first_url = console.session.profile.base_url
        console.local_sandbox.process.kill()
        await wait_until(lambda: window.notice("sandbox") is not None, 10, "the crash was not shown")
        notice = window.notice("sandbox")
        assert "stopped unexpectedly" in notice.plain_text
        assert window.status.connection_state == "sandbox_down"
        # Hovering the status shows the child's last log lines (why it died, secrets masked).
        await wait_until(lambda: "app.sandbox" in window.status.connection_label.toolTip(), 10,
                         window.status.connection_label.toolTip())
        restart = notice.findChild(type(notice._action), "shell.notice.sandbox.action")
        assert restart.isVisible() and restart.text() == "Restart"
        qtbot.mouseClick(restart, Qt.MouseButton.LeftButton)
        await wait_until(lambda: console.session is not None and console.session.profile.base_url != first_url,
                         60, "the sandbox did not restart")
        assert console.local_sandbox.process.running()
        await wait_for_rows(window)
        assert window.notice("sandbox") is None
        await console.shutdown()

    run_async(scenario(), timeout=150)
