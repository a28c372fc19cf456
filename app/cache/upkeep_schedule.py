"""When a search index needs merging: the churn each write adds, and the steps planned from it.
"""

from __future__ import annotations

from app.cache import search_upkeep
from app.cache.search_text import SEARCHABLE


class SearchUpkeepSchedule:
    """`PageCache`'s search upkeep: churn counted in each write transaction, steps planned and
    mirrored back (the merging itself is `search_upkeep`'s)."""

    def upkeep_search(self, budget_ms: float = search_upkeep.STEP_BUDGET_MS) -> bool:
        """One bounded step of merging a churned search index; True while more steps are due.

        Runs on this cache's own connection. `AsyncPageCache` instead takes each step from
        `plan_search_upkeep`, runs it on a `SearchMerger` in another thread (reads then never
        wait for it), and reports back with `finish_search_upkeep`.
        Searches find the same records, in the same order, before, during and after a merge.
        """
        def step() -> bool:
            plan = self.plan_search_upkeep()
            if plan is None:
                return False
            merged, seconds = search_upkeep.merge_step(self._conn, self._pacer, plan, budget_ms)
            return self.finish_search_upkeep(plan, merged, seconds)

        return self._guarded(step)

    def plan_search_upkeep(self) -> search_upkeep.UpkeepPlan | None:
        """The next upkeep step to take, or None when no search index needs one."""
        due = [(resource, state) for resource, state in self._upkeep_state.items() if state.due]
        if not due:
            self.search_upkeep_due = self._compact_due
            return search_upkeep.UpkeepPlan("", False, 0, self._generation, compact=True) if self._compact_due else None
        # An index already being merged first: its merge is carried on, never restarted.
        resource, state = max(due, key=lambda item: (item[1].merging, item[1].churn))
        start = not state.merging
        return search_upkeep.UpkeepPlan(resource, start, state.churn if start else state.churn_at_start,
                                        self._generation)

    def finish_search_upkeep(self, plan: search_upkeep.UpkeepPlan, merged: bool, seconds: float) -> bool:
        """Mirror a step taken (by `upkeep_search` or a `SearchMerger`); True while more are due."""
        state = self._upkeep_state.get(plan.resource)
        if plan.compact:
            self.search_upkeep_tally.add(seconds, completed=False)
            self._compact_due = merged and plan.generation == self._generation
        elif state is not None and plan.generation == self._generation:  # else cleared or rebuilt meanwhile
            self.search_upkeep_tally.add(seconds, completed=not merged)
            if merged:
                state.merging, state.churn_at_start = True, plan.cleared
            else:
                state.churn, state.merging, state.churn_at_start = max(0, state.churn - plan.cleared), False, 0
                self._compact_due = True
            state.live_rows = self._guarded(lambda: self._live_rows(plan.resource))
        self.search_upkeep_due = self._compact_due or any(item.due for item in self._upkeep_state.values())
        return self.search_upkeep_due

    def optimize_search(self) -> int:
        """Run every due upkeep step now (tests, benchmarks, a quiet moment); returns how many."""
        steps = 0
        while self.search_upkeep_due:
            steps += 1
            if not self.upkeep_search():
                break
        return steps

    def _note_search_deletes(self, resource: str, count: int) -> None:
        if count:
            self._churn_pending[resource] = self._churn_pending.get(resource, 0) + count

    def _record_churn(self) -> None:
        """Within the transaction: add this transaction's search index deletes to the table."""
        for resource, count in self._churn_pending.items():
            self._conn.execute(
                "INSERT INTO search_upkeep (resource, churn) VALUES (?, ?) "
                "ON CONFLICT (resource) DO UPDATE SET churn = churn + excluded.churn", (resource, count))

    def _apply_churn(self) -> None:
        """After the commit: mirror the new churn, and say whether upkeep is due."""
        pending, self._churn_pending = self._churn_pending, {}
        for resource, count in pending.items():
            state = self._upkeep_state.setdefault(resource, search_upkeep.UpkeepState())
            state.churn += count
            state.live_rows = self._live_rows(resource)
        if pending:
            self.search_upkeep_due = self._compact_due or any(state.due for state in self._upkeep_state.values())

    def _live_rows(self, resource: str) -> int:
        row = self._conn.execute("SELECT rows FROM record_totals WHERE resource = ?", (resource,)).fetchone()
        return row[0] if row else 0

    def _load_upkeep_state(self) -> None:
        self._upkeep_state = {
            resource: search_upkeep.UpkeepState(churn, bool(merging), churn_at_start, self._live_rows(resource))
            for resource, churn, merging, churn_at_start in self._conn.execute(
                "SELECT resource, churn, merging, churn_at_start FROM search_upkeep").fetchall()
            if resource in SEARCHABLE
        }
        self.search_upkeep_due = any(state.due for state in self._upkeep_state.values())
