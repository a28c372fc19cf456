"""Without a keychain the console still works for the session, and writes the secret nowhere."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import keyring
from keyring.backends import fail

from app.cache import PageCache
from app.core import paths
from app.core.app_log import install_app_log, log_unexpected
from app.core.keychain import SecretStore
from app.core.profiles import Profile, ProfileStore
from tests.core.conftest import files_containing

SECRET = "opk_live_NoKeychainHere0123456789abcdefgh"


def test_a_whole_session_without_keychain_leaves_no_secret_on_disk(home: Path) -> None:
    keyring.set_keyring(fail.Keyring())
    logger = logging.getLogger("opsdesk")
    handlers_before = list(logger.handlers)
    secrets = SecretStore()
    profile = ProfileStore().add(Profile(name="Prod", base_url="https://api.example.com/v1", environment="live"))
    secrets.set(profile.id, "api_key", SECRET)
    try:
        with PageCache(paths.profile_cache_file(profile.id)) as cache:
            cache.put_records("api_keys", [{"id": "key_1", "name": "ci", "secret": SECRET}])
            cache.append_request_records([{
                "time": 1.0, "method": "GET", "url": "https://api.example.com/v1/me", "status": 200,
                "request_headers": {"Authorization": f"Bearer {SECRET}"},
            }])
        install_app_log()
        try:
            raise ConnectionError(f"request with {SECRET} failed")
        except ConnectionError:
            shown = log_unexpected(*sys.exc_info())
        for handler in logger.handlers:
            handler.flush()

        assert secrets.session_only and secrets.get(profile.id, "api_key") == SECRET
        assert SECRET not in shown
        written = [p for p in home.rglob("*") if p.is_file()]
        assert {paths.profiles_file(), paths.profile_cache_file(profile.id)} <= set(written)
        assert any(p.parent == paths.log_dir() for p in written)
        assert files_containing(home, SECRET) == []
    finally:
        for handler in logger.handlers[len(handlers_before):]:
            handler.close()
            logger.removeHandler(handler)
        secrets.close()
