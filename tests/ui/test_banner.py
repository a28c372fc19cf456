"""The panel banner is visibly an error (red) or a notice (blue), and links to its request."""

from app.ui.widgets.banner import Banner


def test_error_banner_is_painted_red_and_links_the_request(qtbot):
    banner = Banner("contacts.banner")
    qtbot.addWidget(banner)
    banner.resize(400, 40)
    banner.show_message("error", "Cannot reach the server.", "req_abc")
    assert banner.isVisibleTo(banner.parentWidget() or banner)
    assert banner.grab().toImage().pixelColor(4, 4).name() == "#fdecea"
    assert "req_abc" in banner.plain_text
    with qtbot.waitSignal(banner.sig_request_link) as clicked:
        banner._label.linkActivated.emit("req_abc")
    assert clicked.args == ["req_abc"]


def test_info_banner_differs_from_error(qtbot):
    banner = Banner("tickets.banner")
    qtbot.addWidget(banner)
    banner.resize(400, 40)
    banner.show_message("info", "Showing cached rows from 3 min ago.")
    assert banner.grab().toImage().pixelColor(4, 4).name() == "#e8f4fd"
    banner.clear()
    assert not banner.isVisible() and banner.kind == ""
