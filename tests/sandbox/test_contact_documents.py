"""A data dir written before the company name joined the stored contact document is brought up to
date when the sandbox opens it: every contact's list document then carries its company's name."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.sandbox.bootstrap import ensure_initialized
from app.sandbox.db import Database
from app.sandbox.settings import SandboxSettings

_DOCUMENTS = ("SELECT c.document, co.name FROM contacts c LEFT JOIN companies co ON co.id = c.company_id"
              " ORDER BY c.id")


def _make_old_format(db: Database) -> None:
    """Triggers and documents as they were before company_name joined the document."""
    conn = db.conn()
    for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                                  " AND name LIKE 'contacts_document_on_%'").fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
        old = re.sub(r"'company_name', \(SELECT [^)]*\),\s*", "", sql)
        assert "company_name" not in old
        conn.execute(old)
    conn.execute("DROP TRIGGER companies_name_in_contacts")
    conn.execute("UPDATE contacts SET name = name")


def test_documents_without_company_name_are_rendered_again_on_open(tmp_path: Path) -> None:
    settings = SandboxSettings(data_dir=tmp_path, seed_size=60)
    db = Database(settings.database_path)
    ensure_initialized(db, settings)
    _make_old_format(db)
    assert all("company_name" not in json.loads(doc) for doc, _ in db.conn().execute(_DOCUMENTS))
    db.close_thread_connection()

    reopened = Database(settings.database_path)
    rows = reopened.conn().execute(_DOCUMENTS).fetchall()
    assert any(name is not None for _, name in rows) and any(name is None for _, name in rows)
    assert all(json.loads(doc)["company_name"] == name for doc, name in rows)
    # Renames reach the documents again.
    conn = reopened.conn()
    company_id = next(json.loads(doc)["company_id"] for doc, name in rows if name is not None)
    conn.execute("UPDATE companies SET name = 'Renamed Ltd' WHERE id = ?", (company_id,))
    names = {json.loads(doc)["company_name"] for (doc,) in
             conn.execute("SELECT document FROM contacts WHERE company_id = ?", (company_id,))}
    assert names == {"Renamed Ltd"}
