"""The rows of one workspace's demo data, built in memory from the seed's rng and clock and
written a table at a time with `executemany`, in primary-key order (`SeedRun`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.sandbox import seed_vocabulary as words
from app.sandbox.billing_rules import invoice_totals
from app.sandbox.signing import SECRET_PREFIX
from app.sandbox.ticket_rules import CHANNELS, PRIORITIES, STATUSES, first_response_due

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class SeedSummary:
    """How many rows of each kind `seed_workspace` wrote (for logs and tests)."""

    companies: int
    contacts: int
    queues: int
    tickets: int
    messages: int
    comments: int
    invoices: int
    payments: int
    webhooks: int
    deliveries: int
    api_keys: int
    usage_rows: int


class SeedIds:
    """Sortable ids like `ids.new_id`, but drawn from the seed's rng so a seed repeats exactly."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def __call__(self, prefix: str, moment: datetime) -> str:
        ms = int(moment.timestamp() * 1000)
        stamp = ""
        for _ in range(10):
            ms, digit = divmod(ms, 62)
            stamp = _BASE62[digit] + stamp
        return f"{prefix}_{stamp}{''.join(self._rng.choices(_BASE62, k=12))}"


class SeedRun:
    """One workspace's seeding run: builds rows in memory, then writes each table in one batch."""

    def __init__(self, rng: random.Random, ids: SeedIds, workspace_id: str, environment: str,
                 members: list[str], now: datetime, roles: dict[str, str] | None = None) -> None:
        self.rng, self.ids, self.ws, self.env, self.members, self.now = (
            rng, ids, workspace_id, environment, members, now)
        self.roles = roles or {}

    def past(self, max_days: float, min_days: float = 0.0) -> datetime:
        return self.now - timedelta(days=self.rng.uniform(min_days, max_days))

    def member(self) -> str | None:
        return self.rng.choice(self.members) if self.members else None

    def write(self, conn: sqlite3.Connection, size: int, ticket_count: int) -> SeedSummary:
        companies = self.companies(conn, max(5, min(size // 20, 5_000)))
        contacts = self.contacts(conn, size, companies)
        queues = self.queues(conn)
        invoices, payments = self.invoices(conn, max(12, min(size // 15, 1_500)), contacts)
        tickets, messages, comments = self.tickets(conn, ticket_count, queues, contacts, invoices)
        deliveries = self.webhook(conn)
        keys = self.api_keys(conn)
        usage = self.quota_history(conn, keys)
        return SeedSummary(companies=len(companies), contacts=len(contacts), queues=len(words.QUEUES),
                           tickets=tickets, messages=messages, comments=comments,
                           invoices=len(invoices), payments=payments, webhooks=1,
                           deliveries=deliveries, api_keys=len(keys), usage_rows=usage)

    def companies(self, conn: sqlite3.Connection, count: int) -> list[tuple[str, str]]:
        rows, out = [], []
        for i in range(count):
            created = self.past(730, 400)
            name = f"{self.rng.choice(words.COMPANY_WORDS)} {self.rng.choice(words.COMPANY_KINDS)}"
            if i >= len(words.COMPANY_WORDS) * len(words.COMPANY_KINDS) // 2:
                name = f"{name} {i}"
            slug = "".join(ch for ch in name.lower() if ch.isalnum())
            domain = f"{slug}.example"
            cid = self.ids("com", created)
            stamp = _stamp(created)
            notes = self.rng.choice((None, "Renewal due in Q3.", "Prefers phone calls.", None))
            rows.append((cid, self.ws, name, domain, f"https://{domain}", notes, stamp, stamp))
            out.append((cid, domain))
        conn.executemany(
            "INSERT INTO companies (id, workspace_id, name, domain, website, notes, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _by_id(rows))
        return out

    def contacts(self, conn: sqlite3.Connection, count: int,
                 companies: list[tuple[str, str]]) -> list[tuple[str, str | None]]:
        rows, out = [], []
        rng = self.rng
        local_parts = {(first, last): _email_local(first, last)
                       for first in words.FIRST_NAMES for last in words.LAST_NAMES}
        for i in range(count):
            created = self.past(400)
            updated = created + (self.now - created) * rng.random() * 0.5
            first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
            company = rng.choice(companies) if companies and rng.random() < 0.8 else None
            domain = company[1] if company else rng.choice(("mail.example", "inbox.example"))
            email = f"{local_parts[first, last]}{i}@{domain}" if rng.random() < 0.95 else None
            phone = f"+1 555 {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}" if rng.random() < 0.6 else None
            tags = json.dumps(rng.sample(words.CONTACT_TAGS, rng.choice((0, 0, 1, 1, 2, 3))))
            # json.dumps's own spelling of this dict, without its cost per row.
            custom = (f'{{"tier": "{rng.choice(words.TIERS)}", "seats": {rng.randrange(1, 200)}}}'
                      if rng.random() < 0.5 else "{}")
            cid = self.ids("con", created)
            rows.append((cid, self.ws, f"{first} {last}", email, phone,
                         company[0] if company else None, tags, custom, None,
                         _stamp(created), _stamp(updated)))
            out.append((cid, company[0] if company else None))
        conn.executemany(
            "INSERT INTO contacts (id, workspace_id, name, email, phone, company_id, tags,"
            " custom_fields, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _by_id(rows))
        return out

    def queues(self, conn: sqlite3.Connection) -> list[tuple[str, int]]:
        rows, out = [], []
        for key, name, target, status in words.QUEUES:
            created = self.past(800, 750)
            qid = self.ids("queue", created)
            stamp = _stamp(created)
            rows.append((qid, self.ws, key, name, target, status, stamp, stamp))
            if status == "active":
                out.append((qid, target))
        conn.executemany(
            "INSERT INTO queues (id, workspace_id, key, name, first_response_target_minutes, status,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return out

    def invoices(self, conn: sqlite3.Connection, count: int,
                 contacts: list[tuple[str, str | None]]) -> tuple[list[str], int]:
        rng, today = self.rng, self.now.date()
        invoice_rows, payment_rows, out = [], [], []
        statuses = ("draft", "sent", "partially_paid", "paid", "void", "overdue")
        for i in range(count):
            status = statuses[i % len(statuses)] if i < len(statuses) else rng.choices(
                statuses, weights=(2, 3, 2, 6, 1, 2))[0]
            created = self.past(300, 20) if status != "draft" else self.past(10)
            contact_id, company_id = rng.choice(contacts) if contacts else (None, None)
            lines = []
            for kind, name, price, bps in rng.sample(words.PRODUCTS, rng.randint(1, 4)):
                lines.append({"kind": kind, "name": name, "quantity": rng.randint(1, 5),
                              "unit_amount_cents": price, "tax_rate_bps": bps})
            totals = invoice_totals(lines)
            issue = created.date()
            if status == "overdue":
                due = today - timedelta(days=rng.randint(1, 60))
            elif status in ("sent", "partially_paid"):
                due = today + timedelta(days=rng.randint(1, 45))
            else:
                due = issue + timedelta(days=30)
            paid = 0
            if status == "paid":
                paid = totals.total_cents
            elif status == "partially_paid" or (status == "overdue" and rng.random() < 0.4):
                paid = totals.total_cents * rng.randint(2, 7) // 10
            invoice_id = self.ids("inv", created)
            paid_at = created + timedelta(days=rng.randint(1, 15))
            for part in _split(paid, rng.choice((1, 1, 2, 3))):
                paid_stamp = _stamp(min(paid_at, self.now))
                payment_rows.append((self.ids("pay", min(paid_at, self.now)), self.ws, invoice_id,
                                     part, "USD", rng.choice(words.PAYMENT_METHODS), paid_stamp, paid_stamp))
                paid_at += timedelta(days=rng.randint(1, 10))
            updated = max(created, min(paid_at, self.now))
            invoice_rows.append((
                invoice_id, self.ws, f"INV-{1001 + i}", status, contact_id, company_id, "USD",
                None if status == "draft" else issue.isoformat(), due.isoformat(), json.dumps(lines),
                totals.subtotal_cents, totals.tax_cents, totals.total_cents, paid,
                rng.choice((None, None, "Net 30.", "Thank you for your business!")),
                1 if status == "overdue" else 0, _stamp(created), _stamp(updated)))
            out.append(invoice_id)
        conn.executemany(
            "INSERT INTO invoices (id, workspace_id, invoice_number, status, contact_id, company_id,"
            " currency, issue_date, due_date, line_items, subtotal_cents, tax_cents, total_cents,"
            " amount_paid_cents, notes, overdue_emitted, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _by_id(invoice_rows))
        conn.executemany(
            "INSERT INTO payments (id, workspace_id, invoice_id, amount_cents, currency, method,"
            " paid_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _by_id(payment_rows))
        return out, len(payment_rows)

    def tickets(self, conn: sqlite3.Connection, count: int, queues: list[tuple[str, int]],
                contacts: list[tuple[str, str | None]], invoices: list[str]) -> tuple[int, int, int]:
        rng = self.rng
        ticket_rows, message_rows, comment_rows = [], [], []
        for i in range(count):
            # Cycle through every status and priority first, so even a tiny seed shows them all.
            status = STATUSES[i % len(STATUSES)] if i < 2 * len(STATUSES) else rng.choices(
                STATUSES, weights=(2, 4, 2, 2, 3, 4))[0]
            priority = PRIORITIES[i % len(PRIORITIES)] if i < len(PRIORITIES) else rng.choices(
                PRIORITIES, weights=(2, 5, 2, 1))[0]
            category = rng.choice(words.TICKET_CATEGORIES)
            subject = rng.choice(words.TICKET_SUBJECTS[category])
            queue_id, target = rng.choice(queues) if queues else (None, None)
            # Some unanswered tickets are days old: past their first-response target on purpose.
            created = self.past(6, 0.5) if status in ("new", "open") else self.past(120, 1)
            due = first_response_due(created, target)
            contact_id, company_id = rng.choice(contacts) if contacts else (None, None)
            invoice_id = rng.choice(invoices) if category == "billing" and invoices else None
            ticket_id = self.ids("ticket", created)
            answered = status != "new" and not (status == "open" and rng.random() < 0.3)
            moment = created
            responded_at = None
            for n in range(rng.randint(1, 6) if answered else rng.randint(1, 2)):
                direction = "outbound" if answered and n % 2 == 1 else "inbound"
                moment += timedelta(minutes=rng.randint(5, 600) if direction == "outbound"
                                    else rng.randint(30, 1440))
                moment = min(moment, self.now)
                if direction == "outbound" and responded_at is None:
                    responded_at = _stamp(moment)
                body = rng.choice(words.OUTBOUND_MESSAGES if direction == "outbound" else words.INBOUND_MESSAGES).format(
                    subject_lc=subject[0].lower() + subject[1:])
                message_rows.append((self.ids("msg", moment), self.ws, ticket_id, direction,
                                     rng.choice(CHANNELS[:3]), body,
                                     self.member() if direction == "outbound" else None,
                                     _stamp(moment)))
            for n in range(rng.choice((0, 0, 1, 2, 3))):
                at = min(created + timedelta(minutes=rng.randint(10, 3000)), self.now)
                comment_rows.append((self.ids("comment", at), self.ws, ticket_id,
                                     rng.choice(words.INTERNAL_COMMENTS), 1 if n == 0 and rng.random() < 0.4 else 0,
                                     self.member(), _stamp(at)))
            custom = json.dumps({"plan": rng.choice(words.TIERS)} if rng.random() < 0.3 else {})
            ticket_rows.append((
                ticket_id, self.ws, subject, status, priority, rng.choice(words.TICKET_SOURCES_WEIGHTED),
                category, queue_id, self.member() if status != "new" else None, contact_id,
                company_id, invoice_id, custom, _stamp(due) if due else None, responded_at,
                _stamp(created), _stamp(max(moment, created))))
        conn.executemany(
            "INSERT INTO tickets (id, workspace_id, subject, status, priority, source, category,"
            " queue_id, assignee_id, contact_id, company_id, invoice_id, custom_fields,"
            " first_response_due_at, first_responded_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _by_id(ticket_rows))
        conn.executemany(
            "INSERT INTO ticket_messages (id, workspace_id, ticket_id, direction, channel, body,"
            " author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _by_id(message_rows))
        conn.executemany(
            "INSERT INTO ticket_comments (id, workspace_id, ticket_id, body, pinned, author_id,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", _by_id(comment_rows))
        return len(ticket_rows), len(message_rows), len(comment_rows)

    def webhook(self, conn: sqlite3.Connection) -> int:
        """One paused endpoint on a loopback port nobody listens on, with a past delivery history.

        Paused, not active: an active endpoint there would fail every delivery the demo causes and
        auto-disable itself within minutes. The user points it at a listener and activates it."""
        rng = self.rng
        created = self.past(60, 30)
        webhook_id = self.ids("wh", created)
        secret = SECRET_PREFIX + base64.b64encode(rng.randbytes(24)).decode("ascii")
        stamp = _stamp(created)
        conn.execute(
            "INSERT INTO webhooks (id, workspace_id, name, url, description, event_types, status,"
            " signing_secret, consecutive_failures, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'paused', ?, 0, ?, ?)",
            (webhook_id, self.ws, "CRM Ops Webhook", "http://127.0.0.1:9/webhooks",
             "Demo endpoint: point it at your listener, then set it active.",
             json.dumps(list(words.SEED_EVENT_TYPES)), secret, stamp, stamp))
        event_rows, delivery_rows, attempt_rows = [], [], []
        for n in range(8):
            at = created + timedelta(days=n * 3, minutes=rng.randint(0, 600))
            event_type = rng.choice(words.SEED_EVENT_TYPES)
            event_id, delivery_id = self.ids("evt", at), self.ids("whd", at)
            data = {"id": f"demo_{n}", "note": "demo event from the sandbox seed"}
            payload = json.dumps({"id": event_id, "type": event_type, "created_at": _stamp(at),
                                  "data": data}, separators=(",", ":"))
            failed = n in (2, 5)
            tries = 5 if failed else rng.choice((1, 1, 2))
            attempt_at = at
            for t, delay in enumerate((0, 30, 120, 600, 3600)[:tries]):
                attempt_at = at + timedelta(seconds=delay)
                ok = not failed and t == tries - 1
                attempt_rows.append((delivery_id, _stamp(attempt_at), 200 if ok else None,
                                     '{"received":true}' if ok else None, rng.randint(40, 400),
                                     None if ok else "connection refused"))
            event_rows.append((event_id, self.ws, event_type, json.dumps(data), _stamp(at)))
            delivery_rows.append((delivery_id, self.ws, webhook_id, event_id, event_type, payload,
                                  "failed" if failed else "succeeded", tries, _stamp(at),
                                  _stamp(attempt_at)))
        conn.executemany("INSERT INTO events (id, workspace_id, type, data, created_at)"
                         " VALUES (?, ?, ?, ?, ?)", event_rows)
        conn.executemany(
            "INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, event_id, event_type,"
            " payload, status, attempt_count, next_attempt_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)", delivery_rows)
        conn.executemany(
            "INSERT INTO webhook_attempts (delivery_id, attempted_at, response_status, response_body,"
            " duration_ms, error) VALUES (?, ?, ?, ?, ?, ?)", attempt_rows)
        return len(delivery_rows)

    def api_keys(self, conn: sqlite3.Connection) -> list[tuple[str, str, datetime, datetime]]:
        """Extra keys that make the key list look lived-in; only hashes, no usable secret survives.

        Returns `(key id, name, created, last used)` for the usage history. Keys in use were last
        used within the day; the revoked one before it was revoked."""
        rows, out = [], []
        for name, scopes, expires_in_days, revoked in words.EXTRA_KEYS:
            created = self.past(200, 20)
            secret = f"opk_{self.env}_" + "".join(self.rng.choices(_BASE62, k=40))
            expires = _stamp(self.now + timedelta(days=expires_in_days)) if expires_in_days else None
            revoked_at = self.past(10, 1) if revoked else None
            last_used = revoked_at - timedelta(hours=self.rng.uniform(1, 48)) if revoked_at else self.past(1, 0.01)
            key_id = self.ids("key", created)
            rows.append((key_id, self.ws, name, secret[:13], secret[-4:],
                         hashlib.sha256(secret.encode()).hexdigest(), self.env, json.dumps(scopes),
                         self.member(), _stamp(created), _stamp(last_used), expires,
                         _stamp(revoked_at) if revoked_at else None))
            out.append((key_id, name, created, last_used))
        conn.executemany(
            "INSERT INTO api_keys (id, workspace_id, name, prefix, last4, secret_hash, environment,"
            " scopes, created_by, created_at, last_used_at, expires_at, revoked_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return out

    def quota_history(self, conn: sqlite3.Connection, keys: list[tuple[str, str, datetime, datetime]]) -> int:
        """`words.HISTORY_DAYS` days of API and AI calls (plus today so far) per credential and module.

        Written where real calls are metered (`quota_usage`), so `/quota/status`, `/breakdown` and
        `/history` agree by construction: this month's status is the sum of this month's days.
        A key counts only from the day it was created to the day it was last used; members
        (their sign-ins in the console) from the start of the window. Weekends are quieter, and
        use grows slowly over the window."""
        rng, today = self.rng, self.now.date()
        start = today - timedelta(days=words.HISTORY_DAYS)
        midnight = datetime(today.year, today.month, today.day, tzinfo=self.now.tzinfo)
        day_fraction = (self.now - midnight) / timedelta(days=1)
        users = [(member, role, start, today) for member, role in self.roles.items()]
        credentials = [(key_id, name, created.date(), used.date()) for key_id, name, created, used in keys]
        rows = []
        for credential, kind, first, last in (*credentials, *users):
            per_module = words.KEY_USAGE.get(kind) or words.ROLE_USAGE.get(kind, {})
            ai = words.AI_USAGE.get(kind, 0)
            day = max(first, start)
            while day <= min(last, today):
                scale = (0.35 if day.weekday() >= 5 else 1.0) * (0.8 + 0.2 * (day - start).days / words.HISTORY_DAYS)
                if day == today:
                    scale *= day_fraction
                stamp = day.isoformat()
                for module, calls in per_module.items():
                    amount = round(calls * scale * rng.uniform(0.7, 1.3))
                    if amount > 0:
                        rows.append((self.ws, "api_calls", credential, module, stamp, amount))
                if ai and (amount := round(ai * scale * rng.uniform(0.5, 1.5))) > 0:
                    rows.append((self.ws, "ai_calls", credential, "support", stamp, amount))
                day += timedelta(days=1)
        conn.executemany("INSERT INTO quota_usage (workspace_id, resource, credential_id, module, day, amount)"
                         " VALUES (?, ?, ?, ?, ?, ?)", rows)
        return len(rows)


def _email_local(first: str, last: str) -> str:
    """`first.last`, folded to ASCII: the server's own email validation refuses "müller@", and a
    seeded contact must survive being saved back unchanged."""
    folded = unicodedata.normalize("NFKD", f"{first}.{last}".lower())
    return "".join(ch for ch in folded if (ch.isascii() and ch.isalnum()) or ch == ".")


def _stamp(moment: datetime) -> str:
    """`timeutil.to_rfc3339` for the seed's own moments, which are UTC already: a third of its cost,
    and it is called a few million times for a large seed."""
    return moment.isoformat(timespec="microseconds")[:-6] + "Z"


def _by_id(rows: list[tuple]) -> list[tuple]:
    """Rows in primary-key order (ids begin with their time stamp), so the id index only appends."""
    rows.sort(key=lambda row: row[0])
    return rows


def _split(amount: int, parts: int) -> list[int]:
    """`amount` cents in `parts` payments that add up exactly (nothing when the amount is 0)."""
    if amount <= 0:
        return []
    base, rest = divmod(amount, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]
