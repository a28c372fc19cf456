"""Filtering the contacts table by company and tag, and sorting it by a column header click."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.api import AdminClient, ApiKeyAuth
from app.ui.panels.contacts.contact_rows import COMPANY_ID, NAME, TAGS
from tests.ui.test_contacts_panel import close_panel, make_panel, unique
from tests.waiting import wait_until


@pytest.fixture
def owner_key(sandbox_credentials) -> str:
    return sandbox_credentials["test"]["owner_key"]


def test_company_and_tag_filters_then_sort_by_name(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            company = await other.companies.create({"name": unique("Filterco ")})
            tag = unique("tg")
            tagged = await other.contacts.create({"name": unique("Zed "), "company_id": company.id, "tags": [tag, "vip"]})
            plain = await other.contacts.create({"name": unique("Amy "), "company_id": company.id})
            await panel.activate()
            await wait_until(lambda: panel.company_filter.findData(company.id) >= 0, 10, "company not offered")
            panel.company_filter.setCurrentIndex(panel.company_filter.findData(company.id))
            await wait_until(lambda: sorted(r[NAME] for r in panel.model.rows) == sorted([tagged.name, plain.name]),
                             10, "the company filter did not narrow the table")
            assert all(r[COMPANY_ID] == company.id for r in panel.model.rows)
            qtbot.keyClicks(panel.tag_filter, tag)
            QTest.keyClick(panel.tag_filter, Qt.Key.Key_Return)
            await wait_until(lambda: [r[NAME] for r in panel.model.rows] == [tagged.name], 10, "tag filter")
            assert tag in panel.model.rows[0][TAGS]

            panel.tag_filter.clear()
            QTest.keyClick(panel.tag_filter, Qt.Key.Key_Return)
            panel.company_filter.setCurrentIndex(0)
            await wait_until(lambda: panel.list.query.company_id is None and panel.list.query.tag is None
                             and panel.model.rowCount() > 2, 10)
            header = panel.table.horizontalHeader()
            QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                             pos=_centre(header, 0))
            await wait_until(lambda: panel.list.query.order_by == "name" and not panel.list.query.descending, 10)
            await wait_until(lambda: _names(panel) == sorted(_names(panel)), 10, "not sorted by name")
            QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_centre(header, 0))
            await wait_until(lambda: panel.list.query.descending and _names(panel) == sorted(_names(panel), reverse=True),
                             10, "not sorted by name, descending")
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)


def _names(panel) -> list[str]:
    return [row[NAME] for row in panel.model.rows[:50]]


def _centre(header, section: int):
    from PySide6.QtCore import QPoint

    return QPoint(header.sectionViewportPosition(section) + header.sectionSize(section) // 2, header.height() // 2)
