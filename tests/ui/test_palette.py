"""The command palette: Ctrl+K, jump to a module, find a cached contact and open it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.shell_harness import (  # noqa: F401  (the console fixture)
    add_profile,
    console_factory_fixture,
    wait_for_rows,
)
from tests.waiting import wait_until


def test_palette_jumps_to_modules_and_finds_cached_records(console_factory, qtbot, run_async, sandbox, sandbox_credentials,
                                                           monkeypatch, tmp_path):
    console = console_factory()
    add_profile(console, "Demo", sandbox.url, sandbox_credentials["test"]["owner_key"])

    async def scenario():
        assert await console.start()
        window = console.window
        await wait_for_rows(window)
        await wait_until(lambda: console.session.sync_task is not None, 20, "the record sync never started")
        await console.session.sync_task

        qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        palette = console._palette
        assert palette is not None and palette.isVisible()
        assert len(palette.entries()) == 7
        qtbot.keyClicks(palette.input, "tick")
        assert [entry.label for entry in palette.entries()][:1] == ["Go to Tickets"]
        qtbot.keyClick(palette.input, Qt.Key.Key_Return)
        assert window.current_module == "tickets" and not palette.isVisible()

        # QTest types ASCII only (it asserts on "í"): a contact whose name it can type.
        contact = next(c for c in await console.session.cache.query_records("contacts", limit=200)
                       if c["name"].isascii())
        # The whole name: a surname alone may be shared by more cached records than the palette lists.
        name = contact["name"]
        window.open_module("contacts")
        page = window.page("contacts")
        opened: list[str] = []
        original = getattr(page, "open_record", None)

        def open_record(record_id: str):
            opened.append(record_id)
            return original(record_id) if original is not None else None

        page.open_record = open_record
        qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(palette.input, name)
        await wait_until(lambda: palette.searching is not None, 5, "the palette never searched")
        found = await palette.searching
        assert any(entry.record_id == contact["id"] for entry in found), [e.label for e in found]
        target = next(row for row, entry in enumerate(palette.entries()) if entry.record_id == contact["id"])
        for _ in range(target - palette.results.currentRow()):
            qtbot.keyClick(palette.input, Qt.Key.Key_Down)
        qtbot.keyClick(palette.input, Qt.Key.Key_Return)
        assert window.current_module == "contacts"
        assert opened == [contact["id"]]
        await console.shutdown()

    run_async(scenario(), timeout=90)


def test_a_hit_carries_its_id_and_says_which_field_matched():
    from app.ui.shell.command_palette import hit_label

    record = {"id": "cnt_01", "name": "Ada Lovelace", "email": "countess@analytical.example", "tags": ["vip"]}
    fields = ("name", "email", "phone", "company_name", "tags", "id")
    assert hit_label(record, "name", fields, "ada") == "Ada Lovelace  ·  cnt_01"
    assert hit_label(record, "name", fields, "countess") == \
        "Ada Lovelace  ·  cnt_01  —  matched email: countess@analytical.example"
    assert hit_label(record, "name", fields, "vi").endswith("matched tags: vip")


def test_actions_and_profiles_are_offered_by_what_you_type(qtbot):
    from PySide6.QtWidgets import QWidget

    from app.ui.shell.command_palette import CommandPalette

    class Window(QWidget):
        context = None
        opened: list[str] = []

        def disabled_reason(self, name):
            return "This credential lacks support:read." if name == "tickets" else None

        def open_module(self, name):
            self.opened.append(name)
            return self.pages[name]

    class ContactsPage:
        started = 0

        def start_new(self):
            ContactsPage.started += 1

    window = Window()
    window.pages = {"contacts": ContactsPage()}
    qtbot.addWidget(window)
    switched: list[str] = []
    palette = CommandPalette(window, profiles=lambda: ["Local sandbox", "Production EU"], open_profile=switched.append)
    palette.input.setText("new")
    labels = {entry.label: palette.results.item(row) for row, entry in enumerate(palette.entries())}
    assert "New contact" in labels and "New ticket" in labels
    assert not labels["New ticket"].flags() & Qt.ItemFlag.ItemIsEnabled, "a module the credential lacks"
    palette.choose(next(e for e in palette.entries() if e.label == "New contact"))
    assert window.opened == ["contacts"] and ContactsPage.started == 1
    palette.input.setText("profile prod")
    entry = next(e for e in palette.entries() if e.profile)
    assert entry.label == "Open profile “Production EU”"
    palette.choose(entry)
    assert switched == ["Production EU"]
