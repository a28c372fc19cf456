"""The contacts list's shown ids answer as a set does, spread so that no growth step rehashes them all."""

from __future__ import annotations

import random

from app.ui.panels.contacts import shown_ids
from app.ui.panels.contacts.shown_ids import ShownIds


def test_shown_ids_answer_as_a_set_does():
    rng = random.Random(9)
    ids = [f"con_{n:06d}" for n in range(500)]
    plain, shown = set(ids[:50]), ShownIds(ids[:50])
    for _ in range(3_000):
        record_id = rng.choice(ids)
        operation = rng.random()
        if operation < 0.4:
            plain.add(record_id)
            shown.add(record_id)
        elif operation < 0.6:
            plain.discard(record_id)
            shown.discard(record_id)
        elif operation < 0.7:
            more = rng.sample(ids, 5)
            plain.update(more)
            shown.update(more)
        assert (record_id in shown) == (record_id in plain) and len(shown) == len(plain)
    assert 12345 not in shown


def test_no_shard_holds_much_more_than_its_share():
    shown = ShownIds(f"con_{n:08d}" for n in range(64_000))
    share = 64_000 / shown_ids.SHARDS
    # The biggest dict a growth step rehashes: its shard, not all 64k ids.
    assert max(len(shard) for shard in shown._shards) < 1.3 * share
