-- Webhook operations (issue 18), applied after schema.sql (db.py): recover jobs and the
-- re-deliveries they queued. Kept in its own file so the operations' tables read as one concept.

-- One recover job per row. Its progress is counted from webhook_recover_items, never kept twice.
CREATE TABLE IF NOT EXISTS webhook_recover_jobs (
    id           TEXT PRIMARY KEY,                     -- rcv_
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    webhook_id   TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    since        TEXT NOT NULL,
    until        TEXT NOT NULL,
    statuses     TEXT NOT NULL,                        -- JSON array of delivery statuses picked
    status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'cancelled')),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    finished_at  TEXT
);
CREATE INDEX IF NOT EXISTS webhook_recover_jobs_page ON webhook_recover_jobs (workspace_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS webhook_recover_jobs_running ON webhook_recover_jobs (webhook_id, status);

-- Each delivery a job queued again. `state` moves queued → succeeded | failed in the same
-- transaction that records the attempt, so after a crash exactly the unconfirmed ones are sent.
CREATE TABLE IF NOT EXISTS webhook_recover_items (
    job_id          TEXT NOT NULL REFERENCES webhook_recover_jobs(id) ON DELETE CASCADE,
    delivery_id     TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'succeeded', 'failed', 'cancelled')),
    previous_status TEXT NOT NULL,                     -- given back to the delivery on cancel
    PRIMARY KEY (job_id, delivery_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS webhook_recover_items_state ON webhook_recover_items (job_id, state);
CREATE INDEX IF NOT EXISTS webhook_recover_items_delivery ON webhook_recover_items (delivery_id);
-- A recover's window is read per endpoint by creation time.
CREATE INDEX IF NOT EXISTS webhook_deliveries_window ON webhook_deliveries (webhook_id, created_at, status);
-- An event's detail lists the deliveries it caused.
CREATE INDEX IF NOT EXISTS webhook_deliveries_event ON webhook_deliveries (event_id);
