"""The signature verdict and its explanation: what a user reads when a webhook does not verify.

Messages are signed by the sandbox's own signer (an independent implementation of the scheme,
itself checked against `standardwebhooks`), so these tests compare two implementations.
"""

from __future__ import annotations

import json
import time

import pytest

from app.core.signature_check import TOLERANCE_SECONDS, Failure, check_signature
from app.sandbox.signing import new_signing_secret, signed_headers

BODY = json.dumps({"id": "evt_1", "type": "contact.created", "created_at": "2026-04-07T12:00:00Z",
                   "data": {"id": "con_1", "email": "ada@example.com"}}, separators=(",", ":")).encode()


def signed(secret: str, body: bytes = BODY, *, at: int | None = None, message_id: str = "evt_1") -> dict[str, str]:
    return signed_headers(secret, message_id, int(time.time()) if at is None else at, body)


def test_a_genuine_message_is_valid_and_shows_the_exact_signed_string() -> None:
    secret = new_signing_secret()
    headers = signed(secret)
    verdict = check_signature(BODY, headers, secret)
    assert verdict.valid and verdict.failure is None
    assert verdict.signed_string == f"evt_1.{headers['webhook-timestamp']}.{BODY.decode()}"
    assert verdict.expected_signature == headers["webhook-signature"]
    assert verdict.explanation.startswith("Valid")


def test_header_names_are_case_insensitive_and_secret_prefix_is_optional() -> None:
    secret = new_signing_secret()
    headers = {name.upper(): value for name, value in signed(secret).items()}
    assert check_signature(BODY, headers, secret.removeprefix("whsec_")).valid


def test_another_secret_is_a_mismatch_that_says_it_cannot_tell_without_the_original() -> None:
    verdict = check_signature(BODY, signed(new_signing_secret()), new_signing_secret())
    assert not verdict.valid
    assert verdict.failures == (Failure.SIGNATURE_MISMATCH,)
    assert "original body" in verdict.explanation


def test_with_the_original_body_a_wrong_secret_is_named() -> None:
    verdict = check_signature(BODY, signed(new_signing_secret()), new_signing_secret(), reference_body=BODY)
    assert verdict.failures == (Failure.WRONG_SECRET,)
    assert "secret" in verdict.explanation


def test_with_the_original_body_a_changed_field_is_named() -> None:
    secret = new_signing_secret()
    headers = signed(secret)
    tampered = BODY.replace(b"ada@example.com", b"eve@example.com")
    verdict = check_signature(tampered, headers, secret, reference_body=BODY)
    assert verdict.failures == (Failure.BODY_ALTERED,)
    assert "data.email" in verdict.explanation


def test_a_trusted_current_secret_pins_a_mismatch_on_the_content() -> None:
    secret = new_signing_secret()
    tampered = BODY.replace(b"con_1", b"con_2")
    verdict = check_signature(tampered, signed(secret), secret, secret_is_current=True)
    assert verdict.failures == (Failure.BODY_ALTERED,)


@pytest.mark.parametrize(
    ("rewrite", "words"),
    [
        (lambda body: json.dumps(json.loads(body), indent=2).encode(), "re-serialized"),
        (lambda body: json.dumps(json.loads(body)).encode(), "re-serialized"),
        (lambda body: body + b"\n", "trailing newline"),
    ],
)
def test_a_reformatted_body_is_recognised_as_altered(rewrite, words) -> None:
    secret = new_signing_secret()
    verdict = check_signature(rewrite(BODY), signed(secret), secret)
    assert verdict.failures == (Failure.BODY_ALTERED,)
    assert words in verdict.explanation


def test_a_stale_timestamp_fails_even_with_a_correct_signature_and_says_how_old() -> None:
    secret = new_signing_secret()
    old = int(time.time()) - TOLERANCE_SECONDS - 120
    verdict = check_signature(BODY, signed(secret, at=old), secret)
    assert verdict.failures == (Failure.STALE_TIMESTAMP,)
    assert "7 min" in verdict.explanation and "signature itself is correct" in verdict.explanation
    assert verdict.timestamp_age_seconds == pytest.approx(TOLERANCE_SECONDS + 120, abs=5)


def test_a_future_timestamp_points_at_clocks() -> None:
    secret = new_signing_secret()
    verdict = check_signature(BODY, signed(secret, at=int(time.time()) + 3600), secret)
    assert verdict.failures == (Failure.FUTURE_TIMESTAMP,)
    assert "clock" in verdict.explanation


def test_stale_and_mismatched_lists_both_causes_signature_first() -> None:
    old = int(time.time()) - 3600
    verdict = check_signature(BODY, signed(new_signing_secret(), at=old), new_signing_secret())
    assert verdict.failures == (Failure.SIGNATURE_MISMATCH, Failure.STALE_TIMESTAMP)


def test_a_message_signed_with_the_rotated_out_secret_is_named() -> None:
    old_secret, new_secret = new_signing_secret(), new_signing_secret()
    verdict = check_signature(BODY, signed(old_secret), new_secret, earlier_secrets=[old_secret])
    assert verdict.failures == (Failure.WRONG_SECRET,)
    assert "rotated" in verdict.explanation


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda h: h.pop("webhook-timestamp"), "Missing header: webhook-timestamp"),
        (lambda h: h.update({"webhook-timestamp": "yesterday"}), "not a whole number"),
        (lambda h: h.update({"webhook-timestamp": str(int(time.time() * 1000))}), "milliseconds"),
        (lambda h: h.update({"webhook-signature": "abc"}), "has no version"),
        (lambda h: h.update({"webhook-signature": "v1,@@@"}), "not valid base64"),
        (lambda h: h.update({"webhook-signature": "v1,YWJj"}), "decodes to 3 bytes"),
        (lambda h: h.update({"webhook-signature": "v2,YWJj"}), "no v1 signature"),
    ],
)
def test_malformed_headers_are_named(change, words) -> None:
    secret = new_signing_secret()
    headers = signed(secret)
    change(headers)
    verdict = check_signature(BODY, headers, secret)
    assert verdict.failures == (Failure.MALFORMED_HEADER,)
    assert words in verdict.explanation


@pytest.mark.parametrize(
    ("secret", "words"),
    [("", "No signing secret"), ("opk_test_abc", "API key"), ("whsec_###", "base64"), ("whsec_", "empty after its whsec_ prefix")],
)
def test_malformed_secrets_are_named(secret, words) -> None:
    verdict = check_signature(BODY, signed(new_signing_secret()), secret)
    assert verdict.failures == (Failure.MALFORMED_SECRET,)
    assert words in verdict.explanation


def test_an_extra_signature_from_another_scheme_version_is_ignored() -> None:
    secret = new_signing_secret()
    headers = signed(secret)
    headers["webhook-signature"] = "v1a,ZmFrZQ== " + headers["webhook-signature"]
    assert check_signature(BODY, headers, secret).valid


def test_non_utf8_bodies_are_reported_not_crashed_on() -> None:
    secret = new_signing_secret()
    verdict = check_signature(b"\xff\xfe", signed(secret, b"\xff\xfe"), secret)
    assert verdict.failures == (Failure.MALFORMED_BODY,)


def test_the_explanation_never_contains_the_secret() -> None:
    secret = new_signing_secret()
    for verdict in (check_signature(BODY, signed(secret), secret),
                    check_signature(BODY + b" ", signed(secret), secret),
                    check_signature(BODY, signed(new_signing_secret()), secret, reference_body=BODY)):
        blob = repr(verdict)
        assert secret not in blob and secret.removeprefix("whsec_") not in blob
