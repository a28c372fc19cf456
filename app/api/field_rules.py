"""The platform's field rules the console checks before sending, in the server's own words.

The same rules the served OpenAPI states (the sandbox's `validation.py`): a form that knows
them says what is wrong beside the field at once, instead of after a 422 round trip. The server
stays the judge; these only spare the operator the trip.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
EMAIL_MAX_LENGTH = 254
EMAIL_RULE = "Not a valid email address, e.g. ada@example.com."


def email_problem(value: str | None) -> str | None:
    """Why `value` is not an email address the platform takes (None: it is, or it is empty)."""
    if not value:
        return None
    if len(value) > EMAIL_MAX_LENGTH:
        return f"An email address is at most {EMAIL_MAX_LENGTH} characters."
    return None if EMAIL.match(value) else EMAIL_RULE
