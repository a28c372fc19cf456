"""The contacts CSV export's header row names its columns in words (issue 14).

Before: the header was the wire's field names (`company_id`, `custom_fields`, `created_at`).
The cells stay as they were; only the header row reads as people read column titles.
"""

from __future__ import annotations

import csv
import re

#: A field name written the wire's way (`company_id`).
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def test_the_contacts_csv_header_names_columns_in_words(run_async, tmp_path):
    from app.ui.panels.contacts.csv_export import export_contacts

    async def one_chunk():
        yield [{"id": "con_1", "name": "Ada", "company_id": "com_1", "created_at": "2026-11-03T10:00:00Z"}]

    path = tmp_path / "contacts.csv"
    run_async(export_contacts(one_chunk(), path, lambda rows: None))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    assert header[:5] == ["ID", "Name", "Email", "Phone", "Company ID"] and "Created at" in header, header
    assert not [name for name in header if "&#" in name or SNAKE.search(name) or name != name.strip()], header
    assert dict(zip(header, row, strict=True))["Company ID"] == "com_1"
