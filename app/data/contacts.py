"""The workspace's contacts: cached pages for the list, the server's copy for the form, merged saves."""

from __future__ import annotations

from app.api.models import Contact, ContactUpdate
from app.data.record_store import RecordStore


class ContactStore(RecordStore[Contact]):
    """Contacts, cached and on the server."""

    resource = "contacts"
    endpoint = "contacts"
    model = Contact
    editable = frozenset(ContactUpdate.model_fields)
