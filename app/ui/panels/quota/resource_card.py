"""One quota resource at a glance: used of limit, a bar, what remains, when it resets, and a
warning from 80 % (and louder from 95 %). Unlimited resources say so instead of showing a bar."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QVBoxLayout, QWidget

from app.ui.panels.quota.quantities import (
    RESOURCE_TITLES,
    countdown,
    format_amount,
    usage_level,
)
from app.ui.theme import semantic_colour
from app.ui.time_text import exact

_BAR_STEPS = 1000


class ResourceCard(QFrame):
    """Shows one `QuotaEntry`; `tick()` refreshes the reset countdown."""

    def __init__(self, resource: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.resource = resource
        self.setObjectName(f"quota.card.{resource}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._entry: Any = None
        title = QLabel(f"<b>{RESOURCE_TITLES.get(resource, resource)}</b>", self)
        self.used = QLabel("—", self)
        self.used.setObjectName(f"quota.{resource}.used")
        self.bar = QProgressBar(self)
        self.bar.setObjectName(f"quota.{resource}.bar")
        self.bar.setRange(0, _BAR_STEPS)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.remaining = QLabel("", self)
        self.remaining.setObjectName(f"quota.{resource}.remaining")
        self.reset = QLabel("", self)
        self.reset.setObjectName(f"quota.{resource}.reset")
        self.warning = QLabel("", self)
        self.warning.setObjectName(f"quota.{resource}.warning")
        self.warning.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        for widget in (title, self.used, self.bar, self.remaining, self.reset, self.warning):
            layout.addWidget(widget)
        layout.addStretch(1)

    @property
    def level(self) -> str:
        return usage_level(self._entry.used, self._entry.limit) if self._entry is not None else "ok"

    def show_entry(self, entry: Any) -> None:
        """Display a `QuotaEntry` (used, limit (-1 unlimited), remaining, period, reset_at)."""
        self._entry = entry
        def amount(value: int) -> str:
            return format_amount(self.resource, value)

        level = usage_level(entry.used, entry.limit)
        if level == "unlimited":
            self.used.setText(f"{amount(entry.used)} used · unlimited")
            self.bar.hide()
            self.remaining.setText("No limit on this plan")
        else:
            share = entry.used / entry.limit if entry.limit else 1.0
            self.used.setText(f"{amount(entry.used)} of {amount(entry.limit)} used ({share:.0%})")
            self.bar.show()
            self.bar.setValue(min(_BAR_STEPS, round(share * _BAR_STEPS)))
            self.remaining.setText(f"{amount(entry.remaining)} remaining")
        colour = {"warning": "warning", "critical": "error"}.get(level)
        self.bar.setStyleSheet(f"QProgressBar::chunk {{ background: {semantic_colour(colour).name()}; }}"
                               if colour else "")
        if level == "critical":
            self.warning.setText("⚠ Almost used up (95 % or more): calls will be refused when it runs out.")
        elif level == "warning":
            self.warning.setText("⚠ 80 % or more used.")
        else:
            self.warning.clear()
        self.warning.setStyleSheet(f"color: {semantic_colour(colour).name()}; font-weight: bold;" if colour else "")
        self.tick()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._entry is not None:
            self.show_entry(self._entry)  # the warning colours differ between light and dark

    def tick(self, now: datetime | None = None) -> None:
        """Update the countdown to the period's reset."""
        entry = self._entry
        if entry is None:
            return
        if entry.reset_at is None:
            self.reset.setText("Does not reset" if entry.period in (None, "none") else "")
            return
        now = now or datetime.now(UTC)
        self.reset.setText(f"Resets in {countdown(entry.reset_at, now)}")
        self.reset.setToolTip(f"Resets {exact(entry.reset_at)}")
