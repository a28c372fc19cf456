"""The quota panel (`panel.quota`): usage against the plan's limits, who and what used it, daily
history, and the live per-minute rate limit.

Cards show each resource's used-of-limit, remaining and reset countdown (warnings at 80 % and
95 %); the tables split one resource's usage per API key and per module; the chart shows its
daily history; the gauge follows the `X-RateLimit-*` headers of every call this console makes.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.api.models import QuotaStatus
from app.ui.module_panel import ModulePanel
from app.ui.panel_context import PanelContext
from app.ui.panels.quota.quantities import RESOURCE_TITLES, format_amount
from app.ui.panels.quota.rate_gauge import RateLimitGauge
from app.ui.panels.quota.resource_card import ResourceCard
from app.ui.panels.quota.usage_chart import DailyUsageChart
from app.ui.record_table_model import Column, RecordTableModel, field_of

RESOURCES: tuple[str, ...] = ("api_calls", "ai_calls", "storage_bytes", "seats")
HISTORY_DAYS: tuple[int, ...] = (7, 30, 90)
CACHE_RESOURCE = "quota_status"
_TICK_MS = 1000


def _table(name: str, model: RecordTableModel, parent: QWidget) -> QTableView:
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setSortingEnabled(True)
    table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the server's order first
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class QuotaPanel(ModulePanel):
    """Quota status, breakdown, history and the live rate limit (needs quota:read)."""

    module_name = "quota"
    title = "Quota"
    required_scope = "quota:read"

    def __init__(self, context: PanelContext, parent=None) -> None:
        super().__init__(context, parent)
        self.status: QuotaStatus | None = None
        self.cards = {resource: ResourceCard(resource, self.body) for resource in RESOURCES}
        cards = QHBoxLayout()
        for card in self.cards.values():
            cards.addWidget(card, 1)

        self.resource = QComboBox(self.body)
        self.resource.setObjectName("quota.resource")
        for resource in RESOURCES:
            self.resource.addItem(RESOURCE_TITLES[resource], resource)
        self.days = QComboBox(self.body)
        self.days.setObjectName("quota.days")
        for days in HISTORY_DAYS:
            self.days.addItem(f"Last {days} days", days)
        self.days.setCurrentIndex(1)
        self.resource.currentIndexChanged.connect(lambda _i: self.run(self.load_details()))
        self.days.currentIndexChanged.connect(lambda _i: self.run(self.load_history()))
        self.refresh_button = QPushButton("Refresh", self.body)
        self.refresh_button.setObjectName("quota.refresh")
        self.refresh_button.clicked.connect(lambda: self.run(self.refresh()))
        self.period = QLabel("", self.body)
        self.period.setObjectName("quota.period")
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Resource", self.body))
        controls.addWidget(self.resource)
        controls.addWidget(self.days)
        controls.addWidget(self.period, 1)
        controls.addWidget(self.refresh_button)

        self._totals: dict[str, int] = {}
        self.by_key = RecordTableModel(self._key_columns(), self, id_of=field_of("credential_id"))
        self.by_module = RecordTableModel(self._module_columns(), self, id_of=field_of("module"))
        self.key_table = _table("quota.table", self.by_key, self.body)
        self.module_table = _table("quota.by_module", self.by_module, self.body)
        tables = QWidget(self.body)
        tables_layout = QVBoxLayout(tables)
        tables_layout.setContentsMargins(0, 0, 0, 0)
        tables_layout.addWidget(QLabel("<b>By API key or user</b>", tables))
        tables_layout.addWidget(self.key_table, 3)
        tables_layout.addWidget(QLabel("<b>By module</b>", tables))
        tables_layout.addWidget(self.module_table, 2)
        self.chart = DailyUsageChart(self.body)
        chart_box = QWidget(self.body)
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        self.chart_title = QLabel("", chart_box)
        self.chart_title.setObjectName("quota.chart.title")
        chart_layout.addWidget(self.chart_title)
        chart_layout.addWidget(self.chart, 1)
        self.gauge = RateLimitGauge(self.body)
        if context.client is not None:
            self.gauge.attach(context.client.rate_limit)
        splitter = QSplitter(Qt.Orientation.Horizontal, self.body)
        splitter.addWidget(tables)
        splitter.addWidget(chart_box)
        splitter.addWidget(self.gauge)
        splitter.setSizes([360, 520, 240])

        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(8, 0, 8, 8)
        layout.addLayout(cards)
        layout.addLayout(controls)
        layout.addWidget(splitter, 1)
        self._ticker = QTimer(self)
        self._ticker.setInterval(_TICK_MS)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()
        self.destroyed.connect(self.gauge.detach)

    def _key_columns(self) -> list[Column]:
        return [
            Column("Credential", lambda row: row.name or row.credential_id, tooltip=field_of("credential_id")),
            Column("Kind", field_of("kind")),
            Column("Used", field_of("used"), text=lambda v: f"{v:,}", align_right=True, object_name="used"),
            Column("Share", lambda row: row, text=lambda row: self._share(row, "key"),
                   sort_key=lambda row: row.used, align_right=True),
        ]

    def _module_columns(self) -> list[Column]:
        return [
            Column("Module", field_of("module")),
            Column("Used", field_of("used"), text=lambda v: f"{v:,}", align_right=True, object_name="used"),
            Column("Share", lambda row: row, text=lambda row: self._share(row, "module"),
                   sort_key=lambda row: row.used, align_right=True),
        ]

    def _share(self, row: Any, split: str) -> str:
        total = self._totals.get(split, 0)
        return f"{row.used / total:.0%}" if total else ""

    def selected_resource(self) -> str:
        return str(self.resource.currentData())

    # ---- loading -----------------------------------------------------------------------------
    async def activate(self) -> None:
        cache = self.context.cache
        if cache is not None and self.status is None:
            cached = await cache.get_list(CACHE_RESOURCE, None)
            if cached is not None and cached.rows:
                self._show_status(QuotaStatus.model_validate(cached.rows[0]))
        await self.refresh()

    async def refresh(self) -> None:
        """Status of every resource, then the selected resource's breakdown and history."""
        client = self.context.client
        if client is None:
            return
        status = await client.quota.status()
        self._show_status(status)
        if self.context.cache is not None:
            await self.context.cache.put_list(CACHE_RESOURCE, None,
                                              [{"id": "status", **status.model_dump(mode="json")}], None)
        await self.load_details()

    def _show_status(self, status: QuotaStatus) -> None:
        self.status = status
        for resource, card in self.cards.items():
            entry = status.quotas.get(resource)
            card.setVisible(entry is not None)
            if entry is not None:
                card.show_entry(entry)

    async def load_details(self) -> None:
        await asyncio.gather(self.load_breakdown(), self.load_history())

    async def load_breakdown(self) -> None:
        resource = self.selected_resource()
        breakdown = await self.context.client.quota.breakdown(resource)
        if resource != self.selected_resource():
            return
        key_total = sum(row.used for row in breakdown.by_key)
        module_total = sum(row.used for row in breakdown.by_module)
        self._totals = {"key": key_total, "module": module_total}
        self.by_key.set_rows(breakdown.by_key)
        self.by_module.set_rows(breakdown.by_module)
        period = {"month": "this month", "day": "today", "none": "in total"}.get(breakdown.period or "none", "")
        self.period.setText(f"{RESOURCE_TITLES[resource]} {period}: {format_amount(resource, key_total)}")

    async def load_history(self) -> None:
        resource, days = self.selected_resource(), int(self.days.currentData())
        history = await self.context.client.quota.history(resource, days)
        if (resource, days) != (self.selected_resource(), int(self.days.currentData())):
            return
        series = [(_as_date(day.date), day.used) for day in history.days]
        self.chart.set_series(resource, series)
        total = format_amount(resource, sum(used for _, used in series))
        self.chart_title.setText(f"<b>Daily {RESOURCE_TITLES[resource]}</b>, last {days} days: {total}")

    def _tick(self) -> None:
        for card in self.cards.values():
            card.tick()
        self.gauge.tick()


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
