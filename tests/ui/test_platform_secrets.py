"""After a console session on each platform's dialect, none of its secrets is anywhere on disk or in
what the console shows: the cache, the persisted request log, the log files, the profiles file,
and the HAR and cURL exports of every exchange (the issue's secret scan, per dialect)."""

from __future__ import annotations

import logging

import pytest

from app.api.dialects import dialect_class
from app.api.export import to_curl, to_har
from app.core.platform_connect import pack_credentials
from app.core.profiles import Profile
from app.ui.panels.contacts.panel import ContactsPanel
from app.ui.panels.webhooks.panel import WebhooksPanel
from app.ui.session import Session
from tests.core.conftest import files_containing
from tests.dialects.conftest import BUILT, dialect_section, sandbox_root
from tests.waiting import wait_until


def _secrets(section: dict) -> list[str]:
    values = [value for key, value in section.items() if key != "base_url" and isinstance(value, str)]
    values += [value for value in (section.get("readonly") or {}).values() if isinstance(value, str)]
    return [value for value in values if len(value) >= 16 and "@" not in value]  # a login email is no secret


@pytest.mark.parametrize("name", [name for name in BUILT if name != "opsdesk"])
def test_no_secret_of_the_platform_is_kept_or_shown(qtbot, run_async, sandbox, user_dirs, caplog, name):
    section = dialect_section(sandbox, name)
    dialect = dialect_class(name)
    fields = [field for field, _ in dialect.credential_fields]
    secret = pack_credentials({field: section[field] for field in fields})
    profile = Profile(name=f"Scan {name}", base_url=sandbox_root(sandbox) + section["base_url"],
                      environment="live", platform=name).validated()

    async def scenario():
        session = await Session.open(profile, secret)
        seen = []
        session.client.add_request_listener(seen.append)
        panels = []
        try:
            await session.load_identity()
            for panel_class, operation in ((ContactsPanel, "contacts.list"), (WebhooksPanel, "webhooks.list")):
                if not dialect.manifest.supports(operation):
                    continue
                panel = panel_class(session.context)
                qtbot.addWidget(panel)
                panel.show()
                await panel.activate()
                panels.append(panel)
            # A refused call too: its error text is scanned like the rest.
            with pytest.raises(Exception):  # noqa: B017 - any refusal; only its text matters here
                await session.client.contacts.get("con_does_not_exist")
            await wait_until(lambda: len(seen) >= 1, 10, "no exchanges were recorded")
            return seen
        finally:
            await session.close()

    with caplog.at_level(logging.DEBUG):
        records = run_async(scenario(), timeout=90)
    exports = [to_curl(record) for record in records] + [str(to_har(records))]
    for value in _secrets(section):
        assert files_containing(user_dirs, value) == [], f"{name}: a secret ({value[:6]}…) was written to disk"
        assert not any(value in text for text in exports), f"{name}: a secret is in a cURL/HAR export"
        assert value not in caplog.text, f"{name}: a secret reached the log"
