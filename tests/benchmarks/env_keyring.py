"""An OS-keychain stand-in for benchmark child processes: secrets come from an environment variable.

A benchmark starts the console several times as separate processes; a headless machine has no
keychain, so each start would forget the profile's key. This backend reads a JSON object
`{"service:username": "secret"}` from OPSDESK_BENCH_KEYRING. Benchmarks only; never shipped.
"""

from __future__ import annotations

import json
import os

from keyring.backend import KeyringBackend


class EnvKeyring(KeyringBackend):
    priority = 1

    def _entries(self) -> dict[str, str]:
        return json.loads(os.environ.get("OPSDESK_BENCH_KEYRING", "{}"))

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(f"{service}:{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError("the benchmark keyring is read-only")

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError("the benchmark keyring is read-only")
