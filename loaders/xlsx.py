"""Reading the first sheet of an XLSX workbook cell by cell, saying what is not read.

``pandas.read_excel`` reads one sheet and quietly changes what it cannot show: a formula
whose value was never stored (a file written by a program, not saved by Excel) becomes
an empty cell, and the other sheets are ignored. This reader takes the cells from
openpyxl as they are, so that the caller sees which were numbers (an id stored as a
number has lost digits or leading zeros), and reports formulas without a value and the
other sheets that hold data.
"""

from __future__ import annotations

from itertools import zip_longest

from chainkg.errors import DataError

__all__ = ["read_xlsx", "cell_text", "column_letter"]

#: What a formula shows when it fails; never a value of ours.
ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!"})


def column_letter(position):
    """The spreadsheet letter of a 0-based column position (0 -> A, 26 -> AA)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_text(value):
    """A cell value as the text a user sees; whole numbers without ``.0``, as pandas did."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path, report, file):
    """Read the first sheet: ``(header, columns)``.

    ``header`` holds the first row's cells as stripped text; ``columns`` holds each
    column's cell values as openpyxl gives them (str, int, float, datetime, bool or
    None), one per data row, without the empty rows at the end. Formulas are replaced by
    their stored values. Formulas without one, and other sheets with data, are added
    to ``report`` located at ``file``.
    """
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        if not book.worksheets:
            raise DataError("the workbook has no sheets", file=file)
        first, *others = book.worksheets
        rows = [list(r) for r in first.iter_rows(values_only=True)]
        while rows and all(v is None for v in rows[-1]):
            rows.pop()
        if not rows:
            raise DataError(f"empty sheet {first.title!r}: expected a header row", file=file)
        header = [cell_text(v).strip() for v in rows[0]]
        for sheet in others:
            _report_other_sheet(sheet, first.title, header, report, file)
    finally:
        book.close()
    _replace_formulas(path, rows, header, report, file)
    header = [cell_text(v).strip() for v in rows[0]]
    columns = [list(c) for c in zip_longest(*rows[1:], fillvalue=None)] if len(rows) > 1 else []
    width = max(len(header), len(columns))
    header += [""] * (width - len(header))
    columns += [[None] * (len(rows) - 1) for _ in range(width - len(columns))]
    return header, columns


def _report_other_sheet(sheet, first_title, header, report, file):
    """Only the first sheet is read: say so for any other sheet with data in it."""
    rows = [r for r in sheet.iter_rows(values_only=True) if any(v not in (None, "") for v in r)]
    if not rows:
        return
    names = {cell_text(v).strip() for v in rows[0]} - {""}
    if names == set(header) - {""}:
        # The same headers: the table goes on in this sheet, and those rows would be lost.
        report.add("other-sheet", f"sheet {sheet.title!r} has the same headers as the first sheet "
                   f"{first_title!r}, but only the first sheet is read: {_rows(len(rows) - 1)} would "
                   "be lost; move the rows onto the first sheet", file=file)
    else:
        report.warn("other-sheet", f"sheet {sheet.title!r} ({_rows(len(rows))} with data) is not read: "
                    f"only the first sheet {first_title!r} is", file=file)


def _rows(n):
    return f"{n} row{'s' if n != 1 else ''}"


def _replace_formulas(path, rows, header, report, file):
    """Put each formula's stored value in its place; report formulas that have none.

    The workbook is opened a second time, for stored values, only when it has formulas:
    openpyxl gives either the formulas or the values of a sheet, not both.
    """
    import openpyxl

    formulas = [(r, c) for r, row in enumerate(rows) for c, v in enumerate(row)
                if isinstance(v, str) and v.startswith("=")]
    if not formulas:
        return
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        wanted = {r for r, _ in formulas}
        stored = {r: row for r, row in enumerate(book.worksheets[0].iter_rows(values_only=True))
                  if r in wanted}
    finally:
        book.close()
    for r, c in formulas:
        formula, row = rows[r][c], stored.get(r, ())
        value = row[c] if c < len(row) else None
        if value == formula:
            continue  # text that starts with "=", not a formula
        where = dict(file=file, row=r + 1, column=(header[c] if c < len(header) and header[c] and r
                                                   else column_letter(c)))
        if value is None:
            report.add("formula", f"formula {formula!r} has no stored value; open and save the file "
                       "in Excel/WPS", **where)
        elif value in ERROR_VALUES:
            report.add("formula", f"formula {formula!r} gives the error {value!r}", **where)
            value = None
        rows[r][c] = value
