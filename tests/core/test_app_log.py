"""The application log never contains a secret, even inside a traceback."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from app.core import paths
from app.core.app_log import install_app_log, log_file, log_unexpected
from app.core.secret_masking import mask_secrets

KEY = "opk_live_AbCdEfGhIjKlMnOpQrStUvWxYz012345"
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def app_logger():
    """The "opsdesk" logger, with any handler this test installs removed afterwards."""
    logger = logging.getLogger("opsdesk")
    before = list(logger.handlers)
    yield logger
    for handler in logger.handlers[len(before):]:
        handler.close()
        logger.removeHandler(handler)


def test_unexpected_exception_is_logged_with_secrets_masked(home: Path, app_logger) -> None:
    install_app_log()
    try:
        raise RuntimeError(f"call failed with Authorization: Bearer {KEY} and {WHSEC}")
    except RuntimeError:
        summary = log_unexpected(*sys.exc_info())
    app_logger.warning("login for %s failed: password=%s", "me@example.com", "pa55-word-without-shape")
    for handler in app_logger.handlers:
        handler.flush()

    text = log_file().read_text()
    assert log_file().is_relative_to(paths.log_dir())
    assert "RuntimeError" in text and "Traceback" in text and "me@example.com" in text
    for secret in (KEY, WHSEC, "pa55-word-without-shape"):
        assert secret not in text
        assert secret not in summary
    assert "Bearer ****" in text and "password=****" in text


def test_mask_secrets_covers_the_known_shapes() -> None:
    masked = mask_secrets(f'{{"password": "hunter22", "key": "{KEY}"}} token=x Bearer abc.def')
    assert "hunter22" not in masked and KEY not in masked and "abc.def" not in masked
    assert mask_secrets("nothing secret here") == "nothing secret here"


def test_a_quoted_password_is_masked_whole_spaces_and_all() -> None:
    masked = mask_secrets('login failed: {"password": "correct horse battery staple", "email": "a@b.c"}')
    assert "horse" not in masked and "staple" not in masked
    assert masked == 'login failed: {"password": ****, "email": "a@b.c"}'
    assert mask_secrets("password='it\\'s a secret' ok") == "password=**** ok"


def test_user_tokens_are_masked_in_log_text() -> None:
    access, refresh = "opat_" + "A1b2C3d4" * 5 + "xyz", "oprt_" + "Z9y8X7w6" * 5 + "abc"
    masked = mask_secrets(f"refresh failed for {refresh} after {access} expired")
    assert access not in masked and refresh not in masked
    assert masked == "refresh failed for **** after **** expired"
