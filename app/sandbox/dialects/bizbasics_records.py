"""BizBasics' workspace records (seed 003): summaries a product publishes for the cross-product view.

The contract has nothing like them, so this mount keeps them itself, upserted by
`(org_id, source_product, record_type, source_ref)` as the seed says. They live in this process's
memory: a translator is handed no database (see the helper's report for the gateway change that
would let them persist), so a sandbox restart forgets them.
"""

from __future__ import annotations

import threading
from typing import Any

from app.sandbox.ids import new_id
from app.sandbox.timeutil import now_rfc3339

#: Seed 003's "Publish record" fields: name → (JSON type, required).
FIELDS: dict[str, tuple[type, bool]] = {
    "org_id": (str, True), "source_product": (str, True), "record_type": (str, True), "source_ref": (str, True),
    "title": (str, True), "subtitle": (str, False), "summary_text": (str, False), "app_href": (str, False),
    "meta": (dict, False), "status": (str, False),
}


def problems(body: Any) -> list[dict[str, Any]]:
    """FastAPI-style `detail` entries for what is wrong with a publish body (empty when none)."""
    if not isinstance(body, dict):
        return [{"loc": ["body"], "msg": "Input should be a valid object", "type": "model_type"}]
    found = []
    for name, (kind, required) in FIELDS.items():
        if name not in body or body[name] is None:
            if required:
                found.append({"loc": ["body", name], "msg": "Field required", "type": "missing"})
        elif not isinstance(body[name], kind) or (kind is str and not body[name].strip()):
            found.append({"loc": ["body", name], "msg": f"Input should be a valid {kind.__name__}",
                          "type": f"{kind.__name__}_type"})
    for name in body:
        if name not in FIELDS:
            found.append({"loc": ["body", name], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"})
    return found


class WorkspaceRecords:
    """Every org's published records, newest change first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    def publish(self, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Upsert `body` (already checked); return the record and whether it is new."""
        key = (body["org_id"], body["source_product"], body["record_type"], body["source_ref"])
        stamp = now_rfc3339()
        with self._lock:
            old = self._rows.get(key)
            record = {**{name: None for name in FIELDS}, **(old or {}), **body, "updated_at": stamp,
                      "workspace_record_id": old["workspace_record_id"] if old else new_id("wsr"),
                      "created_at": old["created_at"] if old else stamp}
            record["status"] = body.get("status") or "active"
            self._rows.pop(key, None)
            self._rows[key] = record
        return dict(record), old is None

    def list(self, org_id: str, *, record_type: str | None = None, source_product: str | None = None,
             status: str | None = None, text: str | None = None) -> list[dict[str, Any]]:
        """The org's records matching every filter given, newest change first."""
        with self._lock:
            rows = [dict(r) for r in reversed(self._rows.values()) if r["org_id"] == org_id]
        wanted = {"record_type": record_type, "source_product": source_product, "status": status}
        rows = [r for r in rows if all(value is None or r[name] == value for name, value in wanted.items())]
        if text:
            needle = text.casefold()
            rows = [r for r in rows
                    if any(needle in (r[f] or "").casefold() for f in ("title", "subtitle", "summary_text"))]
        return rows
