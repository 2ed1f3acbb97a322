"""Exception hierarchy.

Every error the officer can act on derives from :class:`CounterError` and carries a Vietnamese
message that says what to do (qutebrowser's KnownError idea). Anything else is a bug and should
fail loudly.
"""

from __future__ import annotations


class CounterError(Exception):
    """Base of all errors with a user-facing Vietnamese message."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def user_message(self) -> str:
        """The full text shown to the user: what went wrong, then what to do."""
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class EnvironmentProblem(CounterError):
    """The machine, not the program: disk full, database locked, read-only, corrupt."""


class DatabaseTooNew(EnvironmentProblem):
    """The database was written by a newer version of the app."""


class ValidationError(CounterError, ValueError):
    """Input that breaks a rule (bad ID number, missing required component, ...)."""


class IllegalTransition(CounterError):
    """A dossier status change the transition table does not allow."""
