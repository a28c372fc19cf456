"""An invoice as a document fit to send: who it is from and for, its lines, taxes, totals, the
payments received and what is still due.

Built from the server's record (never from unsaved edits) as a `QTextDocument`; sizes are in
points (body 10 pt, nothing under 9 pt) so the PDF reads at 100 % zoom. Every value a person
reads is in their words: statuses and payment methods through `app.ui.labels`, money through
`format_money`, dates in the user's locale. Text is escaped for HTML without numeric entities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from html import escape

from PySide6.QtGui import QFont, QTextDocument

from app.api import errors
from app.api.models import Invoice, Payment
from app.data.invoice_issuer import Issuer
from app.data.stores import Stores
from app.ui.labels import label
from app.ui.money import format_money, line_amount_cents, line_tax_cents, user_locale
from app.ui.panels.invoices.customers import Customer, Customers
from app.ui.panels.invoices.words import local_date

BODY_PT = 10
SMALL_PT = 9
_STYLE = f"""
body {{ font-size: {BODY_PT}pt; color: #000000; }}
h1 {{ font-size: 20pt; margin: 0; }}
.issuer {{ font-size: 13pt; font-weight: bold; }}
.muted {{ color: #555555; font-size: {SMALL_PT}pt; }}
.heading {{ font-size: 11pt; font-weight: bold; }}
th {{ background-color: #eeeeee; font-weight: bold; }}
.due {{ font-size: 13pt; font-weight: bold; }}
.test {{ color: #b3261e; font-weight: bold; margin: 0; }}
"""


def _text(value: object) -> str:
    # quote=False: no `&#x27;` that some text sink could show verbatim.
    return escape(str(value), quote=False)


def percent(bps: int) -> str:
    """A tax rate in basis points as the locale writes a percent: 1900 → "19%", 750 → "7.5%"."""
    whole, part = divmod(bps, 100)
    text = f"{whole}" if not part else f"{whole}{user_locale().decimalPoint()}{part:02d}".rstrip("0")
    return f"{text}%"


def invoice_html(invoice: Invoice, issuer: Issuer, customer: Customer, payments: Sequence[Payment]) -> str:
    """The document's HTML (Qt's rich-text subset)."""
    currency = invoice.currency or "USD"

    def money(cents: int) -> str:
        return _text(format_money(cents, currency))

    issuer_block = ""
    if issuer.name:
        issuer_block = f"<div class='issuer'>{_text(issuer.name)}</div>" + "".join(
            f"<div>{_text(line)}</div>" for line in (*issuer.address, issuer.tax_id, issuer.email) if line)
    facts = [("Number", invoice.invoice_number), ("Status", label("status", invoice.status)),
             ("Issued", local_date(invoice.issue_date)), ("Due", local_date(invoice.due_date))]
    facts_rows = "".join(f"<tr><td class='muted'>{name}</td><td align='right'><b>{_text(value)}</b></td></tr>"
                         for name, value in facts)
    test_mark = "<p class='test'>Test data: not a real invoice</p>" if issuer.test else ""
    bill_to = "".join(f"<div>{_text(line)}</div>" for line in customer.lines) or "<div>—</div>"
    return f"""<html><head><title>Invoice {_text(invoice.invoice_number)}</title><style>{_STYLE}</style></head><body>
<table width='100%' cellspacing='0' cellpadding='0'><tr>
  <td valign='top' width='55%'>{issuer_block}</td>
  <td valign='top' align='right'><h1>Invoice</h1>{test_mark}
    <table cellspacing='0' cellpadding='2' align='right'>{facts_rows}</table></td>
</tr></table>
<p class='heading'>Bill to</p>{bill_to}
<p class='heading'>Items</p>
{_lines_table(invoice, money)}
{_totals_table(invoice, money)}
<p class='heading'>Payments received</p>
{_payments_table(payments, currency)}
<table width='100%' cellspacing='0' cellpadding='3'>
  <tr><td align='right'>Paid</td><td align='right' width='22%'>{money(invoice.amount_paid_cents)}</td></tr>
  <tr><td align='right' class='due'>Amount due</td>
      <td align='right' width='22%' class='due'>{money(invoice.amount_due_cents)}</td></tr>
</table>
{f"<p class='heading'>Notes</p><p>{_text(invoice.notes)}</p>" if invoice.notes else ""}
</body></html>"""


def _lines_table(invoice: Invoice, money) -> str:
    # <thead>: the header row is repeated on every page the table runs onto.
    head = ("<thead><tr><th align='left'>Item</th><th align='left'>Kind</th><th align='right'>Qty</th>"
            "<th align='right'>Unit price</th><th align='right'>Tax rate</th><th align='right'>Tax</th>"
            "<th align='right'>Line total</th></tr></thead>")
    rows = []
    for line in invoice.line_items:
        amount = line_amount_cents(line)
        tax = line_tax_cents(amount, line.tax_rate_bps)
        rows.append(
            f"<tr><td>{_text(line.name)}</td><td>{_text(label('kind', line.kind))}</td>"
            f"<td align='right'>{_text(user_locale().toString(line.quantity))}</td>"
            f"<td align='right'>{money(line.unit_amount_cents)}</td><td align='right'>{percent(line.tax_rate_bps)}</td>"
            f"<td align='right'>{money(tax)}</td><td align='right'>{money(amount)}</td></tr>")
    if not rows:
        rows.append("<tr><td colspan='7'>No lines.</td></tr>")
    return f"<table width='100%' cellspacing='0' cellpadding='4'>{head}{''.join(rows)}</table>"


def _totals_table(invoice: Invoice, money) -> str:
    rows = [("Subtotal", money(invoice.subtotal_cents))]
    rows += [(f"Tax {percent(bps)}", money(cents)) for bps, cents in taxes_by_rate(invoice.line_items)]
    if len(rows) == 1 or sum(cents for _, cents in taxes_by_rate(invoice.line_items)) != invoice.tax_cents:
        rows.append(("Tax", money(invoice.tax_cents)))
    body = "".join(f"<tr><td align='right'>{name}</td><td align='right' width='22%'>{value}</td></tr>"
                   for name, value in rows)
    total = f"<tr><td align='right'><b>Total</b></td><td align='right' width='22%'><b>{money(invoice.total_cents)}</b></td></tr>"
    return f"<table width='100%' cellspacing='0' cellpadding='3'>{body}{total}</table>"


def _payments_table(payments: Sequence[Payment], currency: str) -> str:
    if not payments:
        return "<p>No payments received yet.</p>"
    rows = "".join(
        f"<tr><td>{_text(local_date(payment.paid_at.astimezone().date()))}</td>"
        f"<td>{_text(label('method', payment.method))}</td>"
        f"<td align='right'>{_text(format_money(payment.amount_cents, payment.currency or currency))}</td></tr>"
        for payment in sorted(payments, key=lambda p: p.paid_at))
    return ("<table width='100%' cellspacing='0' cellpadding='4'><thead><tr><th align='left'>Date</th>"
            f"<th align='left'>Method</th><th align='right'>Amount</th></tr></thead>{rows}</table>")


def taxes_by_rate(lines: Iterable) -> list[tuple[int, int]]:
    """(rate in basis points, tax in minor units) per rate that taxes anything, highest rate first."""
    sums: dict[int, int] = {}
    for line in lines:
        if line.tax_rate_bps:
            sums[line.tax_rate_bps] = sums.get(line.tax_rate_bps, 0) + line_tax_cents(line_amount_cents(line),
                                                                                     line.tax_rate_bps)
    return sorted(sums.items(), reverse=True)


def invoice_document(invoice: Invoice, issuer: Issuer | None = None, customer: Customer | None = None,
                     payments: Sequence[Payment] = ()) -> QTextDocument:
    """The invoice as a document (its text is what the PDF says)."""
    document = QTextDocument()
    font = QFont()
    font.setPointSizeF(BODY_PT)
    # No "ﬁ"-style ligatures: a customer copying or searching "Outfitters" must find it.
    for feature in ("liga", "clig"):
        font.setFeature(QFont.Tag(feature), 0)
    document.setDefaultFont(font)
    document.setHtml(invoice_html(invoice, issuer or Issuer(""), customer or Customer(), payments))
    return document


async def document_for(invoice: Invoice, stores: Stores, customers: Customers,
                       on_offline: Callable[[BaseException], None]) -> QTextDocument:
    """The invoice's document with its issuer, customer and payments as the stores know them
    (the cached payments when the server cannot be reached: `on_offline` is told first)."""
    customer = await customers.of(invoice)
    issuer = await stores.invoices.issuer()
    try:
        payments = await stores.invoices.payments_of(invoice.id)
    except errors.ApiConnectionError as error:
        on_offline(error)
        payments = await stores.invoices.payments_of(invoice.id)
    return invoice_document(invoice, issuer, customer, payments)
