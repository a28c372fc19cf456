"""One webhook signature verifier per scheme, picked by the profile's platform.

- Standard Webhooks (the contract, and every dialect that keeps its deliveries): `webhook-id`,
  `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC>` with a five-minute replay window —
  `signature_check.check_signature` does the work.
- BiVelio (seed 002): `X-BiVelio-Signature: <hex HMAC-SHA256 of the raw body>`, keyed by the
  signing secret as text. There is no timestamp, so no replay window to check (the verdict says so).

Each verifier returns a `SignatureVerdict` whose explanation names the cause a person can act on:
a missing or malformed header, a wrong secret (or a rotated-out one), a body changed after signing,
and for Standard Webhooks a timestamp too old or in the future. Qt-free: the local listener and the
signature lab call `verifier_for(platform).verify(…)`.

During a rotation's overlap the platform signs each delivery with both secrets (`webhook-signature:
v1,<new> v1,<old>`) and a receiver accepts either: `verify_accepting` tries each accepted secret
and says which one matched, so an operator sees when a sender (or their own receiver) still signs
with the old one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from app.core.signature_check import (
    Failure,
    SignatureVerdict,
    body_variants,
    check_signature,
    first_difference,
)

CONTRACT_PLATFORM = "opsdesk"
_HEX_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class HeaderField:
    """A header the scheme needs, as the lab shows it: its name and an example of its value."""

    name: str
    placeholder: str


class StandardWebhooksVerifier:
    """The contract's scheme (https://www.standardwebhooks.com)."""

    scheme = "Standard Webhooks"
    header_fields = (HeaderField("webhook-id", "evt_…"),
                     HeaderField("webhook-timestamp", "seconds since 1970, e.g. 1764000000"),
                     HeaderField("webhook-signature", "v1,<base64>"))
    secret_placeholder = "whsec_… (kept in this form only)"

    def verify(self, body: bytes | str, headers: Mapping[str, str], secret: str, *,
               reference_body: bytes | str | None = None, secret_is_current: bool = False,
               earlier_secrets: Sequence[str] = (), now: Callable[[], float] = time.time) -> SignatureVerdict:
        return check_signature(body, headers, secret, reference_body=reference_body,
                               secret_is_current=secret_is_current, earlier_secrets=earlier_secrets, now=now)


class BiVelioVerifier:
    """BiVelio's scheme: the hex HMAC-SHA256 of the body in `X-BiVelio-Signature`."""

    scheme = "BiVelio"
    header_fields = (HeaderField("X-BiVelio-Signature", "64 hex characters"),)
    secret_placeholder = "The webhook's signing secret, whsec_… (kept in this form only)"

    def verify(self, body: bytes | str, headers: Mapping[str, str], secret: str, *,
               reference_body: bytes | str | None = None, secret_is_current: bool = False,
               earlier_secrets: Sequence[str] = (), now: Callable[[], float] = time.time) -> SignatureVerdict:
        """Verify `body` against its `X-BiVelio-Signature` with `secret`, naming any failure's cause.

        The parameters mean what they mean for `check_signature`; `now` is unused (no timestamp).
        """
        raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        text = raw.decode("utf-8", "replace")
        lowered = {name.lower(): value.strip() for name, value in headers.items()}
        header = lowered.get("x-bivelio-signature", "")

        def verdict(failures: Sequence[Failure], explanation: str, expected: str | None = None) -> SignatureVerdict:
            return SignatureVerdict(not failures, tuple(failures), explanation, text, expected, None)

        if not header:
            hint = (" This message carries Standard Webhooks headers instead: is the profile's platform right?"
                    if "webhook-signature" in lowered else "")
            return verdict([Failure.MALFORMED_HEADER], "Missing header: X-BiVelio-Signature. BiVelio signs "
                           "every delivery with it (hex HMAC-SHA256 of the body)." + hint)
        if not _HEX_SHA256.match(header):
            return verdict([Failure.MALFORMED_HEADER], f"X-BiVelio-Signature {header[:20]!r}… is not 64 hex "
                           "characters: BiVelio sends the hex HMAC-SHA256 of the body, nothing else.")
        problem = _secret_problem(secret)
        if problem:
            return verdict([Failure.MALFORMED_SECRET], problem)
        expected = bivelio_signature(secret.strip(), raw)
        if hmac.compare_digest(expected, header.lower()):
            return verdict([], "Valid: the body was signed with this secret. BiVelio's signature carries no "
                           "timestamp, so it cannot tell a replayed delivery from a new one.", expected)
        cause, sentence = self._why_mismatch(secret.strip(), raw, header.lower(), secret_is_current,
                                             earlier_secrets, reference_body)
        return verdict([cause], sentence, expected)

    @staticmethod
    def _why_mismatch(secret: str, raw: bytes, header: str, secret_is_current: bool,
                      earlier_secrets: Sequence[str], reference_body: bytes | str | None) -> tuple[Failure, str]:
        """Pin a mismatch on the secret or on the body, from whatever evidence there is."""
        text = raw.decode("utf-8", "replace")
        for index, earlier in enumerate(earlier_secrets):
            if not _secret_problem(earlier) and hmac.compare_digest(bivelio_signature(earlier.strip(), raw), header):
                which = "the previous" if index == 0 else "an older"
                return Failure.WRONG_SECRET, (f"Wrong secret: the body was signed with {which} signing secret "
                                              "of this webhook, which has since been replaced.")
        if reference_body is not None:
            reference = (reference_body.decode("utf-8", "replace") if isinstance(reference_body, bytes)
                         else reference_body)
            if reference != text:
                return Failure.BODY_ALTERED, ("Body altered: it differs from the body BiVelio sent "
                                              f"({first_difference(reference, text)}).")
            return Failure.WRONG_SECRET, ("Wrong secret: the body is exactly what BiVelio sent, so the secret is "
                                          "not the one it was signed with.")
        for variant, how in body_variants(text):
            if hmac.compare_digest(bivelio_signature(secret, variant.encode("utf-8")), header):
                return Failure.BODY_ALTERED, f"Body altered after signing: it verifies {how}."
        if secret_is_current:
            return Failure.BODY_ALTERED, ("Body altered: the secret is this webhook's current one, so the body "
                                          "was changed after BiVelio signed it.")
        return Failure.SIGNATURE_MISMATCH, ("No signature matches: either the secret is not this webhook's, or "
                                            "the body changed after signing. Paste the original body from the "
                                            "delivery log to tell which.")


def bivelio_signature(secret: str, body: bytes) -> str:
    """What BiVelio puts in `X-BiVelio-Signature`: hex HMAC-SHA256 of `body` keyed by `secret`'s text."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _secret_problem(secret: str) -> str | None:
    cleaned = (secret or "").strip()
    if not cleaned:
        return "No signing secret given: paste the signing_secret BiVelio returned when the webhook was registered."
    if cleaned.startswith(("bv_live_", "bv_test_")):
        return ("That is a BiVelio API key, not a webhook signing secret; the signing secret is the "
                "signing_secret returned when the webhook was registered.")
    return None


STANDARD_WEBHOOKS = StandardWebhooksVerifier()
BIVELIO = BiVelioVerifier()
#: Platforms whose webhooks are not signed the contract's way; every other uses Standard Webhooks.
_BY_PLATFORM = {"bivelio": BIVELIO}

WebhookVerifier = StandardWebhooksVerifier | BiVelioVerifier


def verify_accepting(verifier: WebhookVerifier, body: bytes | str, headers: Mapping[str, str],
                     accepted: Sequence[tuple[str, str]], *, reference_body: bytes | str | None = None,
                     secret_is_current: bool = False, earlier_secrets: Sequence[str] = (),
                     now: Callable[[], float] = time.time) -> SignatureVerdict:
    """Verify with each of `accepted` (`(label, secret)`, the current secret first) in turn.

    The first that verifies gives the verdict, with `matched_secret` set to its label; when none
    does, the verdict is the first secret's (its explanation names the cause, a rotated-out secret
    among `earlier_secrets` included). One accepted secret alone still reports its label.
    """
    if not accepted:
        raise ValueError("verify_accepting needs at least one accepted secret")
    first: SignatureVerdict | None = None
    for label, secret in accepted:
        verdict = verifier.verify(body, headers, secret, reference_body=reference_body,
                                  secret_is_current=secret_is_current, earlier_secrets=earlier_secrets, now=now)
        if verdict.valid:
            explanation = verdict.explanation if len(accepted) == 1 else verdict.explanation.replace(
                "Valid", f"Valid with the {label} (one of {len(accepted)} accepted)", 1)
            return replace(verdict, matched_secret=label, explanation=explanation)
        first = first or verdict
    assert first is not None
    return first


def verifier_for(platform: str | None = CONTRACT_PLATFORM) -> WebhookVerifier:
    """The verifier for a profile's platform (dialect name); the contract's for any other."""
    return _BY_PLATFORM.get(platform or CONTRACT_PLATFORM, STANDARD_WEBHOOKS)
