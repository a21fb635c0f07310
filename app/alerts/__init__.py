"""Alerts on saved views: what is new is decided from the search index by the worker, each
match is queued in an outbox in the same transaction, and deliveries (webhook or email) are
retried with backoff until they succeed."""
