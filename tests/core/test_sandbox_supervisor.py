"""The local sandbox supervisor on a real child: a crash is reported once with its log; a stop is not a crash."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.core.first_run import LOCAL_SANDBOX_NAME
from app.core.keychain import SecretStore
from app.core.profiles import ProfileStore
from app.core.sandbox_supervisor import POLL_SECONDS, SandboxExit, SandboxSupervisor, read_tail
from tests.waiting import wait_until

SEED = {"seed_size": 20}


async def test_a_killed_child_is_reported_once_with_the_end_of_its_log(home: Path) -> None:
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
            # The child's last words, as the status bar shows them (its log ends with its start-up lines).
            assert "app.sandbox" in exit.log_tail and exit.log_tail.endswith("\n")
            assert local.secret not in exit.log_tail
            # A restart adopts a new child on a new port; stopping it on purpose is not a crash.
            again = await supervisor.start(LOCAL_SANDBOX_NAME)
            assert again.process.running() and again.url != local.url
        finally:
            await supervisor.stop()
        assert not again.process.running() and supervisor.local is None
        await asyncio.sleep(3 * POLL_SECONDS)  # the absence of a report: give a watch time to misfire
        assert len(exits) == 1


def test_read_tail_reads_only_the_end_and_never_raises(tmp_path: Path) -> None:
    log = tmp_path / "sandbox.stderr.log"
    log.write_text("x" * 10_000 + "the end: ünïcode\n", encoding="utf-8")
    assert read_tail(log, 17) == "the end: ünïcode\n"
    assert read_tail(tmp_path / "missing.log", 100) == ""
