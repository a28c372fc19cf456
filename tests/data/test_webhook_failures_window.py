"""Failures grouped over a window after a long outage (700 failed deliveries over six hours, more
than the old bound of 500), against a real sandbox: every failed delivery of the window is in a
group, each group is exactly the server's deliveries with that cause, first and last seen are the
server's last attempts, the bound says "the newest N of M", Stop keeps what was read, and a
window in the future or a time that is not one is refused with a sentence."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from app.api import AdminClient, ApiKeyAuth
from app.api.errors import ApiError
from app.cache import AsyncPageCache
from app.data.stores import Stores
from app.data.webhook_failures import parse_since
from tests.data.webhook_failure_outage import (
    ANSWERING_500,
    REFUSING,
    Outage,
    server_groups,
    stage_outage,
)
from tests.waiting import wait_until


@pytest.fixture(scope="module")
def outage(tmp_path_factory) -> Outage:
    staged = stage_outage(tmp_path_factory.mktemp("failures-sandbox"))
    yield staged
    staged.process.stop()


@pytest.fixture
async def stores(outage, tmp_path):
    client = AdminClient(outage.process.url, ApiKeyAuth(outage.process.credentials()["test"]["owner_key"]))
    cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
    stores = Stores(client, cache)
    await stores.webhooks.reload()
    yield stores
    stores.close()
    await cache.close()
    await client.aclose()


def partition(report, webhook_ids) -> dict[frozenset, tuple]:
    return {frozenset(g.delivery_ids): (g.first_seen, g.last_seen, g.signature.text)
            for g in report.groups if g.webhook_id in webhook_ids}


def expected(outage: Outage, since: datetime, webhook_ids=None) -> dict[frozenset, tuple]:
    webhook_ids = webhook_ids or (outage.answering, outage.refusing)
    return {frozenset(g["ids"]): (min(g["seen"]), max(g["seen"]))
            for key, g in server_groups(outage.database, since).items() if key[0] in webhook_ids}


async def test_every_failed_delivery_of_the_window_is_counted_in_its_group(outage, stores) -> None:
    since = datetime.now(UTC) - timedelta(days=7)
    report = await stores.webhooks.failures.load(since=since)
    server = expected(outage, since)
    mine = partition(report, (outage.answering, outage.refusing))
    assert sum(len(ids) for ids in server) >= ANSWERING_500 + REFUSING > 500  # past the old bound
    assert set(mine) == set(server)  # the same deliveries, split the same way
    for ids, (first, last, _text) in mine.items():
        assert (first, last) == server[ids]
    by_text = sorted((text, len(ids)) for ids, (_f, _l, text) in mine.items())
    assert [text.split(" · ")[0] for text, _n in by_text] == ["ConnectError", "HTTP 500", "HTTP 502"]
    assert report.complete and report.total == report.read == report.failed
    # The server's own count of what a recover of the window would re-send agrees, per endpoint.
    for webhook_id in (outage.answering, outage.refusing):
        counted = sum(g.count for g in report.groups if g.webhook_id == webhook_id)
        assert counted == await stores.webhooks.recovery.count(webhook_id, since)


async def test_a_shorter_window_counts_only_what_was_created_in_it(outage, stores) -> None:
    since = datetime.now(UTC) - timedelta(hours=2)
    report = await stores.webhooks.failures.load(outage.refusing, since=since)
    assert set(partition(report, (outage.refusing,))) == set(expected(outage, since, (outage.refusing,)))
    assert 0 < report.failed < REFUSING
    assert report.failed == await stores.webhooks.recovery.count(outage.refusing, since)


async def test_past_the_bound_the_report_says_the_newest_n_of_m(outage, stores) -> None:
    since = datetime.now(UTC) - timedelta(days=7)
    server_total = sum(len(g["ids"]) for g in server_groups(outage.database, since).values())
    report = await stores.webhooks.failures.load(since=since, limit=300)
    assert not report.complete
    assert (report.read, report.total, report.failed) == (300, server_total, 300)
    listed = [d async for d in (await stores.webhooks.deliveries(status="failed", limit=100)).iter_items()]
    newest = sorted(((d.created_at, d.id) for d in listed if d.created_at >= since), reverse=True)[:300]
    assert {i for g in report.groups for i in g.delivery_ids} == {i for _c, i in newest}


async def test_stop_keeps_what_was_read_and_says_of_how_many(outage, stores) -> None:
    failures = stores.webhooks.failures
    reports = []

    def heard(report) -> None:
        reports.append(report)
        if report.state == "reading" and report.read >= 100:
            failures.stop()

    unsubscribe = failures.changed.subscribe(heard)
    try:
        report = await failures.load(since=datetime.now(UTC) - timedelta(days=7))
    finally:
        unsubscribe()
    assert report.state == "stopped" and not report.complete
    assert 100 <= report.read < report.total and report.failed == report.read
    states = [r.state for r in reports]
    assert states[0] == "listing" and "reading" in states


@pytest.mark.parametrize(("text", "words"), [
    ("yesterday-ish", "is not a time"),
    ("2026-13-40 09:00", "is not a time"),
    ("", "Type when the window starts"),
])
def test_a_time_that_is_not_one_is_refused_with_a_sentence(text, words) -> None:
    with pytest.raises(ValueError, match=words):
        parse_since(text)


async def test_a_window_in_the_future_is_refused(stores) -> None:
    ahead = datetime.now(UTC) + timedelta(hours=1)
    with pytest.raises(ValueError, match="in the future"):
        parse_since(ahead.isoformat())
    with pytest.raises(ValueError, match="in the future"):
        await stores.webhooks.failures.load(since=ahead)


def test_a_typed_local_time_and_an_rfc_3339_one_mean_the_same_moment() -> None:
    moment = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    local = moment.astimezone().strftime("%Y-%m-%d %H:%M")
    now = datetime(2026, 12, 3, tzinfo=UTC)
    assert parse_since(local, now) == parse_since("2026-12-02T08:00:00Z", now) == moment


async def test_a_later_load_takes_over_and_the_earlier_one_publishes_nothing(outage, stores) -> None:
    failures = stores.webhooks.failures
    heard = []
    unsubscribe = failures.changed.subscribe(heard.append)
    try:
        since = datetime.now(UTC) - timedelta(days=7)
        earlier = asyncio.ensure_future(failures.load(since=since))
        await wait_until(lambda: any(r.state == "reading" for r in heard), 30)
        later = await failures.load(outage.refusing, since=since)
        superseded = await earlier
    finally:
        unsubscribe()
    assert failures.last is later and later.complete
    assert {g.webhook_id for g in later.groups} == {outage.refusing}
    assert superseded.state == "stopped" and superseded not in heard  # never shown
    assert later.failed == await stores.webhooks.recovery.count(outage.refusing, since)


async def test_reading_the_window_again_reads_only_the_list_when_nothing_changed(outage, stores) -> None:
    since = datetime.now(UTC) - timedelta(days=7)
    first = await stores.webhooks.failures.load(since=since)
    paths: list[str] = []
    unsubscribe = stores.client.add_request_listener(lambda record: paths.append(record.url.split("?")[0]))
    try:
        again = await stores.webhooks.failures.load(since=since)
    finally:
        unsubscribe()
    assert [g.delivery_ids for g in again.groups] == [g.delivery_ids for g in first.groups]
    assert paths and all(path.endswith("/dev/webhook-deliveries") for path in paths)  # no detail re-read
    assert len(paths) == -(-first.total // 100)  # one list page per 100 failed deliveries


async def test_an_endpoint_deleted_while_reading_is_left_out_and_a_lost_server_interrupts(tmp_path) -> None:
    small = stage_outage(tmp_path / "sandbox", 150, 150)
    client = AdminClient(small.process.url, ApiKeyAuth(small.process.credentials()["test"]["owner_key"]))
    cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
    stores = Stores(client, cache)
    try:
        await stores.webhooks.reload()
        failures = stores.webhooks.failures
        deleting = []

        def heard(report) -> None:
            if report.state == "reading" and not deleting:
                deleting.append(asyncio.ensure_future(client.webhooks.delete(small.refusing)))

        unsubscribe = failures.changed.subscribe(heard)
        try:
            report = await failures.load(since=datetime.now(UTC) - timedelta(days=7))
        finally:
            unsubscribe()
        await deleting[0]
        assert report.state == "done" and report.complete  # the deleted endpoint's unread ones are not failures
        refused = sum(g.count for g in report.groups if g.webhook_id == small.refusing)
        assert refused < 150 + 2 and report.failed == report.total
        assert sum(g.count for g in report.groups if g.webhook_id == small.answering) == 150 + 2  # + the real ones

        small.process.stop()  # the server goes away: the next read fails after the client's retries
        with pytest.raises(ApiError):
            await failures.load(since=datetime.now(UTC) - timedelta(days=1))
        assert failures.last.state == "interrupted" and failures.last.finished
    finally:
        small.process.stop()
        stores.close()
        await cache.close()
        await client.aclose()
