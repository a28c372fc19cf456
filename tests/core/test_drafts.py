"""Drafts the user typed survive closing and reopening (and a crash: nothing waits for close)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.drafts import DraftStore


def test_drafts_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "drafts.sqlite3"
    store = DraftStore(path)
    store.save("ticket:t1:reply", "Hello, we are looking")
    store.save("ticket:t1:reply", "Hello, we are looking into it")
    store.save("ticket:t2:comment", "internal note ✓")
    store.close()

    reopened = DraftStore(path)
    assert reopened.load("ticket:t1:reply") == "Hello, we are looking into it"
    assert [d.key for d in reopened.list("ticket:t2")] == ["ticket:t2:comment"]
    reopened.delete("ticket:t1:reply")
    reopened.save("ticket:t2:comment", "")  # clearing the editor clears the draft
    assert reopened.load("ticket:t1:reply") is None
    assert reopened.list() == []
    with pytest.raises(ValueError, match="needs a key"):
        reopened.save("", "text")
    reopened.close()


def test_draft_survives_a_killed_process(tmp_path: Path) -> None:
    path = tmp_path / "drafts.sqlite3"
    code = (
        "import os, sys; from app.core.drafts import DraftStore; "
        f"DraftStore({str(path)!r}).save('ticket:t9:reply', 'typed before the crash'); "
        "os._exit(9)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[2], check=False)
    assert result.returncode == 9
    assert DraftStore(path).load("ticket:t9:reply") == "typed before the crash"


def test_unreadable_draft_file_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "drafts.sqlite3"
    path.write_bytes(b"garbage" * 1000)
    store = DraftStore(path)
    assert store.recovered_from is not None and store.recovered_from.exists()
    store.save("k", "v")
    assert store.load("k") == "v"


def _draft_files_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name))


def test_a_pasted_key_never_lands_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "drafts.sqlite3"
    key = "opk_test_Hq7Ws2Ed4Rf6Tg8Yh1Uj3Ik5Ol9Pz0Xc"
    store = DraftStore(path)
    store.save("ticket:t3:reply", f"Try again with {key} please")
    assert store.load("ticket:t3:reply") == "Try again with [REDACTED] please"
    stored = _draft_files_bytes(path)
    assert b"Try again with" in stored  # the scan does see the draft's text
    assert key.encode() not in stored
    store.close()


def test_a_deleted_draft_is_gone_from_the_files(tmp_path: Path) -> None:
    path = tmp_path / "drafts.sqlite3"
    store = DraftStore(path)
    store.save("ticket:t4:reply", "customer's private address: 12 Quiet Lane")
    store.save("ticket:t5:reply", "another draft stays")
    assert b"12 Quiet Lane" in _draft_files_bytes(path)
    store.delete("ticket:t4:reply")
    stored = _draft_files_bytes(path)
    assert b"12 Quiet Lane" not in stored and b"another draft stays" in stored
    store.close()


def test_a_mark_lives_and_dies_with_its_draft(tmp_path: Path) -> None:
    path = tmp_path / "drafts.sqlite3"
    store = DraftStore(path)
    assert store.mark("ticket:t6:reply", "send-when-online") is False, "no draft, nothing to mark"
    store.save("ticket:t6:reply", "We have fixed it")
    store.save("ticket:t7:reply", "Unmarked")
    assert store.mark("ticket:t6:reply", "send-when-online") is True
    store.save("ticket:t6:reply", "We have fixed it, sorry for the wait")  # editing keeps the mark
    store.close()

    reopened = DraftStore(path)
    marks = {d.key: (d.text, d.mark) for d in reopened.list("ticket:")}
    assert marks == {"ticket:t6:reply": ("We have fixed it, sorry for the wait", "send-when-online"),
                     "ticket:t7:reply": ("Unmarked", None)}
    reopened.save("ticket:t6:reply", "")  # the agent emptied the composer: draft and mark go
    reopened.save("ticket:t6:reply", "Written again")
    assert [d.mark for d in reopened.list("ticket:t6")] == [None]
    reopened.mark("ticket:t6:reply", "send-when-online")
    reopened.delete("ticket:t6:reply")  # sent
    reopened.save("ticket:t6:reply", "A new draft")
    assert [d.mark for d in reopened.list("ticket:t6")] == [None]
    reopened.close()


def test_a_drafts_file_from_before_marks_keeps_its_drafts(tmp_path: Path) -> None:
    path = tmp_path / "drafts.sqlite3"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE drafts (key TEXT PRIMARY KEY, text TEXT NOT NULL, saved_at REAL NOT NULL)")
    old.execute("INSERT INTO drafts VALUES ('ticket:t8:reply', 'typed last week', 1.0)")
    old.commit()
    old.close()
    store = DraftStore(path)
    assert [(d.text, d.mark) for d in store.list()] == [("typed last week", None)]
    assert store.mark("ticket:t8:reply", "send-when-online")
    assert store.list()[0].mark == "send-when-online"
    assert store.recovered_from is None
    store.close()
