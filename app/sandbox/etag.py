"""Optimistic concurrency: `ETag: "<version>"` on single resources, `If-Match` on PATCH/DELETE.

    @router.get("/{contact_id}", response_model=Envelope[Contact])
    def get_contact(..., response: Response):
        set_etag(response, row["version"])

    @router.patch("/{contact_id}")
    def update_contact(..., if_match: IfMatch, response: Response):
        with db.transaction() as conn:
            row = ...                                  # read inside the transaction
            check_if_match(if_match, row["version"])   # 412 PRECONDITION_FAILED, nothing changed
            ... UPDATE … SET version = version + 1 …
        set_etag(response, new_version)

`If-Match` is optional (absent: last write wins); `*` matches any version; weak tags (W/"3") compare
by their version too; a list of tags matches if any does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Response

from app.sandbox.errors import ApiProblem



async def _if_match(
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=512,
                                           description='The ETag you last read, e.g. "3"; stale → 412.')] = None,
) -> str | None:
    return if_match


#: The optional If-Match header, as a parameter type that needs no default (`if_match: IfMatch`).
IfMatch = Annotated[str | None, Depends(_if_match)]


def etag_for(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag_for(version)


def check_if_match(if_match: str | None, version: int) -> None:
    """412 PRECONDITION_FAILED unless `if_match` is absent, `*`, or names `version`."""
    if if_match is None:
        return
    tags = [t.strip() for t in if_match.split(",") if t.strip()]
    if "*" in tags:
        return
    for tag in tags:
        if tag.removeprefix("W/").strip('"') == str(version):
            return
    raise ApiProblem(412, "PRECONDITION_FAILED",
                     "The resource changed since you read it; fetch it again and reapply your change.",
                     {"current_etag": etag_for(version), "if_match": if_match[:100]})
