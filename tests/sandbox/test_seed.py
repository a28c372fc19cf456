"""The demo data generator: complete, consistent, repeatable and fast enough for 100k contacts."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

import app.sandbox
from app.sandbox.billing_rules import invoice_totals
from app.sandbox.seed import seed_workspace
from app.sandbox.ticket_rules import PRIORITIES, STATUSES

NOW = datetime(2026, 4, 7, 12, 0, tzinfo=UTC)
SCHEMA = (Path(app.sandbox.__file__).parent / "schema.sql").read_text()


def _database(tmp_path: Path, name: str = "seed.db") -> sqlite3.Connection:
    conn = sqlite3.connect(tmp_path / name, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript(SCHEMA)
    conn.execute("INSERT INTO workspaces (id, name, plan, environment, enabled_modules, rate_limit_per_minute,"
                 " created_at) VALUES ('wrk_a', 'Acme', 'growth', 'live', '[]', 600, '2024-01-01T00:00:00.000000Z')")
    for member in ("usr_1", "usr_2"):
        conn.execute("INSERT INTO members (id, workspace_id, name, email, role, status, created_at)"
                     " VALUES (?, 'wrk_a', ?, ?, 'agent', 'active', '2024-01-01T00:00:00.000000Z')",
                     (member, member, f"{member}@acme.example"))
    return conn


def _dump(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    tables = ("companies", "contacts", "queues", "tickets", "ticket_messages", "ticket_comments",
              "invoices", "payments", "webhooks", "webhook_deliveries", "webhook_attempts", "api_keys")
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}


def test_the_same_seed_gives_the_same_rows(tmp_path: Path) -> None:
    first, second = _database(tmp_path, "a.db"), _database(tmp_path, "b.db")
    seed_workspace(first, "wrk_a", 200, random.Random(7), ["usr_1", "usr_2"], now=NOW)
    seed_workspace(second, "wrk_a", 200, random.Random(7), ["usr_1", "usr_2"], now=NOW)
    assert _dump(first) == _dump(second)
    third = _database(tmp_path, "c.db")
    seed_workspace(third, "wrk_a", 200, random.Random(8), ["usr_1", "usr_2"], now=NOW)
    assert _dump(third)["contacts"] != _dump(first)["contacts"]


def test_a_small_seed_shows_every_status_and_keeps_its_books(tmp_path: Path) -> None:
    conn = _database(tmp_path)
    summary = seed_workspace(conn, "wrk_a", 300, random.Random(1), ["usr_1", "usr_2"], now=NOW)
    assert summary.contacts == 300
    assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 300
    ticket_statuses = {r[0] for r in conn.execute("SELECT DISTINCT status FROM tickets")}
    assert ticket_statuses == set(STATUSES)
    assert {r[0] for r in conn.execute("SELECT DISTINCT priority FROM tickets")} == set(PRIORITIES)
    invoice_statuses = {r[0] for r in conn.execute("SELECT DISTINCT status FROM invoices")}
    assert invoice_statuses == {"draft", "sent", "partially_paid", "paid", "void", "overdue"}
    # Some tickets are still unanswered past their first-response target.
    late = conn.execute(
        "SELECT count(*) FROM tickets WHERE first_responded_at IS NULL AND first_response_due_at < ?",
        ("2026-04-07T12:00:00.000000Z",)).fetchone()[0]
    assert late > 0
    assert conn.execute("SELECT count(*) FROM ticket_messages").fetchone()[0] >= summary.tickets
    assert conn.execute("SELECT count(*) FROM ticket_comments WHERE pinned = 1").fetchone()[0] > 0
    # Every invoice's totals are what the billing rules compute, and payments add up.
    for line_items, subtotal, tax, total, paid, invoice_id, status in conn.execute(
            "SELECT line_items, subtotal_cents, tax_cents, total_cents, amount_paid_cents, id, status"
            " FROM invoices"):
        totals = invoice_totals(json.loads(line_items))
        assert (totals.subtotal_cents, totals.tax_cents, totals.total_cents) == (subtotal, tax, total)
        paid_sum = conn.execute("SELECT coalesce(sum(amount_cents), 0) FROM payments WHERE invoice_id = ?",
                                (invoice_id,)).fetchone()[0]
        assert paid_sum == paid <= total
        if status == "paid":
            assert paid == total
    webhook = conn.execute("SELECT status, signing_secret FROM webhooks").fetchall()
    assert webhook[0][0] == "paused" and webhook[0][1].startswith("whsec_")
    assert conn.execute("SELECT count(*) FROM webhook_deliveries WHERE status IN ('pending', 'retrying')"
                        ).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM api_keys").fetchone()[0] >= 3
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_failed_seed_leaves_nothing_behind(tmp_path: Path) -> None:
    conn = _database(tmp_path)
    with pytest.raises(ValueError):
        seed_workspace(conn, "wrk_missing", 10, random.Random(1), [], now=NOW)
    assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0


def test_one_hundred_thousand_contacts_keep_unique_emails(tmp_path: Path) -> None:
    conn = _database(tmp_path)
    summary = seed_workspace(conn, "wrk_a", 100_000, random.Random(3), ["usr_1"], now=NOW)
    assert summary.contacts == 100_000
    assert conn.execute("SELECT count(DISTINCT lower(email)) FROM contacts WHERE email IS NOT NULL"
                        ).fetchone()[0] == conn.execute(
        "SELECT count(*) FROM contacts WHERE email IS NOT NULL").fetchone()[0]


def test_every_seeded_email_passes_the_servers_own_validation(tmp_path: Path) -> None:
    from pydantic import TypeAdapter

    from app.sandbox.validation import Email

    conn = _database(tmp_path)
    seed_workspace(conn, "wrk_a", 2000, random.Random(3), ["usr_1", "usr_2"], now=NOW)
    emails = [row[0] for row in conn.execute("SELECT email FROM contacts WHERE email IS NOT NULL")]
    check = TypeAdapter(Email)
    refused = []
    for email in emails:
        try:
            check.validate_python(email)
        except ValueError:
            refused.append(email)
    assert emails and not refused, f"a demo contact could not be saved back unchanged: {refused[:3]}"


def test_tickets_scale_with_the_seed_or_as_asked(tmp_path: Path) -> None:
    from app.sandbox.cli import parse_args
    from app.sandbox.seed import default_ticket_count

    assert default_ticket_count(300) == 30 and default_ticket_count(1_000_000) == 100_000
    assert default_ticket_count(10) == 24, "even a tiny seed shows every status and priority"
    conn = _database(tmp_path)
    summary = seed_workspace(conn, "wrk_a", 50, random.Random(2), ["usr_1"], tickets=1_000, now=NOW)
    assert summary.tickets == 1_000 == conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    assert parse_args(["--seed-size", "1000000", "--tickets", "200000"]).seed_tickets == 200_000
    assert parse_args([]).seed_tickets is None


def _schema_objects(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%'"
                        " ORDER BY type, name").fetchall()


def test_the_bulk_load_puts_back_every_index_and_trigger_and_renders_every_document(tmp_path: Path) -> None:
    conn = _database(tmp_path)
    before = _schema_objects(conn)
    seed_workspace(conn, "wrk_a", 500, random.Random(4), ["usr_1", "usr_2"], now=NOW)
    assert _schema_objects(conn) == before
    assert conn.execute("SELECT count(*) FROM contacts WHERE document IS NULL").fetchone()[0] == 0
    conn.row_factory = sqlite3.Row
    for row in conn.execute("SELECT c.*, co.name AS company_name FROM contacts c"
                            " LEFT JOIN companies co ON co.id = c.company_id"):
        document = json.loads(row["document"])
        assert document == {**{k: row[k] for k in ("id", "name", "email", "phone", "company_id", "company_name",
                                                   "notes", "version", "created_at", "updated_at")},
                            "tags": json.loads(row["tags"]), "custom_fields": json.loads(row["custom_fields"])}
    # The indexes are real again: the unique email index refuses a duplicate.
    email = conn.execute("SELECT email FROM contacts WHERE email IS NOT NULL LIMIT 1").fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO contacts (id, workspace_id, name, email, created_at, updated_at)"
                     " VALUES ('con_dup', 'wrk_a', 'Dup', ?, 'x', 'x')", (email.upper(),))


def test_a_failed_bulk_load_rolls_back_with_its_indexes(tmp_path: Path, monkeypatch) -> None:
    from app.sandbox.seed_rows import SeedRun

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    conn = _database(tmp_path)
    before = _schema_objects(conn)
    monkeypatch.setattr(SeedRun, "invoices", broken)  # after companies and contacts went in
    with pytest.raises(RuntimeError):
        seed_workspace(conn, "wrk_a", 50, random.Random(4), ["usr_1"], now=NOW)
    assert _schema_objects(conn) == before
    assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0


def test_an_older_data_dir_gets_the_new_columns_and_its_documents_once(tmp_path: Path) -> None:
    from app.sandbox.bootstrap import BILLING_IDENTITY, ensure_initialized
    from app.sandbox.db import Database
    from app.sandbox.settings import SandboxSettings

    settings = SandboxSettings(data_dir=tmp_path, seed_size=40)
    db = Database(settings.database_path)
    ensure_initialized(db, settings)
    conn = db.conn()
    # Make it the shape of a data dir from before `document` and the issuer block existed.
    conn.execute("DROP TRIGGER contacts_document_on_insert")
    conn.execute("DROP TRIGGER contacts_document_on_update")
    conn.execute("DROP TRIGGER companies_name_in_contacts")
    conn.execute("DROP INDEX contacts_listed")  # it covers `document`
    for table, column in (("contacts", "document"), ("workspaces", "legal_name"), ("workspaces", "billing_address"),
                          ("workspaces", "tax_id"), ("workspaces", "billing_email")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    db.close_thread_connection()

    reopened = Database(settings.database_path)
    assert ensure_initialized(reopened, settings) is False
    conn = reopened.conn()
    assert conn.execute("SELECT count(*) FROM contacts WHERE document IS NULL").fetchone()[0] == 0
    rows = conn.execute("SELECT legal_name, billing_address FROM workspaces").fetchall()
    assert len(rows) == 2 and all(r["legal_name"] == BILLING_IDENTITY["legal_name"] for r in rows)
    assert json.loads(rows[0]["billing_address"]) == BILLING_IDENTITY["billing_address"]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
