"""What the contact detail does with the store: open, create, save (merged three ways), delete.

A save sends only what I changed since the form was loaded, against the version it was loaded
at (the base). When a colleague changed the contact meanwhile, the store merges: fields only
they changed are taken from them and the save is re-sent at once, with a notice naming what was
merged; only fields we both changed differently come back, and the conflict view asks about
those alone. Errors land beside the fields they name; nothing typed is lost: what the operator
types while a save is on its way stays in the form when the answer comes, to be saved next.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from app.api import errors
from app.api.models import Contact
from app.data.merge import Choice, Path
from app.data.record_store import MergeNeeded, Queued, Saved
from app.ui.panels.contacts.contact_form import FIELD_TITLES, ContactFormError

if TYPE_CHECKING:
    from app.ui.panels.contacts.panel import ContactsPanel


def _titles(fields: Iterable[str]) -> str:
    return ", ".join(FIELD_TITLES.get(name, name) for name in fields)


def _not_saved_yet(kept: list[str]) -> str:
    """The notice's word on fields typed while the save was on its way (kept in the form, unsaved)."""
    if not kept:
        return ""
    return f" Your change to {_titles(kept)}, typed while saving, is not saved yet."


class ContactEditing:
    """The detail's flows for `panel` (its stores, detail, list, banner and background tasks)."""

    def __init__(self, panel: ContactsPanel) -> None:
        self.panel = panel
        self.detail = panel.detail
        self.store = panel.stores.contacts
        #: The merge the conflict view is asking about, until it is settled or discarded.
        self.needed: MergeNeeded[Contact] | None = None
        #: A message about the contact last shown, cleared when another one is loaded.
        self._about_contact: str | None = None
        #: What the form held when the last save left (`ContactForm.typed`): its answer, and the
        #: answer to a merge it led to, keep whatever was typed after that.
        self._typed_when_sent: dict[str, Any] = {}
        self.detail.conflict.sig_resolved.connect(lambda choices: panel.run(self.resolve(choices)))
        self.detail.save_button.clicked.connect(lambda: panel.run(self.save()))
        self.detail.delete_button.clicked.connect(self.ask_delete)
        self.detail.discard_button.clicked.connect(self.discard)

    # ---- opening ---------------------------------------------------------------------------
    async def open(self, contact_id: str) -> None:
        """Show the contact (cached copy first, then the server's), its tickets and invoices."""
        cached = await self.store.cached(contact_id)
        if cached is not None:
            self._load(cached)
        if self.panel.offline:
            await self._show_related(contact_id, refresh=False)
            return
        try:
            fresh = await self.store.fetch(contact_id)
        except errors.NotFound:
            self._load(None)
            self.panel.show_notice("That contact was deleted on the server.", "warning")
            self._about_contact = self.panel.banner.plain_text
            return
        # A form already being edited keeps its base: the save merges against what was typed on.
        if not self.detail.form.dirty or self.detail.contact_id != contact_id:
            self._load(fresh)
        await self._show_related(contact_id, refresh=True)

    async def _show_related(self, contact_id: str, *, refresh: bool) -> None:
        stores = self.panel.stores
        related = await self.store.related(contact_id, stores.tickets, stores.invoices, refresh=refresh)
        self.detail.show_related(contact_id, related)

    def start_new(self) -> None:
        if self.detail.form.dirty:
            self.panel.show_notice_while_dirty("Save or discard your changes to this contact first.")
            return
        self.panel.table.clearSelection()
        self._load(None)
        self.detail.form.name_edit.setFocus()

    def discard(self) -> None:
        """Drop the edit: back to the contact as loaded, or as the server has it if a save found
        it changed (the conflict view is dropped with the edit)."""
        self._load(self.needed.theirs if self.needed is not None else self.detail.contact)

    def _load(self, contact: Contact | None, typed_when_sent: dict[str, Any] | None = None) -> list[str]:
        """Show `contact`; given `typed_when_sent`, it is a save's answer and the fields typed since
        are kept (returned). Without, the form is loaded clean."""
        if contact is not None and self._about_contact is not None:
            if self.panel.banner.plain_text == self._about_contact:
                self.panel.banner.clear()
            self._about_contact = None
        self.needed = None
        kept: list[str] = []
        if contact is not None and typed_when_sent is not None:
            kept = self.detail.take_saved(contact, typed_when_sent)
        else:
            self.detail.load(contact)
        self.panel.update_controls()
        return kept

    # ---- saving ----------------------------------------------------------------------------
    async def save(self) -> None:
        """Create or update the contact in the form; errors land beside the fields they name."""
        form = self.detail.form
        try:
            values = form.values()
        except ContactFormError as problem:
            form.set_errors(problem.fields)
            return
        base = form.record
        mine = form.changed_fields() if base is not None else values
        if base is not None and not mine:
            self.panel.show_notice("Nothing to save: no field changed.")
            return
        form.clear_errors()
        self._typed_when_sent = form.typed()
        self.panel.show_notice("Saving…")
        self._set_sending(True)
        try:
            outcome = Saved(await self.store.create(values)) if base is None else await self.store.update(base, mine)
        except errors.ApiError as error:
            await self._not_saved(error, values.get("email") or "")
            return
        finally:
            self._set_sending(False)
        self._settle(outcome, created=base is None)

    def _set_sending(self, sending: bool) -> None:
        # While an edit is on its way, Save and Discard cannot act on it: it would be sent twice,
        # or "discarded" after it is already saved.
        self.panel.sending = sending
        self.panel.update_controls()

    async def resolve(self, choices: dict[Path, Choice]) -> None:
        """Save the operator's choice per conflict, with every other change of both sides."""
        needed = self.needed
        if needed is None:
            return
        self.panel.show_notice("Saving…")
        self._set_sending(True)
        try:
            outcome = await self.store.resolve(needed, choices)
        except errors.ApiError as error:
            await self._not_saved(error, needed.mine.get("email") or "")
            return
        finally:
            self._set_sending(False)
        mine_kept = {str(path[0]) for path, choice in choices.items() if choice == "mine"}
        from_them = [name for name in needed.merged_from if name not in mine_kept]
        if isinstance(outcome, Saved) and outcome.record.version == needed.theirs.version:
            kept = self._load(outcome.record, self._typed_when_sent)
            self.panel.show_notice(f"Kept the server's version of {outcome.record.name}: "
                                   f"nothing of yours was left to send.{_not_saved_yet(kept)}", "info")
            return
        self._settle(outcome, created=False, merged=from_them)

    def _settle(self, outcome: Saved[Contact] | MergeNeeded[Contact], *, created: bool,
                merged: Iterable[str] = ()) -> None:
        if isinstance(outcome, MergeNeeded):
            self.needed = outcome
            both = ", ".join(sorted({FIELD_TITLES.get(str(c.path[0]), str(c.path[0])) for c in outcome.merge.conflicts}))
            self.panel.banner.show_message(
                "warning", f"{outcome.theirs.name} was changed by someone else (now version "
                f"{outcome.theirs.version}) and you both changed {both}: choose below what to keep.",
                outcome.request_id)
            self.panel.hold_while_dirty()  # about this edit: gone once it is saved or discarded
            self.detail.conflict.show_conflicts(outcome, self.detail.form.company_name)
            return
        record = outcome.record
        self.panel.list.show_saved(record)
        later = _not_saved_yet(self._load(record, self._typed_when_sent))
        if isinstance(outcome, Queued):
            self.panel.show_notice(f"{record.name}: the server could not be reached; your change waits "
                                   f"and is sent when it can be.{later}", "info")
            return
        merged = list(dict.fromkeys([*merged, *outcome.merged_from]))
        note = f" Merged a colleague's change to {_titles(merged)}." if merged else ""
        verb = "Created" if created else "Saved"
        self.panel.show_notice(f"{verb} {record.name} (version {record.version}).{note}{later}", "success")
        self.panel.sig_saved.emit(record)

    async def _not_saved(self, error: errors.ApiError, email: str) -> None:
        form = self.detail.form
        if isinstance(error, errors.ValidationFailed):
            form.set_errors(error.fields)
        elif isinstance(error, errors.Conflict) and not isinstance(error, errors.PreconditionFailed):
            await self._show_duplicate(error, email)
            self.panel.hold_while_dirty()
            return
        elif isinstance(error, errors.ApiConnectionError):
            self.panel.banner.clear()  # "Saving…" is over; the offline strip says why
        self.panel.show_error(error)
        if not isinstance(error, errors.ApiConnectionError):
            self.panel.hold_while_dirty()  # about this edit: gone once it is saved or discarded

    async def _show_duplicate(self, error: errors.Conflict, email: str) -> None:
        details = error.details or {}
        if details.get("field") != "email":
            if details.get("field"):
                self.detail.form.set_errors({details["field"]: error.message})
            self.panel.show_error(error)
            return
        holder_id = details.get("existing_id")
        holder = await self.store.email_holder(email, holder_id)
        if holder is not None:
            message = f"{holder.name} ({holder.id}) already has this email."
        elif holder_id:
            message = f"Contact {holder_id} already has this email."
        else:
            message = "Another contact already has this email."
        self.detail.form.set_errors({"email": message})
        self.panel.banner.show_message("error", f"Not saved: {message}", error.request_id)

    # ---- deleting --------------------------------------------------------------------------
    def ask_delete(self) -> None:
        record = self.detail.contact
        if record is None:
            return
        self.detail.confirm.ask(f"Delete {record.name} ({record.email or 'no email'})? This cannot be undone.",
                                "Delete contact", lambda: self.panel.run(self.delete(record)))

    async def delete(self, record: Contact) -> None:
        self.panel.show_notice(f"Deleting {record.name}…")
        try:
            await self.store.delete(record)
        except errors.PreconditionFailed as error:
            self.panel.banner.show_message("warning", f"{record.name} changed on the server since you opened it; "
                                           "not deleted. Review the new version first.", error.request_id)
            await self.open(record.id)
            self._about_contact = self.panel.banner.plain_text
            return
        if self.detail.contact_id == record.id:
            self._load(None)
        self.panel.show_notice(f"Deleted {record.name}.", "success")
