"""Screenshots of the Invoices panel, light and dark, with the sandbox's demo data.

Written only when OPSDESK_SCREENSHOTS=DIR is set (people look at them); each must be a real,
non-blank rendering of the panel with an invoice and its payments open.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.ui.theme import apply_theme
from tests.ui.test_invoices_panel import (  # noqa: F401
    close_invoices_panel,
    make_invoices_panel,
    us_locale,
)
from tests.waiting import wait_until

SHOTS = os.environ.get("OPSDESK_SCREENSHOTS")


@pytest.mark.skipif(not SHOTS, reason="set OPSDESK_SCREENSHOTS=DIR to write screenshots")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots(qtbot, run_async, sandbox, sandbox_credentials, scheme, tmp_path):
    key = sandbox_credentials["test"]["owner_key"]
    out = Path(SHOTS)
    out.mkdir(parents=True, exist_ok=True)
    apply_theme(QApplication.instance(), scheme)

    async def scenario():
        invoices = await make_invoices_panel(qtbot, sandbox.url, key, tmp_path / "i.sqlite")
        try:
            await invoices.activate()
            row = next(i for i, r in enumerate(invoices.model.rows) if r.amount_paid_cents > 0 and r.line_items)
            invoices.table.setCurrentIndex(invoices.model.index(row, 0))
            await wait_until(lambda: invoices.record is not None and invoices.payments.model.rowCount() > 0, 10,
                             f"no payments shown for {invoices.record}")
            await wait_until(lambda: all(invoices.customers.name(r) for r in invoices.model.rows if r.contact_id), 10,
                             "the people invoices are billed to are not named yet")
            path = out / f"invoices-{scheme}.png"
            assert invoices.grab().save(str(path)) and path.stat().st_size > 10_000
        finally:
            await close_invoices_panel(invoices)


    try:
        run_async(scenario(), timeout=60)
    finally:
        apply_theme(QApplication.instance(), "light")
