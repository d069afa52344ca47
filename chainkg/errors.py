"""The one exception hierarchy of chainkg.

Every error the library raises on purpose is a :class:`ChainKGError`. The CLI turns
these into a one-line ``Error: …`` message and exit status 1; anything else is a bug
and shows a traceback.
"""

from __future__ import annotations

__all__ = [
    "ChainKGError",
    "DataError",
    "ValidationError",
    "UnknownReferenceError",
    "AmbiguousReferenceError",
    "ExportError",
    "BackendError",
    "CacheError",
    "CacheWarning",
]


class ChainKGError(Exception):
    """Base class of every error chainkg raises on purpose."""


class DataError(ChainKGError):
    """Input data cannot be read or understood.

    Parameters
    ----------
    message : str
        What is wrong, naming the offending value.
    file, row, column : optional
        Where it is. ``row`` counts data rows from 1 as a spreadsheet user sees
        them (the header is row 1, so the first data row is row 2).
    """

    def __init__(self, message, *, file=None, row=None, column=None):
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        super().__init__(self.location_prefix() + message)

    def location_prefix(self):
        parts = [str(p) for p in (self.file, self.row, self.column) if p not in (None, "")]
        return ":".join(parts) + ": " if parts else ""


class ValidationError(DataError):
    """A data directory has problems; ``report`` holds every one of them."""

    def __init__(self, report):
        self.report = report
        first = report.problems[0] if report.problems else None
        more = len(report.problems) - 1
        message = str(first) if first else "invalid data"
        if more > 0:
            message += f" (and {more} more problem{'s' if more > 1 else ''}; run 'chainkg validate' for all)"
        ChainKGError.__init__(self, message)
        self.message, self.file, self.row, self.column = message, None, None, None


class UnknownReferenceError(ChainKGError):
    """A name or id (segment, region, chain) matches nothing; ``suggestions`` lists close ones."""

    def __init__(self, kind, value, suggestions=(), hint=None):
        self.kind, self.value, self.suggestions = kind, value, list(suggestions)
        message = f"unknown {kind} {value!r}"
        if self.suggestions:
            message += f" (did you mean {', '.join(self.suggestions)}?)"
        if hint:  # what to do when nothing is close enough to suggest
            message += f": {hint}"
        super().__init__(message)


class AmbiguousReferenceError(ChainKGError):
    """A name matches more than one thing; ``matches`` lists them."""

    def __init__(self, kind, value, matches):
        self.kind, self.value, self.matches = kind, value, list(matches)
        super().__init__(f"ambiguous {kind} {value!r}: matches {', '.join(self.matches)}; use an id")


class ExportError(ChainKGError):
    """Writing to a file or a database failed."""


class BackendError(ChainKGError):
    """A database backend (Neo4j) is unreachable, refuses the credentials or lacks the database."""


class CacheError(ChainKGError):
    """A load-cache snapshot is corrupt or cannot hold a graph; the cache discards it
    and the data directory is read afresh."""


class CacheWarning(UserWarning):
    """The load cache could not be used (a corrupt snapshot, an unwritable directory);
    the data was read afresh and the results are correct."""
