"""The engine's own exceptions. The CLI turns them, and the store's (db.errors), into one-line click errors."""
from __future__ import annotations


class CompareError(Exception):
    """Base class: anything compare reports to a user as a clean error."""


class InputError(CompareError):
    """A file cannot be read. The message names the file and says what to do."""

    def __init__(self, path: str, problem: str, fix: str | None = None):
        self.path = str(path)
        self.problem = problem
        self.fix = fix
        msg = f"{self.path}: {problem}"
        if fix:
            msg += f" ({fix})"
        super().__init__(msg)
