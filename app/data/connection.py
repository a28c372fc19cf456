"""Whether the server answers: one state per session, derived from the exchanges themselves.

Every answered exchange says "online", every exchange that got no answer says "offline"; so a
banner that says "cannot reach the server" goes away by itself when any later request (a Retry, a
sync) gets through. Panels read this instead of keeping their own offline flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from app.data.observable import Observable

State = Literal["unknown", "online", "offline"]
#: The error of an exchange the console itself abandoned (a panel left, a search retyped): it says
#: nothing about the server, so it never makes the connection offline.
CANCELLED = "Cancelled"


@dataclass(frozen=True)
class ConnectionState:
    state: State
    detail: str = ""

    @property
    def offline(self) -> bool:
        return self.state == "offline"


class Connection:
    """The server's reachability as the last exchange showed it; `changes` on every flip."""

    def __init__(self, client: Any) -> None:
        self.changes: Observable[ConnectionState] = Observable()
        self.current = ConnectionState("unknown" if client is not None else "offline",
                                       "" if client is not None else "not connected")
        self._stop = client.add_request_listener(self._on_exchange) if client is not None else (lambda: None)

    @property
    def offline(self) -> bool:
        return self.current.offline

    def mark_offline(self, detail: str) -> None:
        self._set(ConnectionState("offline", detail))

    def mark_online(self) -> None:
        self._set(ConnectionState("online"))

    def close(self) -> None:
        self._stop()

    def _on_exchange(self, record: Any) -> None:
        if record.status is not None:
            if self.current.state != "online":  # the usual case, an exchange per call: nothing to build
                self.mark_online()
        elif record.error and record.error != CANCELLED:
            self.mark_offline(str(record.error))

    def _set(self, state: ConnectionState) -> None:
        if state.state != self.current.state:
            self.current = state
            self.changes.emit(state)
