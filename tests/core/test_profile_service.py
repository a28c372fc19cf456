"""The profile service's decisions, against real sandboxes and a host that plays the console's part."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordSetError

from app.api import errors
from app.core import paths
from app.core.first_run import LIVE_SANDBOX_NAME, LOCAL_SANDBOX_NAME
from app.core.keychain import KeychainError, SecretStore
from app.core.profile_service import (
    NO_KEYCHAIN_NOTICE,
    PROFILES,
    RESTART,
    Notice,
    ProfileService,
)
from app.core.profiles import Profile, ProfileStore
from app.core.sandbox_process import SandboxProcess
from tests.core.sandbox_cleanup import stop_sandboxes_under
from tests.waiting import wait_until

SEED = {"seed_size": 20}


class Host:
    """The window side as the console plays it: opens with the service's secret, shows what it is told."""

    def __init__(self) -> None:
        self.service: ProfileService | None = None
        self.opened: list[tuple[Profile, str]] = []
        self.closed = 0
        self.notices: dict[str, Notice] = {}
        self.status: list[tuple[str, str]] = []

    async def open_profile(self, profile: Profile, secret: str | None = None) -> bool:
        await self.close_session()
        secret = await self.service.secret_for(profile, secret)
        if not secret:
            return False
        self.opened.append((profile, secret))
        await self.service.opened(profile, None)
        return True

    async def close_session(self) -> None:
        if self.service.active is not None:
            self.closed += 1
            self.service.closed()

    def show_notice(self, notice: Notice) -> None:
        if notice.kind:
            self.notices[notice.key] = notice
        else:
            self.notices.pop(notice.key, None)

    def show_status(self, state: str, detail: str = "") -> None:
        self.status.append((state, detail))


@pytest.fixture
async def service(home: Path):
    host = Host()
    made = ProfileService(host, ProfileStore(), SecretStore(), sandbox_options=SEED)
    host.service = made
    yield made
    await made.close()
    stop_sandboxes_under(home)  # the service leaves its sandbox running, as the console does


def add_remote(service: ProfileService, name: str, url: str, key: str | None) -> Profile:
    profile = service.store.add(Profile(name=name, base_url=url))
    if key:
        service.secrets.set(profile.id, "api_key", key)
    return profile


async def test_first_run_opens_the_local_sandbox_and_a_crash_offers_a_restart(service, memory_keyring) -> None:
    host = service.host
    assert await service.start()
    profile, secret = host.opened[-1]
    assert profile.name == LOCAL_SANDBOX_NAME and profile.is_local_sandbox
    assert memory_keyring.entries[("opsdesk", f"{profile.id}:api_key")] == secret
    assert host.status[0] == ("connecting", "Starting the local sandbox…")
    assert "startup" not in host.notices and "keychain" not in host.notices
    assert service.active == profile
    child = service.sandbox.local.process

    child.kill()
    await wait_until(lambda: "sandbox" in host.notices, 10, "the crash was not told")
    notice = host.notices["sandbox"]
    assert notice.kind == "error" and "stopped unexpectedly" in notice.text and notice.action == RESTART
    state, detail = host.status[-1]
    assert state == "sandbox_down" and "app.sandbox" in detail and secret not in detail  # the child's log

    assert await service.restart_sandbox()  # the Restart button: the profile that ran
    assert "sandbox" not in host.notices
    reopened, _ = host.opened[-1]
    assert reopened.id == profile.id and reopened.base_url != profile.base_url
    assert service.sandbox.local.process.running()


async def test_switching_to_a_remote_profile_keeps_the_sandbox_and_deleting_its_last_profile_stops_it(
        service, sandbox, sandbox_credentials, memory_keyring) -> None:
    host = service.host
    assert await service.start()
    child = service.sandbox.local.process
    remote = add_remote(service, "Remote", sandbox.url, sandbox_credentials["test"]["readonly_key"])

    assert await service.switch("Remote")
    assert child.running(), "a switch stopped the sandbox the local profiles use"
    assert service.sandbox.local is None and host.closed >= 1
    assert host.opened[-1] == (remote, sandbox_credentials["test"]["readonly_key"])

    assert await service.switch(LOCAL_SANDBOX_NAME)  # back on the same sandbox, nothing started
    local = service.sandbox.local
    assert local.process.pid == child.pid and not local.process.started_here and service.active.is_local_sandbox
    data_dir = Path(local.profile.sandbox_data_dir)
    await service.delete(LOCAL_SANDBOX_NAME)
    assert child.running(), "the live workspace's profile still uses the sandbox"
    assert service.active is None and service.sandbox.local is None
    assert host.status[-1] == ("signed_out", "No profile is open.")
    assert "was deleted" in host.notices["startup"].text and host.notices["startup"].action == PROFILES
    assert [p.name for p in service.list() if p.platform == "opsdesk"] == [LIVE_SANDBOX_NAME, "Remote"]
    assert data_dir.exists(), "the live workspace's profile still uses the sandbox's data"
    for dialect_profile in [p for p in service.list() if p.platform != "opsdesk"]:
        await service.delete(dialect_profile.name)
        assert child.running(), "other profiles still use the sandbox"
    await service.delete(LIVE_SANDBOX_NAME)
    assert not child.running(), "the sandbox outlived the last profile on its data"
    assert [p.name for p in service.list()] == ["Remote"]
    assert not data_dir.exists() and data_dir.is_relative_to(paths.data_dir())
    assert all(not name.startswith(local.profile.id) for _, name in memory_keyring.entries)


async def test_stop_local_sandbox_closes_its_session_and_stops_it_whoever_started_it(service) -> None:
    host = service.host
    assert await service.start()
    data_dir = service.sandbox.local.profile.sandbox_data_dir
    pid = service.sandbox.local.process.pid
    await service.close()  # a console exits; the sandbox stays

    later = ProfileService(host, ProfileStore(), SecretStore(), sandbox_options=SEED)
    host.service = later
    try:
        assert await later.start() and later.sandbox.local.process.pid == pid
        assert await later.stop_sandbox()
        assert SandboxProcess.find(data_dir) is None, "the sandbox still answers"
        assert later.active is None and host.status[-1] == ("sandbox_down", "Stopped from the Console menu.")
        notice = host.notices["sandbox"]
        assert notice.kind == "info" and "was stopped" in notice.text and notice.action == RESTART
        assert not await later.stop_sandbox(), "nothing left to stop"
        assert await later.restart_sandbox(LOCAL_SANDBOX_NAME)  # the notice's Restart
        assert later.sandbox.local.process.started_here and later.sandbox.local.process.pid != pid
    finally:
        await later.close()


async def test_start_says_why_nothing_opened(service) -> None:
    host = service.host
    add_remote(service, "No key", "https://api.example.com/v1", None)
    assert not await service.start("Nope")
    assert "There is no profile named 'Nope'" in host.notices["startup"].text
    assert host.notices["startup"].action == PROFILES
    assert not await service.start()
    notice = host.notices["secret"]
    assert notice.kind == "warning" and "No key is stored for the profile 'No key'" in notice.text
    assert notice.action == PROFILES
    assert service.sandbox.local is None and host.opened == []


async def test_a_connection_test_reports_the_workspace_and_scopes_or_why_not(service, sandbox,
                                                                             sandbox_credentials) -> None:
    typed = Profile(name="Typed", base_url=sandbox.url)
    assert (await service.test_connection(typed, None)).secret_missing
    unreachable = await service.test_connection(Profile(name="Down", base_url="http://127.0.0.1:1/v1"), "opk_test_x")
    assert isinstance(unreachable.error, errors.ApiConnectionError)
    check = await service.test_connection(typed, sandbox_credentials["test"]["readonly_key"])
    assert check.error is None and check.workspace == sandbox_credentials["test"]["workspace_name"]
    assert check.environment == "test" and "logs:read" in check.scopes
    refused = await service.test_connection(typed, "opk_test_" + "0" * 40)
    assert isinstance(refused.error, errors.Unauthorized)


async def test_saving_the_open_profile_reopens_it_and_a_rotated_key_is_kept(service, sandbox, sandbox_credentials,
                                                                           memory_keyring) -> None:
    host = service.host
    key = sandbox_credentials["test"]["owner_key"]
    saved = await service.save(Profile(name="Mine", base_url=sandbox.url), key)
    assert memory_keyring.entries[("opsdesk", f"{saved.id}:api_key")] == key
    assert await service.start("Mine")
    renamed = await service.save(Profile(name="Mine, renamed", base_url=sandbox.url), None, original_name="Mine")
    assert renamed.id == saved.id and host.opened[-1] == (renamed, key)
    assert service.active == renamed

    await service.keep_rotated_key(renamed, "opk_test_rotated")
    assert memory_keyring.entries[("opsdesk", f"{saved.id}:api_key")] == "opk_test_rotated"
    assert host.notices["secret"] == Notice("secret", "success",
                                            "The console now uses the new key, kept in the system keychain.")


class RefusingKeyring(KeyringBackend):
    """A keychain that is there but refuses every write (a locked or read-only one)."""

    priority = 1

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        raise PasswordSetError("locked")

    def delete_password(self, service, username):
        pass


async def test_a_new_profile_whose_key_the_keychain_refuses_is_not_kept(home: Path) -> None:
    host = Host()
    service = ProfileService(host, ProfileStore(), SecretStore(backend=RefusingKeyring()))
    host.service = service
    try:
        with pytest.raises(KeychainError, match="refused"):
            await service.save(Profile(name="Locked", base_url="https://api.example.com/v1"), "opk_test_secret")
        assert service.list() == [] and ProfileStore().list() == []
    finally:
        await service.close()


async def test_without_a_keychain_the_opened_profile_says_its_key_is_for_this_session(home: Path, sandbox,
                                                                                       sandbox_credentials) -> None:
    keyring.set_keyring(fail.Keyring())  # a headless Linux; the autouse fixture restores the memory keyring
    host = Host()
    service = ProfileService(host, ProfileStore(), SecretStore())
    host.service = service
    try:
        await service.save(Profile(name="Headless", base_url=sandbox.url), sandbox_credentials["test"]["owner_key"])
        assert service.session_only and service.where_kept == "for this session only"
        assert await service.start()
        assert host.notices["keychain"] == Notice("keychain", "warning", NO_KEYCHAIN_NOTICE)
    finally:
        await service.close()


async def test_the_live_workspace_is_a_profile_of_its_own_on_the_same_running_sandbox(service, memory_keyring) -> None:
    host = service.host
    assert await service.start()
    test_profile, test_key = host.opened[-1]
    process = service.sandbox.local.process
    live = service.store.get(LIVE_SANDBOX_NAME)
    assert live.environment == "live" and live.is_local_sandbox
    assert live.sandbox_data_dir == test_profile.sandbox_data_dir

    assert await service.switch(LIVE_SANDBOX_NAME)
    opened, live_key = host.opened[-1]
    assert opened.name == LIVE_SANDBOX_NAME and live_key.startswith("opk_live_") and live_key != test_key
    assert service.sandbox.local.process is process and process.running(), "switching never restarts the sandbox"
    assert opened.base_url == process.url

    assert await service.switch(LOCAL_SANDBOX_NAME)
    assert host.opened[-1][0].name == LOCAL_SANDBOX_NAME and service.sandbox.local.process is process

    # Two consoles, one on each workspace, share the one sandbox too.
    other_host = Host()
    other = ProfileService(other_host, ProfileStore(), SecretStore(), sandbox_options=SEED)
    other_host.service = other
    try:
        assert await other.start(LIVE_SANDBOX_NAME)
        assert other.sandbox.local.process.pid == process.pid and other.sandbox.local.url == process.url
        await service.close()
        assert process.running() and other.sandbox.local.process.running()
    finally:
        await other.close()
