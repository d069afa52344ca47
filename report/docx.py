"""The brief as DOCX (python-docx), for planning offices that edit in Word or WPS.

The same sections and tables as the HTML page; the diagrams as PNG. Text from data is
written as text runs (never fields or formulas) with the characters XML cannot hold
removed.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from chainkg.render import xml_safe
from chainkg.report.brief import TOP_GAPS, cell_text
from chainkg.report.diagram import render_diagram
from chainkg.report.words import GLOSSARY, METHOD, STATUS_ZH

__all__ = ["brief_docx", "CJK_FONT"]

CJK_FONT = "Noto Sans CJK SC"  # Word and WPS fall back to the system's CJK font when it is missing
PAGE_W, MARGIN = 210, 15


def _fonts(doc):
    for name in ("Normal", "Table Grid", "Heading 1", "Heading 2", "Heading 3", "Title"):
        style = doc.styles[name]
        style.font.name = CJK_FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
            fonts.set(qn(attr), CJK_FONT)
    doc.styles["Normal"].font.size = Pt(10)
    doc.styles["Table Grid"].font.size = Pt(7.5)


def _text(value):
    return xml_safe(cell_text(value))


def _table(doc, df):
    table = doc.add_table(rows=len(df) + 1, cols=len(df.columns))
    table.style = doc.styles["Table Grid"]
    for cell, col in zip(table.rows[0].cells, df.columns):
        cell.text = _text(col)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row, values in zip(table.rows[1:], df.itertuples(index=False)):
        for cell, value in zip(row.cells, values):
            cell.text = _text(value)
    doc.add_paragraph()
    return table


def brief_docx(brief):
    """The brief as DOCX bytes."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_W), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN))
    _fonts(doc)
    doc.core_properties.title = xml_safe(brief.title)
    doc.add_heading(xml_safe(brief.title), level=0)
    chains = "、".join(f"{c.name}（{c.chain}）" for c in brief.chains)
    doc.add_paragraph(xml_safe(f"地区 region：{brief.region_name}（{brief.region}）；数据截至 as of：{brief.as_of}；"
                               f"产业链 chains：{chains}"))
    legend = "；".join(f"{STATUS_ZH[s]} {s}" for s in STATUS_ZH)
    for n, c in enumerate(brief.chains, 1):
        if n > 1:
            doc.add_page_break()
        doc.add_heading(xml_safe(f"{n}. {c.name} {c.chain}"), level=1)
        k = c.completeness
        doc.add_paragraph(xml_safe(f"完整度 completeness：{k['完整度下限 low']}–{k['完整度上限 high']}（证据份额 "
                                   f"{k['证据份额 evidence']}，证据类型 {k['证据类型 coverage']}，来源 {k['来源 sources']}）"))
        doc.add_heading(f"{n}.1 产业链全景图 panorama", level=2)
        doc.add_picture(io.BytesIO(render_diagram(c.diagram, "png")), width=Mm(PAGE_W - 2 * MARGIN))
        doc.add_paragraph(f"图例（颜色同 HTML 版）：{legend}")
        doc.add_heading(f"{n}.2 缺链弱链清单 gaps", level=2)
        _table(doc, c.gaps)
        doc.add_heading(f"{n}.3 目标企业清单 targets", level=2)
        if len(c.targets):
            _table(doc, c.targets)
        else:
            doc.add_paragraph(f"前 {TOP_GAPS} 个缺口暂无外地候选企业。")
        doc.add_heading(f"{n}.4 重点企业库 enterprises", level=2)
        more = (f"，下表按名称列前 {len(c.enterprises)} 家" if c.enterprise_total > len(c.enterprises) else "")
        doc.add_paragraph(f"本地本链企业共 {c.enterprise_total} 家{more}。")
        if len(c.enterprises):
            _table(doc, c.enterprises)
    doc.add_page_break()
    m = len(brief.chains)
    doc.add_heading(f"{m + 1}. 重点项目库 projects", level=1)
    doc.add_heading("项目台账 ledger", level=2)
    _table(doc, brief.projects)
    doc.add_heading("项目漏斗核对 pipeline reconciliation", level=2)
    doc.add_paragraph("报道值与由报道计数重新计算的比率并列，差异照列；“在库项目”为数据中逐项记录的项目。")
    _table(doc, brief.reconciliation)
    doc.add_heading(f"{m + 2}. 数据来源与方法 sources and method", level=1)
    doc.add_heading("方法 method", level=2)
    doc.add_paragraph(METHOD)
    doc.add_heading("术语 terms", level=2)
    for term, words in GLOSSARY:
        p = doc.add_paragraph()
        p.add_run(term + "：").bold = True
        p.add_run(words)
    for title, df in (("数据 figures", brief.figures), ("来源 sources", brief.sources), ("参数 settings", brief.settings)):
        doc.add_heading(title, level=2)
        _table(doc, df)
    for note in brief.notes:
        doc.add_paragraph(xml_safe(note), style="List Bullet")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
