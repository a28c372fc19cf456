"""Every enum value reads as words, the same in the UI, the PDF and CSV."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from app.api.models.webhooks import EVENT_TYPES
from app.ui.labels import SPECIAL, event_label, humanize, label


def test_the_values_operators_saw_raw_read_as_words():
    assert label("status", "partially_paid") == "Partially paid"
    assert label("status", "waiting_on_customer") == "Waiting on customer"
    assert label("category", "feature_request") == "Feature request"
    assert label("status", "draft") == label("status", "DRAFT".lower()) == "Draft"
    assert label("resource", "api_calls") == "API calls"
    assert label("status", None) == "—"


def test_every_event_type_reads_as_words():
    for event_type in EVENT_TYPES:
        text = event_label(event_type)
        assert "_" not in text and "." not in text and text[0].isupper(), text


@given(st.from_regex(r"[a-z]{1,8}(_[a-z]{1,8}){0,3}", fullmatch=True))
def test_an_unknown_value_still_reads_as_words(value):
    text = humanize(value)
    assert "_" not in text
    assert re.fullmatch(r"[A-Z][A-Za-z ]*", text), text


def test_the_table_has_no_identifier_left_in_a_label():
    for values in SPECIAL.values():
        for text in values.values():
            assert "_" not in text and text[:1].isupper(), text
