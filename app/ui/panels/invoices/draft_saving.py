"""Saving the draft in the editor: checked first, then created, updated (merged three ways) or queued.

The contract's rules are checked before anything is sent. A new draft is created, an existing one
updated with only the fields the operator changed since it was loaded. Without a server both
still save: the change waits in the outbox (a new draft as a provisional one, marked ⇪ in the
list) and is sent when the server answers again; sending, voiding and payments wait for the
connection. When a provisional draft's create has been sent, the editor carries on with the
invoice it became; a queued change the server refused says why when its invoice is opened.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from app.api import errors
from app.api.models import Invoice
from app.data.invoice_drafts import is_provisional
from app.data.invoices import InvoiceList
from app.data.outbox import SecretInChange
from app.data.record_store import MergeNeeded, Queued, Saved
from app.ui.money import invoice_totals
from app.ui.panels.invoices.rules import draft_problems
from app.ui.panels.invoices.tax_rate import LineError
from app.ui.panels.invoices.words import field_words, server_words, their_change_words

if TYPE_CHECKING:
    from app.ui.panels.invoices.panel import InvoicesPanel

_FIELD_MESSAGE = re.compile(r"^(line_items\[\d+\](?:\.\w+)?|\w+): (.+)$")


def held_words(message: str) -> str:
    """The outbox's "Not sent: due_date: must be on or after issue_date" as the form says it:
    "Due: must be on or after the issue date"."""
    text = message.removeprefix("Not sent: ").strip()
    match = _FIELD_MESSAGE.match(text)
    words = f"{field_words(match[1])}: {server_words(match[2])}" if match else server_words(text)
    return words.rstrip(".")


class DraftSaving:
    """The save flow of `panel`'s editor, and what follows a change queued in the outbox."""

    def __init__(self, panel: InvoicesPanel) -> None:
        self.panel = panel
        self.store = panel.stores.invoices

    async def save(self) -> None:
        """Create or update the draft; then show the server's totals and report any difference."""
        panel, editor = self.panel, self.panel.editor
        try:
            values = editor.values()
        except LineError as problem:
            editor.show_errors({}, str(problem))
            return
        local = editor.local_totals()
        base = panel.record
        # The contract's rules first: a refusal the editor can foresee costs no round trip.
        problems = draft_problems(values, local.total_cents)
        if problems:
            editor.show_errors(problems)
            panel.messages.say("warning", "Fix the fields marked in the draft, then save.")
            self._hold_for(values, base)
            return
        editor.clear_errors()
        panel.save_button.setEnabled(False)
        with panel.working("Saving draft…"):
            try:
                if base is None:
                    outcome = await self.store.new_draft(values, label=self._new_label(values))
                else:
                    # Only what the operator changed: a date the editor merely filled in is not an edit.
                    loaded = panel.loaded_values or {}
                    changed = {name: value for name, value in values.items() if loaded.get(name, ...) != value}
                    outcome = await self.store.update_draft(base, changed)
            except errors.ValidationFailed as error:
                editor.show_errors(error.fields)
                panel.show_error(error)
                self._hold_for(values, base)
                return
            except SecretInChange as refused:
                panel.messages.say("error", str(refused))
                self._hold_for(values, base)
                return
        # The operator may have moved on while the save was on its way (a new draft, another
        # invoice): the answer must not pull the editor back to the draft it was about.
        still_shown = panel.about(base.id if base else None)() and editor.values_or_none() == values
        self.settle(outcome, local, shown=still_shown)

    def _new_label(self, values: dict[str, Any]) -> str:
        """How the outbox names a new draft: "New draft INV-2001 for Acme Ltd"."""
        number = f" {values['invoice_number']}" if values.get("invoice_number") else ""
        customer = self.panel.companies.get(values.get("company_id") or "")
        return f"New draft{number}" + (f" for {customer}" if customer else "")

    def _hold_for(self, values: dict, base: Invoice | None) -> None:
        """The message shown is about these values of this draft: an edit or another invoice ends it."""
        shown = self.panel.about(base.id if base else None)
        self.panel.messages.hold(lambda: shown() and self.panel.editor.values_or_none() == values)

    async def resolve(self, choices: dict) -> None:
        """Save the merge with the operator's choice for each field both sides changed."""
        panel = self.panel
        needed = panel.merge_bar.pending
        if needed is None:
            return
        panel.merge_bar.clear()
        with panel.working("Saving draft…"):
            outcome = await self.store.resolve(needed, choices)
        self.settle(outcome, None)

    def settle(self, outcome: Saved[Invoice] | MergeNeeded[Invoice], local: Any, *, shown: bool = True) -> None:
        """Show the outcome of a save. `shown` is False when the editor no longer shows what was saved:
        then the list follows the store as always and the editor stays with what the operator is doing."""
        panel = self.panel
        if not shown and not isinstance(outcome, MergeNeeded):
            saved = outcome.record
            name = saved.invoice_number or "The new draft"
            if isinstance(outcome, Queued):
                panel.messages.say("info", f"{name}: the server could not be reached; your changes wait in the outbox.")
            else:
                panel.sig_saved.emit(saved)
                panel.messages.say("success", f"Saved {name}.")
            return
        if isinstance(outcome, MergeNeeded):
            panel.merge_bar.ask(outcome)
            panel.messages.say("warning", "Someone else changed this draft too: choose below which version to keep "
                               "of each field you both changed.", holds=lambda: panel.merge_bar.pending is outcome)
            return
        saved = outcome.record
        if isinstance(outcome, Queued):
            panel.adopt(saved, from_server=False)
            name = saved.invoice_number or "The new draft"
            panel.messages.say("info", f"{name}: the server could not be reached; your changes wait in the outbox and "
                               "are sent when it can be. Sending needs a connection.", holds=panel.about(saved.id))
            return
        if outcome.merged_from or local is None:
            # Lines may be a colleague's now: the console's totals are those of what was saved.
            local = invoice_totals([line.model_dump() for line in saved.line_items])
        panel.adopt(saved)
        merged = their_change_words(outcome.merged_from)
        if panel.editor.show_server_totals(saved, local):
            panel.messages.say("success", f"Saved {saved.invoice_number}{merged}; the server's totals match.",
                               holds=panel.about(saved.id))
        else:
            panel.messages.say("error", f"Saved {saved.invoice_number}{merged}, but the server's totals differ from "
                               "this console's: see below the line items.", holds=panel.about(saved.id))

    # ---- after the outbox sent or refused a change ------------------------------------------
    def carry_on(self, listing: InvoiceList) -> Invoice | None:
        """The invoice the editor should now show when its provisional draft was created meanwhile
        (None: nothing to follow). Typing not yet saved stays in the editor, based on the new invoice."""
        panel = self.panel
        shown = panel.record
        if shown is None or not is_provisional(shown.id) or listing.get(shown.id) is not None:
            return None
        sent_id = self.store.sent_as(shown.id)
        created = listing.get(sent_id) if sent_id else None
        if created is None:
            return None
        if panel.editor_dirty():
            panel.record = created  # what was typed since is saved against the real invoice
            panel.list_pane.select(created.id)
            panel.update_actions()
            return None
        return created

    def say_held(self, invoice: Invoice | None) -> None:
        """Opening an invoice whose queued change the server refused (or that collided) says why."""
        held = self.store.waiting_change(invoice.id) if invoice is not None else None
        if held is None or held.waiting:
            return
        name = invoice.invoice_number or "This new draft"
        # Saving again here would only queue behind the held change: it is fixed in the outbox.
        self.panel.messages.say("warning", f"Your change to {name} was not sent: {held_words(held.message)}. Edit or "
                                "drop it in the outbox (“changes waiting” in the status bar).",
                                holds=self.panel.about(invoice.id))
