"""Invoices offline: cached invoices stay on screen, every change is off, the banner says why."""

from __future__ import annotations

from app.core.sandbox_process import SandboxProcess
from tests.ui.test_invoices_panel import (  # noqa: F401
    close_invoices_panel,
    make_invoices_panel,
    us_locale,
)


def test_offline_invoices_are_cached_and_read_only(qtbot, run_async, tmp_path):
    server = SandboxProcess.start(tmp_path / "sandbox", seed_size=40)
    key = server.credentials()["test"]["owner_key"]

    async def scenario():
        panel = await make_invoices_panel(qtbot, server.url, key, tmp_path / "c.sqlite")
        try:
            await panel.activate()
            online = sorted(r.id for r in panel.model.rows)
            totals = panel.totals.text()
            assert online and panel.new_button.isEnabled()
        finally:
            await close_invoices_panel(panel)
        server.stop()
        offline = await make_invoices_panel(qtbot, server.url, key, tmp_path / "c.sqlite")
        try:
            await offline.activate()
            assert sorted(r.id for r in offline.model.rows) == online and offline.totals.text() == totals
            assert offline.offline_banner.isVisible() and "Offline" in offline.offline_banner.plain_text
            offline.table.setCurrentIndex(offline.model.index(0, 0))
            assert offline.record is not None
            for button in (offline.new_button, offline.save_button, offline.send_button, offline.void_button,
                           offline.payments.record_button):
                assert not button.isEnabled(), button.objectName()
            assert offline.pdf_button.isEnabled(), "a cached invoice can still be rendered"
        finally:
            await close_invoices_panel(offline)

    try:
        run_async(scenario(), timeout=90)
    finally:
        server.stop()
