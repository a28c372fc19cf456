"""First run: no profile → a local sandbox, a "Local sandbox" profile, demo data; the sandbox outlives the
console, the next console opens on it, "Stop local sandbox" stops it; crash and restart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox

from app.core.first_run import LOCAL_SANDBOX_NAME
from app.core.sandbox_process import SandboxProcess
from tests.core.sandbox_cleanup import no_sandbox_left_fixture  # noqa: F401  (fixture)
from tests.ui.shell_harness import console_factory_fixture, wait_for_rows  # noqa: F401  (fixture)
from tests.waiting import wait_until


def _confirmation(console) -> QMessageBox:
    boxes = [box for box in console.window.findChildren(QMessageBox, "sandbox.stop.confirm") if box.isVisible()]
    assert len(boxes) == 1, boxes
    return boxes[0]


def test_first_run_creates_the_sandbox_profile_which_outlives_the_console_until_stopped(
        no_sandbox_left, console_factory, qtbot, run_async, memory_keyring):
    console = console_factory()

    async def scenario():
        assert console.store.list() == []
        assert await console.start()
        profile = console.store.get(LOCAL_SANDBOX_NAME)
        assert profile.is_local_sandbox and profile.environment == "test"
        secret = memory_keyring.entries[("opsdesk", f"{profile.id}:api_key")]
        assert secret.startswith("opk_test_")
        assert await wait_for_rows(console.window) > 0
        sandbox = console.local_sandbox.process
        assert sandbox.running() and sandbox.started_here
        await console.shutdown()
        assert sandbox.running() and sandbox.answers(), "the console's exit stopped the sandbox"

        # The next console opens on the sandbox that is still running.
        second = console_factory()
        assert await second.start()
        assert second.local_sandbox.process.pid == sandbox.pid and not second.local_sandbox.process.started_here
        assert await wait_for_rows(second.window) > 0

        # Console → Stop local sandbox asks first; Cancel keeps it running.
        action = second.window.findChild(type(second.stop_sandbox_action), "shell.action.stop_sandbox")
        assert action is second.stop_sandbox_action and action.text() == "Stop local sandbox"
        assert action in second.window.menuBar().actions()[0].menu().actions()
        action.trigger()
        box = _confirmation(second)
        assert "Stop the local sandbox?" in box.text()
        qtbot.mouseClick(box.findChild(QAbstractButton, "sandbox.stop.confirm.cancel"), Qt.MouseButton.LeftButton)
        await wait_until(lambda: not box.isVisible(), 5, "the confirmation stayed open")
        assert sandbox.running() and second.session is not None

        action.trigger()
        qtbot.mouseClick(_confirmation(second).findChild(QAbstractButton, "sandbox.stop.confirm.stop"),
                         Qt.MouseButton.LeftButton)
        await wait_until(lambda: not sandbox.running(), 30, "Stop local sandbox did not stop it")
        assert SandboxProcess.find(sandbox.data_dir) is None
        await wait_until(lambda: second.window.notice("sandbox") is not None, 5, "the stop was not told")
        assert "was stopped" in second.window.notice("sandbox").plain_text
        assert second.session is None and second.window.status.connection_state == "sandbox_down"

    run_async(scenario(), timeout=150)


def test_a_crashed_sandbox_is_shown_and_can_be_restarted(no_sandbox_left, console_factory, qtbot, run_async):
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
        # Hovering the status shows the sandbox's last log lines (why it died, secrets masked).
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

    run_async(scenario(), timeout=150)
