"""The quota panel (`panel.quota`): usage against the plan's limits, who and what used it, daily
history, and the live per-minute rate limit.

Cards show each resource's used-of-limit, remaining and reset countdown (warnings at 80 % and
95 %); the tables split one resource's usage per API key and per module; the chart shows its
daily history; the gauge follows the `X-RateLimit-*` headers of every call this console makes.
The panel is a view over `stores.quota`: it asks the store for fresh answers and draws whatever
the store holds when the store says something changed, so every number derives from one source:
a card and the breakdown's "this month" both read `QuotaStore.usage`, so they never disagree.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.api.models import QuotaStatus
from app.data.quota import QuotaChange
from app.ui.labels import label
from app.ui.module_panel import ModulePanel
from app.ui.panel_context import PanelContext
from app.ui.panels.quota.quantities import RESOURCE_TITLES, format_amount
from app.ui.panels.quota.rate_gauge import RateLimitGauge
from app.ui.panels.quota.resource_card import ResourceCard
from app.ui.panels.quota.usage_chart import DailyUsageChart, day_text
from app.ui.record_table_model import Column, RecordTableModel, field_of
from app.ui.store_binding import bind
from app.ui.widgets.column_layout import ColumnLayout

RESOURCES: tuple[str, ...] = ("api_calls", "ai_calls", "storage_bytes", "seats")
HISTORY_DAYS: tuple[int, ...] = (7, 30, 90)
_TICK_MS = 1000


#: First-run widths of the split tables (the share stretches): a key's name as long as "Nightly
#: billing export" and every column beside it fit the tables' pane at 1024×700.
KEY_TABLE_WIDTHS = {0: 140, 1: 58, 2: 52, 3: 45}
MODULE_TABLE_WIDTHS = {0: 140, 1: 52, 2: 45}
#: The split tables' and the rate gauge's share of the row; the chart gets the rest.
TABLES_WIDTH = 316
GAUGE_WIDTH = 225


def _table(name: str, model: RecordTableModel, parent: QWidget) -> QTableView:
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setSortingEnabled(True)
    table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the server's order first
    table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table


class QuotaPanel(ModulePanel):
    """Quota status, breakdown, history and the live rate limit (needs quota:read)."""

    module_name = "quota"
    title = "Quota"
    required_scope = "quota:read"

    def __init__(self, context: PanelContext, parent=None) -> None:
        super().__init__(context, parent)
        self.store = self.stores.quota
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
        self.resource.currentIndexChanged.connect(self._on_resource_chosen)
        self.days.currentIndexChanged.connect(self._on_days_chosen)
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

        self.by_key = RecordTableModel(self._key_columns(), self, id_of=field_of("credential_id"))
        self.by_module = RecordTableModel(self._module_columns(), self, id_of=field_of("module"))
        self.key_table = _table("quota.table", self.by_key, self.body)
        self.module_table = _table("quota.by_module", self.by_module, self.body)
        self.columns = (ColumnLayout(self.key_table, "quota.by_key", KEY_TABLE_WIDTHS),
                        ColumnLayout(self.module_table, "quota.by_module", MODULE_TABLE_WIDTHS))
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
        self.chart_title.setWordWrap(True)  # a long title must not set the chart's minimum width
        chart_layout.addWidget(self.chart_title)
        chart_layout.addWidget(self.chart, 1)
        self.gauge = RateLimitGauge(self.store, self.body)
        splitter = QSplitter(Qt.Orientation.Horizontal, self.body)
        splitter.addWidget(tables)
        splitter.addWidget(chart_box)
        splitter.addWidget(self.gauge)
        splitter.setObjectName("quota.split")
        splitter.setChildrenCollapsible(False)
        # The tables and the gauge keep their width; the chart takes what the window has left.
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([TABLES_WIDTH, 240, GAUGE_WIDTH])  # the chart grows from here: it has the stretch

        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(8, 0, 8, 8)
        layout.addLayout(cards)
        layout.addLayout(controls)
        layout.addWidget(splitter, 1)
        self._ticker = QTimer(self)
        self._ticker.setInterval(_TICK_MS)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()
        bind(self.store.changes, self, self._on_quota_changed)
        if self.store.status is not None:  # a panel made again in this session starts where the store is
            self._show_status()
        self._show_breakdown()
        self._show_history()

    def _key_columns(self) -> list[Column]:
        return [
            Column("Credential", lambda row: row.name or row.credential_id, tooltip=field_of("credential_id")),
            Column("Kind", field_of("kind"), text=lambda kind: label("kind", kind)),
            Column("Used", field_of("used"), text=lambda v: f"{v:,}", align_right=True, object_name="used"),
            Column("Share", lambda row: row, text=lambda row: self._share(row, "key"),
                   sort_key=lambda row: row.used, align_right=True),
        ]

    def _module_columns(self) -> list[Column]:
        return [
            Column("Module", field_of("module"), text=lambda module: label("module", module)),
            Column("Used", field_of("used"), text=lambda v: f"{v:,}", align_right=True, object_name="used"),
            Column("Share", lambda row: row, text=lambda row: self._share(row, "module"),
                   sort_key=lambda row: row.used, align_right=True),
        ]

    def _share(self, row: Any, split: str) -> str:
        share = self.store.totals(self.selected_resource()).share(row.used, split)
        return "" if share is None else f"{share:.0%}"

    def selected_resource(self) -> str:
        return str(self.resource.currentData())

    def selected_days(self) -> int:
        return int(self.days.currentData())

    @property
    def status(self) -> QuotaStatus | None:
        """The status the cards show: the store's latest."""
        return self.store.status

    # ---- loading -----------------------------------------------------------------------------
    async def activate(self) -> None:
        await self.store.load_cached_status()
        await self.refresh()

    async def refresh(self) -> None:
        """Status of every resource, then the selected resource's breakdown and history."""
        if not self.store.connected:
            return
        await self.store.refresh_status()
        await self.load_details()

    async def load_details(self) -> None:
        await asyncio.gather(self.load_breakdown(), self.load_history())

    async def load_breakdown(self) -> None:
        await self.store.load_breakdown(self.selected_resource())

    async def load_history(self) -> None:
        await self.store.load_history(self.selected_resource(), self.selected_days())

    def _on_resource_chosen(self, _index: int) -> None:
        self._show_breakdown()
        self._show_history()
        self.run(self.load_details())

    def _on_days_chosen(self, _index: int) -> None:
        self._show_history()
        self.run(self.load_history())

    # ---- drawing what the store holds ----------------------------------------------------------
    def _on_quota_changed(self, change: QuotaChange) -> None:
        # Any answer may be the newest figure of a resource's use: the cards and "this month" follow.
        self._show_status()
        self._show_period()
        if change.kind == "status" or change.resource != self.selected_resource():
            return  # the split and the chart are of the chosen resource only
        if change.kind == "breakdown":
            self._show_breakdown()
        elif change.days == self.selected_days():
            self._show_history()

    def _show_status(self) -> None:
        for resource, card in self.cards.items():
            entry = self.store.usage(resource)
            card.setVisible(entry is not None)
            if entry is not None:
                card.show_entry(entry)

    def _show_breakdown(self) -> None:
        breakdown = self.store.breakdown(self.selected_resource())
        self.by_key.set_rows(breakdown.by_key if breakdown is not None else [])
        self.by_module.set_rows(breakdown.by_module if breakdown is not None else [])
        self._show_period()

    def _show_period(self) -> None:
        """"API calls this month: 15": the same figure as the resource's card (`QuotaStore.usage`)."""
        resource = self.selected_resource()
        breakdown = self.store.breakdown(resource)
        if breakdown is None:
            self.period.clear()
            return
        period = {"month": "this month", "day": "today", "none": "in total"}.get(breakdown.period or "none", "")
        usage = self.store.usage(resource)
        used = format_amount(resource, usage.used if usage is not None else self.store.totals(resource).by_key)
        self.period.setText(f"{RESOURCE_TITLES[resource]} {period}: {used}")

    def _show_history(self) -> None:
        resource, days = self.selected_resource(), self.selected_days()
        series = self.store.history(resource, days)
        self.chart.set_series(resource, series or [])
        if series is None:
            self.chart_title.setText(f"<b>Daily {RESOURCE_TITLES[resource]}</b>, last {days} days")
            return
        total = format_amount(resource, self.store.history_total(resource, days))
        since = self.chart.recorded_since
        # Kept on one line when the title wraps (no break inside "(recorded since 2 Dec)").
        recorded = (f" (recorded since {day_text(since)})".replace(" ", "\u00a0").replace("\u00a0(", " (", 1)
                    if since is not None and self.chart.unrecorded_days else "")
        self.chart_title.setText(f"<b>Daily {RESOURCE_TITLES[resource]}</b>, last {days} days: {total}{recorded}")

    def _tick(self) -> None:
        for card in self.cards.values():
            card.tick()
        self.gauge.tick()
