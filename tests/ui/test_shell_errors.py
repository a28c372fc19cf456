"""Unexpected exceptions: written to the rotating log with secrets masked, shown to the user once."""

from __future__ import annotations

import logging

from app.core import app_log
from app.ui.launch import _excepthook
from tests.ui.shell_harness import isolate_home, make_console


def test_an_unexpected_error_is_logged_masked_and_shown_once(qtbot, monkeypatch, tmp_path):
    home = isolate_home(monkeypatch, tmp_path)
    logger = logging.getLogger(app_log.LOGGER_NAME)
    monkeypatch.setattr(logger, "handlers", list(logger.handlers))  # this test's file handler goes away after
    console = make_console(home)
    qtbot.addWidget(console.window)
    app_log.install_app_log()
    hook = _excepthook(console, app_log)
    secret = "opk_test_" + "A" * 40
    try:
        raise ValueError(f"exploded while using {secret}")
    except ValueError as error:
        hook(type(error), error, error.__traceback__)
    notice = console.window.notice("unexpected")
    assert notice is not None and notice.kind == "error"
    assert "ValueError" in notice.plain_text and str(app_log.log_file()) in notice.plain_text
    assert secret not in notice.plain_text
    first_text = notice.plain_text
    try:
        raise KeyError("second")
    except KeyError as error:
        hook(type(error), error, error.__traceback__)
    assert console.window.notice("unexpected").plain_text == first_text  # shown once, not stacked
    for handler in logging.getLogger(app_log.LOGGER_NAME).handlers:
        handler.flush()
    written = app_log.log_file().read_text()
    assert "Traceback" in written and "ValueError" in written and "KeyError" in written
    assert secret not in written
