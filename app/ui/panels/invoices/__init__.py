"""Invoices & payments: drafts with live totals, sending, voiding, payments and PDFs."""
