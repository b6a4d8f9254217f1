"""Exceptions shared by every part of halqa.

A ``UserError`` is something the person at the keyboard can fix (a wrong path,
a missing column, an unknown id). The CLI prints its message as one line and
exits with code 2; the API turns it into a 4xx. Anything else is a bug.
"""

from __future__ import annotations


class HalqaError(Exception):
    """Base class of every error halqa raises on purpose."""


class UserError(HalqaError, ValueError):
    """Bad input that the caller can fix; the message says what and where."""


class DataError(UserError):
    """A file or table does not have the shape halqa needs (missing column, wrong format)."""


class ConfigError(UserError):
    """An option or parameter has a value outside what it accepts."""


class NotFoundError(UserError, KeyError):
    """An id (member, title, creator, campaign...) is not in the store."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class NotFittedError(HalqaError, RuntimeError):
    """A model was queried before ``fit`` (or loaded from an incompatible file)."""


class BackendUnavailableError(UserError, ImportError):
    """An optional part is not installed; the message names the extra to install."""
