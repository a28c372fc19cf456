"""The signature lab on a BiVelio profile: it asks for X-BiVelio-Signature only and explains
BiVelio's failures (no timestamp fields, no replay window)."""

from __future__ import annotations

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.sandbox.dialects.bivelio_webhooks import signature
from app.sandbox.signing import new_signing_secret
from tests.ui.test_api_keys import child, click


def test_lab_for_bivelio_checks_the_hex_body_signature(qtbot) -> None:
    from app.ui.panels.webhooks.signature_lab import SignatureLab

    lab = SignatureLab(platform="bivelio")
    qtbot.addWidget(lab)
    lab.show()
    assert not lab.message_id.isVisible() and not lab.timestamp.isVisible()
    assert lab.signature.objectName() == "webhooks.lab.x_bivelio_signature"
    secret = new_signing_secret()
    body = b'{"event":"invoice.paid","timestamp":"2026-04-07T13:05:00Z","webhook_id":"wh_1","data":{"total":12.5}}'
    lab.body.setPlainText(body.decode())
    QApplication.clipboard().setText(f"< X-BiVelio-Signature: {signature(secret, body)}\n< Content-Type: json\n")
    assert lab.fill_headers(QApplication.clipboard().text()) == 1
    QApplication.clipboard().clear()
    QTest.keyClicks(lab.secret, secret)
    click(child(lab, "webhooks.lab.check"))
    assert lab.verdict_label.text() == "✔ Valid"
    assert "no timestamp" in lab.explanation.text()

    lab.body.setPlainText(body.decode().replace("12.5", "99.0"))
    lab.reference.setPlainText(body.decode())
    click(child(lab, "webhooks.lab.check"))
    assert lab.verdict_label.text() == "✘ Invalid: body altered"
    assert "data.total" in lab.explanation.text()

    lab.set_platform("opsdesk")  # the profile's platform changed back: the three webhook-* fields return
    assert lab.message_id.isVisible() and lab.signature.objectName() == "webhooks.lab.webhook_signature"
