"""Domain errors raised by services and turned into messages by views."""

from __future__ import annotations


class DomainError(Exception):
    """Something a person asked for cannot be done; `message` says why, in their language.

    `field` names the form field the message belongs beside (None: a page-level message).
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
