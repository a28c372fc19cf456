"""The base of every wire model: unknown fields from the server are kept, never fatal."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """A resource or request body of the Platform API; servers add fields, so extras are kept."""

    model_config = ConfigDict(extra="allow", cache_strings="keys")

    def to_body(self) -> dict[str, Any]:
        """The JSON body to send: only the fields that were set (explicit None clears a field)."""
        return self.model_dump(mode="json", exclude_unset=True)
