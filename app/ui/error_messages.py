"""Typed client errors → the sentence a person reads. The UI maps classes, never status numbers."""

from __future__ import annotations

from app.api import errors


def describe(error: BaseException) -> str:
    """A short human message for `error`, naming what went wrong and what to do."""
    if isinstance(error, errors.SignInRequired):
        return "Your session has ended. Sign in again."
    if isinstance(error, errors.Unauthorized):
        return "The credential was refused (revoked, expired or wrong). Check the profile's key."
    if isinstance(error, errors.Forbidden):
        scope = (getattr(error, "details", None) or {}).get("required_scope")
        needed = f" It needs the {scope} scope." if scope else ""
        return f"This credential is not allowed to do that.{needed}"
    if isinstance(error, errors.NotFound):
        return "That record no longer exists (it may have been deleted)."
    if isinstance(error, errors.PreconditionFailed):
        return "Someone else changed this record since you opened it. Review their change first."
    if isinstance(error, errors.ValidationFailed):
        fields = getattr(error, "fields", None) or {}
        if fields:
            listed = "; ".join(f"{name}: {message}" for name, message in fields.items())
            return f"Please fix: {listed}"
        return f"The server refused the input: {error.message}"
    if isinstance(error, errors.Conflict):
        return f"Conflict: {error.message}"
    if isinstance(error, errors.RateLimited):
        wait = getattr(error, "retry_after", None)
        return f"Rate limit reached; try again in {wait:.0f} s." if wait else "Rate limit reached."
    if isinstance(error, errors.ServerError):
        return "The server had a problem. Try again; if it persists, share the request id."
    if isinstance(error, errors.ApiTimeout):
        return "The server did not answer in time. Showing cached data where there is some."
    if isinstance(error, errors.ApiConnectionError):
        return "Cannot reach the server. Showing cached data where there is some."
    if isinstance(error, errors.NotSupported):
        return f"{error.message.rstrip('.')}."
    if isinstance(error, errors.ApiStatusError):
        return error.message or f"The request failed ({error.code})."
    return f"Unexpected problem: {type(error).__name__}. It was written to the log file."


def request_id_of(error: BaseException) -> str | None:
    """The server's request id carried by an API error, if any."""
    return getattr(error, "request_id", None)
