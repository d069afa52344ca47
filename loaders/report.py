"""Validation reports: every problem found, with where it is.

Loaders add problems to a :class:`Report` instead of stopping at the first one, so a
user fixes a file in one pass. A problem is located by file and row and column (for
tables) or by file and YAML path (for templates and manifests).

A problem is an error (the data would be lost or misread: the directory does not load)
or a warning (the file is usable as it is, but something in it is not read, such as an
extra column or a second sheet). Warnings are kept apart, in ``Report.warnings``, so
``Report.problems`` and ``Report.valid`` keep meaning errors.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["Problem", "Report"]

#: More problems than this of one type in one column of one file are counted, not listed.
MAX_PER_KIND = 50


@dataclass(frozen=True)
class Problem:
    """One problem in the input.

    ``row`` counts as a spreadsheet does: the header is row 1, the first data row 2.
    """

    type: str
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    path: str | None = None

    def location(self):
        parts = [str(p) for p in (self.file, self.row, self.column) if p not in (None, "")]
        loc = ":".join(parts)
        if self.path:
            loc = f"{loc}: {self.path}" if loc else self.path
        return loc

    def __str__(self):
        loc = self.location()
        return f"{loc}: {self.message}" if loc else self.message


@dataclass
class Report:
    """Every problem found while reading a data directory.

    Examples
    --------
    >>> r = Report()
    >>> r.add("bad-value", "not a number: 'x'", file="projects.csv", row=3, column="投资额")
    >>> r.valid
    False
    >>> print(r.problems[0])
    projects.csv:3:投资额: not a number: 'x'
    """

    problems: list[Problem] = field(default_factory=list)
    suppressed: dict = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    _listed: dict = field(default_factory=dict, repr=False)

    def add(self, type, message, *, file=None, row=None, column=None, path=None):
        key = (type, file, column)
        if self._listed.get(key, 0) >= MAX_PER_KIND:
            self.suppressed[key] = self.suppressed.get(key, 0) + 1
            return
        self._listed[key] = self._listed.get(key, 0) + 1
        self.problems.append(Problem(type, message, file, row, column, path))

    def warn(self, type, message, *, file=None, row=None, column=None, path=None):
        """Add a warning: something is not read, but the data loads without it.

        Warnings are not counted against ``valid``, and not capped: whoever warns
        sums up many like cells in one warning.
        """
        self.warnings.append(Problem(type, message, file, row, column, path))

    def add_rows(self, type, rows, values, message_for, *, file=None, column=None):
        """Add a problem for each of ``rows`` (with its cell in ``values``) in one column.

        ``message_for(value)`` is called only for the problems listed, so a message that
        is costly to make (suggestions of close names) costs nothing for those counted.

        Examples
        --------
        >>> r = Report()
        >>> r.add_rows("bad-value", range(2, 102), ["x"] * 100, lambda v: f"not a number: {v!r}",
        ...            file="f.csv", column="n")
        >>> len(r.problems), r.count
        (50, 100)
        """
        key = (type, file, column)
        room = max(MAX_PER_KIND - self._listed.get(key, 0), 0)
        for row, value in zip(rows[:room], values[:room]):
            self.add(type, message_for(value), file=file, row=int(row), column=column)
        if len(rows) > room:
            self.suppressed[key] = self.suppressed.get(key, 0) + len(rows) - room

    @property
    def valid(self):
        return not self.problems

    @property
    def count(self):
        return len(self.problems) + sum(self.suppressed.values())

    def to_dict(self):
        return {
            "valid": self.valid,
            "count": self.count,
            "files": list(self.files),
            "problems": [asdict(p) for p in self.problems],
            "warnings": [asdict(p) for p in self.warnings],
            "not_listed": [{"type": t, "file": f, "column": c, "count": n}
                           for (t, f, c), n in self.suppressed.items()],
        }

    def lines(self):
        out = [str(p) for p in self.problems]
        for (t, f, c), n in self.suppressed.items():
            where = f" in column {c!r}" if c is not None else ""  # a YAML path or a whole file has none
            out.append(f"{f}: {n} more {t} problems{where} not listed")
        return out

    def warning_lines(self):
        return [f"warning: {p}" for p in self.warnings]
