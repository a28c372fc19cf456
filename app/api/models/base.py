"""The base of every wire model: unknown fields from the server are kept, never fatal."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """A resource or request body of the Platform API; servers add fields, so extras are kept."""

    model_config = ConfigDict(extra="allow", cache_strings="keys", defer_build=True)

    def to_body(self) -> dict[str, Any]:
        """The JSON body to send: only the top-level fields that were set (explicit None clears a
        field, merge semantics), each sent whole: a nested model such as an invoice's line item
        carries its defaults (`kind: "service"`), which the server requires."""
        whole = self.model_dump(mode="json")
        return {name: whole[name] for name in self.model_dump(mode="json", exclude_unset=True)}
