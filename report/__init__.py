"""The planner's brief (两图两库两清单): one region's chains as HTML, PDF, DOCX and XLSX.

:func:`build_brief` turns query results into a :class:`Brief`; :func:`write_report`
writes it in the format picked from the file's suffix (or given).
"""

from chainkg.report.brief import Brief, ChainBrief, build_brief
from chainkg.report.write import REPORT_FORMATS, report_format, write_report

__all__ = ["Brief", "ChainBrief", "build_brief", "REPORT_FORMATS", "report_format", "write_report"]
