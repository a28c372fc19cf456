"""Pydantic v2 models for every Platform API resource and request body (unknown fields kept)."""

from app.api.models.access import ApiKey, ApiKeyCreate, ApiKeyWithSecret, Me, Member, Workspace
from app.api.models.base import ApiModel
from app.api.models.billing import Invoice, InvoiceCreate, InvoiceUpdate, LineItem, Payment, PaymentCreate
from app.api.models.crm import Company, CompanyCreate, CompanyUpdate, Contact, ContactCreate, ContactUpdate
from app.api.models.logs import ApiRequestLogEntry
from app.api.models.quota import (
    QuotaBreakdown, QuotaConsumeResult, QuotaDay, QuotaEntry, QuotaHistory, QuotaKeyUsage, QuotaModuleUsage,
    QuotaStatus,
)
from app.api.models.support import (
    Comment, CommentCreate, Message, MessageCreate, Queue, QueueCreate, Ticket, TicketCreate, TicketUpdate,
)
from app.api.models.webhooks import (
    Delivery, DeliveryAttempt, DeliveryDetail, Event, Webhook, WebhookCreate, WebhookUpdate, WebhookWithSecret,
)

__all__ = [
    "ApiKey", "ApiKeyCreate", "ApiKeyWithSecret", "ApiModel", "ApiRequestLogEntry", "Comment", "CommentCreate",
    "Company", "CompanyCreate", "CompanyUpdate", "Contact", "ContactCreate", "ContactUpdate", "Delivery",
    "DeliveryAttempt", "DeliveryDetail", "Event", "Invoice", "InvoiceCreate", "InvoiceUpdate", "LineItem", "Me",
    "Member", "Message", "MessageCreate", "Payment", "PaymentCreate", "QuotaBreakdown", "QuotaConsumeResult",
    "QuotaDay", "QuotaEntry", "QuotaHistory", "QuotaKeyUsage", "QuotaModuleUsage", "QuotaStatus", "Queue", "QueueCreate", "Ticket", "TicketCreate",
    "TicketUpdate", "Webhook", "WebhookCreate", "WebhookUpdate", "WebhookWithSecret", "Workspace",
]
