"""The shell with its page cache: cached rows with the server gone, and a corrupt cache recovered
(also when the start-up preview looked at the file first)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.core import paths
from app.core.keychain import SecretStore
from app.core.profiles import Profile, ProfileStore
from app.core.sandbox_process import SandboxProcess
from app.ui.launch import parse_args, show_window_with_cached_rows
from tests.ui.shell_harness import (  # noqa: F401  (the console fixtures)
    add_profile,
    console_factory_fixture,
    console_fixture,
    wait_for_rows,
)
from tests.waiting import wait_until

CORRUPT = b"this is not a database\x00" * 500


def test_cached_rows_appear_with_the_server_stopped(console_factory, run_async, tmp_path):
    server = SandboxProcess.start(tmp_path / "server", seed_size=80)
    try:
        key = server.credentials()["test"]["owner_key"]

        async def online():
            console = console_factory()
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
        console = console_factory()
        assert await console.start()
        window = console.window
        rows = await wait_for_rows(window, timeout=20)
        await wait_until(lambda: window.status.connection_state == "offline", 20, "offline was not shown")
        assert rows > 0
        assert "Offline" in window.status.connection_label.text()

    run_async(offline(), timeout=60)


def kept_aside(cache_file):
    return [p for p in cache_file.parent.iterdir() if p.name != cache_file.name and "cache.sqlite3" in p.name
            and not p.name.endswith(("-wal", "-shm"))]


def assert_recovery_notice(console) -> None:
    notice = console.window.notice("cache")
    assert notice is not None and notice.kind == "warning"
    assert "damaged" in notice.plain_text and "rebuilt" in notice.plain_text


def test_a_corrupt_cache_is_moved_aside_with_a_notice_and_rebuilt(console, run_async, sandbox, sandbox_credentials):
    profile = add_profile(console, "Demo", sandbox.url, sandbox_credentials["test"]["owner_key"])
    cache_file = paths.profile_cache_file(profile.id)
    cache_file.parent.mkdir(parents=True)
    cache_file.write_bytes(CORRUPT)

    async def scenario():
        assert await console.start()
        assert_recovery_notice(console)
        assert await wait_for_rows(console.window) > 0

    run_async(scenario(), timeout=60)
    assert kept_aside(cache_file), list(cache_file.parent.iterdir())


def test_a_corrupt_cache_seen_by_the_start_up_preview_is_still_reported(console_factory, run_async, sandbox,
                                                                        sandbox_credentials):
    store = ProfileStore()
    profile = store.add(Profile(name="Demo", base_url=sandbox.url))
    SecretStore().set(profile.id, "api_key", sandbox_credentials["test"]["owner_key"])
    cache_file = paths.profile_cache_file(profile.id)
    cache_file.parent.mkdir(parents=True)
    cache_file.write_bytes(CORRUPT)

    # The launcher's first paint: no preview from a damaged file, and the file left for the session.
    window = show_window_with_cached_rows(parse_args(["--profile", "Demo"]))
    assert window.findChild(QWidget, "shell.preview") is None
    assert cache_file.read_bytes() == CORRUPT and not kept_aside(cache_file)

    async def scenario():
        console = console_factory(store=store, window=window)
        assert await console.start("Demo")
        assert_recovery_notice(console)
        assert await wait_for_rows(console.window) > 0

    run_async(scenario(), timeout=60)
    assert kept_aside(cache_file), list(cache_file.parent.iterdir())
