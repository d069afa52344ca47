"""Rendering results as a terminal table, CSV, JSON, Markdown or XLSX.

A result is a DataFrame, or an object with ``tables()`` (name -> DataFrame) and
``to_dict()`` (the JSON form). Files are written atomically: to a temporary file beside
the target, then renamed, so a failed run never leaves half a file. Cells that a
spreadsheet would take for a formula (starting with ``= + - @``) are neutralised in
CSV and XLSX output.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd

from chainkg.errors import ExportError

__all__ = ["FORMATS", "render", "write_atomic", "to_jsonable", "neutralize_formula", "result_tables"]

FORMATS = ("table", "csv", "json", "md", "xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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

    Examples
    --------
    >>> neutralize_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralize_formula("-5")
    '-5'
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        try:
            float(value)
            return value  # a negative number written as text is data, not a formula
        except ValueError:
            return "'" + value
    return value


def _safe_frame(df):
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralize_formula)
    out.columns = [neutralize_formula(str(c)) for c in out.columns]
    return out


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value).replace("\n", " ")


def _text_table(df):
    headers = [str(c) for c in df.columns]
    rows = [[_cell(v) for v in row] for row in df.itertuples(index=False)]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _markdown(df):
    def esc(v):
        return _cell(v).replace("|", "\\|")

    out = ["| " + " | ".join(esc(c) for c in df.columns) + " |",
           "|" + "|".join(" --- " for _ in df.columns) + "|"]
    out += ["| " + " | ".join(esc(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(out)


def render(result, fmt="table", title=None):
    """Render ``result`` as text (or bytes for xlsx)."""
    if fmt == "json":
        data = result if isinstance(result, pd.DataFrame) else result.to_dict()
        return json.dumps(to_jsonable(data), ensure_ascii=False, indent=2) + "\n"
    tables = result_tables(result, brief=fmt in ("table", "md"))
    if fmt == "xlsx":
        buf = io.BytesIO()
        with pd.ExcelWriter(buf, engine="openpyxl") as writer:
            for name, df in tables.items():
                _safe_frame(df).to_excel(writer, sheet_name=_sheet_name(name), index=False)
        return buf.getvalue()
    parts = []
    for name, df in tables.items():
        heading = None if len(tables) == 1 and name == "result" else name
        if fmt == "csv":
            text = _safe_frame(df).to_csv(index=False, lineterminator="\n")
            parts.append((f"# {heading}\n" if heading and len(tables) > 1 else "") + text)
        elif fmt == "md":
            parts.append((f"### {heading}\n\n" if heading else "") + _markdown(df) + "\n")
        elif fmt == "table":
            parts.append((f"== {heading} ==\n" if heading else "") + _text_table(df) + "\n")
        else:
            raise ValueError(f"unknown format {fmt!r}")
    text = "\n".join(parts)
    if title and fmt in ("table", "md"):
        text = (f"# {title}\n\n" if fmt == "md" else f"{title}\n\n") + text
    return text


def _sheet_name(name):
    bad = '[]:*?/\\'
    return "".join("_" if ch in bad else ch for ch in str(name))[:31] or "sheet"


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
