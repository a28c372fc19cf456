"""Ticket triage (`panel.tickets`): queues, ticket list, conversation, composers, bulk actions."""
