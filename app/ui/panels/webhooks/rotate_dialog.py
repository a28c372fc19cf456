"""Rotate an endpoint's signing secret without downtime: a new secret, and an overlap in which the
old one still signs every delivery (both signatures in `webhook-signature`), so a receiver can
switch at its own pace. 24 h by default; 0 retires the old secret at once, as before.

The new secret is shown once (`secret_reveal`); the endpoint then shows "old secret valid until …",
and a local listener on that endpoint accepts either secret until then and says which matched.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QWidget

from app.data.webhooks import DEFAULT_OVERLAP_HOURS, MAX_OVERLAP_HOURS
from app.ui.time_text import exact
from app.ui.widgets.confirm_dialog import ConfirmDialog, run_dialog
from app.ui.widgets.secret_reveal import reveal_secret


class RotateSecretDialog(ConfirmDialog):
    """The rotate question with the overlap to choose (hours)."""

    def __init__(self, webhook: Any, parent: QWidget | None = None, *, live: bool = False) -> None:
        super().__init__(
            "Rotate signing secret",
            f"Give <b>{escape(webhook.name)}</b> a new signing secret? During the overlap every delivery "
            "carries both signatures, so your receiver keeps working with the old secret until you "
            "give it the new one.", "Rotate secret", parent, expected_text=webhook.name if live else None)
        self.overlap = QSpinBox(self)
        self.overlap.setObjectName("webhooks.rotate.overlap")
        self.overlap.setRange(0, MAX_OVERLAP_HOURS)
        self.overlap.setValue(DEFAULT_OVERLAP_HOURS)
        self.overlap.setSuffix(" h")
        self.hint = QLabel("", self)
        self.hint.setObjectName("webhooks.rotate.hint")
        self.hint.setWordWrap(True)
        self.overlap.valueChanged.connect(self._on_overlap)
        row = QHBoxLayout()
        row.addWidget(QLabel("Old secret keeps signing for", self))
        row.addWidget(self.overlap)
        row.addStretch(1)
        layout = self.layout()
        layout.insertLayout(layout.count() - 1, row)
        layout.insertWidget(layout.count() - 1, self.hint)
        self._on_overlap(self.overlap.value())

    def _on_overlap(self, hours: int) -> None:
        self.hint.setText("The old secret stops signing at once: your receiver rejects deliveries until it has "
                          "the new one." if hours == 0 else
                          f"Both secrets sign for {hours} h; after that only the new one.")


async def rotate_with_overlap(panel: Any, webhook: Any) -> None:
    """Ask (with the overlap), rotate, hand the new secret to a listener on this endpoint, show it once."""
    dialog = RotateSecretDialog(webhook, panel, live=panel.context.is_live)
    overlap: list[int] = []
    dialog.accepted.connect(lambda: overlap.append(dialog.overlap.value()))
    if not await run_dialog(dialog) or not overlap:
        return
    rotated = await panel.store.rotate_secret(webhook, overlap_hours=overlap[0])
    secret, until = rotated.secret, rotated.record.previous_secret_expires_at
    del rotated
    listener = panel.listen.listener
    if panel.listen.endpoint_id == webhook.id and listener.secret:
        listener.accept_rotation(secret, until)  # both verify until `until`; each verdict says which
    note = (f"The old secret still signs until {exact(until)}: switch your receiver before then."
            if until else "The old secret no longer signs.")
    await reveal_secret(panel, "New webhook signing secret", f"The new signing secret of “{webhook.name}”",
                        secret, note=note)
    del secret
    panel.show_notice(f"Signing secret of “{webhook.name}” rotated. {note}", "success")
