"""The contacts table keeps its rows packed (`PackedRows`): it must behave exactly like the list of
row tuples it replaces (what the table shows, sorts, finds and selects), in under half the memory."""

from __future__ import annotations

import gc
import random
import tracemalloc

import pytest
from PySide6.QtCore import Qt

from app.ui.panels.contacts import row_chunks
from app.ui.panels.contacts.contact_rows import NAME, contact_row
from app.ui.panels.contacts.contact_table import contact_table_model
from app.ui.panels.contacts.packed_rows import SEP, PackedBatch, PackedRows


def make_rows(count: int, seed: int = 1) -> list[tuple[str, ...]]:
    rng = random.Random(seed)
    return [contact_row({
        "id": f"con_{i:06d}", "name": rng.choice(["Ada Lovelace", "Grace Hopper", "日本語 名前", ""]),
        "email": f"person{i}@example.com", "phone": f"+44 20 {rng.randint(1000, 9999)}",
        "company_id": "com_1", "company_name": "Acme", "tags": rng.sample(["vip", "beta", "a, b"], 2),
        "updated_at": "2026-11-20T10:00:00Z"}) for i in range(count)]


@pytest.mark.parametrize("chunk_rows", [row_chunks.CHUNK_ROWS, 1, 3])
def test_packed_rows_answer_every_list_operation_as_the_list_does(chunk_rows, monkeypatch):
    # Small chunks: rows sealed into tuples are read, changed, inserted and deleted inside them.
    monkeypatch.setattr(row_chunks, "CHUNK_ROWS", chunk_rows)
    rng = random.Random(5)
    rows = make_rows(60)
    plain, packed = list(rows[:20]), PackedRows(rows[:20])
    for step in range(400):
        operation = rng.choice(["set", "del", "insert", "extend", "slice", "sort", "read"])
        if operation == "set" and plain:
            at = rng.randrange(-len(plain), len(plain))
            plain[at] = packed[at] = rng.choice(rows)
        elif operation == "del" and plain:
            at = rng.randrange(len(plain))
            del plain[at], packed[at]
        elif operation == "insert":
            at, row = rng.randrange(len(plain) + 1), rng.choice(rows)
            plain.insert(at, row)
            packed.insert(at, row)
        elif operation == "extend":
            more = rng.sample(rows, 3)
            plain.extend(more)
            packed.extend(more)
        elif operation == "slice":
            end = rng.randrange(len(plain) + 1)
            new = rng.sample(rows, rng.randrange(4))
            plain[:end] = new
            packed[:end] = new
        elif operation == "sort":
            reverse = rng.random() < 0.5
            plain.sort(key=lambda row: row[NAME], reverse=reverse)
            packed.sort(key=lambda row: row[NAME], reverse=reverse)
        assert packed == plain and len(packed) == len(plain), f"step {step}: {operation}"
        if plain:
            at = rng.randrange(len(plain))
            assert packed[at] == plain[at] and packed[-1] == plain[-1] and packed.id_at(at) == plain[at][0]
            assert packed[1:4] == plain[1:4]
            assert packed.ids_between(at // 2, at + 3) == [row[0] for row in plain[at // 2:at + 3]]
    with pytest.raises(IndexError):
        packed[len(plain)]
    with pytest.raises(IndexError):
        packed[-len(plain) - 1]


def test_a_field_holding_the_separator_shows_it_as_a_space_and_keeps_its_neighbours():
    row = ("con_1", f"Ada{SEP}Lovelace", "ada@example.com", "", "com_1", "Acme", "", "")
    packed = PackedRows([row])
    assert packed[0] == ("con_1", "Ada Lovelace", "ada@example.com", "", "com_1", "Acme", "", "")


def test_a_batch_packed_by_the_cache_is_taken_as_it_comes_and_reads_as_its_rows():
    rows = make_rows(30)
    batch = PackedBatch([row[0] for row in rows], [SEP.join(row[1:]) for row in rows])
    assert batch == rows and list(batch) == rows and batch[3] == rows[3] and batch[2:5] == rows[2:5]
    packed = PackedRows(rows[:10])
    packed.extend(batch[10:])
    assert packed == rows and packed == batch
    # Taken as it comes: the very strings of the batch, none packed again.
    assert packed._rest[12] is batch.texts[12] and packed.id_at(12) is batch.ids[12]
    unwanted = {rows[1][0], rows[7][0]}
    assert batch.without(unwanted) == [row for row in rows if row[0] not in unwanted]
    assert batch.without(set()) is batch
    with pytest.raises(ValueError, match="one text per id"):
        PackedBatch(["con_1"], [])


def test_the_contacts_model_finds_sorts_and_replaces_packed_rows(qtbot):
    model = contact_table_model(None)
    rows = make_rows(50)
    model.set_rows(rows[:30])
    model.append_rows(rows[30:])
    assert isinstance(model.rows, PackedRows) and model.rows == rows
    assert model.row_of_id("con_000042") == 42 and model.row_of_id("con_missing") is None
    renamed = ("con_000042", "Renamed", *rows[42][2:])
    model.upsert(renamed)
    assert model.record(42) == renamed
    assert model.data(model.index(42, 0)) == "Renamed"
    model.remove_id("con_000003")
    assert model.rowCount() == 49 and model.row_of_id("con_000004") == 3
    model.sort(0, Qt.SortOrder.AscendingOrder)
    names = [row[NAME] for row in model.rows]
    assert names == sorted(names)
    model.replace_rows(rows[:5])
    assert model.rows == rows[:5] and model.rowCount() == 5


def test_packed_rows_take_under_half_the_memory_of_tuples():
    rows = make_rows(20_000)
    # Rows as the cache's worker builds them: every string a fresh object, as SQLite hands them.
    fresh = [tuple("".join(list(value)) for value in row) for row in rows]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        as_tuples = [tuple("".join(list(value)) for value in row) for row in fresh]
        tuples_bytes = tracemalloc.get_traced_memory()[0] - before
        del as_tuples
        before = tracemalloc.get_traced_memory()[0]
        packed = PackedRows(tuple("".join(list(value)) for value in row) for row in fresh)
        packed_bytes = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(packed) == 20_000
    assert packed_bytes < 0.5 * tuples_bytes, (packed_bytes, tuples_bytes)


def references_walked(root: object) -> int:
    """How many references a full pass of the cyclic collector follows from `root` and what it
    holds that the collector tracks (what a pass costs for a table's rows, timing-free); classes
    are not followed (shared by everything, and frozen at start-up)."""
    walked, stack, seen = 0, [root], set()
    while stack:
        item = stack.pop()
        if id(item) in seen or not gc.is_tracked(item) or isinstance(item, type):
            continue
        seen.add(id(item))
        referents = gc.get_referents(item)
        walked += len(referents)
        stack.extend(referents)
    return walked


def test_a_full_collection_does_not_walk_every_packed_row():
    gc.disable()  # as in the console: passes are rare, and none may come before the first full one
    try:
        packed = PackedRows(make_rows(row_chunks.CHUNK_ROWS + 100))
        packed.extend(make_rows(2 * row_chunks.CHUNK_ROWS, seed=3))
        chunks = [item for item in gc.get_objects() if type(item) is tuple and len(item) == row_chunks.CHUNK_ROWS]
        assert not chunks, "sealed chunks wait for the first full pass to be looked into, all at once"
    finally:
        gc.enable()
    packed.insert(5, make_rows(1, seed=2)[0])
    del packed[row_chunks.CHUNK_ROWS + 7]
    gc.collect()
    walked = references_walked(packed)
    assert walked < row_chunks.CHUNK_ROWS, (
        f"a full collection follows {walked} references for {len(packed)} rows: it walks them one by one")
