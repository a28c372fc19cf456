"""Messages come and go without moving a control; the most urgent shows; successes leave by themselves."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from app.ui.widgets import banner as banner_module
from app.ui.widgets.message_strip import MessageStrip


def _page(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    strip = MessageStrip("test.messages", page)
    errors, offline = strip.channel("test.banner"), strip.channel("test.offline")
    amount = QLineEdit(page)
    layout = QVBoxLayout(page)
    layout.addWidget(strip)
    layout.addWidget(amount)
    layout.addStretch(1)
    page.resize(900, 400)
    page.show()
    qtbot.waitExposed(page)
    return page, strip, errors, offline, amount


def test_no_control_moves_when_messages_appear_and_go(qtbot):
    page, strip, errors, offline, amount = _page(qtbot)
    before = amount.mapTo(page, amount.rect().topLeft())
    long_text = "The server could not record the payment because the invoice changed meanwhile. " * 4
    for show in (lambda: errors.show_message("error", long_text, "req_1"),
                 lambda: offline.show_message("warning", "Offline: showing cached data.", action=("Retry", lambda: None)),
                 errors.clear, offline.clear):
        show()
        page.layout().activate()  # settle the layout now, as the next repaint would
        assert amount.mapTo(page, amount.rect().topLeft()) == before


def test_the_most_urgent_message_shows_and_the_rest_wait(qtbot):
    _page_, strip, errors, offline, _amount = _page(qtbot)
    offline.show_message("warning", "Offline: showing cached data.")
    errors.show_message("error", "Not saved: the email is taken.")
    assert strip.current() is errors and errors.isVisible() and not offline.isVisible()
    assert strip.more.isVisible() and strip.more.text() == "+1" and "Offline" in strip.more.toolTip()
    errors.clear()
    assert strip.current() is offline and offline.isVisible() and not strip.more.isVisible()


def test_success_dismisses_itself_and_errors_stay(qtbot, monkeypatch):
    monkeypatch.setitem(banner_module.SELF_DISMISSING, "success", 50)
    _page_, strip, errors, offline, _amount = _page(qtbot)
    offline.show_message("error", "Cannot record the payment.")
    errors.show_message("success", "Saved Ada Lovelace (version 4).")
    qtbot.waitUntil(lambda: errors.kind == "", timeout=2000)
    assert offline.kind == "error" and offline.isVisible(), "an error waits until it is resolved"
    offline.clear()
    assert strip.current() is None


def test_a_panels_messages_share_the_window_strip_only_while_it_is_on_screen(qtbot):
    from PySide6.QtWidgets import QStackedWidget

    page_host = QWidget()
    qtbot.addWidget(page_host)
    strip = MessageStrip("shell.notices", page_host)
    stack = QStackedWidget(page_host)
    layout = QVBoxLayout(page_host)
    layout.addWidget(strip)
    layout.addWidget(stack)
    shell = strip.channel("shell.notice.keychain")
    first, second = QWidget(), QWidget()
    stack.addWidget(first)
    stack.addWidget(second)
    first_error = strip.channel("contacts.banner", first)
    second_note = strip.channel("tickets.banner", second)
    page_host.show()
    qtbot.waitExposed(page_host)

    first_error.show_message("error", "Not saved: the email is taken.")
    second_note.show_message("warning", "Offline: showing cached tickets.")
    assert strip.current() is first_error, "only the page on screen speaks"
    stack.setCurrentWidget(second)
    strip.refresh()
    assert strip.current() is second_note and not first_error.isVisible()
    shell.show_message("error", "The local sandbox stopped unexpectedly.")
    assert strip.current() is shell and strip.more.text() == "+1"
    shell.clear()
    second.deleteLater()
    qtbot.waitUntil(lambda: second_note not in strip._channels)
    assert strip.current() is first_error, "the page left on screen speaks again"


def test_an_empty_strip_shows_no_button_on_a_first_paint_before_any_event_loop(qapp):
    """The launcher paints the window with processEvents() before the loop exists: the strip must not
    show the button it measured its height with (it did, as a lone "Retry" above the cached rows)."""
    from PySide6.QtWidgets import QPushButton

    page = QWidget()
    strip = MessageStrip("test.messages", page)
    page.show()
    qapp.processEvents()
    assert [button.text() for button in strip.findChildren(QPushButton) if button.isVisible()] == []
    assert strip.height() > 0
    # Gone now: a deleteLater'd window left for the next test's event loop broke that test's
    # first request (anyio found no running loop).
    shiboken6.delete(page)
