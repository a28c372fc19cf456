"""The status bar's "last request" and rate-limit budget follow a real session: each held to ten
updates a second in a burst, and always ending on the burst's last exchange; the session hands its
exchanges to followers by a plain call, not a Qt signal."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtTest import QSignalSpy

from app.core.profiles import Profile
from app.ui import session_status
from app.ui.session import Session
from app.ui.shell.status_bar import ShellStatusBar
from tests.waiting import wait_until


def test_a_burst_shows_its_first_request_at_once_and_its_last_after_the_interval(
        qtbot, run_async, sandbox, sandbox_credentials, user_dirs, monkeypatch):
    # A second, so a slow machine's burst still fits in one interval (the console uses 100 ms).
    monkeypatch.setattr(session_status.LastRequestShown, "INTERVAL_MS", 1000)
    status = ShellStatusBar()
    qtbot.addWidget(status)
    profile = Profile(name="Status", base_url=sandbox.url).validated()
    shown: list[str] = []
    show_request = status.show_request

    def counting(method, path, *rest):
        shown.append(path)
        show_request(method, path, *rest)

    status.show_request = counting

    async def scenario():
        session = await Session.open(profile, sandbox_credentials["test"]["owner_key"])
        try:
            session_status.follow(status, session)
            contacts = await session.client.contacts.list(limit=5)
            assert status.request_label.text().startswith("GET /v1/contacts → 200")
            for _ in range(10):  # inside one interval: the label waits
                await session.client.companies.list(limit=1)
            last = contacts.items[0].id
            await session.client.contacts.get(last)
            assert f"/contacts/{last}" not in status.request_label.text()
            await wait_until(lambda: f"GET /v1/contacts/{last} → 200" in status.request_label.text(), 5,
                             "the burst's last request was never shown")
            assert len(shown) < 12, f"the label changed for every request of the burst: {shown}"
            assert shown[-1] == f"/v1/contacts/{last}"
        finally:
            await session.close()

    run_async(scenario())


def test_a_burst_updates_the_rate_limit_label_at_most_once_an_interval_and_ends_on_the_last_budget(
        qtbot, run_async, sandbox, sandbox_credentials, user_dirs, monkeypatch):
    monkeypatch.setattr(session_status.RateLimitShown, "INTERVAL_MS", 1000)
    status = ShellStatusBar()
    qtbot.addWidget(status)
    profile = Profile(name="Budget", base_url=sandbox.url).validated()
    shown: list[int | None] = []
    set_rate_limit = status.set_rate_limit

    def counting(limit, remaining, reset_at):
        shown.append(remaining)
        set_rate_limit(limit, remaining, reset_at)

    status.set_rate_limit = counting

    async def scenario():
        session = await Session.open(profile, sandbox_credentials["test"]["owner_key"])
        try:
            session_status.follow(status, session)
            for _ in range(12):  # every answer reports a smaller budget
                await session.client.companies.list(limit=1)
            last = session.client.rate_limit.remaining
            assert len(shown) < 3, f"the budget's label changed for every request of the burst: {shown}"
            await wait_until(lambda: status.rate_label.text().startswith(f"{last} requests left"), 5,
                             "the burst's last budget was never shown")
            assert shown[-1] == last
        finally:
            await session.close()

    run_async(scenario())


def test_an_exchange_reaches_the_followers_by_a_plain_call_and_emits_no_qt_signal(
        qtbot, run_async, sandbox, sandbox_credentials, user_dirs):
    profile = Profile(name="Followers", base_url=sandbox.url).validated()

    async def scenario():
        session = await Session.open(profile, sandbox_credentials["test"]["owner_key"])
        try:
            await session.client.companies.list(limit=1)  # online from here on
            followed = []
            stop = session.follow_requests(followed.append)
            # Every signal of the session but the budget's (which reports a change of budget).
            names = [name for name, value in vars(type(session)).items()
                     if isinstance(value, Signal) and name != "sig_rate_limit"]
            spies = {name: QSignalSpy(getattr(session, name)) for name in names}
            page = await session.client.contacts.list(limit=2)
            assert [record.status for record in followed] == [200], "the follower did not get the exchange"
            assert followed[0].request_id == page.request_id
            assert {name: spy.count() for name, spy in spies.items() if spy.count()} == {}
            stop()
            await session.client.contacts.list(limit=1)
            assert len(followed) == 1, "a removed follower still got exchanges"
        finally:
            await session.close()

    run_async(scenario())
