"""The store's own exceptions (db imports nothing from compare). Callers turn them into one-line
errors, as they do compare's: the CLI catches both."""
from __future__ import annotations


class StoreError(Exception):
    """Base class: anything the store reports to a user as a clean error."""


class DatabaseError(StoreError):
    """The database cannot be used as asked (newer schema, locked, not a database)."""


class NotFound(StoreError):
    """An id or file name given by the user matches nothing stored."""


class Ambiguous(NotFound):
    """An id prefix given by the user matches more than one stored thing; the message lists some."""
