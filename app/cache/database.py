"""Open a profile's cache file, and move it aside and start afresh when it is damaged.

The cache only holds copies of server data, so a file that is garbage, truncated, from another
schema version or unreadable is never worth a crash: it is renamed `<name>.corrupt-<timestamp>`
(kept for a bug report), a new empty cache is created in its place, and the caller is told the
path it was moved to so the UI can show a notice. If even that fails (a read-only disk) the
cache lives in memory for the session.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from app.cache.search_text import SEARCHABLE

SCHEMA_VERSION = 5
WAL_SIZE_LIMIT = 4 * 1024 * 1024
_APPLICATION_ID = 0x4F50444B  # "OPDK": tells our files apart from any other SQLite file


def search_table_sql(resource: str, table: str | None = None) -> str:
    """The statement creating one resource's search index (`table` overrides its name)."""
    # A plain FTS5 table keyed by the record's rowid, written by PageCache itself in batches:
    # maintained by triggers instead, FTS5 flushes a segment per row (7x slower on 100k rows).
    # Prefix indexes of 1 to 3 letters: "nadia n" (a second word's first letter, typed on the
    # way to "nadia nguyen") merged every term starting with "n" without one, 5 ms instead of 2
    # over 100k contacts; the 1-letter index adds about 40% to the search index's size.
    return f"""
CREATE VIRTUAL TABLE {table or search_table(resource)} USING fts5 (
    search_title, search_detail, tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);"""


def search_table(resource: str) -> str:
    """The FTS5 table holding one searchable resource's index."""
    return f"search_{resource}"


# Rows and body bytes per resource, kept exact by triggers on every insert, replace and delete:
# eviction reads two numbers instead of `SUM(size)` over the table on every put (0.6 ms at 10k
# rows, 219 ms at 1M, which made filling the cache quadratic). Also the newest `updated_at` put
# (the next sync's `updated_since`), so no index on `updated_at` has to be kept for it: with
# dates in no particular order each put row dirtied a page of that index of its own, and the
# pages written per row grew with the cache (see `PageCache.max_updated_at`).
_NEWEST = ("CASE WHEN {new} > COALESCE(newest_update, '') THEN {new} ELSE newest_update END")
_TOTALS_TRIGGERS_SQL = f"""
CREATE TRIGGER record_totals_insert AFTER INSERT ON records BEGIN
    INSERT INTO record_totals (resource, rows, bytes, newest_update) VALUES (NEW.resource, 1, NEW.size, NEW.updated_at)
    ON CONFLICT (resource) DO UPDATE SET rows = rows + 1, bytes = bytes + excluded.bytes,
        newest_update = {_NEWEST.format(new="excluded.newest_update")};
END;
CREATE TRIGGER record_totals_delete AFTER DELETE ON records BEGIN
    UPDATE record_totals SET rows = rows - 1, bytes = bytes - OLD.size WHERE resource = OLD.resource;
END;
CREATE TRIGGER record_totals_update AFTER UPDATE OF resource, size ON records BEGIN
    UPDATE record_totals SET rows = rows - 1, bytes = bytes - OLD.size WHERE resource = OLD.resource;
    INSERT INTO record_totals (resource, rows, bytes, newest_update) VALUES (NEW.resource, 1, NEW.size, NEW.updated_at)
    ON CONFLICT (resource) DO UPDATE SET rows = rows + 1, bytes = bytes + excluded.bytes,
        newest_update = {_NEWEST.format(new="excluded.newest_update")};
END;
CREATE TRIGGER record_totals_newest AFTER UPDATE OF updated_at ON records BEGIN
    UPDATE record_totals SET newest_update = {_NEWEST.format(new="NEW.updated_at")} WHERE resource = NEW.resource;
END;
"""
_TOTALS_TRIGGERS = ("record_totals_insert", "record_totals_delete", "record_totals_update", "record_totals_newest")
_TOTALS_SQL = """
CREATE TABLE record_totals (
    resource TEXT PRIMARY KEY,
    rows INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    newest_update TEXT
) WITHOUT ROWID;
""" + _TOTALS_TRIGGERS_SQL

# Per search index: rows deleted from it since it was last merged whole (FTS5 keeps deleted
# entries until a merge reaches them), and whether a merge is under way (it resumes after a
# restart). See `PageCache.upkeep_search`.
_SEARCH_UPKEEP_SQL = """
CREATE TABLE search_upkeep (
    resource TEXT PRIMARY KEY,
    churn INTEGER NOT NULL DEFAULT 0,
    merging INTEGER NOT NULL DEFAULT 0,
    churn_at_start INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
"""


SCHEMA = f"""
PRAGMA application_id = {_APPLICATION_ID};
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
    rowid INTEGER PRIMARY KEY,
    resource TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT,
    updated_at TEXT,
    fetched_at REAL NOT NULL,
    size INTEGER NOT NULL,
    UNIQUE (resource, id)
);
CREATE INDEX records_by_fetched ON records (resource, fetched_at);
-- By `updated_at` only once a list is sorted or filtered by it (`PageCache._indexed_expression`).
CREATE INDEX records_by_created ON records (resource, created_at, id);
{_TOTALS_SQL}
{_SEARCH_UPKEEP_SQL}
-- One FTS5 table per searchable resource: a search never wades through other resources' hits.
{"".join(search_table_sql(resource) for resource in SEARCHABLE)}
CREATE TABLE list_pages (
    resource TEXT NOT NULL,
    query TEXT NOT NULL,
    ids TEXT NOT NULL,
    next_cursor TEXT,
    fetched_at REAL NOT NULL,
    PRIMARY KEY (resource, query)
);
CREATE INDEX list_pages_by_age ON list_pages (fetched_at);
CREATE TABLE request_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL,
    method TEXT,
    url TEXT,
    status INTEGER,
    record TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}');
"""


def _upgrade_2_to_3(conn: sqlite3.Connection) -> None:
    """Version 3 adds 1-letter prefix indexes: rebuild each search index from the old one."""
    for resource in SEARCHABLE:
        table = search_table(resource)
        conn.execute(search_table_sql(resource, f"{table}_v3"))
        conn.execute(f"INSERT INTO {table}_v3 (rowid, search_title, search_detail) "
                     f"SELECT rowid, search_title, search_detail FROM {table}")
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"ALTER TABLE {table}_v3 RENAME TO {table}")


def _upgrade_3_to_4(conn: sqlite3.Connection) -> None:
    """Version 4 keeps running totals (summed here, once), search upkeep state, and sorts by
    `updated_at` with id as the tie-breaker in the index, so keyset slices are range scans."""
    _execute_each(conn, _TOTALS_SQL + _SEARCH_UPKEEP_SQL)
    conn.execute("INSERT INTO record_totals (resource, rows, bytes) "
                 "SELECT resource, COUNT(*), SUM(size) FROM records GROUP BY resource")
    conn.execute("DROP INDEX records_by_updated")
    conn.execute("CREATE INDEX records_by_updated ON records (resource, updated_at, id)")


def _upgrade_4_to_5(conn: sqlite3.Connection) -> None:
    """Version 5 keeps the newest `updated_at` in the running totals and drops the index on it
    (made again the first time a list is sorted or filtered by `updated_at`)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(record_totals)")}
    if "newest_update" not in columns:  # a version 3 file got version 5's totals table already
        conn.execute("ALTER TABLE record_totals ADD COLUMN newest_update TEXT")
    conn.execute("UPDATE record_totals SET newest_update = "
                 "(SELECT MAX(updated_at) FROM records WHERE records.resource = record_totals.resource)")
    for trigger in _TOTALS_TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    _execute_each(conn, _TOTALS_TRIGGERS_SQL)
    conn.execute("DROP INDEX IF EXISTS records_by_updated")


def _execute_each(conn: sqlite3.Connection, script: str) -> None:
    """Run a script statement by statement: `executescript` would commit the upgrade's transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""


#: A cache written by an older Opsdesk is brought up to date in place, not thrown away: offline,
#: it may be all the data there is. Keyed by the version each step upgrades from.
_UPGRADES = {"2": _upgrade_2_to_3, "3": _upgrade_3_to_4, "4": _upgrade_4_to_5}


def _upgrade(conn: sqlite3.Connection, version: str) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        while version != str(SCHEMA_VERSION):
            _UPGRADES[version](conn)
            version = str(int(version) + 1)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


class SchemaMismatch(sqlite3.DatabaseError):
    """The file is a SQLite database but not this version of the cache."""


def is_damage(exc: BaseException) -> bool:
    """True when `exc` means the cache file itself is bad (rebuild it), not "try again later"."""
    if isinstance(exc, SchemaMismatch) or type(exc) is sqlite3.DatabaseError:
        return True
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the cache at `path` and check it is our schema version."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        _prepare(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def connect_in_memory() -> sqlite3.Connection:
    """A session-only cache for when no file can be used at all."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    _prepare(conn)
    return conn


def move_aside(path: Path) -> Path:
    """Rename a damaged cache file (and drop its WAL side files); returns the new name."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    if path.exists():
        os.replace(path, target)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return target


def _prepare(conn: sqlite3.Connection) -> None:
    # Reading the header first turns "not a database" into an error here, not mid-session.
    (app_id,) = conn.execute("PRAGMA application_id").fetchone()
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        # Before the first table, or never: lets search upkeep give freed pages back to the
        # file system after churn (`search_upkeep.compact_step`) instead of keeping them.
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(f"BEGIN; {SCHEMA} COMMIT;")
    else:
        if app_id != _APPLICATION_ID or "meta" not in tables:
            raise SchemaMismatch("the cache file was not written by Opsdesk")
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = row[0] if row else None
        if version in _UPGRADES:
            _upgrade(conn, version)
        elif version != str(SCHEMA_VERSION):
            raise SchemaMismatch(f"cache schema version {version}, expected {SCHEMA_VERSION}")
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    # The WAL file keeps the size of the biggest transaction it ever held unless told otherwise
    # (a re-sync left 15 MB of it beside a 50 MB cache); truncated to this after a checkpoint.
    conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
    conn.execute("PRAGMA cache_size = -32000")
    conn.execute("PRAGMA temp_store = MEMORY")
