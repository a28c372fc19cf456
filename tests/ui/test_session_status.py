"""The status bar's "last request" follows a real session: held to ten updates a second in a burst,
and always ending on the burst's last exchange."""

from __future__ import annotations

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
