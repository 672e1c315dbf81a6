"""The error types kamtui shows to a seller. Messages are already in the user's language."""

from __future__ import annotations


class KamtuiError(Exception):
    """An error meant for the user: shown as a plain message, never a traceback."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(KamtuiError):
    """Bad input for one field: ``field`` names it, ``message`` says what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class NotFound(KamtuiError):
    """A contact, account, tag or other record that does not exist."""


class BookError(KamtuiError):
    """The book cannot be opened or used: damaged, not a kamtui book, too new."""
