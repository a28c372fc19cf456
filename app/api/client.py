"""`AdminClient`: the console's only way to talk to a platform, one resource object per area.

    async with AdminClient("http://127.0.0.1:8123/v1", ApiKeyAuth(key)) as client:
        page = await client.contacts.list(query="ada")

It owns one httpx.AsyncClient (connection pool, timeouts), the request loop, the rate-limit state
and the stream of `RequestRecord`s the troubleshooting views subscribe to. Qt-free: observers
are plain callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Self

import httpx

from app.api import constants, transport_defaults
from app.api.async_probe import stop_repeated_sniffio_search
from app.api.auth import ApiKeyAuth, UserLoginAuth
from app.api.clock import Clock
from app.api.dialects.base import Dialect
from app.api.observed_transport import ObservedTransport, RequestListener
from app.api.rate_limit import RateLimitState
from app.api.request_loop import RequestLoop
from app.api.resources.access import ApiKeys, Members, MeResource, WorkspaceResource
from app.api.resources.billing import Invoices, Payments
from app.api.resources.crm import Companies, Contacts
from app.api.resources.deletions import Deletions
from app.api.resources.logs import DevLogs, Events
from app.api.resources.quota import Quota
from app.api.resources.support import Queues, Tickets
from app.api.resources.webhooks import Webhooks
from app.api.retry_policy import RetryPolicy
from app.api.send_gate import SendGate

Credential = ApiKeyAuth | UserLoginAuth | httpx.Auth

stop_repeated_sniffio_search()


class AdminClient:
    """A typed async client for the Platform API v1 at `base_url` (ending in `/v1`).

    `dialect` (`app.api.dialects`) is the platform's own wire format when it is not the contract's;
    `base_url` is then that platform's API root (the sandbox mounts them at `/dialects/<name>/…`).
    """

    def __init__(
        self,
        base_url: str,
        auth: Credential,
        *,
        timeout: httpx.Timeout = transport_defaults.DEFAULT_TIMEOUT,
        max_retries: int = constants.DEFAULT_MAX_RETRIES,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        user_agent: str | None = None,
        retry_policy: RetryPolicy | None = None,
        dialect: Dialect | None = None,
    ) -> None:
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"the platform URL must start with http:// or https:// and name a host: {base_url!r}")
        self.base_url = str(url).rstrip("/")
        self._clock = clock or Clock()
        self._timeout = timeout
        self._user_agent = user_agent or transport_defaults.USER_AGENT
        self._policy = retry_policy or RetryPolicy(max_retries)
        self.rate_limit = RateLimitState()
        self._gate = SendGate(self._clock)
        inner = transport or httpx.AsyncHTTPTransport(limits=httpx.Limits(
            max_connections=constants.MAX_CONNECTIONS,
            max_keepalive_connections=constants.MAX_KEEPALIVE_CONNECTIONS))
        self._transport = ObservedTransport(inner, clock=self._clock, gate=self._gate, policy=self._policy)
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/", transport=self._transport, timeout=timeout,
            headers={"User-Agent": self._user_agent, "Accept": "application/json"},
            follow_redirects=False,
        )
        self.set_auth(auth)
        self.dialect = dialect or Dialect()
        loop = RequestLoop(self._http, policy=self._policy, clock=self._clock, rate_limit=self.rate_limit,
                           dialect=self.dialect)
        self.workspace = WorkspaceResource(loop)
        self.members = Members(loop)
        self.me = MeResource(loop)
        self.contacts = Contacts(loop)
        self.companies = Companies(loop)
        self.queues = Queues(loop)
        self.tickets = Tickets(loop)
        self.invoices = Invoices(loop)
        self.payments = Payments(loop)
        self.webhooks = Webhooks(loop)
        self.quota = Quota(loop)
        self.api_keys = ApiKeys(loop)
        self.dev_logs = DevLogs(loop)
        self.events = Events(loop)
        self.deletions = Deletions(loop)

    @property
    def auth(self) -> Credential:
        """The credential in use."""
        return self._auth

    def set_auth(self, auth: Credential) -> None:
        """Swap credentials in place (after rotating the profile's own key); pools and listeners stay."""
        if isinstance(auth, UserLoginAuth):
            auth.attach(base_url=self.base_url, transport=self._transport, clock=self._clock,
                        timeout=self._timeout, user_agent=self._user_agent)
        self._auth = auth
        self._http.auth = auth

    def add_request_listener(self, listener: RequestListener) -> Callable[[], None]:
        """Call `listener(record)` for every exchange on the wire, retries included; returns a remover."""
        self._transport.listeners.append(listener)

        def remove() -> None:
            if listener in self._transport.listeners:
                self._transport.listeners.remove(listener)

        return remove

    async def aclose(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AdminClient({self.base_url!r})"
