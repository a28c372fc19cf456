"""The local sandbox supervisor on a real sandbox: a crash is reported once with its log; a stop is not a
crash; a released sandbox keeps running and the next console finds it."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.core.first_run import LOCAL_SANDBOX_NAME
from app.core.keychain import SecretStore
from app.core.profiles import ProfileStore
from app.core.sandbox_supervisor import (
    POLL_SECONDS,
    SandboxExit,
    SandboxSupervisor,
    read_tail,
)
from tests.core.sandbox_cleanup import no_sandbox_left_fixture  # noqa: F401  (fixture)
from tests.waiting import wait_until

SEED = {"seed_size": 20}


async def test_a_killed_sandbox_is_reported_once_with_the_end_of_its_log(home: Path, no_sandbox_left) -> None:
    exits: list[SandboxExit] = []
    with ThreadPoolExecutor(max_workers=1) as executor:
        supervisor = SandboxSupervisor(ProfileStore(), SecretStore(), executor, start_options=SEED,
                                       on_exit=exits.append)
        local = await supervisor.start_for_console(None)
        try:
            assert local is not None and local.profile.name == LOCAL_SANDBOX_NAME
            assert supervisor.local is local and local.process.running()
            local.process.kill()
            await wait_until(lambda: exits, 10, "the crash was never reported")
            [exit] = exits
            assert exit.code != 0
            # The sandbox's last words, as the status bar shows them (its log ends with its start-up lines).
            assert "app.sandbox" in exit.log_tail and exit.log_tail.endswith("\n")
            assert local.secret not in exit.log_tail
            # A restart finds the stale state file and starts a new sandbox; stopping it on purpose is no crash.
            again = await supervisor.start(LOCAL_SANDBOX_NAME)
            assert again.process.running() and again.process.pid != local.process.pid
        finally:
            assert await supervisor.stop()
        assert not again.process.running() and supervisor.local is None
        await asyncio.sleep(3 * POLL_SECONDS)  # the absence of a report: give a watch time to misfire
        assert len(exits) == 1


async def test_a_released_sandbox_keeps_running_and_the_next_console_uses_it(home: Path, no_sandbox_left) -> None:
    with ThreadPoolExecutor(max_workers=1) as executor:
        first = SandboxSupervisor(ProfileStore(), SecretStore(), executor, start_options=SEED)
        local = await first.start_for_console(None)
        first.release()  # what the console does at exit
        assert first.local is None and local.process.running()

        exits: list[SandboxExit] = []
        second = SandboxSupervisor(ProfileStore(), SecretStore(), executor, start_options=SEED, on_exit=exits.append)
        found = await second.start_for_console(None)
        assert found is not None and not found.created
        assert found.process.pid == local.process.pid and not found.process.started_here
        assert found.url == local.url and found.secret == local.secret
        # Stopped by another console (here the first one's handle): the watching one reports it.
        await asyncio.get_running_loop().run_in_executor(executor, local.process.stop)
        await wait_until(lambda: exits, 10, "the stop was never noticed")
        assert exits[0].code is None and "sandbox stopped" in exits[0].log_tail
        assert not await second.stop(), "nothing was running any more"


def test_read_tail_reads_only_the_end_and_never_raises(tmp_path: Path) -> None:
    log = tmp_path / "sandbox.stderr.log"
    log.write_text("x" * 10_000 + "the end: ünïcode\n", encoding="utf-8")
    assert read_tail(log, 17) == "the end: ünïcode\n"
    assert read_tail(tmp_path / "missing.log", 100) == ""
