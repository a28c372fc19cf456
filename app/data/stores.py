"""All the stores of one session, built from its client and page cache.

The session makes one `Stores` and hands it to every panel through the panel context; two
panels showing the same resource share its store, so a save in one is seen by the other.

Each resource's store (and its module) is made the first time something asks for it: a start
shows the contacts panel long before anyone opens invoices or webhooks, and importing every
store's module up front cost ~25 ms on the way to live rows (measured). The quota store is the
exception: its burn rate follows every response from the session's start.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from app.data.connection import Connection
from app.data.identity import IdentityStore
from app.data.quota import QuotaStore
from app.data.request_history import RequestHistory, ServerRequestLog

if TYPE_CHECKING:
    from app.data.api_keys import ApiKeyStore
    from app.data.companies import CompanyStore
    from app.data.contacts import ContactStore
    from app.data.invoices import InvoiceStore
    from app.data.tickets import TicketStore
    from app.data.webhooks import WebhookStore


class Stores:
    """`client` may be None (no connection yet, or offline from the start): reads come from the cache."""

    def __init__(self, client: Any, cache: Any, outbox: Any = None) -> None:
        self.client = client
        self.cache = cache
        self.connection = Connection(client)
        self.identity = IdentityStore(client, cache)
        #: Made now, not on first use: the burn rate hears every response from the session's start.
        self.quota = QuotaStore(client, cache, self.connection)
        #: The session's request records; the session feeds it from the client's request listener.
        self.request_history = RequestHistory(cache)
        self.server_log = ServerRequestLog(client)
        #: The profile's outbox (`app.data.outbox.Outbox`): offline, these stores queue edits there.
        self.outbox = outbox

    @cached_property
    def contacts(self) -> ContactStore:
        from app.data.contacts import ContactStore

        return self._with_outbox(ContactStore(self.client, self.cache, self.connection))

    @cached_property
    def companies(self) -> CompanyStore:
        from app.data.companies import CompanyStore

        return self._with_outbox(CompanyStore(self.client, self.cache, self.connection))

    @cached_property
    def tickets(self) -> TicketStore:
        from app.data.tickets import TicketStore

        return self._with_outbox(TicketStore(self.client, self.cache, self.connection))

    @cached_property
    def invoices(self) -> InvoiceStore:
        from app.data.invoices import InvoiceStore

        return self._with_outbox(InvoiceStore(self.client, self.cache, self.connection))

    @cached_property
    def webhooks(self) -> WebhookStore:
        from app.data.webhooks import WebhookStore

        return WebhookStore(self.client, self.cache, self.connection)

    @cached_property
    def api_keys(self) -> ApiKeyStore:
        from app.data.api_keys import ApiKeyStore

        return ApiKeyStore(self.client, self.cache, self.connection, self.identity)

    @cached_property
    def quota(self) -> QuotaStore:
    
        return QuotaStore(self.client, self.cache, self.connection)

    def _with_outbox(self, store: Any) -> Any:
        store.outbox = self.outbox
        return store

    def close(self) -> None:
        self.connection.close()
        self.quota.close()
