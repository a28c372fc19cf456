"""All the stores of one session, built from its client and page cache.

The session makes one `Stores` and hands it to every panel through the panel context; two
panels showing the same resource share its store, so a save in one is seen by the other.
"""

from __future__ import annotations

from typing import Any

from app.data.api_keys import ApiKeyStore
from app.data.companies import CompanyStore
from app.data.connection import Connection
from app.data.contacts import ContactStore
from app.data.identity import IdentityStore
from app.data.invoices import InvoiceStore
from app.data.quota import QuotaStore
from app.data.request_history import RequestHistory, ServerRequestLog
from app.data.tickets import TicketStore
from app.data.webhooks import WebhookStore


class Stores:
    """`client` may be None (no connection yet, or offline from the start): reads come from the cache."""

    def __init__(self, client: Any, cache: Any, outbox: Any = None) -> None:
        self.client = client
        self.cache = cache
        self.connection = Connection(client)
        self.identity = IdentityStore(client, cache)
        self.contacts = ContactStore(client, cache, self.connection)
        self.companies = CompanyStore(client, cache, self.connection)
        self.tickets = TicketStore(client, cache, self.connection)
        self.invoices = InvoiceStore(client, cache, self.connection)
        self.webhooks = WebhookStore(client, cache, self.connection)
        self.api_keys = ApiKeyStore(client, cache, self.connection, self.identity)
        self.quota = QuotaStore(client, cache, self.connection)
        #: The session's request records; the session feeds it from the client's request listener.
        self.request_history = RequestHistory(cache)
        self.server_log = ServerRequestLog(client)
        #: The profile's outbox (`app.data.outbox.Outbox`): offline, these stores queue edits there.
        self.outbox = outbox
        for store in (self.contacts, self.companies, self.tickets, self.invoices):
            store.outbox = outbox

    def close(self) -> None:
        self.connection.close()
        self.quota.close()
