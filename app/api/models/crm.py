"""Contacts and companies: the CRM records (`/contacts`, `/companies`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from app.api.models.base import ApiModel

# What a person may set: string, number or boolean values (checked before sending).
CustomFields = dict[str, str | int | float | bool]


class Contact(ApiModel):
    """A person in the CRM; `version` feeds If-Match."""

    id: str
    name: str
    email: str | None = None
    phone: str | None = None
    company_id: str | None = None
    company_name: str | None = None
    tags: list[str] = Field(default_factory=list)
    # Read back as sent by the server, unchecked: cheaper per row, and a new value kind is not fatal.
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    notes: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class ContactCreate(ApiModel):
    """A new contact; only `name` is required."""

    name: str
    email: str | None = None
    phone: str | None = None
    company_id: str | None = None
    tags: list[str] | None = None
    custom_fields: CustomFields | None = None
    notes: str | None = None


class ContactUpdate(ApiModel):
    """Only the fields set are sent; setting one to None clears it."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    company_id: str | None = None
    tags: list[str] | None = None
    custom_fields: CustomFields | None = None
    notes: str | None = None


class Company(ApiModel):
    """An organisation in the CRM; `version` feeds If-Match."""

    id: str
    name: str
    domain: str | None = None
    website: str | None = None
    notes: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class CompanyCreate(ApiModel):
    """A new company; only `name` is required."""

    name: str
    domain: str | None = None
    website: str | None = None
    notes: str | None = None


class CompanyUpdate(ApiModel):
    """Only the fields set are sent; setting one to None clears it."""

    name: str | None = None
    domain: str | None = None
    website: str | None = None
    notes: str | None = None
