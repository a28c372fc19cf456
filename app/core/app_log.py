"""The application log: unexpected exceptions go to a rotating file under the user log dir.

The file is what a user attaches to a bug report, so every line passes `SecretMaskingFilter`
first: message, arguments and traceback text are masked before the handler writes them.

Warnings and errors the console shows as notices ("no system keychain", "cache damaged, moved
aside", "the sandbox could not start") are logged on `NOTICES_LOGGER` too, so they reach the
file, and stderr when the console was started from a terminal.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import TextIO

from app.core import paths
from app.core.log_names import LOGGER_NAME, NOTICES_LOGGER
from app.core.secret_masking import mask_secrets

__all__ = ["LOGGER_NAME", "NOTICES_LOGGER", "SecretMaskingFilter", "install_app_log", "install_terminal_notices",
           "log_file", "log_unexpected"]
LOG_FILE_NAME = "opsdesk.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3


class SecretMaskingFilter(logging.Filter):
    """Masks secrets in a record's message and traceback; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_secrets(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_secrets(record.stack_info)
        return True


def install_app_log(log_dir: Path | None = None, level: int = logging.INFO) -> None:
    """Attach the rotating, masked file handler to the "opsdesk" logger (idempotent)."""
    # Here, not at the top: the shell imports this module for a logger name before its first
    # paint, and logging.handlers (sockets, pickle, queues) is 5 ms of that paint (measured).
    import logging.handlers

    logger = logging.getLogger(LOGGER_NAME)
    path = (log_dir or paths.log_dir()) / LOG_FILE_NAME
    for handler in logger.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler) and Path(handler.baseFilename) == path:
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretMaskingFilter())
    logger.addHandler(handler)
    logger.setLevel(level)
    install_terminal_notices()


def install_terminal_notices(stream: TextIO | None = None) -> bool:
    """Echo the console's notices to `stream` (stderr) when it is a terminal; True if installed."""
    stream = stream if stream is not None else sys.stderr
    if stream is None or not stream.isatty():
        return False
    notices = logging.getLogger(NOTICES_LOGGER)
    if any(getattr(handler, "stream", None) is stream for handler in notices.handlers):
        return True
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("opsdesk %(levelname)s: %(message)s"))
    handler.addFilter(SecretMaskingFilter())
    notices.addHandler(handler)
    notices.setLevel(logging.INFO)
    return True


def log_file() -> Path:
    """Where `install_app_log()` writes by default (for a "show log file" action)."""
    return paths.log_dir() / LOG_FILE_NAME


def log_unexpected(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> str:
    """Log an unexpected exception with its traceback; returns a masked one-line summary to show.

    Fits `sys.excepthook`'s signature, so the UI can call it from its hook.
    """
    logging.getLogger(LOGGER_NAME).error("Unexpected error", exc_info=(exc_type, exc, tb))
    return mask_secrets(f"{exc_type.__name__}: {exc}")
