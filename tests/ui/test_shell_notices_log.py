"""A warning or error notice in the window is also in the log file, and on stderr from a terminal."""

from __future__ import annotations

import logging
import os

from app.core import app_log
from app.ui.shell.main_window import MainWindow


def test_notices_reach_the_log_file_and_a_terminal_without_secrets(qtbot, tmp_path, monkeypatch):
    key = "opk_test_NoticeSecretAbCdEfGhIjKlMnOpQrSt"
    logger = logging.getLogger(app_log.NOTICES_LOGGER)
    original = list(logger.handlers)
    file_handler = logging.FileHandler(tmp_path / "opsdesk.log", encoding="utf-8")
    file_handler.addFilter(app_log.SecretMaskingFilter())
    logger.addHandler(file_handler)
    reader_fd, writer_fd = os.openpty()
    terminal = os.fdopen(writer_fd, "w", buffering=1)
    try:
        assert app_log.install_terminal_notices(terminal)
        assert not app_log.install_terminal_notices(open(os.devnull, "w")), "a pipe or file is not a terminal"
        window = MainWindow()
        qtbot.addWidget(window)
        window.show_notice("keychain", "warning", "No system keychain found: your key is kept for this session only.")
        window.show_notice("keychain", "warning", "No system keychain found: your key is kept for this session only.")
        window.show_notice("sandbox", "error", f"The local sandbox could not start: refused {key}")
        window.show_notice("startup", "info", "First run: starting a local sandbox with demo data…")
        for handler in logger.handlers:
            handler.flush()
        logged = (tmp_path / "opsdesk.log").read_text(encoding="utf-8")
        echoed = os.read(reader_fd, 65536).decode()
    finally:
        for handler in logger.handlers[:]:
            if handler not in original:
                logger.removeHandler(handler)
                handler.close()
        terminal.close()
        os.close(reader_fd)
    for text in (logged, echoed):
        assert text.count("No system keychain found") == 1, "once per notice, not per repaint"
        assert "The local sandbox could not start" in text
        assert "First run" not in text, "info notices stay in the window"
        assert key not in text
    assert "opsdesk WARNING: No system keychain" in echoed
