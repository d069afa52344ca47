"""Rendering results as a terminal table, CSV, JSON, Markdown or XLSX.

A result is a DataFrame, or an object with ``tables()`` (name -> DataFrame) and
``to_dict()`` (the JSON form). Files are written atomically: to a temporary file beside
the target, then renamed, so a failed run never leaves half a file.

Text from data is made harmless for each reader: cells that a spreadsheet would take
for a formula (``= + - @``, tab or CR at the start of the cell or of a part of it after
``;``, ``,`` or a line break) are prefixed with ``'`` in CSV and XLSX, and CSV quotes
every text field so that a spreadsheet whose list separator is ``;`` does not split one;
Markdown escapes HTML and its own metacharacters; the terminal table shows control
characters (ANSI escape sequences, C1 controls, bidirectional overrides) as visible
escapes such as ``\x1b``; JSON escapes them as ``\u009b``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd

from chainkg.errors import ExportError

__all__ = ["FORMATS", "render", "write_result", "write_atomic", "to_jsonable", "neutralize_formula",
           "result_tables", "terminal_safe", "markdown_cell", "xml_safe"]

FORMATS = ("table", "csv", "json", "md", "xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A formula may also start a part of a cell that a spreadsheet splits off: after the
# list separator of its locale (; or ,) or a line break (OWASP, CSV injection).
_FORMULA = re.compile(f"(?:^|[;,\n\r])[{re.escape(''.join(FORMULA_START))}]")
# What a terminal obeys rather than shows: C0 and C1 controls, DEL, and the marks that
# reorder text (bidirectional overrides and isolates) or break lines.
_REORDERING = "\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_REORDERING}]")
_JSON_UNESCAPED = re.compile(f"[\x7f-\x9f{_REORDERING}]")  # json.dumps escapes C0 itself
_LINE_BREAK = re.compile(r"\r\n|[\n\r\t]")
# Characters XML 1.0 cannot hold at all, even as character references (GraphML, GEXF, XLSX).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Markdown's inline metacharacters; "_" only where it could open or close emphasis, so
# that ids such as in_production stay readable.
_MD_SPECIAL = re.compile(r"([\\`*\[\]|~]|(?<!\w)_|_(?!\w))")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def result_tables(result, brief=False):
    """The named tables of a result; with ``brief``, its reading view where it has one."""
    if isinstance(result, pd.DataFrame):
        return {"result": result}
    if brief and hasattr(result, "brief_tables"):
        return result.brief_tables()
    return result.tables()


def to_jsonable(value):
    """Plain JSON data: NaN and NA become None, numpy scalars become Python ones."""
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.astype(object).to_dict("records")]
    if hasattr(value, "to_dict") and not isinstance(value, (pd.Series,)):
        return to_jsonable(value.to_dict())
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_jsonable(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def neutralize_formula(value):
    """Prefix a text cell that a spreadsheet would evaluate with a quote.

    A cell is neutralised when it, or a part of it after ``;``, ``,`` or a line break,
    starts with ``= + - @``, a tab or a CR; a number written as text is left alone.

    Examples
    --------
    >>> neutralize_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralize_formula("a;=HYPERLINK(1)"), neutralize_formula("-5"), neutralize_formula("a-b")
    ("'a;=HYPERLINK(1)", '-5', 'a-b')
    """
    if isinstance(value, str) and _FORMULA.search(value):
        try:
            float(value)
            return value  # a negative number written as text is data, not a formula
        except ValueError:
            return "'" + value
    return value


def terminal_safe(text):
    """``text`` with nothing a terminal would obey: line breaks and tabs become spaces,
    other control characters visible escapes (``\\x1b``, ``\\u202e``).

    Examples
    --------
    >>> terminal_safe("red\\x1b[31m text\\nnext\\u202e")
    'red\\\\x1b[31m text next\\\\u202e'
    """
    return _CONTROL.sub(_visible, _LINE_BREAK.sub(" ", str(text)))


def _visible(match):
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_safe(text):
    """``text`` with the characters XML 1.0 cannot hold shown as escapes (``\\x00``).

    Examples
    --------
    >>> xml_safe("NUL\\x00 and tab\\t")
    'NUL\\\\x00 and tab\\t'
    """
    return _NOT_XML.sub(_visible, text) if isinstance(text, str) else text


def markdown_cell(value):
    """A table cell's text for Markdown: HTML and Markdown metacharacters escaped.

    Examples
    --------
    >>> markdown_cell("<script>alert(1)</script> | `x` & *y*")
    '&lt;script&gt;alert(1)&lt;/script&gt; \\\\| \\\\`x\\\\` &amp; \\\\*y\\\\*'
    >>> markdown_cell("# not a heading")
    '\\\\# not a heading'
    """
    text = _MD_SPECIAL.sub(r"\\\1", terminal_safe(value))
    text = re.sub("[&<>]", lambda m: _HTML[m.group()], text)
    return "\\" + text if text.startswith(("#", "+", "-", "=", ">")) else text


def _spreadsheet_cell(value):
    return xml_safe(neutralize_formula(value))


def _safe_frame(df):
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_spreadsheet_cell)
    out.columns = [_spreadsheet_cell(str(c)) for c in out.columns]
    return out


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return terminal_safe(value)


def _text_table(df):
    headers = [terminal_safe(c) for c in df.columns]
    rows = [[_cell(v) for v in row] for row in df.itertuples(index=False)]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _markdown(df):
    def esc(v):
        return markdown_cell(_cell(v))

    out = ["| " + " | ".join(esc(c) for c in df.columns) + " |",
           "|" + "|".join(" --- " for _ in df.columns) + "|"]
    out += ["| " + " | ".join(esc(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(out)


def render(result, fmt="table", title=None):
    """Render ``result`` as text (or bytes for xlsx)."""
    if fmt == "json":
        data = result if isinstance(result, pd.DataFrame) else result.to_dict()
        text = json.dumps(to_jsonable(data), ensure_ascii=False, indent=2) + "\n"
        return _JSON_UNESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)  # the same value, escaped
    tables = result_tables(result, brief=fmt in ("table", "md"))
    if fmt == "xlsx":
        return _workbook(tables)
    parts = []
    for name, df in tables.items():
        heading = None if len(tables) == 1 and name == "result" else name
        if fmt == "csv":
            text = _safe_frame(df).to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
            parts.append((f"# {heading}\n" if heading and len(tables) > 1 else "") + text)
        elif fmt == "md":
            parts.append((f"### {heading}\n\n" if heading else "") + _markdown(df) + "\n")
        elif fmt == "table":
            parts.append((f"== {heading} ==\n" if heading else "") + _text_table(df) + "\n")
        else:
            raise ValueError(f"unknown format {fmt!r}")
    text = "\n".join(parts)
    if title and fmt in ("table", "md"):
        text = (f"# {markdown_cell(title)}\n\n" if fmt == "md" else f"{terminal_safe(title)}\n\n") + text
    return text


def _workbook(tables):
    """The tables as XLSX bytes, one sheet each.

    openpyxl writes each sheet to a temporary file first, so a full disk fails here; its
    zip archive on our buffer is then left open in the traceback's frames and would
    complain when collected after the buffer. The error is raised afresh, outside the
    except block, so those frames (and the archive) go first, while the buffer is open.
    """
    buf = io.BytesIO()
    failed = None
    try:
        with pd.ExcelWriter(buf, engine="openpyxl") as writer:
            for name, df in tables.items():
                _safe_frame(df).to_excel(writer, sheet_name=_sheet_name(name), index=False)
    except OSError as err:
        failed = (err.errno, err.strerror or str(err))
    if failed:
        raise OSError(*failed)
    return buf.getvalue()


def _sheet_name(name):
    bad = '[]:*?/\\'
    return "".join("_" if ch in bad else ch for ch in str(name))[:31] or "sheet"


def write_result(path, result, fmt, title=None):
    """Render ``result`` as ``fmt`` and write it to ``path`` atomically.

    Raises
    ------
    ExportError
        When the file cannot be written (a full disk, a missing permission); no partial
        file is left.
    """
    try:
        content = render(result, fmt, title=title)
    except OSError as err:  # openpyxl writes each worksheet to a temporary file first
        raise ExportError(f"cannot write {str(path)!r}: {err.strerror or err}") from err
    write_atomic(path, content)


def write_atomic(path, content):
    """Write text or bytes to ``path`` through a temporary file and a rename."""
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; give it the usual mode
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    except OSError as err:
        raise ExportError(f"cannot write {str(path)!r}: {err.strerror}") from err
