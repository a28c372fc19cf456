"""Reading and setting the selected record of a panel's table, for panels whose table shows a
`RecordTableModel` directly (one record per row, selected by whole rows).

The admin panels (API keys, webhooks) pick one record to act on; this is that one behaviour,
in one place, so "what is selected" means the same thing in each. Their tables show a store's
whole list, and `follow_store` keeps such a table in step with the store's changes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractItemView

from app.data.listed_store import ListedStore
from app.data.record_store import StoreChange
from app.ui.record_table_model import RecordRole, RecordTableModel


def selected_record(table: QAbstractItemView, model: RecordTableModel) -> Any | None:
    """The record of the first selected row, or None when nothing is selected."""
    rows = table.selectionModel().selectedRows()
    return model.data(rows[0], RecordRole) if rows else None


def select_record(table: QAbstractItemView, model: RecordTableModel, record_id: str) -> bool:
    """Select the row of the record with this id; False (selection unchanged) when it is not listed."""
    row = model.row_of_id(record_id)
    if row is None:
        return False
    table.selectRow(row)
    return True


def follow_store(table: QAbstractItemView, model: RecordTableModel, store: ListedStore, change: StoreChange) -> None:
    """Bring a table showing a store's whole list (`store.listed`) up to date with one change;
    the selected record stays selected while it is listed."""
    if change.reset:
        selected = selected_record(table, model)
        model.set_rows(store.listed)
        if selected is not None:
            select_record(table, model, selected.id)
        return
    for record_id in change.removed:
        model.remove_id(record_id)
    for record_id in change.upserted:
        record = store.listed_one(record_id)
        if record is not None:
            model.upsert(record)
