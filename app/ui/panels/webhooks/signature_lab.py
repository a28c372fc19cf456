"""The signature lab: paste a webhook's body, its signature headers and a secret, and see whether
it verifies, the exact string that was signed, and, when it does not, why. The headers asked for
are the platform's scheme's (`webhook_verifiers`): the three `webhook-*` of Standard Webhooks, or
BiVelio's one `X-BiVelio-Signature`.

For debugging a receiver: "my endpoint says the signature is invalid" becomes "the body was
re-serialized after signing" or "the timestamp is 7 min old". The secret typed here stays in
this form only (never saved, logged or sent anywhere) and `clear()` wipes it.

During a rotation's overlap a delivery carries two signatures (`v1,<new> v1,<old>`): with the
previous secret filled in too, the lab accepts either and says which one matched.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.signature_check import SignatureVerdict
from app.core.webhook_verifiers import CONTRACT_PLATFORM, verifier_for, verify_accepting
from app.ui.panels.webhooks.semantic_label import SemanticLabel


class SignatureLab(QWidget):
    """Body + headers + secret in; valid/invalid, the signed string and the reason out."""

    def __init__(self, parent: QWidget | None = None, *, platform: str = CONTRACT_PLATFORM) -> None:
        super().__init__(parent)
        self.setObjectName("webhooks.lab")
        self.verifier = verifier_for(platform)
        mono = QFont("monospace")
        self.body = QPlainTextEdit(self)
        self.body.setObjectName("webhooks.lab.body")
        self.body.setPlaceholderText('The raw request body, exactly as received: {"id":"evt_…","type":…}')
        self.body.setFont(mono)
        self.message_id = QLineEdit(self)
        self.message_id.setObjectName("webhooks.lab.webhook_id")
        self.message_id.setPlaceholderText("evt_…")
        self.timestamp = QLineEdit(self)
        self.timestamp.setObjectName("webhooks.lab.webhook_timestamp")
        self.timestamp.setPlaceholderText("seconds since 1970, e.g. 1764000000")
        self.signature = QLineEdit(self)
        self.signature.setObjectName("webhooks.lab.webhook_signature")
        self.signature.setPlaceholderText("v1,<base64>")
        self.secret = QLineEdit(self)
        self.secret.setObjectName("webhooks.lab.secret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("whsec_… (kept in this form only)")
        show = QPushButton("Show", self)
        show.setObjectName("webhooks.lab.show_secret")
        show.setCheckable(True)
        show.toggled.connect(lambda on: self.secret.setEchoMode(
            QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password))
        secret_row = QHBoxLayout()
        secret_row.addWidget(self.secret, 1)
        secret_row.addWidget(show)
        self.previous_secret = QLineEdit(self)
        self.previous_secret.setObjectName("webhooks.lab.previous_secret")
        self.previous_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.previous_secret.setPlaceholderText("Optional: the secret it replaced, during a rotation's overlap")
        self.reference = QPlainTextEdit(self)
        self.reference.setObjectName("webhooks.lab.reference")
        self.reference.setPlaceholderText("Optional: the original payload from the delivery log, to tell "
                                          "a wrong secret from an altered body")
        self.reference.setFont(mono)
        self.reference.setMaximumHeight(80)
        paste = QPushButton("Paste headers", self)
        paste.setObjectName("webhooks.lab.paste_headers")
        paste.setToolTip("Fill the three webhook-* fields from headers copied to the clipboard "
                         "(one 'name: value' per line, as a server log or curl -v shows them)")
        paste.clicked.connect(lambda: self.fill_headers(QGuiApplication.clipboard().text()))
        check = QPushButton("Check signature", self)
        check.setObjectName("webhooks.lab.check")
        check.clicked.connect(self.check)
        clear = QPushButton("Clear", self)
        clear.setObjectName("webhooks.lab.clear")
        clear.clicked.connect(self.clear)

        self.verdict_label = SemanticLabel("", self, bold=True)
        self.verdict_label.setObjectName("webhooks.lab.verdict")
        self.explanation = QLabel("", self)
        self.explanation.setObjectName("webhooks.lab.explanation")
        self.explanation.setWordWrap(True)
        self.signed = QPlainTextEdit(self)
        self.signed.setObjectName("webhooks.lab.signed_string")
        self.signed.setReadOnly(True)
        self.signed.setFont(mono)
        self.signed.setMaximumHeight(70)
        self.expected = QLineEdit(self)
        self.expected.setObjectName("webhooks.lab.expected")
        self.expected.setReadOnly(True)
        self.expected.setFont(mono)

        self._form = form = QFormLayout()
        form.addRow("Body", self.body)
        form.addRow("webhook-id", self.message_id)
        form.addRow("webhook-timestamp", self.timestamp)
        form.addRow("webhook-signature", self.signature)
        form.addRow("Signing secret", secret_row)
        form.addRow("Previous secret", self.previous_secret)
        form.addRow("Original body", self.reference)
        buttons = QHBoxLayout()
        buttons.addWidget(paste)
        buttons.addWidget(check)
        buttons.addWidget(clear)
        buttons.addStretch(1)
        result = QFormLayout()
        result.addRow("Verdict", self.verdict_label)
        result.addRow("Why", self.explanation)
        result.addRow("Signed string", self.signed)
        result.addRow("Expected signature", self.expected)
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addLayout(buttons)
        layout.addLayout(result)
        self.set_platform(platform)

    def set_platform(self, platform: str) -> None:
        """Ask for `platform`'s signature headers and check with its scheme from now on."""
        self.verifier = verifier_for(platform)
        names = [field.name for field in self.verifier.header_fields]
        standard = len(names) == 3
        for line, shown in ((self.message_id, standard), (self.timestamp, standard)):
            self._form.setRowVisible(line, shown)
        signature_field = self.verifier.header_fields[-1]
        label = self._form.labelForField(self.signature)
        if label is not None:
            label.setText(signature_field.name)
        self.signature.setPlaceholderText(signature_field.placeholder)
        self.signature.setObjectName("webhooks.lab.webhook_signature" if standard
                                     else "webhooks.lab." + signature_field.name.lower().replace("-", "_"))
        self.secret.setPlaceholderText(self.verifier.secret_placeholder)
        self._show(None)

    def _header_values(self) -> dict[str, str]:
        """The scheme's headers as typed: the signature field holds the last one (the signature)."""
        if len(self.verifier.header_fields) == 3:
            return {"webhook-id": self.message_id.text(), "webhook-timestamp": self.timestamp.text(),
                    "webhook-signature": self.signature.text()}
        return {self.verifier.header_fields[-1].name: self.signature.text()}

    def load_message(self, body: bytes, headers: dict[str, str]) -> None:
        """Fill in a received message (from the local listener); the secret is left to the user."""
        self.body.setPlainText(body.decode("utf-8", "replace"))
        lowered = {name.lower(): value for name, value in headers.items()}
        self.message_id.setText(lowered.get("webhook-id", ""))
        self.timestamp.setText(lowered.get("webhook-timestamp", ""))
        self.signature.setText(lowered.get(self.verifier.header_fields[-1].name.lower(), ""))
        self._show(None)

    def fill_headers(self, text: str) -> int:
        """Take the scheme's headers from `name: value` lines; returns how many were found."""
        if len(self.verifier.header_fields) == 3:
            fields = {"webhook-id": self.message_id, "webhook-timestamp": self.timestamp,
                      "webhook-signature": self.signature}
        else:
            fields = {self.verifier.header_fields[-1].name.lower(): self.signature}
        found = 0
        for line in text.splitlines():
            name, colon, value = line.strip().lstrip("<>* ").partition(":")
            field = fields.get(name.strip().lower())
            if colon and field is not None:
                field.setText(value.strip())
                found += 1
        return found

    def check(self) -> SignatureVerdict:
        """Verify what is in the form and show the verdict."""
        reference = self.reference.toPlainText()
        previous = self.previous_secret.text().strip()
        accepted = [("new secret", self.secret.text()), ("previous secret", previous)] if previous else [
            ("current secret", self.secret.text())]
        verdict = verify_accepting(self.verifier, self.body.toPlainText(), self._header_values(), accepted,
                                   reference_body=reference if reference.strip() else None)
        self._show(verdict)
        return verdict

    def _show(self, verdict: SignatureVerdict | None) -> None:
        if verdict is None:
            self.verdict_label.clear()
            self.explanation.clear()
            self.signed.clear()
            self.expected.clear()
            return
        if verdict.valid:
            matched = f" with the {verdict.matched_secret}" if self.previous_secret.text().strip() else ""
            text, colour = f"✔ Valid{matched}", "success"
        else:
            text, colour = f"✘ Invalid: {verdict.failure.value.replace('_', ' ')}", "error"
        self.verdict_label.setText(text)
        self.verdict_label.set_kind(colour)
        self.explanation.setText(verdict.explanation)
        self.signed.setPlainText(verdict.signed_string)
        self.expected.setText(verdict.expected_signature or "")

    def clear(self) -> None:
        """Empty every field, the secret included."""
        for field in (self.body, self.reference):
            field.clear()
        for line in (self.message_id, self.timestamp, self.signature, self.secret, self.previous_secret):
            line.clear()
        self._show(None)
