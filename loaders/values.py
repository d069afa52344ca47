"""Cell values: the rules for numbers, dates and text, shared by every table.

Every numeric column of every table is parsed by :func:`parse_number`, every date
column by :func:`parse_date`, and every text cell is checked by :func:`text_problem`.
A value is accepted only when it can mean one thing: ``1,234.5`` (commas between
thousands, as Chinese spreadsheets write them) is a number, ``1.234,5`` and
``1 234,5`` could be either of two and are refused, as are ``inf`` and ``NaN``.
The parsers raise ValueError with a message naming the value; the table loaders
turn it into a located problem.
"""

from __future__ import annotations

import calendar
import datetime
import math
import re
import unicodedata

__all__ = ["UNITS", "parse_number", "parse_amount", "parse_date", "text_problem", "Period",
           "read_numbers", "read_amounts", "read_counts", "read_weights", "read_periods", "read_dates",
           "check_text", "AMOUNT_COLUMNS", "COUNT_COLUMNS", "NUMBER_COLUMNS", "DATE_COLUMNS",
           "FREE_TEXT_COLUMNS", "MAX_AMOUNT_CNY", "MAX_COUNT"]

UNITS = {"亿元": 1e8, "亿": 1e8, "万元": 1e4, "万": 1e4, "元": 1.0}

#: Columns (schema names, the same meaning in every table) by the kind of value they hold;
#: every other column is short text.
AMOUNT_COLUMNS = ("output_cny", "investment_cny", "expected_output_cny")  # yuan; 5亿, 3000万
COUNT_COLUMNS = ("employees", "enterprises")  # whole numbers
NUMBER_COLUMNS = ("weight", "value")
DATE_COLUMNS = ("as_of", "published", "period", "signed_on", "started_on", "production_on")
#: Text that may run over lines: tab and newline are allowed here, other controls nowhere.
FREE_TEXT_COLUMNS = ("note", "main_business", "title")

#: 100万亿元, about China's yearly GDP: no enterprise's output or project's investment is larger,
#: so a larger amount is a unit or typing mistake.
MAX_AMOUNT_CNY = 1e14
#: 10亿: more staff than any enterprise has, more enterprises than any region has.
MAX_COUNT = 1_000_000_000

_UNIT = re.compile(r"^(?P<num>.*?)\s*(?P<unit>亿元|万元|元|亿|万)$")
# Commas only between groups of three digits before the point: the one reading Chinese
# spreadsheets (and pandas, Excel and Arrow) give a number.
_NUMBER = re.compile(r"^[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$", re.ASCII)
# Digits with points, commas or blanks that are not the above: 1.234,5 or 1 234,5 (European) or 1,5.
_AMBIGUOUS = re.compile(r"^[+-]?\d[\d.,\s\u00a0']*$", re.ASCII)
_NOT_FINITE = re.compile(r"^[+-]?(?:inf|infinity|nan)$", re.IGNORECASE)


def parse_number(text, scale=1.0, *, units=False, what="a number"):
    """Parse a number as a spreadsheet cell holds it; None for an empty cell.

    Parameters
    ----------
    text : str
    scale : float
        Multiplier for a number without a unit (from a header such as ``投资额(亿元)``).
    units : bool
        Whether a money unit may follow the number (``5亿``, ``3000万元``); it replaces ``scale``.
    what : str
        What the value should be, for the message (``"an amount"``).

    Raises
    ------
    ValueError
        For anything that is not one finite number, naming the value and why.

    Examples
    --------
    >>> parse_number("1,234.5"), parse_number("1,234.5万", units=True)
    (1234.5, 12345000.0)
    >>> parse_number("1.234,5")
    Traceback (most recent call last):
    ...
    ValueError: ambiguous number '1.234,5': write decimals after a point, commas only between
    thousands (1234.5 or 1,234.5)
    """
    s = unicodedata.normalize("NFKC", str(text)).strip()  # full-width digits and commas
    if s == "":
        return None
    unit = _UNIT.match(s) if units else None
    if unit:
        s, scale = unit["num"], UNITS[unit["unit"]]
    if _NOT_FINITE.match(s):
        raise ValueError(f"not a finite number: {text!r}")
    if not _NUMBER.match(s):
        if _AMBIGUOUS.match(s):
            raise ValueError(f"ambiguous number {text!r}: write decimals after a point, commas only "
                             "between thousands (1234.5 or 1,234.5)")
        raise ValueError(f"not {what}: {text!r}" + (" (write 5亿, 3000万 or 500000000)" if units else ""))
    value = float(s.replace(",", "")) * scale
    if not math.isfinite(value):
        raise ValueError(f"number too large: {text!r}")
    return round(value, 2) if unit else value


def parse_amount(text, scale=1.0):
    """Parse a money amount in yuan: ``"5亿"``, ``"3,000万元"``, ``"1.2e9"``.

    Returns None for an empty cell; raises ValueError for anything else that is not an
    amount.

    Examples
    --------
    >>> parse_amount("5亿元")
    500000000.0
    >>> parse_amount("98.35", scale=1e8)
    9835000000.0
    """
    return parse_number(text, scale, units=True, what="an amount")


class Period:
    """A date or a period, from its first to its last day, and its ISO spelling.

    ``2025-06-01`` is one day, ``2025-06`` a month, ``2025`` a year and
    ``2025-01/2025-10`` the months January to October.
    """

    __slots__ = ("first", "last", "iso")

    def __init__(self, first, last, iso):
        self.first, self.last, self.iso = first, last, iso


_SEP = r"\s*(?:[-/.]|年)\s*"
_POINT = re.compile(r"^(?P<y>\d{4})(?:年)?(?:" + _SEP + r"(?P<m>\d{1,2})(?:月)?(?:" + r"\s*(?:[-/.]|月)\s*"
                    r"(?P<d>\d{1,2})(?:日|号)?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)?)?$", re.ASCII)
# 2025年1-10月
_MONTHS = re.compile(r"^(?P<y>\d{4})年(?P<m1>\d{1,2})(?:月)?\s*[-—–~～至]\s*(?P<m2>\d{1,2})月$", re.ASCII)
_RANGE = re.compile(r"^(?P<a>\d{4}.*?)\s*(?:/|至|~|～|—)\s*(?P<b>\d{4}.*)$", re.ASCII)
DATE_FORMATS = "2025-06-01, 2025/6/1, 2025年6月1日, 2025-06, 2025年6月, 2025 or 2025-01/2025-10"


def parse_date(text):
    """Parse a date or a period as Chinese spreadsheets write them; None for an empty cell.

    Accepts ``2025-06-01``, ``2025/6/1``, ``2025.06.01``, ``2025年6月1日``, ``2025-06``,
    ``2025.06``, ``2025年6月``, ``2025``, a spreadsheet's date cell (``2025-06-01 00:00:00``)
    and periods ``2025-01/2025-10`` or ``2025年1-10月``.

    Raises
    ------
    ValueError
        For anything else, and for dates that do not exist (``2025-02-30``).

    Examples
    --------
    >>> parse_date("2025年6月1日").iso, parse_date("2025/6").iso, parse_date("2025年1-10月").iso
    ('2025-06-01', '2025-06', '2025-01/2025-10')
    >>> parse_date("2025-02-30")
    Traceback (most recent call last):
    ...
    ValueError: no such date: '2025-02-30' (2025-02 has 28 days)
    """
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if s == "":
        return None
    m = _MONTHS.match(s)
    if m:
        return _span(_point(text, m["y"], m["m1"], None), _point(text, m["y"], m["m2"], None), text)
    m = _POINT.match(s)
    if m:
        return _point(text, m["y"], m["m"], m["d"])
    m = _RANGE.match(s)
    if m and _POINT.match(m["a"]) and _POINT.match(m["b"]):
        return _span(parse_date(m["a"]), parse_date(m["b"]), text)
    serial = re.fullmatch(r"\d{5}(\.\d+)?", s, re.ASCII)  # what Excel stores for a date
    hint = " (a spreadsheet's date number? format the cell as a date)" if serial else ""
    raise ValueError(f"not a date: {text!r}{hint}; write {DATE_FORMATS}")


def _point(text, y, m, d):
    year = int(y)
    if year < 1900:
        raise ValueError(f"not a plausible date: {text!r} (before 1900)")
    if m is None:
        return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year:04d}")
    month = int(m)
    if not 1 <= month <= 12:
        raise ValueError(f"no such date: {text!r} (month {month})")
    days = calendar.monthrange(year, month)[1]
    if d is None:
        return Period(datetime.date(year, month, 1), datetime.date(year, month, days),
                      f"{year:04d}-{month:02d}")
    day = int(d)
    if not 1 <= day <= days:
        raise ValueError(f"no such date: {text!r} ({year:04d}-{month:02d} has {days} days)")
    day_ = datetime.date(year, month, day)
    return Period(day_, day_, day_.isoformat())


def _span(a, b, text):
    if b.last < a.first:
        raise ValueError(f"period ends before it starts: {text!r}")
    return Period(a.first, b.last, f"{a.iso}/{b.iso}")


# C0 controls, DEL and C1 controls (ESC starts ANSI sequences), U+FFFD (what a decoder puts
# for bytes it could not read) and lone surrogates (what Python's surrogateescape leaves;
# pandas' UTF-8 string columns cannot hold them, so tables never reach this with one).
_BAD_IN_TEXT = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")
_BAD_IN_FREE_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff]|\r(?!\n)")
#: The same, in RE2 syntax for Arrow (Arrow strings are valid UTF-8: no surrogates).
BAD_IN_TEXT_RE2 = r"[\x00-\x1f\x7f-\x{9f}\x{fffd}]"
BAD_IN_FREE_TEXT_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x{9f}\x{fffd}]|\r[^\n]|\r$"


def text_problem(value, free=False):
    """What is wrong with a text cell, or None: control characters, U+FFFD, lone surrogates.

    ``free`` text (notes, 经营范围) may hold tabs and line breaks.

    Examples
    --------
    >>> print(text_problem("甲\\x1b[31m公司"))
    control character U+001B in '甲\\x1b[31m公司'
    >>> text_problem("第一行\\n第二行", free=True) is None
    True
    """
    m = (_BAD_IN_FREE_TEXT if free else _BAD_IN_TEXT).search(str(value))
    if m is None:
        return None
    char = m.group()[0]
    code = ord(char)
    if code == 0xFFFD:
        what = "replacement character U+FFFD (bytes the file's decoder could not read)"
    elif 0xD800 <= code <= 0xDFFF:
        what = f"undecodable byte (lone surrogate U+{code:04X})"
    else:
        what = f"control character U+{code:04X}"
    return f"{what} in {value!r}"


# --- Whole columns ----------------------------------------------------------------------
# The readers below take a loader's TableInput ``t`` (its ``col``, ``scales``, ``header`` and
# ``problems_at``) and report every bad cell at its file, row and column. Plain values take
# vectorised fast paths; the rest is parsed once per distinct value.

def read_numbers(t, column, what="a number", *, units=False):
    """The column as floats (NaN where empty or bad), every cell read by :func:`parse_number`."""
    import numpy as np
    import pandas as pd

    from chainkg.graph.codes import found_in, to_float

    values = t.col(column)
    scale = t.scales.get(column, 1.0)
    with np.errstate(over="ignore"):
        parsed = pd.Series(to_float(values), index=values.index) * scale
    # Arrow's cast reads plain numbers; it also reads inf and nan, which go to the parser with
    # units, thousands separators and garbage.
    rest = values[~np.isfinite(parsed.to_numpy()) & (values != "").to_numpy()]
    good, errors = {}, {}
    for v in rest.unique():
        try:
            good[v] = parse_number(v, scale, units=units, what=what)
        except ValueError as err:
            errors[v] = str(err)
    t.problems_at("bad-value", rest[found_in(rest, errors)], column, errors.__getitem__)
    parsed.loc[rest.index] = rest.map(good).astype(float)
    return parsed


def refuse(t, column, parsed, bad, message_for):
    """Report the cells of ``column`` where ``bad`` holds; ``parsed`` with them blanked."""
    bad = bad.fillna(False).to_numpy(dtype=bool)
    t.problems_at("bad-value", t.col(column)[bad], column, message_for)
    return parsed.where(~bad)


def read_amounts(t, column):
    """Money in yuan (``5亿``, ``3000万``, ``1,234.5``): finite, not negative, at most MAX_AMOUNT_CNY."""
    parsed = read_numbers(t, column, "an amount", units=True)
    parsed = refuse(t, column, parsed, parsed < 0, lambda v: f"negative amount: {v!r}")
    return refuse(t, column, parsed, parsed > MAX_AMOUNT_CNY,
                  lambda v: f"amount {v!r} is more than 100万亿元 (1e14 yuan): check its unit")


def read_counts(t, column):
    """Whole numbers from 0 to MAX_COUNT, as nullable integers."""
    parsed = read_numbers(t, column, "a whole number")
    parsed = refuse(t, column, parsed, parsed < 0, lambda v: f"negative count: {v!r}")
    parsed = refuse(t, column, parsed, parsed.notna() & (parsed % 1 != 0),
                    lambda v: f"not a whole number: {v!r}")
    parsed = refuse(t, column, parsed, parsed > MAX_COUNT, lambda v: f"count {v!r} is more than 10亿")
    return parsed.astype("Int64")


def read_weights(t, column):
    """Non-negative finite numbers (weights, shares)."""
    parsed = read_numbers(t, column)
    return refuse(t, column, parsed, parsed < 0, lambda v: f"negative {column}: {v!r}")


def read_periods(t, column):
    """The column's dates and periods: a frame of ``iso`` text ("" where empty or bad) and
    ``first``/``last`` days (NaT there); cells that are not dates are reported.

    A column the file lacks takes the manifest's default unchecked (the manifest is checked
    where it is read).
    """
    import numpy as np
    import pandas as pd

    from chainkg.graph.codes import decode, found_in

    values = t.col(column)
    codes, uniques = pd.factorize(values)
    periods, errors = [], {}
    for v in uniques:
        try:
            periods.append(parse_date(v))
        except ValueError as err:
            periods.append(None)
            errors[v] = str(err)
    if column in t.header:
        t.problems_at("bad-value", values[found_in(values, errors)], column, errors.__getitem__)
    elif errors:
        periods = [p if p is not None else Period(None, None, v) for p, v in zip(periods, uniques)]

    def take(attr, empty, dtype):  # one value per distinct cell, spread by code (-1, a null: the last)
        return np.array([getattr(p, attr) if p is not None else empty for p in periods] + [empty],
                        dtype=dtype)[codes]

    iso = decode(np.where(codes >= 0, codes, len(periods)), [p.iso if p is not None else "" for p in periods] + [""])
    return pd.DataFrame({"iso": iso.set_axis(values.index), "first": take("first", None, "datetime64[D]"),
                         "last": take("last", None, "datetime64[D]")}, index=values.index)


def read_dates(t, column, may_be_future=None):
    """The column in ISO spelling; dates after today are refused except where ``may_be_future``."""
    import pandas as pd

    periods = t.periods(column)
    today = pd.Timestamp(datetime.date.today())
    future = periods["first"] > today
    if may_be_future is not None:
        future &= ~may_be_future
    refuse(t, column, periods["iso"], future,
           lambda v: f"date in the future: {v!r} (today is {today.date().isoformat()})")
    return periods["iso"].where(~future.to_numpy(), "")


def check_text(t):
    """Report control characters, U+FFFD and lone surrogates in every text column of ``t``."""
    numeric = set(AMOUNT_COLUMNS + COUNT_COLUMNS + NUMBER_COLUMNS + DATE_COLUMNS)
    for column in t.header:
        if column in numeric:
            continue  # their parsers refuse anything but numbers and dates
        free = column in FREE_TEXT_COLUMNS
        values = t.col(column)
        bad = _bad_text(values, free)
        if bad.any():
            t.problems_at("bad-text", values[bad], column, lambda v, free=free: text_problem(v, free))


def _bad_text(values, free):
    """Which cells hold a character text must not (Arrow's regex: strings there are UTF-8,
    so lone surrogates cannot reach a table; only U+FFFD shows a bad decode)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from chainkg.graph.codes import string_bytes

    arr = pa.array(values)  # no copy: the loaders' columns are Arrow-backed
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    if not any(_may_hold_bad_text(string_bytes(c), free) for c in chunks):
        return np.zeros(len(arr), dtype=bool)
    found = pc.match_substring_regex(arr, BAD_IN_FREE_TEXT_RE2 if free else BAD_IN_TEXT_RE2)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def _may_hold_bad_text(b, free):
    """Whether UTF-8 bytes may spell a bad character: a scan of the whole buffer at once,
    many times faster than a regex per cell; the regex then finds the cells."""
    import numpy as np

    control = b < 0x20
    if free:
        control &= (b != 0x09) & (b != 0x0A)  # a CR is left to the regex, which allows CR LF only
    if control.any() or (b == 0x7F).any():
        return True
    c2 = np.flatnonzero(b[:-1] == 0xC2)  # C1 controls are C2 80 … C2 9F
    if len(c2) and ((b[c2 + 1] >= 0x80) & (b[c2 + 1] <= 0x9F)).any():
        return True
    bd = np.flatnonzero(b[2:] == 0xBD) + 2  # U+FFFD is EF BF BD
    return bool(len(bd) and ((b[bd - 1] == 0xBF) & (b[bd - 2] == 0xEF)).any())
