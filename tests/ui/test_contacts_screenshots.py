"""Screenshots of the Contacts panel, light and dark, with the sandbox's demo data.

Written only when OPSDESK_SCREENSHOTS=DIR is set (people look at them); each must be a real,
non-blank rendering of the panel.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.ui.panels.contacts.contact_rows import ID
from app.ui.theme import apply_theme
from tests.ui.test_contacts_panel import close_panel, make_panel, open_contact

SHOTS = os.environ.get("OPSDESK_SCREENSHOTS")


@pytest.mark.skipif(not SHOTS, reason="set OPSDESK_SCREENSHOTS=DIR to write screenshots")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots(qtbot, run_async, sandbox, sandbox_credentials, scheme, tmp_path):
    key = sandbox_credentials["test"]["owner_key"]
    out = Path(SHOTS)
    out.mkdir(parents=True, exist_ok=True)
    apply_theme(QApplication.instance(), scheme)

    async def scenario():
        contacts = await make_panel(qtbot, sandbox.url, key, tmp_path / "c.sqlite")
        try:
            await contacts.activate()
            await open_contact(contacts, contacts.model.record(2)[ID])
            path = out / f"contacts-{scheme}.png"
            assert contacts.grab().save(str(path)) and path.stat().st_size > 10_000
        finally:
            await close_panel(contacts)
    try:
        run_async(scenario(), timeout=60)
    finally:
        apply_theme(QApplication.instance(), "light")
