"""Which modules the open profile may show, and why not: its platform's manifest first (a module
the platform lacks), then the credential's scopes. The sidebar, the placeholder pages and the
first module opened all read this one answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.ui.panels import registry

if TYPE_CHECKING:  # only a type here; importing it would pull the client into the first paint
    from app.api.dialects.manifest import Manifest


def unavailable_modules(manifest: Manifest | None, scopes: frozenset[str] | None) -> dict[str, str]:
    """Module name → the sentence saying why it is unavailable (None scopes: not known yet)."""
    reasons: dict[str, str] = {}
    for spec in registry.MODULES:
        why = manifest.why_absent(spec.capability) if manifest is not None and spec.capability else None
        if why:
            reasons[spec.name] = f"{spec.title} is not available: {why.rstrip('.')}."
            continue
        needed = registry.required_scope(spec.name) if scopes is not None else None
        if needed and needed not in scopes:
            reasons[spec.name] = f"{spec.title} is not available: this credential lacks the {needed} scope."
    return reasons
