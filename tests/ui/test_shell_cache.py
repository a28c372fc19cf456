"""The shell with its page cache: cached rows with the server gone, and a corrupt cache recovered."""

from __future__ import annotations

from app.core import paths
from app.core.sandbox_process import SandboxProcess
from tests.ui.shell_harness import (
    add_profile,
    isolate_home,
    make_console,
    wait_for_rows,
)
from tests.waiting import wait_until


def test_cached_rows_appear_with_the_server_stopped(qtbot, run_async, monkeypatch, tmp_path):
    home = isolate_home(monkeypatch, tmp_path)
    server = SandboxProcess.start(tmp_path / "server", seed_size=80)
    try:
        key = server.credentials()["test"]["owner_key"]

        async def online():
            console = make_console(home)
            qtbot.addWidget(console.window)
            add_profile(console, "Demo", server.url, key)
            assert await console.start()
            await wait_for_rows(console.window)
            await wait_until(lambda: console.session.sync_task is not None, 20, "the record sync never started")
            await console.session.sync_task
            await console.shutdown()

        run_async(online(), timeout=60)
    finally:
        server.stop()

    async def offline():
        console = make_console(home)
        qtbot.addWidget(console.window)
        assert await console.start()
        window = console.window
        rows = await wait_for_rows(window, timeout=20)
        await wait_until(lambda: window.status.connection_state == "offline", 20, "offline was not shown")
        assert rows > 0
        assert "Offline" in window.status.connection_label.text()
        await console.shutdown()

    run_async(offline(), timeout=60)


def test_a_corrupt_cache_is_moved_aside_with_a_notice_and_rebuilt(qtbot, run_async, sandbox, sandbox_credentials,
                                                                  monkeypatch, tmp_path):
    home = isolate_home(monkeypatch, tmp_path)
    console = make_console(home)
    qtbot.addWidget(console.window)
    profile = add_profile(console, "Demo", sandbox.url, sandbox_credentials["test"]["owner_key"])
    cache_file = paths.profile_cache_file(profile.id)
    cache_file.parent.mkdir(parents=True)
    cache_file.write_bytes(b"this is not a database\x00" * 500)

    async def scenario():
        assert await console.start()
        notice = console.window.notice("cache")
        assert notice is not None and notice.kind == "warning"
        assert "damaged" in notice.plain_text and "rebuilt" in notice.plain_text
        assert await wait_for_rows(console.window) > 0
        await console.shutdown()

    run_async(scenario(), timeout=60)
    kept_aside = [p for p in cache_file.parent.iterdir() if p.name != cache_file.name and "cache.sqlite3" in p.name
                  and not p.name.endswith(("-wal", "-shm"))]
    assert kept_aside, list(cache_file.parent.iterdir())
