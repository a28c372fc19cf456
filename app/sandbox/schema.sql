-- The sandbox's database: one SQLite file per data dir, WAL mode, foreign keys on.
-- Every tenant-owned row carries workspace_id; every query filters on it (tenant isolation).
-- Time stamps are RFC 3339 UTC text ("2026-04-07T12:00:00.123456Z") so they sort as text.
-- Keyset pagination orders by (created_at DESC, id DESC): every list table has that index.
-- JSON-valued columns (tags, custom_fields, scopes, event_types, line_items, payload) hold JSON text.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS workspaces (
    id                    TEXT PRIMARY KEY,            -- wrk_
    name                  TEXT NOT NULL,
    plan                  TEXT NOT NULL,
    environment           TEXT NOT NULL CHECK (environment IN ('live', 'test')),
    enabled_modules       TEXT NOT NULL,               -- JSON array
    rate_limit_per_minute INTEGER NOT NULL,
    created_at            TEXT NOT NULL,
    legal_name            TEXT,                        -- the issuer on invoices (NULL: `name`)
    billing_address       TEXT,                        -- JSON: {line1, line2, city, region, postal_code, country, formatted[]}
    tax_id                TEXT,
    billing_email         TEXT
);

CREATE TABLE IF NOT EXISTS members (
    id            TEXT PRIMARY KEY,                    -- usr_
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'agent', 'viewer')),
    status        TEXT NOT NULL CHECK (status IN ('active', 'invited', 'disabled')),
    password_hash TEXT,                                -- NULL: cannot sign in
    created_at    TEXT NOT NULL,
    UNIQUE (workspace_id, email)
);

CREATE TABLE IF NOT EXISTS api_keys (
    id           TEXT PRIMARY KEY,                     -- key_
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,                        -- e.g. "opk_live_AbCd"
    last4        TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,                 -- sha256 hex of the full secret; the secret is never stored
    environment  TEXT NOT NULL CHECK (environment IN ('live', 'test')),
    scopes       TEXT NOT NULL,                        -- JSON array
    created_by   TEXT,                                 -- usr_ or key_ id of the creator
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    expires_at   TEXT,                                 -- NULL: never
    revoked_at   TEXT,
    rotated_to   TEXT,                                 -- id of the key that replaced this one
    dialect      TEXT                                  -- the dialect mount it works on; NULL: the contract's /v1
);
CREATE INDEX IF NOT EXISTS api_keys_page ON api_keys (workspace_id, created_at DESC, id DESC);

-- Refresh tokens rotate; a family is one sign-in. Reusing a spent token revokes the family.
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash   TEXT PRIMARY KEY,
    family_id    TEXT NOT NULL,
    member_id    TEXT NOT NULL REFERENCES members(id),
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    spent_at     TEXT,
    revoked_at   TEXT
);
CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE IF NOT EXISTS access_tokens (
    token_hash   TEXT PRIMARY KEY,
    family_id    TEXT NOT NULL,
    member_id    TEXT NOT NULL REFERENCES members(id),
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT
);

CREATE TABLE IF NOT EXISTS companies (
    id           TEXT PRIMARY KEY,                     -- com_
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name         TEXT NOT NULL,
    domain       TEXT,
    website      TEXT,
    notes        TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS companies_page ON companies (workspace_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS companies_updated ON companies (workspace_id, updated_at);

CREATE TABLE IF NOT EXISTS contacts (
    id            TEXT PRIMARY KEY,                    -- con_
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL,
    email         TEXT,
    phone         TEXT,
    company_id    TEXT REFERENCES companies(id),
    tags          TEXT NOT NULL DEFAULT '[]',
    custom_fields TEXT NOT NULL DEFAULT '{}',
    notes         TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    document      TEXT  -- the contact as the API shows it, company_name included (kept by the triggers below)
);
CREATE UNIQUE INDEX IF NOT EXISTS contacts_email ON contacts (workspace_id, email COLLATE NOCASE) WHERE email IS NOT NULL;
CREATE INDEX IF NOT EXISTS contacts_page ON contacts (workspace_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS contacts_company ON contacts (workspace_id, company_id);
-- The list page reads this index alone (covering: the page order, the pre-rendered document, and
-- the company for a list filtered by it), in order, instead of a table row per contact
-- (routers/contacts.py, pagination.fetch_page_text).
CREATE INDEX IF NOT EXISTS contacts_listed ON contacts (workspace_id, created_at DESC, id DESC, company_id, document);
-- The list used to join the company name through it; it has no reader now.
DROP INDEX IF EXISTS companies_named;
CREATE INDEX IF NOT EXISTS contacts_updated ON contacts (workspace_id, updated_at);
-- contacts.document is the contact as the API shows it, company name included, so a list page is
-- the documents joined with commas: no object per row, no join. Every write to a contact
-- re-renders it here, whoever makes the write; a company's rename rewrites its contacts' name.
CREATE TRIGGER IF NOT EXISTS contacts_document_on_insert AFTER INSERT ON contacts BEGIN
    UPDATE contacts SET document = json_object('id', id, 'name', name, 'email', email, 'phone', phone,
        'company_id', company_id, 'company_name', (SELECT co.name FROM companies co WHERE co.id = contacts.company_id),
        'tags', json(tags), 'custom_fields', json(custom_fields), 'notes', notes,
        'version', version, 'created_at', created_at, 'updated_at', updated_at) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER IF NOT EXISTS contacts_document_on_update
AFTER UPDATE OF id, name, email, phone, company_id, tags, custom_fields, notes, version, created_at, updated_at
ON contacts BEGIN
    UPDATE contacts SET document = json_object('id', id, 'name', name, 'email', email, 'phone', phone,
        'company_id', company_id, 'company_name', (SELECT co.name FROM companies co WHERE co.id = contacts.company_id),
        'tags', json(tags), 'custom_fields', json(custom_fields), 'notes', notes,
        'version', version, 'created_at', created_at, 'updated_at', updated_at) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER IF NOT EXISTS companies_name_in_contacts AFTER UPDATE OF name ON companies
WHEN NEW.name IS NOT OLD.name BEGIN
    UPDATE contacts SET document = json_set(document, '$.company_name', NEW.name)
    WHERE workspace_id = NEW.workspace_id AND company_id = NEW.id;
END;
-- Rows written before the column existed, or rendered before company_name joined the document,
-- are rendered afresh by db.py (through the update trigger) once: not a scan of every contact
-- on every start.

CREATE TABLE IF NOT EXISTS queues (
    id                            TEXT PRIMARY KEY,    -- queue_
    workspace_id                  TEXT NOT NULL REFERENCES workspaces(id),
    key                           TEXT NOT NULL,
    name                          TEXT NOT NULL,
    first_response_target_minutes INTEGER NOT NULL,
    status                        TEXT NOT NULL CHECK (status IN ('active', 'paused', 'archived')),
    created_at                    TEXT NOT NULL,
    updated_at                    TEXT NOT NULL,
    UNIQUE (workspace_id, key)
);

CREATE TABLE IF NOT EXISTS tickets (
    id                    TEXT PRIMARY KEY,            -- ticket_
    workspace_id          TEXT NOT NULL REFERENCES workspaces(id),
    subject               TEXT NOT NULL,
    status                TEXT NOT NULL,
    priority              TEXT NOT NULL,
    source                TEXT,
    category              TEXT,
    queue_id              TEXT REFERENCES queues(id),
    assignee_id           TEXT REFERENCES members(id),
    contact_id            TEXT REFERENCES contacts(id),
    company_id            TEXT REFERENCES companies(id),
    invoice_id            TEXT REFERENCES invoices(id),
    custom_fields         TEXT NOT NULL DEFAULT '{}',
    first_response_due_at TEXT,
    first_responded_at    TEXT,
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tickets_page ON tickets (workspace_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS tickets_updated ON tickets (workspace_id, updated_at);
-- The ticket list's filters at 200k tickets (ticket_search.py): each index is in list order
-- after its filter column, so a page seeks it and reads no further than the page; the trailing
-- columns are the other filters, so a count or a combined filter is answered from the index alone.
CREATE INDEX IF NOT EXISTS tickets_queue ON tickets
    (workspace_id, queue_id, created_at DESC, id DESC, status, priority, assignee_id);
CREATE INDEX IF NOT EXISTS tickets_assignee ON tickets
    (workspace_id, assignee_id, created_at DESC, id DESC, status, priority, queue_id);
CREATE INDEX IF NOT EXISTS tickets_status ON tickets
    (workspace_id, status, created_at DESC, id DESC, priority, queue_id, assignee_id);
CREATE INDEX IF NOT EXISTS tickets_priority ON tickets
    (workspace_id, priority, created_at DESC, id DESC, status, queue_id, assignee_id);
CREATE INDEX IF NOT EXISTS tickets_contact ON tickets (workspace_id, contact_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS tickets_company ON tickets (workspace_id, company_id, created_at DESC, id DESC);
-- (workspace_id, rowid) only: a search count looks its subject matches up here, not in the table.
CREATE INDEX IF NOT EXISTS tickets_workspace ON tickets (workspace_id);
-- Tickets still owed their first response ("Breaching SLA"): the WHERE is ticket_search.py's
-- AWAITING_FIRST_RESPONSE, word for word (SQLite uses a partial index only for the same terms).
CREATE INDEX IF NOT EXISTS tickets_awaiting_first_response ON tickets
    (workspace_id, created_at DESC, id DESC, first_response_due_at, queue_id, priority, assignee_id)
    WHERE first_responded_at IS NULL AND status NOT IN ('resolved', 'closed') AND first_response_due_at IS NOT NULL;
-- Subject search (`query` of three or more characters): trigrams match any substring, in any letter case.
CREATE VIRTUAL TABLE IF NOT EXISTS tickets_fts USING fts5(
    subject, content='tickets', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS tickets_fts_on_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, subject) VALUES (NEW.rowid, NEW.subject);
END;
CREATE TRIGGER IF NOT EXISTS tickets_fts_on_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject) VALUES ('delete', OLD.rowid, OLD.subject);
END;
CREATE TRIGGER IF NOT EXISTS tickets_fts_on_update AFTER UPDATE OF subject ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject) VALUES ('delete', OLD.rowid, OLD.subject);
    INSERT INTO tickets_fts (rowid, subject) VALUES (NEW.rowid, NEW.subject);
END;

CREATE TABLE IF NOT EXISTS ticket_messages (
    id           TEXT PRIMARY KEY,                     -- msg_
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    ticket_id    TEXT NOT NULL REFERENCES tickets(id),
    direction    TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    channel      TEXT NOT NULL,
    body         TEXT NOT NULL,
    author_id    TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ticket_messages_page ON ticket_messages (ticket_id, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS ticket_comments (
    id           TEXT PRIMARY KEY,                     -- comment_
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    ticket_id    TEXT NOT NULL REFERENCES tickets(id),
    body         TEXT NOT NULL,
    pinned       INTEGER NOT NULL DEFAULT 0,
    author_id    TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ticket_comments_page ON ticket_comments (ticket_id, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS invoices (
    id                TEXT PRIMARY KEY,                -- inv_
    workspace_id      TEXT NOT NULL REFERENCES workspaces(id),
    invoice_number    TEXT NOT NULL,
    status            TEXT NOT NULL,                   -- stored: draft|sent|partially_paid|paid|void; overdue is derived and also stored once detected
    contact_id        TEXT REFERENCES contacts(id),
    company_id        TEXT REFERENCES companies(id),
    currency          TEXT NOT NULL,
    issue_date        TEXT,
    due_date          TEXT,
    line_items        TEXT NOT NULL DEFAULT '[]',
    subtotal_cents    INTEGER NOT NULL DEFAULT 0,
    tax_cents         INTEGER NOT NULL DEFAULT 0,
    total_cents       INTEGER NOT NULL DEFAULT 0,
    amount_paid_cents INTEGER NOT NULL DEFAULT 0,
    notes             TEXT,
    overdue_emitted   INTEGER NOT NULL DEFAULT 0,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (workspace_id, invoice_number)
);
CREATE INDEX IF NOT EXISTS invoices_page ON invoices (workspace_id, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS payments (
    id           TEXT PRIMARY KEY,                     -- pay_
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    invoice_id   TEXT NOT NULL REFERENCES invoices(id),
    amount_cents INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    method       TEXT NOT NULL,
    paid_at      TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_page ON payments (workspace_id, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS webhooks (
    id                   TEXT PRIMARY KEY,             -- wh_
    workspace_id         TEXT NOT NULL REFERENCES workspaces(id),
    name                 TEXT NOT NULL,
    url                  TEXT NOT NULL,
    description          TEXT,
    event_types          TEXT NOT NULL,                -- JSON array
    status               TEXT NOT NULL CHECK (status IN ('active', 'paused', 'disabled')),
    disabled_reason      TEXT,
    signing_secret       TEXT NOT NULL,                -- the sandbox must sign, so it keeps the secret (server side only)
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    dialect              TEXT                          -- the mount it was created through (NULL: /v1): how it is signed and retried
);
CREATE INDEX IF NOT EXISTS webhooks_page ON webhooks (workspace_id, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS events (
    id           TEXT PRIMARY KEY,                     -- evt_
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    type         TEXT NOT NULL,
    data         TEXT NOT NULL,                        -- JSON: the full resource
    created_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_page ON events (workspace_id, created_at DESC, id DESC);

-- The delivery queue: the worker picks rows with status in (pending, retrying) and next_attempt_at <= now.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id              TEXT PRIMARY KEY,                  -- whd_
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    webhook_id      TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL REFERENCES events(id),
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,                     -- the exact JSON body sent
    status          TEXT NOT NULL CHECK (status IN ('pending', 'retrying', 'succeeded', 'failed')),
    attempt_count   INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    forced          INTEGER NOT NULL DEFAULT 0,        -- 1: test event or manual retry, sent even to a paused/disabled endpoint
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_page ON webhook_deliveries (workspace_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS webhook_attempts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id     TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempted_at    TEXT NOT NULL,
    response_status INTEGER,
    response_body   TEXT,                              -- first 4 KiB
    duration_ms     INTEGER NOT NULL,
    error           TEXT
);
CREATE INDEX IF NOT EXISTS webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- Idempotency: one row per (credential, key). response_* are NULL while the first request runs.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    credential_id   TEXT NOT NULL,
    key             TEXT NOT NULL,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    body_hash       TEXT NOT NULL,
    response_status INTEGER,
    response_body   TEXT,
    response_headers TEXT,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (credential_id, key)
);

-- The request log (/dev/api-requests): never a secret, an Authorization value or a body.
CREATE TABLE IF NOT EXISTS api_requests (
    id              TEXT PRIMARY KEY,                  -- req_ (same as request_id)
    workspace_id    TEXT NOT NULL,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    status          INTEGER NOT NULL,
    duration_ms     REAL NOT NULL,
    key_id          TEXT,
    idempotency_key TEXT,
    user_agent      TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS api_requests_page ON api_requests (workspace_id, created_at DESC, id DESC);

-- Quota usage: one row per workspace, resource, credential, module and UTC day.
CREATE TABLE IF NOT EXISTS quota_usage (
    workspace_id  TEXT NOT NULL,
    resource      TEXT NOT NULL CHECK (resource IN ('api_calls', 'ai_calls', 'storage_bytes', 'seats')),
    credential_id TEXT NOT NULL DEFAULT '',
    module        TEXT NOT NULL DEFAULT '',
    day           TEXT NOT NULL,                       -- YYYY-MM-DD
    amount        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, resource, credential_id, module, day)
);

CREATE TABLE IF NOT EXISTS quota_limits (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    resource     TEXT NOT NULL,
    "limit"      INTEGER NOT NULL,                     -- -1: unlimited
    period       TEXT NOT NULL,                        -- month | day | none
    PRIMARY KEY (workspace_id, resource)
);

CREATE TABLE IF NOT EXISTS quota_consumptions (
    workspace_id    TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    response        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (workspace_id, idempotency_key)
);

-- Deleted records, for incremental sync (GET /deletions, deletions.py): oldest first per
-- workspace and resource, pruned after deletions.RETENTION_DAYS.
CREATE TABLE IF NOT EXISTS deletions (
    workspace_id TEXT NOT NULL,
    resource     TEXT NOT NULL CHECK (resource IN ('contact', 'company', 'ticket', 'invoice', 'webhook', 'api_key')),
    record_id    TEXT NOT NULL,
    deleted_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, resource, deleted_at, record_id)
) WITHOUT ROWID;
