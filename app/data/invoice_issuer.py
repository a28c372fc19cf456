"""Who the invoices are from: the workspace's billing identity as GET /workspace says it (the PDF's issuer)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Issuer:
    """Who the invoices are from: the name they are issued under, the billing address (one line
    each), the tax id and the billing email, as GET /workspace says them."""

    name: str
    address: tuple[str, ...] = ()
    tax_id: str = ""
    email: str = ""
    #: A test workspace's invoices are marked as such on paper.
    test: bool = False

    @classmethod
    def of(cls, workspace: Any) -> Issuer:
        """From GET /workspace: `legal_name` (else `name`), `billing_address` (else `address`, text or
        an address object), `tax_id`, `billing_email`; what the server does not send stays empty."""
        def field(name: str) -> Any:
            return getattr(workspace, name, None)

        return cls(field("legal_name") or field("name") or "",
                   address_lines(field("billing_address") or field("address")),
                   field("tax_id") or "", field("billing_email") or "", field("environment") == "test")


def address_lines(address: Any) -> tuple[str, ...]:
    """A postal address as printed lines: its `formatted` lines when the server sends them, a
    text's lines, or an address object's parts (line1, line2, postal code and city, region, country)."""
    if isinstance(address, Mapping) and address.get("formatted"):
        return tuple(str(line).strip() for line in address["formatted"] if str(line).strip())
    if isinstance(address, str):
        return tuple(line.strip() for line in address.splitlines() if line.strip())
    if isinstance(address, Mapping):
        city = " ".join(str(part) for part in (address.get("postal_code"), address.get("city")) if part)
        parts = (address.get("line1"), address.get("line2"), city, address.get("state") or address.get("region"),
                 address.get("country"))
        return tuple(str(part).strip() for part in parts if part and str(part).strip())
    return ()
