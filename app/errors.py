"""Errors shared across packages."""


class RejectedInput(Exception):
    """An input that cannot become an article; the message is the reason shown to users."""
