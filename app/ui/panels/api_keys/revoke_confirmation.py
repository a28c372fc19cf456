"""The typed confirmation before a key is revoked, naming exactly which key goes.

A rotation leaves two keys with one name ("Audit key" old and new), so the question names the key
by what the platform lists of its secret (`opk_test_ab…wxyz`) and when it was made, and when
another listed key shares its name, typing the name is not enough: the operator types the key's
prefix…last4 (three dots do for the ellipsis), so the wrong "Audit key" cannot be revoked by a
name that fits both.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from app.data.api_keys import masked
from app.ui.time_text import exact, relative
from app.ui.widgets.confirm_dialog import ConfirmDialog, run_dialog

#: What may stand for the "…" of a masked key when it is typed.
_TYPED_ELLIPSIS = "..."


def identity_text(key: Any) -> str:
    """"opk_test_ab…wxyz, created 3 d ago (Wed 2 Dec 2026, 14:05:09 (UTC+01:00))"."""
    return f"{masked(key)}, created {relative(key.created_at)} ({exact(key.created_at)})"


def typed_answer(key: Any, namesakes: Sequence[Any]) -> str:
    """What must be typed: the name, or the prefix…last4 when another key has the same name."""
    return masked(key) if namesakes else key.name


def revoke_message(key: Any, namesakes: Sequence[Any]) -> str:
    """The question (rich text; every value escaped)."""
    text = (f"Revoke <b>{escape(key.name)}</b>, key <b>{escape(masked(key))}</b>, created "
            f"{escape(relative(key.created_at))} ({escape(exact(key.created_at))})?")
    if namesakes:
        others = "; ".join(escape(identity_text(other)) for other in namesakes)
        also = "Another key is" if len(namesakes) == 1 else f"{len(namesakes)} other keys are"
        text += (f"<br><br>{also} also named “{escape(key.name)}”: {others}. Type this key's prefix and "
                 "last four characters to be sure which one is revoked.")
    return text + "<br><br>Every call made with it fails from now on. This cannot be undone."


class RevokeKeyDialog(ConfirmDialog):
    """`ConfirmDialog` whose typed answer is the key's name, or its prefix…last4 for namesakes."""

    def __init__(self, key: Any, namesakes: Sequence[Any], parent: QWidget | None = None, *,
                 warning: str = "") -> None:
        self._answer = typed_answer(key, namesakes)
        super().__init__("Revoke API key", revoke_message(key, namesakes), "Revoke key", parent,
                         expected_text=self._answer, warning=warning)
        self.setObjectName("confirm_dialog")
        if namesakes:
            prompt = self.findChild(QLabel, "confirm_dialog.prompt")
            prompt.setText(f"Type <b>{escape(self._answer)}</b> to confirm (three dots do for the …):")

    def _update_button(self) -> None:
        typed = self.typed.text().strip().replace(_TYPED_ELLIPSIS, "…")
        self.action_button.setEnabled(typed == self._answer)


async def confirm_revoke(parent: QWidget, key: Any, listed: Sequence[Any], *, warning: str = "") -> bool:
    """Ask before revoking `key` (the other `listed` keys tell whether its name is shared)."""
    namesakes = [other for other in listed if other.name == key.name and other.id != key.id]
    return await run_dialog(RevokeKeyDialog(key, namesakes, parent, warning=warning))
