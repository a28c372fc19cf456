"""The outbox: offline edits kept on disk, replayed once the server answers, exactly once each.

Against the real sandbox through a proxy that drops connections, answers 502 after the write and
delays; the server's event log is the witness for "nothing sent twice, nothing lost".
"""

from __future__ import annotations

import uuid
from collections import Counter

import httpx
import pytest

from app.api import AdminClient, ApiKeyAuth, RetryPolicy
from app.data.outbox import Outbox, SecretInChange
from app.data.outbox_replay import OutboxReplay
from app.data.record_store import dump
from app.data.stores import Stores
from tests.api.fault_proxy import FaultProxy
from tests.data.outbox_scenario import applied_notes, queue_edits


def _flaky_client(port: int, key: str) -> AdminClient:
    return AdminClient(f"http://127.0.0.1:{port}/v1", ApiKeyAuth(key),
                       timeout=httpx.Timeout(connect=2.0, read=1.0, write=2.0, pool=30.0),
                       retry_policy=RetryPolicy(3, initial_delay=0.05, max_delay=0.2))


async def test_queued_changes_survive_a_restart_with_their_keys(tmp_path):
    path = tmp_path / "outbox.sqlite3"
    outbox = Outbox(path)
    first = await outbox.queue("contacts", "cnt_1", "update", {"phone": "+1 555 0100"},
                               base={"id": "cnt_1", "version": 3}, base_version=3, label="Ada: phone")
    await outbox.queue("tickets", "tkt_1", "note", {"body": "Called the customer back."}, label="note")
    await outbox.close()
    again = Outbox(path)
    try:
        assert [i.seq for i in again.items] == [first.seq, first.seq + 1]
        assert again.items[0].idempotency_key == first.idempotency_key and again.items[0].fields == first.fields
        assert again.waiting == 2 and again.pending_ids("contacts") == {"cnt_1"}
        edited = await again.edit(first.seq, {"phone": "+1 555 0199"})
        assert edited.idempotency_key != first.idempotency_key, "a changed body is a new request"
        await again.drop(first.seq)
        assert [i.resource for i in again.items] == ["tickets"]
    finally:
        await again.close()


async def test_a_secret_is_never_queued_and_the_error_says_why(tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    try:
        with pytest.raises(SecretInChange, match="secret key"):
            await outbox.queue("contacts", "cnt_1", "update",
                               {"notes": "key opk_live_AbCdEfGhIjKlMnOpQrStUvWxYz012345"}, base={}, base_version=1)
        assert outbox.items == []
    finally:
        await outbox.close()
    assert b"opk_live_AbCdEf" not in b"".join(p.read_bytes() for p in tmp_path.iterdir())


@pytest.mark.slow
async def test_500_offline_edits_of_100_contacts_replay_through_faults_exactly_once(sandbox, sandbox_credentials,
                                                                                      tmp_path):
    key = sandbox_credentials["test"]["owner_key"]
    stamp = f"outbox-{uuid.uuid4().hex[:8]}"
    async with AdminClient(sandbox.url, ApiKeyAuth(key)) as direct:
        contacts = [c async for c in await direct.contacts.list(limit=100)][:100]
    assert len(contacts) == 100
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    final = await queue_edits(outbox, contacts, 5, stamp)
    assert outbox.waiting == 500

    upstream = httpx.URL(sandbox.url)
    proxy = FaultProxy(upstream.host, upstream.port, fault_rate=0.15, seed=20261202, max_delay=1.2)
    port = await proxy.start()
    client = _flaky_client(port, key)
    try:
        stores = Stores(client, None)
        replay = OutboxReplay(outbox, stores)
        for _round in range(40):  # each round ends at a fault the client's retries could not hide
            report = await replay.run()
            if not outbox.items:
                break
            assert report.needs_attention == 0, [i.message for i in outbox.items if not i.waiting]
        assert outbox.items == [], "every change was sent"
        assert sum(proxy.injected.values()) > 50, proxy.injected
    finally:
        await client.aclose()
        await proxy.stop()
        await outbox.close()

    async with AdminClient(sandbox.url, ApiKeyAuth(key)) as direct:
        for contact in contacts:
            assert (await direct.contacts.get(contact.id)).notes == final[contact.id]
        applied = Counter(await applied_notes(direct, stamp))
    assert len(applied) == 500, "0 lost: every queued edit is in the server's event log"
    assert max(applied.values()) == 1, "0 duplicates"


async def test_a_colleagues_change_is_merged_and_a_collision_waits_for_the_operator(sandbox, sandbox_credentials,
                                                                                     tmp_path):
    key = sandbox_credentials["test"]["owner_key"]
    stamp = uuid.uuid4().hex[:8]
    async with AdminClient(sandbox.url, ApiKeyAuth(key)) as client:
        a = await client.contacts.create({"name": f"Outbox merge {stamp}", "phone": "+1 555 0100"})
        b = await client.contacts.create({"name": f"Outbox clash {stamp}", "notes": "old"})
        outbox = Outbox(tmp_path / "outbox.sqlite3")
        try:
            await outbox.queue("contacts", a.id, "update", {"notes": "mine"}, base=dump(a), base_version=a.version)
            await outbox.queue("contacts", b.id, "update", {"notes": "mine"}, base=dump(b), base_version=b.version)
            await outbox.queue("contacts", b.id, "update", {"phone": "+1 555 0101"},
                               base={**dump(b), "notes": "mine"}, base_version=b.version)
            await client.contacts.update(a.id, {"phone": "+1 555 0199"})  # a colleague, meanwhile
            await client.contacts.update(b.id, {"notes": "theirs"})
            report = await OutboxReplay(outbox, Stores(client, None)).run()
            merged = await client.contacts.get(a.id)
            assert (merged.phone, merged.notes) == ("+1 555 0199", "mine"), "three-way: both changes kept"
            assert report.sent == 1 and report.merged == 1 and report.needs_attention == 1
            clash = outbox.items[0]
            assert not clash.waiting and "notes" in clash.message
            assert outbox.items[1].waiting, "the record's later change waits behind the collision"
            assert (await client.contacts.get(b.id)).notes == "theirs", "nothing overwritten without asking"
        finally:
            await outbox.close()


async def test_a_change_to_a_deleted_record_is_never_replayed(sandbox, sandbox_credentials, tmp_path):
    key = sandbox_credentials["test"]["owner_key"]
    async with AdminClient(sandbox.url, ApiKeyAuth(key)) as client:
        gone = await client.contacts.create({"name": f"Outbox gone {uuid.uuid4().hex[:6]}"})
        outbox = Outbox(tmp_path / "outbox.sqlite3")
        try:
            await outbox.queue("contacts", gone.id, "update", {"notes": "late"}, base=dump(gone),
                               base_version=gone.version)
            await client.contacts.delete(gone.id)
            report = await OutboxReplay(outbox, Stores(client, None)).run()
            assert report.needs_attention == 1 and "deleted" in outbox.items[0].message
        finally:
            await outbox.close()


@pytest.mark.slow
async def test_kill_9_mid_replay_loses_nothing_and_sends_nothing_twice(sandbox, sandbox_credentials, tmp_path):
    import asyncio
    import os
    import signal
    import sys
    from pathlib import Path

    key = sandbox_credentials["test"]["owner_key"]
    stamp = f"outbox-kill-{uuid.uuid4().hex[:8]}"
    async with AdminClient(sandbox.url, ApiKeyAuth(key)) as direct:
        contacts = [c async for c in await direct.contacts.list(limit=40)][:40]
    path = tmp_path / "outbox.sqlite3"
    outbox = Outbox(path)
    final = await queue_edits(outbox, contacts, 3, stamp)
    await outbox.close()

    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.data.outbox_child", str(path), sandbox.url, key,
        cwd=Path(__file__).resolve().parents[2], stdout=asyncio.subprocess.PIPE)
    done = 0
    while done < 30:
        line = await asyncio.wait_for(child.stdout.readline(), 60)
        assert line, "the replay ended before it could be killed"
        done += 1
    os.kill(child.pid, signal.SIGKILL)
    await child.wait()

    outbox = Outbox(path)  # the next start
    try:
        assert 0 < outbox.waiting < 120, "the kill came mid-replay"
        async with AdminClient(sandbox.url, ApiKeyAuth(key)) as client:
            await OutboxReplay(outbox, Stores(client, None)).run()
        assert outbox.items == []
    finally:
        await outbox.close()
    async with AdminClient(sandbox.url, ApiKeyAuth(key)) as direct:
        for contact in contacts:
            assert (await direct.contacts.get(contact.id)).notes == final[contact.id]
        applied = Counter(await applied_notes(direct, stamp))
    assert len(applied) == 120 and max(applied.values()) == 1, "every change once: none lost, none twice"


async def test_a_store_queues_an_edit_the_server_never_answered_and_the_replay_sends_it_once(
        sandbox, sandbox_credentials, tmp_path):
    import socket

    from app.cache import AsyncPageCache
    from app.data.record_store import Queued

    key = sandbox_credentials["test"]["owner_key"]
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead_port = closed.getsockname()[1]  # nothing listens here once the socket closes
    async with AdminClient(sandbox.url, ApiKeyAuth(key)) as online:
        contact = await online.contacts.create({"name": f"Outbox store {uuid.uuid4().hex[:6]}"})
        cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
        outbox = Outbox(tmp_path / "outbox.sqlite3")
        unreachable = AdminClient(f"http://127.0.0.1:{dead_port}/v1", ApiKeyAuth(key), max_retries=0)
        try:
            offline = Stores(unreachable, cache, outbox)
            first = await offline.contacts.update(contact, {"phone": "+1 555 0142"})
            assert isinstance(first, Queued) and first.record.phone == "+1 555 0142"
            assert offline.connection.offline, "the failed attempt said so"
            second = await offline.contacts.update(first.record, {"notes": "left a voicemail"})
            assert isinstance(second, Queued) and outbox.waiting == 2
            cached = await offline.contacts.cached(contact.id)
            assert (cached.phone, cached.notes) == ("+1 555 0142", "left a voicemail"), "the list shows the edit"
            assert outbox.items[0].idempotency_key.startswith("outbox-")

            back = Stores(online, cache, outbox)
            report = await OutboxReplay(outbox, back).run()
            assert report.sent == 2 and outbox.items == []
            server = await online.contacts.get(contact.id)
            assert (server.phone, server.notes) == ("+1 555 0142", "left a voicemail")
            assert (await back.contacts.cached(contact.id)).version == server.version
        finally:
            await unreachable.aclose()
            await outbox.close()
            await cache.close()


async def test_the_sender_waits_out_the_outage_and_sends_when_the_server_is_back(sandbox, sandbox_credentials,
                                                                                 tmp_path, monkeypatch):
    import asyncio

    from app.data.outbox_replay import OutboxSender
    from tests.waiting import wait_until

    monkeypatch.setattr(OutboxSender, "PROBE_SECONDS", 0.05)
    key = sandbox_credentials["test"]["owner_key"]
    upstream = httpx.URL(sandbox.url)
    proxy = FaultProxy(upstream.host, upstream.port, fault_rate=0.0)
    port = await proxy.start()
    client = AdminClient(f"http://127.0.0.1:{port}/v1", ApiKeyAuth(key), max_retries=0)
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    tasks: set[asyncio.Task] = set()

    def spawn(coro):
        task = asyncio.get_running_loop().create_task(coro)
        tasks.add(task)
        return task

    try:
        contact = await client.contacts.create({"name": f"Outbox outage {uuid.uuid4().hex[:6]}"})
        stores = Stores(client, None, outbox)
        sender = OutboxSender(outbox, stores, spawn)
        proxy.down = True
        queued = await stores.contacts.update(contact, {"notes": "written on the train"})
        assert queued.item is not None and outbox.waiting == 1
        await wait_until(lambda: proxy.injected["reset_before"] >= 3, 10, "the sender never probed")
        assert outbox.waiting == 1, "nothing is lost while the server is away"
        proxy.down = False
        await wait_until(lambda: outbox.waiting == 0, 10, "the change was not sent once the server was back")
        assert (await client.contacts.get(contact.id)).notes == "written on the train"
        sender.close()
    finally:
        for task in tasks:
            task.cancel()
        await client.aclose()
        await proxy.stop()
        await outbox.close()
