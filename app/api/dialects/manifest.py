"""What a platform offers, as the console reads it: modules, operations and the guarantees it lacks.

The sidebar, every panel and `opsdesk check` read a `Manifest`; nothing else decides what a
platform can do. A guarantee missing from a platform is named with the sentence the console shows
where it matters (the edit form, the retry policy), so degrading is honest rather than silent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.api.dialects.operations import ALL_OPERATIONS, MODULE_OF

#: Contract guarantees a platform may lack, and what the console does instead.
GUARANTEES: dict[str, str] = {
    "etag": "detects a colleague's concurrent change (If-Match / versions)",
    "idempotency_key": "accepts an Idempotency-Key, so a write can be retried safely",
    "updated_since": "lists changes since a time, for incremental sync",
    "deletions": "lists deletions, so deleted records leave the cache",
    "me": "says who the credential is (GET /me)",
    "rate_limit_headers": "reports the rate limit in X-RateLimit-* headers",
}
#: The console's modules: what a sidebar entry needs.
MODULES = ("crm", "support", "billing", "integrations", "quota", "keys", "logs")


@dataclass(frozen=True)
class Manifest:
    """The capability list of one platform (a dialect), read by the console and printed by `opsdesk check`.

    `operations` are contract operation names (`app.api.dialects.operations`); `missing` maps a
    guarantee of `GUARANTEES` to the sentence the console shows; `absent` maps a module the
    platform lacks to the reason ("BizBasics has no ticketing API").
    """

    platform: str
    display_name: str
    operations: frozenset[str]
    missing: Mapping[str, str] = field(default_factory=dict)
    absent: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.operations) - ALL_OPERATIONS
        if unknown:
            raise ValueError(f"{self.platform}: unknown operations {sorted(unknown)}")
        bad = set(self.missing) - set(GUARANTEES)
        if bad:
            raise ValueError(f"{self.platform}: unknown guarantees {sorted(bad)}")

    def supports(self, operation: str) -> bool:
        """True when the platform has this contract operation."""
        return operation in self.operations

    def has(self, guarantee: str) -> bool:
        """True when the platform keeps this contract guarantee."""
        return guarantee not in self.missing

    @property
    def modules(self) -> tuple[str, ...]:
        """The console modules with at least one operation here, in sidebar order."""
        present = {MODULE_OF[name] for name in self.operations}
        return tuple(module for module in MODULES if module in present and module not in self.absent)

    def why_absent(self, module: str) -> str | None:
        """Why `module` is not offered (None when it is)."""
        if module in self.modules:
            return None
        return self.absent.get(module) or f"{self.display_name} has no {module} API"

    def to_json(self) -> dict[str, Any]:
        """The manifest as `opsdesk check` prints it."""
        return {
            "platform": self.platform,
            "display_name": self.display_name,
            "modules": list(self.modules),
            "absent_modules": {module: self.why_absent(module) for module in MODULES if module not in self.modules},
            "operations": sorted(self.operations),
            "missing_guarantees": dict(sorted(self.missing.items())),
            "fields": {name: list(values) for name, values in sorted(self.fields.items())},
        }


def every_operation_but(excluded: Iterable[str]) -> frozenset[str]:
    """All contract operations except `excluded` (names checked)."""
    excluded = frozenset(excluded)
    unknown = excluded - ALL_OPERATIONS
    if unknown:
        raise ValueError(f"unknown operations {sorted(unknown)}")
    return ALL_OPERATIONS - excluded
