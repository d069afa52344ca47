"""Generic node and edge tables (GBK CSV, XLSX) through a mapping file."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.errors import DataError, ValidationError
from chainkg.loaders.mapping import import_mapped_tables, read_mapped_tables
from chainkg.render import to_jsonable

MAPPING = """\
name: 某供应链数据库
source: scdb-2025
title: 某供应链数据库导出
as_of: "2025-06"
tables:
  - {file: 企业.csv, kind: enterprises,
     columns: {企业ID: id, 公司: name, 城市: region, 信用代码: credit_code, 地址: address}}
  - file: 企业环节.xlsx
    kind: memberships
    columns: {企业ID: enterprise, 环节: segment, 占比: share}
    values:
      segment: {晶圆代工厂: ic.fabrication.foundry}
  - {file: 供货.csv, kind: links, columns: {供方: supplier, 需方: customer, 产品: product}}
  - file: 项目.csv
    kind: projects
    columns: {项目: name, 企业: enterprise, 区县: region, 金额: investment_cny, 进展: status}
    values:
      status: {洽谈中: intent, 已开工: under_construction}
"""


@pytest.fixture
def supply_dir(tmp_path):
    root = tmp_path / "supply"
    root.mkdir()
    (root / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    (root / "企业.csv").write_bytes((
        "企业ID,公司,城市,信用代码,地址\n"
        "A1,某微电子有限公司,,,江苏省无锡市新吴区某路1号\n"
        "A2,某某封测有限公司,,91350100M000100Y43,\n"
        "A3,吉林某材料有限公司,,,\n"
        "A4,重庆某电子有限公司,梁平区,,\n"
        "A5,某代工有限公司,江苏省南通市,,\n").encode("gbk"))
    pd.DataFrame({"企业ID": ["A1", "A1", "A2", "A5", "A9"],
                  "环节": ["芯片设计", "封测", "封测", "晶圆代工厂", "封测"],
                  "占比": ["0.6", "0.4", "1", "1", ""]}).to_excel(root / "企业环节.xlsx", index=False)
    (root / "供货.csv").write_text("供方,需方,产品\nA1,A2,晶圆\n", encoding="utf-8")
    (root / "项目.csv").write_text("项目,企业,区县,金额,进展\n封测扩产项目,A4,梁平区,5亿,已开工\n"
                                 "新项目,A4,重庆市梁平区,3000万,洽谈中\n", encoding="utf-8-sig")
    return root


def test_tables_are_mapped(supply_dir):
    r = read_mapped_tables(supply_dir / "mapping.yaml")
    e = r.data["enterprises"].set_index("id")
    m = r.data["memberships"]
    assert m.loc[m["enterprise"] == "A1", ["segment", "share"]].values.tolist() == [["芯片设计", "0.6"],
                                                                                  ["封测", "0.4"]]
    assert m.loc[m["enterprise"] == "A5", "segment"].tolist() == ["ic.fabrication.foundry"]  # value translated
    assert e.loc["A1", ["region", "region_source"]].tolist() == ["320214", "address:江苏省无锡市新吴区"]
    assert e.loc["A2", ["region", "region_confidence"]].tolist() == ["350100", "high"]
    assert e.loc["A3", ["region", "region_confidence"]].tolist() == ["220000", "low"]
    assert e.loc["A5", "region"] == "320600"  # a region name became its code
    assert r.data["projects"]["status"].tolist() == ["under_construction", "intent"]
    assert r.data["projects"]["region"].tolist() == ["500155", "500155"]
    assert r.skipped["reason"].tolist() == ["enterprise not in the enterprise table"]
    assert r.skipped["file"].tolist() == ["企业环节.xlsx"] and r.skipped["line"].tolist() == [6]
    steps = dict(zip(r.summary["step"], r.summary["count"]))
    assert steps["企业.csv (csv gb18030) rows read"] == 5
    assert steps["memberships (enterprise -> segment rows)"] == 4


def test_written_directory_loads(supply_dir, tmp_path):
    import_mapped_tables(supply_dir / "mapping.yaml", tmp_path / "out", home_region="500155")
    g = chainkg.load(tmp_path / "out")
    assert len(g.enterprises) == 5 and len(g.links) == 1
    assert set(g.memberships["segment"]) == {"ic.design.chip_design", "ic.packaging",
                                             "ic.fabrication.foundry"}
    assert sorted(g.memberships["share"]) == [0.4, 0.6, 1.0, 1.0]
    assert g.projects["investment_cny"].tolist() == [500_000_000, 30_000_000]
    assert g.region_name("320214") == "新吴区"


def test_bad_value_located_in_original_file(supply_dir, tmp_path):
    text = (supply_dir / "项目.csv").read_text(encoding="utf-8-sig") + "坏项目,A4,梁平区,1亿,不知道\n"
    (supply_dir / "项目.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        import_mapped_tables(supply_dir / "mapping.yaml", tmp_path / "out")
    assert str(info.value.report.problems[0]).startswith("项目.csv:4:进展: unknown project status '不知道'")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("edit,message", [
    (lambda m: m.replace("source: scdb-2025\n", ""), "missing 'source'"),
    (lambda m: m.replace("kind: links", "kind: edges"), "needs file and kind"),
    (lambda m: m.replace("产品: product", "产品: weight2"), "'weight2' is not a column of links"),
    (lambda m: m.replace("供方: supplier", "供应商: supplier"), "column '供应商' named in the mapping"),
])
def test_mapping_errors(supply_dir, edit, message):
    (supply_dir / "mapping.yaml").write_text(edit(MAPPING), encoding="utf-8")
    with pytest.raises(DataError, match=message):
        read_mapped_tables(supply_dir / "mapping.yaml")


def test_cli_json_equals_library(supply_dir, tmp_path):
    result = CliRunner().invoke(cli, ["import", "table", str(supply_dir / "mapping.yaml"), "-o",
                                      str(tmp_path / "a"), "-f", "json"])
    assert result.exit_code == 0, result.output
    lib = to_jsonable(import_mapped_tables(supply_dir / "mapping.yaml", tmp_path / "b").to_dict())
    got = json.loads(result.output)
    assert {k: v for k, v in got.items() if k != "written_to"} == \
        {k: v for k, v in lib.items() if k != "written_to"}


def test_bad_membership_segment_located_in_membership_file(supply_dir, tmp_path):
    """A bad segment in the edge table is reported there, at its own row and header."""
    pd.DataFrame({"企业ID": ["A1", "A2", "A5"], "环节": ["芯片设计", "不存在的环节", "晶圆代工厂"],
                  "占比": ["1", "1", "1"]}).to_excel(supply_dir / "企业环节.xlsx", index=False)
    with pytest.raises(ValidationError) as info:
        import_mapped_tables(supply_dir / "mapping.yaml", tmp_path / "out")
    problem = info.value.report.problems[0]
    assert (problem.file, problem.row, problem.column) == ("企业环节.xlsx", 3, "环节")
    assert not (tmp_path / "out").exists()


def test_a_failed_import_lists_every_problem_and_says_nothing_was_written(tmp_path):
    import json

    from click.testing import CliRunner

    from chainkg.cli import cli

    (tmp_path / "m.yaml").write_text("source: s\nas_of: '2025'\ntables:\n"
                                     "  - {file: a.csv, kind: enterprises, columns: {名称: name, 城市: region}}\n",
                                     encoding="utf-8")
    (tmp_path / "a.csv").write_text("名称,城市\n甲,火星\n乙,木星\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["import", "table", str(tmp_path / "m.yaml"), "-o", str(out), "-f", "json"])
    assert result.exit_code == 1 and not out.exists()
    report = json.loads(result.stdout)
    assert report["written_to"] is None
    assert [(p["file"], p["row"], p["column"]) for p in report["problems"]] == [("a.csv", 2, "城市"), ("a.csv", 3, "城市")]
    result = CliRunner().invoke(cli, ["import", "table", str(tmp_path / "m.yaml"), "-o", str(out)])
    assert "a.csv:2:城市: unknown region '火星'" in result.stderr
    assert "nothing was written to" in result.stderr and "(2 problems)" in result.stderr
    assert "chainkg validate" not in result.stderr
