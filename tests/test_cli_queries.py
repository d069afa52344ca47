"""Every query command: --format json equals the library result; output files; errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

import chainkg
from chainkg import queries
from chainkg.cli import cli
from chainkg.queries.whatif import parse_enterprise_spec
from chainkg.render import to_jsonable


@pytest.fixture(scope="module")
def graph():
    return chainkg.load()


CASES = [
    (["gaps"], lambda g: queries.gaps(g)),
    (["gaps", "--chain", "ic", "--strong-min", "2", "--weight", "closure=0.5"],
     lambda g: queries.gaps(g, None, ["ic"], strong_min=2, w_closure=0.5)),
    (["gaps", "--all-regions", "--chain", "food"], lambda g: queries.gaps(g, None, ["food"], all_regions=True)),
    (["coverage", "--region", "梁平区", "--chain", "lowalt"], lambda g: queries.coverage(g, "梁平区", ["lowalt"])),
    (["targets", "--segment", "晶圆制造", "--top", "5"], lambda g: queries.rank_targets(g, "晶圆制造", None, 5)),
    (["targets", "--segment", "预制菜", "--prefer", "珠三角"],
     lambda g: queries.rank_targets(g, "预制菜", None, 20, preferred_origins=["珠三角"])),
    (["pipeline"], lambda g: queries.pipeline(g)),
    (["compare", "-r", "梁平区", "-r", "上海市"], lambda g: queries.compare(g, ["梁平区", "上海市"])),
    (["whatif", "--add-enterprise", "某晶圆厂,逻辑与晶圆代工", "-c", "ic"],
     lambda g: queries.whatif(g, [parse_enterprise_spec("某晶圆厂,逻辑与晶圆代工", "500155")], chains=["ic"])),
    (["upstream", "封测"], lambda g: queries.upstream(g, "封测")),
    (["downstream", "ic.materials.wafer"], lambda g: queries.downstream(g, "ic.materials.wafer")),
    (["path", "硅片", "汽车电子"], lambda g: queries.supply_paths(g, "硅片", "汽车电子")),
]


@pytest.mark.parametrize("args, library", CASES, ids=[" ".join(c[0][:2]) for c in CASES])
def test_json_equals_library(graph, args, library):
    result = CliRunner().invoke(cli, [*args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lib = library(graph)
    expected = lib if isinstance(lib, pd.DataFrame) else lib.to_dict()
    assert json.loads(result.output) == to_jsonable(expected)


@pytest.mark.parametrize("args", [c[0] for c in CASES], ids=[" ".join(c[0][:2]) for c in CASES])
def test_table_and_md_render(args):
    for fmt in ("table", "md", "csv"):
        result = CliRunner().invoke(cli, [*args, "--format", fmt])
        assert result.exit_code == 0 and result.output.strip(), (fmt, result.output)


def test_whatif_projects_file(tmp_path, graph):
    f = tmp_path / "new.csv"
    f.write_text("项目名称,所属区县,产业链环节,投资额(亿元),状态\n晶圆项目,梁平区,逻辑与晶圆代工,30,签约\n",
                 encoding="utf-8")
    result = CliRunner().invoke(cli, ["whatif", "--add-projects", str(f), "-c", "ic", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    change = [c for c in data["changes"] if c["segment"] == "ic.fabrication.foundry"][0]
    assert (change["status_before"], change["status_after"]) == ("unknown", "planned")
    assert data["added"][0]["source"] == "what-if (hypothetical)"


def test_whatif_projects_file_errors_located(tmp_path):
    f = tmp_path / "new.csv"
    f.write_text("项目名称,所属区县,产业链环节,状态\n晶圆项目,梁平区,晶元制造,签约\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["whatif", "--add-projects", str(f)])
    assert result.exit_code == 1
    assert "new.csv:2:产业链环节: unknown segment '晶元制造'" in result.output


def test_gaps_xlsx_one_sheet_per_table_and_formulas_neutralised(tmp_path, graph):
    out = tmp_path / "gaps.xlsx"
    result = CliRunner().invoke(cli, ["gaps", "-o", str(out)])
    assert result.exit_code == 0
    import openpyxl

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["completeness", "gaps", "notes"]  # notes: feasibility not available here
    assert not (tmp_path / ".gaps.xlsx.tmp").exists() and len(list(tmp_path.iterdir())) == 1


def test_hostile_cells_are_neutralised_in_xlsx_and_csv(tmp_path, graph):
    from chainkg.queries.whatif import with_additions
    from chainkg.render import render

    g, _ = with_additions(graph, [("=HYPERLINK(\"http://evil\",\"x\")", "晶圆制造", "上海市"),
                                  ("@SUM(1)", "晶圆制造", "上海市")])
    t = queries.rank_targets(g, "晶圆制造")
    xlsx = tmp_path / "t.xlsx"
    xlsx.write_bytes(render(t, "xlsx"))
    import openpyxl

    names = [c.value for c in openpyxl.load_workbook(xlsx).active["C"]]
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in names and "'@SUM(1)" in names
    assert all(not str(n).startswith(("=", "@")) for n in names)
    assert "'=HYPERLINK" in render(t, "csv")


@pytest.mark.parametrize("args, message", [
    (["gaps", "--region", "梁平"], "unknown region '梁平' (did you mean 梁平区 500155"),
    (["gaps", "--chain", "芯片"], "unknown chain '芯片'"),
    (["targets", "--segment", "晶元"], "unknown segment '晶元'"),
    (["path", "硅片", "预制菜"], "belong to different chains"),
    (["gaps", "--prefer", "京津冀"], "unknown region group '京津冀'"),
])
def test_query_errors_one_line(args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert message in result.output and result.output.startswith("Error: ")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("args, message", [
    (["gaps", "--region", "梁平区", "--all-regions"], "use only one of --region or --all-regions"),
    (["gaps", "--weight", "speed=1"], "unknown term 'speed'"),
    (["whatif"], "give --add-enterprise or --add-projects"),
    (["pipeline", "-r", "梁平区", "-r", "上海市"], "give one --region"),
])
def test_query_usage_errors_exit_2(args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and message in result.output


def test_ambiguous_name_lists_matches(graph):
    from chainkg.errors import AmbiguousReferenceError
    from chainkg.graph.resolve import NameIndex

    idx = NameIndex("segment")
    idx.add("food.channels.logistics", ["物流"])
    idx.add("lowalt.applications.logistics", ["物流"])
    with pytest.raises(AmbiguousReferenceError) as err:
        idx.resolve("物流")
    assert err.value.matches == ["food.channels.logistics", "lowalt.applications.logistics"]
    assert "use an id" in str(err.value)
