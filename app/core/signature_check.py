"""Is this webhook genuinely from the platform, and if not, why not?

The verdict itself comes from the `standardwebhooks` package (the same check a receiver in
production runs: HMAC-SHA256 over `"{webhook-id}.{webhook-timestamp}.{body}"` with the endpoint's
`whsec_` secret, and a timestamp within five minutes of now). A bare "invalid" helps nobody fix a
receiver, so when verification fails this module re-does the steps one by one and names the cause:
a malformed header or secret, a stale (or future) timestamp, a body changed after signing
(re-formatted JSON, a trailing newline, or different content than the original), or a wrong secret.

Qt-free: `webhook_verifiers.StandardWebhooksVerifier` wraps `check_signature` for the signature lab
and the local listener; `body_variants` and `first_difference` serve every scheme's explanations.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

#: The timestamp tolerance `standardwebhooks` enforces (fixed at five minutes by the package).
TOLERANCE_SECONDS = 300
SECRET_PREFIX = "whsec_"
HEADER_NAMES = ("webhook-id", "webhook-timestamp", "webhook-signature")
_HMAC_SHA256_BYTES = 32
# Anything above this is not seconds since 1970 for the next few thousand years: it is milliseconds.
_MILLISECONDS_THRESHOLD = 100_000_000_000


class Failure(str, Enum):
    """Why a signature did not verify; a verdict lists every cause it found, worst first."""

    MALFORMED_HEADER = "malformed_header"
    MALFORMED_SECRET = "malformed_secret"
    MALFORMED_BODY = "malformed_body"
    WRONG_SECRET = "wrong_secret"
    BODY_ALTERED = "body_altered"
    #: The signature matches neither way and nothing tells which of secret or content is wrong.
    SIGNATURE_MISMATCH = "signature_mismatch"
    STALE_TIMESTAMP = "stale_timestamp"
    FUTURE_TIMESTAMP = "future_timestamp"


@dataclass(frozen=True)
class SignatureVerdict:
    """The outcome of checking one message: valid or not, every cause found, and the evidence."""

    valid: bool
    failures: tuple[Failure, ...]
    #: One or more sentences a person can act on.
    explanation: str
    #: Exactly what is HMAC'd: `"{webhook-id}.{webhook-timestamp}.{body}"` (empty if headers are missing).
    signed_string: str
    #: The `v1,…` signature this secret gives for this message (None if it could not be computed).
    expected_signature: str | None
    #: How old the timestamp is, in seconds (negative: in the future); None if unreadable.
    timestamp_age_seconds: float | None
    #: Which of several accepted secrets verified it ("new secret", "previous secret"), when the
    #: receiver accepts more than one (a rotation's overlap); None otherwise or when invalid.
    matched_secret: str | None = None

    @property
    def failure(self) -> Failure | None:
        """The main cause: the first listed, or None when valid."""
        return self.failures[0] if self.failures else None


def check_signature(
    body: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    *,
    reference_body: bytes | str | None = None,
    secret_is_current: bool = False,
    earlier_secrets: Sequence[str] = (),
    now: Callable[[], float] = time.time,
) -> SignatureVerdict:
    """Verify `body` + the three `webhook-*` headers with `secret` and explain any failure.

    `reference_body`: the body as the platform sent it (e.g. from the delivery log); lets a
    mismatch be pinned on the body or on the secret. `secret_is_current`: the secret is known to be
    the endpoint's own (the console just received it from the platform), so a mismatch means the
    message was changed after signing. `earlier_secrets`: the endpoint's previous secrets, to spot
    a sender (or receiver) still on a rotated-out secret. `now` is only used for the age shown.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    lowered = {name.lower(): value.strip() for name, value in headers.items()}
    message_id = lowered.get("webhook-id", "")
    timestamp_text = lowered.get("webhook-timestamp", "")
    signature_header = lowered.get("webhook-signature", "")

    def verdict(failures: Sequence[Failure], explanation: str, *, signed: str = "",
                expected: str | None = None, age: float | None = None) -> SignatureVerdict:
        return SignatureVerdict(not failures, tuple(failures), explanation, signed, expected, age)

    missing = [name for name, value in zip(HEADER_NAMES, (message_id, timestamp_text, signature_header))
               if not value]
    if missing:
        return verdict([Failure.MALFORMED_HEADER], f"Missing header{'s' if len(missing) > 1 else ''}: "
                       f"{', '.join(missing)}. A Standard Webhooks message carries webhook-id, "
                       "webhook-timestamp and webhook-signature.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return verdict([Failure.MALFORMED_BODY], f"The body is not UTF-8 text (bad byte at position "
                       f"{error.start}); the platform always sends UTF-8 JSON, so it was changed in transit.")
    signed_string = f"{message_id}.{timestamp_text}.{text}"

    timestamp, problem = _parse_timestamp(timestamp_text)
    if problem:
        return verdict([Failure.MALFORMED_HEADER], problem, signed=signed_string)
    age = now() - timestamp
    signatures, problem = _parse_signatures(signature_header)
    if problem:
        return verdict([Failure.MALFORMED_HEADER], problem, signed=signed_string, age=age)
    key, problem = _parse_secret(secret)
    if problem:
        return verdict([Failure.MALFORMED_SECRET], problem, signed=signed_string, age=age)

    webhook = Webhook(key)
    expected = _sign(webhook, message_id, timestamp, text)
    matches = _matches(expected, signatures)
    try:
        webhook.verify(raw, {"webhook-id": message_id, "webhook-timestamp": timestamp_text,
                             "webhook-signature": signature_header}, json_parse=False)
        return verdict([], f"Valid: signed with this secret, timestamp {_age_words(age)} "
                       f"(tolerance {TOLERANCE_SECONDS // 60} min).", signed=signed_string,
                       expected=expected, age=age)
    except WebhookVerificationError as error:
        library_reason = str(error)

    failures: list[Failure] = []
    sentences: list[str] = []
    if not matches:
        cause, sentence = _why_mismatch(webhook, text, message_id, timestamp, signatures,
                                        secret_is_current, earlier_secrets, reference_body)
        failures.append(cause)
        sentences.append(sentence)
    if age > TOLERANCE_SECONDS:
        failures.append(Failure.STALE_TIMESTAMP)
        sentences.append(f"The timestamp is {_duration(age)} old; receivers reject messages older than "
                         f"{TOLERANCE_SECONDS // 60} min to stop replays. Each delivery attempt is signed "
                         "afresh, so a stale timestamp means a stored copy is being replayed or a clock is wrong.")
    elif age < -TOLERANCE_SECONDS:
        failures.append(Failure.FUTURE_TIMESTAMP)
        sentences.append(f"The timestamp is {_duration(-age)} in the future (tolerance "
                         f"{TOLERANCE_SECONDS // 60} min): the sender's or this machine's clock is wrong.")
    if matches and failures:
        sentences.append("The signature itself is correct for this secret and body.")
    if not failures:
        # Only at the tolerance's very edge can the step-by-step check and the library disagree.
        failures.append(Failure.STALE_TIMESTAMP)
        sentences.append(f"Rejected by standardwebhooks: {library_reason}.")
    return verdict(failures, " ".join(sentences), signed=signed_string, expected=expected, age=age)


def _parse_timestamp(text: str) -> tuple[int, str | None]:
    if not text.isdigit():
        return 0, (f"webhook-timestamp {text[:40]!r} is not a whole number of seconds since 1970 "
                   "(Unix time, UTC).")
    value = int(text)
    if value > _MILLISECONDS_THRESHOLD:
        return 0, (f"webhook-timestamp {text} looks like milliseconds; Standard Webhooks uses whole "
                   "seconds since 1970.")
    return value, None


def _parse_signatures(header: str) -> tuple[list[bytes], str | None]:
    """The decoded `v1` signatures of a header like `v1,abc= v1,def=` (other versions are ignored)."""
    found: list[bytes] = []
    versions: list[str] = []
    for entry in header.split():
        version, comma, encoded = entry.partition(",")
        if not comma:
            return [], (f"webhook-signature entry {entry[:20]!r}… has no version: each entry is "
                        "'v1,<base64 signature>', separated by spaces.")
        versions.append(version)
        if version != "v1":
            continue
        try:
            decoded = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return [], "webhook-signature's v1 value is not valid base64."
        if len(decoded) != _HMAC_SHA256_BYTES:
            return [], (f"webhook-signature's v1 value decodes to {len(decoded)} bytes; an HMAC-SHA256 "
                        f"signature is {_HMAC_SHA256_BYTES}.")
        found.append(decoded)
    if not found:
        listed = ", ".join(sorted(set(versions))) or "none"
        return [], f"webhook-signature has no v1 signature (versions present: {listed})."
    return found, None


def _parse_secret(secret: str) -> tuple[bytes, str | None]:
    cleaned = (secret or "").strip()
    if not cleaned:
        return b"", "No signing secret given: paste the endpoint's whsec_… secret."
    if cleaned.startswith("opk_"):
        return b"", ("That is an API key, not a webhook signing secret; signing secrets start "
                     "with whsec_ and are shown when an endpoint is created or its secret rotated.")
    encoded = cleaned.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        return b"", "The signing secret is not whsec_ followed by base64; check it was copied whole."
    if not key:
        return b"", "The signing secret is empty after its whsec_ prefix."
    return key, None


def _sign(webhook: Webhook, message_id: str, timestamp: int, text: str) -> str:
    return webhook.sign(message_id, datetime.fromtimestamp(timestamp, tz=UTC), text)


def _matches(expected: str, signatures: Sequence[bytes]) -> bool:
    digest = base64.b64decode(expected.partition(",")[2])
    return any(hmac.compare_digest(digest, candidate) for candidate in signatures)


def _why_mismatch(webhook: Webhook, text: str, message_id: str, timestamp: int, signatures: Sequence[bytes],
                  secret_is_current: bool, earlier_secrets: Sequence[str],
                  reference_body: bytes | str | None) -> tuple[Failure, str]:
    """Pin a mismatch on the secret or on the content, from whatever evidence there is."""
    for index, earlier in enumerate(earlier_secrets):
        key, problem = _parse_secret(earlier)
        if not problem and _matches(_sign(Webhook(key), message_id, timestamp, text), signatures):
            which = "the previous" if index == 0 else "an older"
            return Failure.WRONG_SECRET, (f"Wrong secret: the message was signed with {which} signing "
                                          "secret of this endpoint, which has since been rotated.")
    if reference_body is not None:
        reference = (reference_body.decode("utf-8", "replace") if isinstance(reference_body, bytes)
                     else reference_body)
        if reference != text:
            return Failure.BODY_ALTERED, ("Body altered: it differs from the body the platform sent "
                                          f"({first_difference(reference, text)}).")
        return Failure.WRONG_SECRET, ("Wrong secret: the body is exactly what the platform sent, so the "
                                      "secret (or the webhook-id / webhook-timestamp header) is not the "
                                      "one it was signed with.")
    for variant, how in body_variants(text):
        if _matches(_sign(webhook, message_id, timestamp, variant), signatures):
            return Failure.BODY_ALTERED, f"Body altered after signing: it verifies {how}."
    if secret_is_current:
        return Failure.BODY_ALTERED, ("Body altered: the secret is this endpoint's current one, so the "
                                      "body (or the webhook-id / webhook-timestamp header) was changed "
                                      "after the platform signed it.")
    return Failure.SIGNATURE_MISMATCH, ("No signature matches: either the secret is not this endpoint's, "
                                        "or the body (or webhook-id / webhook-timestamp) changed after "
                                        "signing. Paste the original body from the delivery log to tell which.")


def body_variants(text: str) -> list[tuple[str, str]]:
    """Common accidental re-writings of a body, each with how to describe it."""
    variants: list[tuple[str, str]] = []
    stripped = text.rstrip("\r\n")
    if stripped != text:
        variants.append((stripped, "without its trailing newline (one was added after signing)"))
    else:
        variants.append((text + "\n", "with a trailing newline (it was stripped after signing)"))
    if "\r\n" in text:
        variants.append((text.replace("\r\n", "\n"), "with LF line endings (they became CRLF in transit)"))
    try:
        parsed = json.loads(text)
    except ValueError:
        return variants
    for rendered, how in (
        (json.dumps(parsed, separators=(",", ":"), ensure_ascii=False),
         "as compact JSON: the body was re-serialized (whitespace changed) after signing"),
        (json.dumps(parsed, separators=(",", ":")),
         "as compact ASCII-escaped JSON: the body was re-serialized after signing"),
        (json.dumps(parsed), "as JSON with spaces: the body was re-serialized after signing"),
        (json.dumps(parsed, indent=2), "as indented JSON: the body was re-serialized after signing"),
    ):
        if rendered != text and all(rendered != seen for seen, _ in variants):
            variants.append((rendered, how + "; verify the raw bytes exactly as received, before parsing"))
    return variants


def first_difference(expected: str, actual: str) -> str:
    """Where two bodies part ways: a JSON field path when both are JSON, else a character offset."""
    try:
        expected_json, actual_json = json.loads(expected), json.loads(actual)
    except ValueError:
        pass
    else:
        path = _json_difference(expected_json, actual_json, "")
        if path is None:
            return "same JSON content, different formatting"
        return f"first difference at {path or 'the top level'}"
    offset = next((i for i, (a, b) in enumerate(zip(expected, actual)) if a != b),
                  min(len(expected), len(actual)))
    return f"first difference at character {offset}"


def _json_difference(expected: object, actual: object, path: str) -> str | None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in list(expected) + [k for k in actual if k not in expected]:
            if key not in expected or key not in actual:
                return f"{path}.{key}".lstrip(".")
            found = _json_difference(expected[key], actual[key], f"{path}.{key}")
            if found is not None:
                return found.lstrip(".")
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (a, b) in enumerate(zip(expected, actual)):
            found = _json_difference(a, b, f"{path}[{index}]")
            if found is not None:
                return found
        return None if len(expected) == len(actual) else f"{path} (length)".lstrip(".")
    return None if expected == actual else path.lstrip(".")


def _age_words(age: float) -> str:
    return f"{_duration(age)} old" if age >= 0 else f"{_duration(-age)} in the future"


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"
