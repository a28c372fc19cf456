"""The workspace's companies (the contacts panel's second tab, and every company picker).

Offline, an edit of a company waits in the profile's outbox (`RecordStore.update` queues it with
the version it was made against) and is sent, merged three ways if a colleague changed it
meanwhile, when the server answers again. Creating a company needs the server.
"""

from __future__ import annotations

from app.api.models import Company, CompanyUpdate
from app.data.outbox import OutboxItem
from app.data.record_store import RecordStore

#: Companies a picker offers; a workspace with more is searched, not listed.
MAX_LISTED = 5000
#: Companies per server page when listing them all (the contract's maximum).
SERVER_PAGE = 100


def by_name(companies: list[Company]) -> list[Company]:
    """Sorted by name, case-insensitively.

    Sorted here, not by the cache: asking the cache to order by a JSON field builds an index over
    every cached record of every resource (half a second with 100k contacts) for a few dozen rows.
    """
    return sorted(companies, key=lambda company: (company.name or "").casefold())


class CompanyStore(RecordStore[Company]):
    """Companies, cached and on the server."""

    resource = "companies"
    endpoint = "companies"
    model = Company
    editable = frozenset(CompanyUpdate.model_fields)

    async def listed(self, *, refresh: bool) -> list[Company]:
        """Every company by name: the cached ones, or (with `refresh`, online) the server's, cached.
        A platform without companies has none."""
        if not self.supports("companies.list"):
            return []
        if refresh and self.online:
            fresh = [company async for company in self.api.iterate(limit=SERVER_PAGE)]
            await self.remember(fresh)
            return by_name(fresh)
        return by_name(await self.cached_where(limit=MAX_LISTED))

    def pending_ids(self) -> set[str]:
        """Companies with a change waiting in the outbox (their rows carry a pending mark)."""
        return self.outbox.pending_ids(self.resource) if self.outbox is not None else set()

    def waiting_change(self, company_id: str) -> OutboxItem | None:
        """The outbox's change to the company the operator should hear about first (one the server
        refused or that collided, else the oldest waiting); None when nothing waits."""
        if self.outbox is None:
            return None
        mine = [item for item in self.outbox.items if item.resource == self.resource and item.record_id == company_id]
        return next((item for item in mine if not item.waiting), mine[0] if mine else None)
