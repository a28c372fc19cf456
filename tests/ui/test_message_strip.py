"""Messages come and go without moving a control; the most urgent shows; successes leave by themselves."""

from __future__ import annotations

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
