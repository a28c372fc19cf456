"""The quota store against the real sandbox: totals and shares derived from the answers, the
burn rate fed by every response from the session's start, and the last status kept offline."""

from __future__ import annotations

import pytest

from app.data.stores import Stores


async def test_totals_and_shares_are_the_sums_of_the_breakdown(stores) -> None:
    quota = stores.quota
    kinds: list[str] = []
    quota.changes.subscribe(lambda change: kinds.append(change.kind))
    await stores.client.quota.consume("ai_calls", 2, module="assistant")
    breakdown = await quota.load_breakdown("ai_calls")
    totals = quota.totals("ai_calls")
    assert totals.by_key == sum(row.used for row in breakdown.by_key) > 0
    assert totals.by_module == sum(row.used for row in breakdown.by_module)
    assert sum(totals.share(row.used, "key") for row in breakdown.by_key) == pytest.approx(1.0)
    series = await quota.load_history("ai_calls", 7)
    assert len(series) == 7 and quota.history_total("ai_calls", 7) == sum(used for _, used in series) >= 2
    assert quota.history("ai_calls", 30) is None  # not asked yet
    assert kinds == ["breakdown", "history"]


async def test_the_burn_rate_hears_every_response_without_a_view(stores) -> None:
    seen = []
    stores.quota.rate_limit_changes.subscribe(seen.append)
    for _ in range(5):
        await stores.client.workspace.get()
    assert seen and stores.quota.rate_limit.remaining is not None
    assert stores.quota.burn.per_minute() > 0
    stores.close()
    count = len(seen)
    await stores.client.workspace.get()
    assert len(seen) == count  # a closed session's store hears nothing more


async def test_the_last_status_is_shown_offline(stores) -> None:
    status = await stores.quota.refresh_status()
    offline = Stores(None, stores.cache).quota
    cached = await offline.load_cached_status()
    assert cached is not None and cached.quotas["seats"].limit == status.quotas["seats"].limit
    assert offline.rate_limit is None and not offline.connected
