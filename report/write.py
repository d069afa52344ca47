"""Write a brief in one of its forms, picked from the file's suffix or given."""

from __future__ import annotations

from pathlib import Path

from chainkg.errors import ChainKGError

__all__ = ["REPORT_FORMATS", "report_format", "write_report"]

REPORT_FORMATS = ("html", "pdf", "docx", "xlsx")


def report_format(path, fmt=None):
    """The format of ``path``: ``fmt`` when given, else its suffix (html, htm, pdf, docx, xlsx)."""
    if fmt:
        return fmt
    suffix = Path(path).suffix.lower().lstrip(".")
    suffix = "html" if suffix == "htm" else suffix
    if suffix not in REPORT_FORMATS:
        raise ChainKGError(f"cannot tell the report format from {str(path)!r}: "
                           f"give a .html, .pdf, .docx or .xlsx file or --format")
    return suffix


def write_report(path, brief, fmt=None):
    """Write ``brief`` to ``path`` (atomically) as HTML, PDF, DOCX or XLSX."""
    fmt = report_format(path, fmt)
    if fmt == "html":
        from chainkg.render import write_atomic
        from chainkg.report.html import brief_html

        write_atomic(path, brief_html(brief))
    elif fmt == "pdf":
        from chainkg.report.pdf import write_pdf

        write_pdf(path, brief)
    elif fmt == "docx":
        from chainkg.render import write_atomic
        from chainkg.report.docx import brief_docx

        write_atomic(path, brief_docx(brief))
    else:
        from chainkg.render import write_result

        write_result(path, brief, "xlsx")
    return path
