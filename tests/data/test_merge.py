"""The three-way merge: what one side changed survives, only real collisions ask the operator."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.data.merge import FieldConflict, three_way

FIELDS = ["name", "email", "phone", "notes", "tags", "custom_fields"]
scalar = st.one_of(st.none(), st.integers(-3, 3), st.sampled_from(["a", "b", "c", ""]))
value = st.recursive(
    scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from("xyz"), inner, max_size=3)),
    max_leaves=6,
)
record = st.fixed_dictionaries({}, optional={name: value for name in FIELDS})


@st.composite
def three_versions(draw):
    """A base record and two edits of it, each changing (or removing, or adding) some fields."""
    base = draw(record)
    def edit():
        changed = draw(st.dictionaries(st.sampled_from(FIELDS), value, max_size=3))
        removed = draw(st.sets(st.sampled_from(FIELDS), max_size=2))
        return {k: v for k, v in {**base, **changed}.items() if k not in removed}
    return base, edit(), edit()


@settings(max_examples=400, deadline=None)
@given(three_versions())
def test_a_field_neither_side_changed_never_changes(versions):
    base, mine, theirs = versions
    merged = three_way(base, mine, theirs).merged
    for name in FIELDS:
        if base.get(name, KeyError) == mine.get(name, KeyError) == theirs.get(name, KeyError):
            assert merged.get(name, KeyError) == base.get(name, KeyError)


@settings(max_examples=400, deadline=None)
@given(three_versions())
def test_a_field_only_one_side_changed_ends_as_that_sides_value(versions):
    base, mine, theirs = versions
    result = three_way(base, mine, theirs)
    for name in FIELDS:
        b, m, t = (v.get(name, KeyError) for v in (base, mine, theirs))
        if m != b and t == b:
            assert result.merged.get(name, KeyError) == m
        if t != b and m == b:
            assert result.merged.get(name, KeyError) == t
    assert all(c.path[0] in FIELDS for c in result.conflicts)


@settings(max_examples=400, deadline=None)
@given(three_versions())
def test_only_fields_both_sides_changed_differently_conflict(versions):
    base, mine, theirs = versions
    for conflict in three_way(base, mine, theirs).conflicts:
        name = conflict.path[0]
        b, m, t = (v.get(name, KeyError) for v in (base, mine, theirs))
        assert m != b and t != b and m != t


def test_the_colleagues_phone_and_my_notes_both_survive():
    base = {"name": "Ada", "phone": "+1 555 000 0000", "notes": "old", "version": 3}
    mine = {**base, "notes": "called back"}
    theirs = {**base, "phone": "+1 555 111 2222", "notes": "old", "version": 4}
    result = three_way(base, mine, theirs)
    assert result.clean
    assert result.merged["phone"] == "+1 555 111 2222" and result.merged["notes"] == "called back"


def test_both_changed_to_the_same_value_is_no_conflict():
    base = {"phone": "1"}
    assert three_way(base, {"phone": "2"}, {"phone": "2"}).clean


def test_custom_fields_merge_per_key_and_tags_as_sets():
    base = {"custom_fields": {"tier": "gold", "region": "eu"}, "tags": ["vip", "beta"]}
    mine = {"custom_fields": {"tier": "platinum", "region": "eu"}, "tags": ["vip", "beta", "churn-risk"]}
    theirs = {"custom_fields": {"tier": "gold", "region": "us"}, "tags": ["vip"]}
    result = three_way(base, mine, theirs)
    assert result.clean
    assert result.merged["custom_fields"] == {"tier": "platinum", "region": "us"}
    assert result.merged["tags"] == ["vip", "churn-risk"]


def test_line_items_merge_per_line_and_a_collision_names_the_line():
    line = {"name": "Support", "quantity": 1, "unit_amount_cents": 1000}
    base = {"line_items": [line, {**line, "name": "Setup"}]}
    mine = {"line_items": [{**line, "quantity": 2}, {**line, "name": "Setup", "unit_amount_cents": 500}]}
    theirs = {"line_items": [line, {**line, "name": "Setup", "unit_amount_cents": 700}]}
    result = three_way(base, mine, theirs)
    assert result.merged["line_items"][0]["quantity"] == 2
    assert result.conflicts == (FieldConflict(("line_items", 1, "unit_amount_cents"), 1000, 500, 700),)
    assert result.conflicts[0].label == "line_items[1].unit_amount_cents"
    settled = result.resolved({("line_items", 1, "unit_amount_cents"): "mine"})
    assert settled["line_items"][1]["unit_amount_cents"] == 500 and settled["line_items"][0]["quantity"] == 2
