"""`client.quota`: usage against the plan's limits, per key and module, over time; consumption."""

from __future__ import annotations

from app.api.models import QuotaBreakdown, QuotaConsumeResult, QuotaHistory, QuotaStatus
from app.api.request_loop import new_idempotency_key
from app.api.resources.base import Resource


class Quota(Resource):
    """Quota status, breakdown, history and consume (over the limit is `allowed=False`, not an error)."""

    async def status(self) -> QuotaStatus:
        """Usage against every quota of the workspace."""
        return await self._item("GET", "/quota/status", QuotaStatus)

    async def breakdown(self, resource: str = "api_calls") -> QuotaBreakdown:
        """One resource's usage this period, per credential and per module."""
        return await self._item("GET", "/quota/breakdown", QuotaBreakdown, params={"resource": resource})

    async def history(self, resource: str = "api_calls", days: int = 30) -> QuotaHistory:
        """Daily usage of one resource over the last `days` days, oldest first."""
        return await self._item("GET", "/quota/history", QuotaHistory, params={"resource": resource, "days": days})

    async def consume(self, resource: str, amount: int = 1, *, module: str | None = None,
                      idempotency_key: str | None = None) -> QuotaConsumeResult:
        """Count `amount` of `resource`; the same key (minted here if absent) never counts twice."""
        key = idempotency_key or new_idempotency_key()
        body = {"resource": resource, "amount": amount, "idempotency_key": key}
        if module is not None:
            body["module"] = module
        return await self._item("POST", "/quota/consume", QuotaConsumeResult, body=body, idempotency_key=key)
