"""What a kept request record holds, and what a listener's cheap reads cost it.

The console keeps thousands of records (the session's history) and reads only their status, time
and URL while requests run. These tests page a real sandbox with a listener attached and check
that a kept record pins no httpx request, response or stream (so no connection buffer or large
body stays alive per page), that the status and URL are readable without masking the headers
and bodies, and that the history takes a record without building anything of it.
"""

from __future__ import annotations

import gc

import httpx

from app.api import AdminClient, ApiKeyAuth, constants
from app.api.records import ObservedRecord
from app.data.request_history import RequestHistory

_HTTPX_TYPES = (httpx.Request, httpx.Response, httpx.AsyncByteStream)


def _reachable(root: object, depth: int = 4) -> list[object]:
    """Every object reachable from `root` within `depth` references (types and classes left out)."""
    found, seen, layer = [], {id(root)}, [root]
    for _ in range(depth):
        following = []
        for obj in layer:
            for ref in gc.get_referents(obj):
                if id(ref) in seen or isinstance(ref, type):
                    continue
                seen.add(id(ref))
                following.append(ref)
        found.extend(following)
        layer = following
    return found


def _reachable_httpx_objects(root: object) -> list[object]:
    """The httpx requests, responses and streams reachable from `root`."""
    return [obj for obj in _reachable(root) if isinstance(obj, _HTTPX_TYPES)]


async def _paged_records(sandbox, pages: int = 3) -> list[ObservedRecord]:
    records: list[ObservedRecord] = []
    async with AdminClient(sandbox.url, ApiKeyAuth(sandbox.credentials()["live"]["owner_key"])) as client:
        client.add_request_listener(records.append)
        page = await client.contacts.list(limit=50)
        for _ in range(pages - 1):
            page = await page.next_page()
    return records


async def test_a_kept_record_pins_no_request_response_or_stream(sandbox):
    records = await _paged_records(sandbox)
    assert len(records) == 3 and all(r.status == 200 for r in records)
    assert all(r.response_size > constants.RECORD_BODY_LIMIT_BYTES for r in records), "pages longer than kept"
    for record in records:
        assert record._parts is not None, "the record was built before anyone read it"
        assert not _reachable_httpx_objects(record), "an unread record keeps an httpx object alive"


def _tracked_reachable(root: object) -> list[object]:
    """The objects the cyclic collector tracks among those reachable from `root`, `root` included."""
    return [root] + [obj for obj in _reachable(root) if gc.is_tracked(obj)]


async def test_an_unread_record_adds_only_itself_to_the_collectors_passes(sandbox):
    records = await _paged_records(sandbox)
    # Plain tuples of strings, bytes and numbers leave the collector's lists at a pass, a tuple
    # of such tuples at the latest at the pass after its items left: three levels here.
    for _ in range(3):
        gc.collect()
    for record in records:
        tracked = _tracked_reachable(record)
        # The record alone: an exchange object, a URL object or tuple subclasses for the header
        # sets would stay tracked for as long as a history holds the record (thousands of them).
        assert tracked == [record], [type(obj).__name__ for obj in tracked]
    assert records[0].header("content-type") == "application/json"
    assert records[0].request_id and records[0].request_id.startswith("req_")


async def test_reading_the_url_masks_nothing_else_and_the_bodies_let_the_exchange_go(sandbox):
    records = await _paged_records(sandbox, pages=2)
    second = records[1]
    assert "/contacts" in second.url and "cursor=" in second.url
    assert second.request_id and second.request_id.startswith("req_")
    assert second._parts is not None, "reading the URL built the headers and bodies too"
    assert second.header("authorization", response=False) == "Bearer [REDACTED]"
    assert second._parts is None
    assert second.response_body.endswith(
        f"[{second.response_size - constants.RECORD_BODY_LIMIT_BYTES} more bytes]")


async def test_the_history_takes_records_without_building_them(sandbox):
    history = RequestHistory(None)
    seen = []
    history.changes.subscribe(seen.append)
    records = await _paged_records(sandbox)
    for record in records:
        history.add(record)
    assert [change.added for change in seen] == records
    assert history.records == records[::-1]
    assert all(r._parts is not None for r in records), "taking a record into the history built it"


def _made_for_the_collector(root: object) -> list[object]:
    """`root` and the objects of collector-managed types it reaches (each one made counts toward
    the collector's next pass, tracked or not); shared singletons such as `UTC` left out."""
    return [obj for obj in [root, *_reachable(root)]
            if type(obj).__flags__ & _HAS_GC and obj is not getattr(obj, "utc", None)]


_HAS_GC = 1 << 14  # Py_TPFLAGS_HAVE_GC


async def test_an_unread_record_is_a_few_objects_to_the_collector_whatever_its_headers(sandbox):
    records = await _paged_records(sandbox)
    for record in records:
        made = [type(obj).__name__ for obj in _made_for_the_collector(record)]
        # The record, its parts and one flat tuple per header set; a tuple per header would add ~15.
        assert made == ["_WireRecord", "tuple", "tuple", "tuple"], made
    assert records[0].header("content-type") == "application/json"
    assert records[0].header("authorization", response=False) == "Bearer [REDACTED]"


async def test_a_finished_exchange_leaves_no_response_or_request_for_the_collector(sandbox):
    """httpx binds a response's stream to the response (a cycle); the client unbinds a read one, so
    every page's response, request and headers die with their last reference, with or without a
    listener, and the collector's passes come due only for what the caller keeps."""
    key = sandbox.credentials()["live"]["owner_key"]
    async with AdminClient(sandbox.url, ApiKeyAuth(key)) as client:
        for listening in (False, True):
            if listening:
                client.add_request_listener(lambda record: None)
            page = await client.contacts.list(limit=5)
            gc.collect()
            gc.disable()
            try:
                page = await page.next_page()
                contact = await client.contacts.get(page.items[0].id)
                left = [type(obj).__name__ for obj in gc.get_objects() if isinstance(obj, (httpx.Request, httpx.Response))]
            finally:
                gc.enable()
            assert contact.id == page.items[0].id
            assert left == [], (listening, left)
