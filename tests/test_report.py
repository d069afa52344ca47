"""chainkg report: the brief's numbers, its DOCX and XLSX forms, and hostile names in them.

The HTML page and the PDF are checked in a real browser in test_report_browser.py.
"""

from __future__ import annotations

import html
import zipfile

import docx
import openpyxl
import pytest
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.queries import gaps, pipeline, rank_targets
from chainkg.render import neutralize_formula
from chainkg.report import build_brief, write_report
from chainkg.report.brief import TOP_GAPS, TOP_TARGETS, cell_text
from chainkg.report.diagram import chain_diagram, render_diagram
from report_support import FORMULA, IMG, SCRIPT, hostile_data_dir


@pytest.fixture(scope="module")
def graph():
    return chainkg.load()


@pytest.fixture(scope="module")
def brief(graph):
    return build_brief(graph)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = hostile_data_dir(tmp_path_factory.mktemp("hostile"))
    return root, build_brief(chainkg.load(root))


def test_brief_holds_the_three_chains_of_the_home_region(brief):
    assert (brief.region, brief.region_name) == ("500155", "梁平区")
    assert [c.chain for c in brief.chains] == ["ic", "food", "lowalt"]


def test_gap_lists_equal_the_gap_query(graph, brief):
    report = gaps(graph, "500155", ["ic", "food", "lowalt"])
    for c in brief.chains:
        expected = report.gaps[report.gaps["chain"] == c.chain]
        assert c.gaps["segment"].tolist() == expected["segment"].tolist()
        assert c.gaps["优先级 priority"].tolist() == expected["priority"].round(3).tolist()
        assert c.gaps["建议 action"].tolist() == expected["action"].tolist()
        assert c.gaps["候选企业 candidates"].tolist() == expected["candidates"].tolist()
        row = report.completeness.set_index("chain").loc[c.chain]
        assert c.completeness["完整度下限 low"] == f"{100 * row['completeness_low']:.0f}%"
        assert c.completeness["完整度上限 high"] == f"{100 * row['completeness_high']:.0f}%"
    ic = brief.chains[0].gaps.iloc[0]
    assert (ic["环节 segment"], ic["建议 action"]) == ("功率半导体", "强链")
    assert ic["主要依据 why"] == "下游本地企业需求强（折算 8 家）；可补通 1536 条供应路径"


def test_target_lists_equal_the_target_query(graph, brief):
    for c in brief.chains:
        for seg in c.gaps["segment"].head(TOP_GAPS):
            expected = rank_targets(graph, seg, "500155", TOP_TARGETS)
            got = c.targets[c.targets["gap_segment"] == seg]
            assert got["enterprise"].tolist() == expected["enterprise"].tolist()
            assert got["得分 score"].tolist() == expected["score"].round(3).tolist()
            engaged = expected["group"] == "already engaged"
            assert (got["已接洽 engaged"] != "").tolist() == engaged.tolist()


def test_engaged_candidates_are_marked(graph):
    """保定天航机械 has an investment intention in 梁平: listed as already engaged."""
    brief = build_brief(graph, chains="lowalt")
    t = brief.chains[0].targets
    assert not t.empty
    engaged = t[t["已接洽 engaged"] != ""]
    assert all(e.startswith("已接洽：") for e in engaged["已接洽 engaged"])
    assert (engaged["排名 rank"] == "").all()


def test_pipeline_reconciles_with_the_reported_figures(graph, brief):
    r = brief.reconciliation.set_index("metric")
    assert r.loc["signed_projects", "报道值 reported"] == "57"
    assert r.loc["contract_investment_cny", "报道值 reported"] == "98.35亿元"
    expected = {"landed_rate": ("84.2%", "84.2%", "+0.0 个百分点"),
                "construction_rate": ("35.0%", "35.1%", "+0.1 个百分点"),
                "production_rate": ("31.5%", "31.6%", "+0.1 个百分点")}
    for metric, (said, computed, diff) in expected.items():
        assert (r.loc[metric, "报道值 reported"], r.loc[metric, "由计数计算 computed"],
                r.loc[metric, "差异 difference"]) == (said, computed, diff)
    stages = pipeline(graph, "500155").stages.set_index("status")
    assert r.loc["signed_projects", "在库项目 on record"] == str(int(stages.loc["signed", "reached"]))
    assert len(brief.projects) == len(pipeline(graph, "500155").projects)


def test_sources_and_settings_are_listed(graph, brief):
    assert set(brief.sources["来源 source"]) == set(graph.sources["id"])
    assert "lp-2025" in set(brief.figures["来源 source"])
    assert (brief.figures["期间 as of"] != "").all()
    settings = dict(zip(brief.settings["参数 setting"], brief.settings["取值 value"]))
    assert settings["priority.demand"] == "0.3" and settings["strong_min"] == "3"


def test_diagrams_draw_every_leaf_of_every_chain(graph, brief):
    for c in brief.chains:
        svg = render_diagram(chain_diagram(graph, c), "svg")
        assert svg.lstrip().startswith("<?xml") and "<script" not in svg
        for leaf in graph.leaves(c.chain):
            assert html.escape(graph.segments[leaf].name) in svg, leaf
        png = render_diagram(c.diagram, "png")
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


def _docx_rows(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def _expected_docx_tables(brief):
    out = []
    for c in brief.chains:
        out += [c.gaps] + ([c.targets] if len(c.targets) else []) + ([c.enterprises] if len(c.enterprises) else [])
    return out + [brief.projects, brief.reconciliation, brief.figures, brief.sources, brief.settings]


def test_docx_tables_hold_the_brief_rows(brief, tmp_path):
    out = tmp_path / "brief.docx"
    result = CliRunner().invoke(cli, ["report", "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = docx.Document(str(out))
    expected = _expected_docx_tables(brief)
    assert len(doc.tables) == len(expected)
    for table, df in zip(doc.tables, expected):
        rows = [[cell_text(v) for v in r] for r in df.itertuples(index=False)]
        assert _docx_rows(table) == [list(map(str, df.columns))] + rows
    assert len(doc.inline_shapes) == len(brief.chains)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "补链" in text and "待摸底" in text


def test_xlsx_has_one_sheet_per_list_equal_to_the_brief(brief, tmp_path):
    out = tmp_path / "brief.xlsx"
    assert CliRunner().invoke(cli, ["report", "-o", str(out)]).exit_code == 0
    wb = openpyxl.load_workbook(out)
    tables = brief.tables()
    assert wb.sheetnames == list(tables)
    for name, df in tables.items():
        rows = list(wb[name].iter_rows(values_only=True))
        assert list(rows[0]) == list(df.columns)
        assert len(rows) == len(df) + 1
        for got, want in zip(rows[1:], df.itertuples(index=False)):
            for g, w in zip(got, want):
                w = None if cell_text(w) == "" else w
                assert g == (neutralize_formula(w) if isinstance(w, str) else w)


def test_hostile_names_stay_inert_in_html_docx_and_xlsx(hostile, tmp_path):
    root, brief = hostile
    page = tmp_path / "h.html"
    for fmt in ("html", "docx", "xlsx"):
        result = CliRunner().invoke(cli, ["--data", str(root), "report", "-o", str(tmp_path / f"h.{fmt}")])
        assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert SCRIPT not in text and IMG not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "&lt;img src=x onerror=" in text
    assert text.count("<script") == 0

    doc = docx.Document(str(tmp_path / "h.docx"))
    cells = {cell.text for t in doc.tables for row in t.rows for cell in row.cells}
    assert {SCRIPT, FORMULA, IMG} <= cells  # literal text, not markup or a formula
    with zipfile.ZipFile(tmp_path / "h.docx") as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert not any(tag in body for tag in ("<w:instrText", "<w:fldSimple", "<w:fldChar", "<w:hyperlink"))

    wb = openpyxl.load_workbook(tmp_path / "h.xlsx")
    values = [c for ws in wb for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "'" + FORMULA in values and FORMULA not in values
    assert not any(isinstance(c, str) and c.startswith(("=", "+", "@")) for c in values)


def test_report_format_comes_from_the_suffix_or_the_option(tmp_path):
    runner = CliRunner()
    bad = runner.invoke(cli, ["report", "-o", str(tmp_path / "brief.txt")])
    assert bad.exit_code == 1 and "cannot tell the report format" in bad.output
    out = tmp_path / "brief.txt"
    assert runner.invoke(cli, ["report", "--format", "html", "-o", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".*.tmp"))


def test_report_narrows_to_one_chain_and_rejects_unknown_ones(tmp_path):
    runner = CliRunner()
    out = tmp_path / "ic.xlsx"
    assert runner.invoke(cli, ["report", "--chain", "集成电路", "-o", str(out)]).exit_code == 0
    gaps_sheet = openpyxl.load_workbook(out)["缺链弱链 gaps"]
    assert {row[0] for row in gaps_sheet.iter_rows(min_row=2, values_only=True)} == {"集成电路"}
    bad = runner.invoke(cli, ["report", "--chain", "nochain", "-o", str(tmp_path / "x.html")])
    assert bad.exit_code == 1 and "nochain" in bad.output and not (tmp_path / "x.html").exists()


def test_write_report_returns_the_path(brief, tmp_path):
    assert write_report(tmp_path / "b.html", brief) == tmp_path / "b.html"
