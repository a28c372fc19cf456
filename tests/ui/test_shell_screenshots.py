"""Pictures of the main window on the sandbox's demo data, light and dark, when OPSDESK_SCREENSHOTS=DIR."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.ui.theme import apply_theme
from tests.ui.shell_harness import (  # noqa: F401  (the console fixture)
    add_profile,
    console_factory_fixture,
    wait_for_identity,
    wait_for_rows,
)
from tests.waiting import wait_until

SCREENSHOTS = os.environ.get("OPSDESK_SCREENSHOTS")


@pytest.mark.skipif(not SCREENSHOTS, reason="set OPSDESK_SCREENSHOTS=DIR to write screenshots")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_main_window_screenshot(console_factory, qtbot, run_async, sandbox, sandbox_credentials, monkeypatch, tmp_path, scheme):
    out = Path(SCREENSHOTS)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    apply_theme(app, scheme)
    console = console_factory()
    add_profile(console, "Demo workspace", sandbox.url, sandbox_credentials["test"]["owner_key"])
    add_profile(console, "Production", sandbox.url, sandbox_credentials["live"]["owner_key"], environment="live")

    async def scenario():
        window = console.window
        window.resize(1280, 800)
        assert await console.start("Demo workspace")
        await wait_for_rows(window)
        await wait_for_identity(console)
        await wait_until(lambda: window.status.connection_state == "online", 10)
        window.grab().save(str(out / f"main_window-{scheme}.png"))
        log = window.open_module("request_log")
        await window.activation("request_log")
        log.table.selectRow(0)
        window.grab().save(str(out / f"request_log-{scheme}.png"))
        assert await console.switch_profile("Production")
        await wait_for_rows(window)
        await wait_for_identity(console)
        window.grab().save(str(out / f"main_window_live-{scheme}.png"))
        await console.shutdown()

    try:
        run_async(scenario(), timeout=90)
    finally:
        apply_theme(app, "light")
    for name in ("main_window", "request_log", "main_window_live"):
        assert (out / f"{name}-{scheme}.png").stat().st_size > 10_000
