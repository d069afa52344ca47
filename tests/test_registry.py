"""Registry exports as planners have them: no segments column, credit codes often empty,
addresses instead of region codes, 国标行业 and 经营范围. They load, are classified with
their evidence shown, and give a gap analysis."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.queries import classification, gaps
from chainkg.render import to_jsonable
from helpers import write_data_dir

HEADERS = ["企业名称", "统一社会信用代码", "登记状态", "注册资本", "所属省份", "所属城市", "所属区县", "注册地址",
           "国标行业门类", "国标行业大类", "国标行业中类", "国标行业小类", "经营范围", "主营产品", "企业标签"]
SCOPE = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
ROWS = [
    ["重庆梁平示例微电子有限公司", "91500155MA00000000", "存续", "5000万元人民币", "重庆市", "重庆市", "梁平区", "",
     "制造业", "计算机、通信和其他电子设备制造业", "电子器件制造", "半导体分立器件制造",
     "一般项目：半导体分立器件制造；集成电路芯片及产品销售；技术服务、技术开发" + SCOPE, "MOSFET", "高新技术企业;规上"],
    ["重庆梁平示例食品有限公司", "", "在业", "1200万元人民币", "", "", "", "重庆市梁平区双桂街道示例路1号",
     "制造业", "食品制造业", "", "",
     "许可项目：食品生产（依法须经批准的项目，经相关部门批准后方可开展经营活动）一般项目：预制菜加工；食用农产品初加工",
     "", ""],
    ["重庆梁平示例电子贸易有限公司", "", "存续", "100万元人民币", "重庆市", "重庆市", "梁平区", "",
     "批发业", "", "", "", "一般项目：电子元器件批发；集成电路芯片及产品销售；货物进出口" + SCOPE, "", ""],
    ["重庆梁平已注销封测有限公司", "", "注销", "300万元人民币", "重庆市", "重庆市", "梁平区", "",
     "", "", "", "", "一般项目：集成电路封装测试；电子元器件制造" + SCOPE, "", ""],
    ["南京示例无人机有限公司", "91320106MA1N2B3C4N", "存续", "100万美元", "江苏省", "南京市", "鼓楼区", "",
     "", "", "", "", "一般项目：智能无人飞行器制造；智能无人飞行器销售" + SCOPE, "植保无人机", "专精特新中小企业"],
]
MANIFEST = "name: 示例区企业名录\nas_of: '2026-11'\nhome_region: '500155'\ndefaults: {source: 企查查导出 2026-11 (illustrative rows)}\n"


def registry_dir(root, rows=ROWS, fmt="xlsx", **extra):
    files = {"chainkg.yaml": MANIFEST, **extra}
    if fmt == "csv":
        text = ",".join(HEADERS) + "\n" + "".join(",".join(f'"{c}"' for c in r) + "\n" for r in rows)
        files["enterprises.csv"] = text.encode("gbk")
    data = write_data_dir(root, files)
    if fmt == "xlsx":
        pd.DataFrame(rows, columns=HEADERS).to_excel(data / "enterprises.xlsx", index=False)
    return data


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    return chainkg.load(registry_dir(tmp_path_factory.mktemp("reg") / "d"))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_registry_export_validates_and_gives_a_gap_analysis(tmp_path, fmt):
    root = registry_dir(tmp_path / "d", fmt=fmt)
    report = chainkg.validate(root)
    assert report.valid, report.lines()
    line = next(f for f in report.files if f.startswith("enterprises."))
    assert "1 注销/吊销/迁出, not counted" in line and "trade-only" in line
    g = chainkg.load(root)
    result = gaps(g, "梁平区", "ic")
    assert len(result.completeness) == 1 and len(result.gaps)


def test_ids_regions_capital_and_registration(graph):
    e = graph.enterprises.set_index("name")
    nanjing = e.loc["南京示例无人机有限公司"]
    assert nanjing["id"] == "91320106MA1N2B3C4N"  # a valid credit code is the id
    wrong = e.loc["重庆梁平示例微电子有限公司"]
    assert wrong["credit_code"] == "91500155MA00000000" and wrong["id"].startswith("e-")  # fails its check
    assert (nanjing["region"], nanjing["registered_capital"], nanjing["capital_currency"]) == \
        ("320106", 1_000_000.0, "USD")
    food = e.loc["重庆梁平示例食品有限公司"]
    assert food["region"] == "500155" and food["region_source"].startswith("address:")
    assert e.loc["重庆梁平已注销封测有限公司", "registration"] == "inactive"
    assert "320106" in set(graph.regions["id"])  # added from the division table, with its parents
    assert e.loc["重庆梁平示例微电子有限公司", "flags"] == "above_scale;high_tech"


def test_memberships_carry_method_evidence_and_confidence(graph):
    rows = classification(graph)
    chip = rows[rows["name"] == "重庆梁平示例微电子有限公司"].set_index("segment")
    power = chip.loc["ic.fabrication.power"]
    assert power["method"].startswith("industry_code") and "半导体分立器件制造" in power["evidence"]
    assert power["confidence"] == "high"
    food = rows[rows["name"] == "重庆梁平示例食品有限公司"]
    assert "food.deep.prepared_dishes" in set(food["segment"])
    assert list(classification(graph, which="trade_only")["name"]) == ["重庆梁平示例电子贸易有限公司"]


def test_gone_enterprises_count_nowhere(graph):
    assert "重庆梁平已注销封测有限公司" in set(graph.enterprises["name"])
    gone = graph.enterprises.loc[graph.enterprises["registration"] == "inactive", "id"]
    assert gone.isin(graph.memberships["enterprise"]).all()
    assert not gone.isin(graph.counted_memberships["enterprise"]).any()
    status = gaps(graph, "梁平区", "ic").gaps.set_index("segment")
    assert "ic.packaging.assembly" in status.index or "ic.packaging" in status.index


def test_cli_json_equals_the_library(tmp_path):
    root = registry_dir(tmp_path / "d")
    result = CliRunner().invoke(cli, ["--data", str(root), "classify", "-f", "json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed == to_jsonable(classification(chainkg.load(root)))
    assert {"enterprise", "name", "segment", "method", "evidence", "confidence"} <= set(printed[0])


def test_overrides_win_over_rules(tmp_path):
    overrides = ("企业,环节,备注\n重庆梁平示例电子贸易有限公司,ic.packaging.testing,走访核实：有测试线\n"
                 "重庆梁平示例食品有限公司,无,只做代工分装\n")
    g = chainkg.load(registry_dir(tmp_path / "d", **{"overrides.csv": overrides}))
    rows = classification(g).set_index("name")
    assert rows.loc["重庆梁平示例电子贸易有限公司", "segment"] == "ic.packaging.testing"
    assert rows.loc["重庆梁平示例电子贸易有限公司", "method"] == "manual"
    assert "重庆梁平示例食品有限公司" not in rows.index
    assert set(g.enterprises["classification"]) >= {"manual"}


def test_a_written_region_wins_over_the_credit_code(tmp_path, demo_files):
    demo_files["enterprises.csv"] = ("企业名称,统一社会信用代码,所属区县,产业链环节,来源\n"
                                     "甲公司,91350100M000100Y43,500155,demo.fab,test\n"
                                     "乙公司,91350100MA00000X0J,,demo.fab,test\n")
    e = chainkg.load(write_data_dir(tmp_path / "d", demo_files)).enterprises.set_index("name")
    assert e.loc["甲公司", "region"] == "500155"  # registered in 福州, operating in 梁平: as written
    assert (e.loc["乙公司", "region"], e.loc["乙公司", "region_confidence"]) == ("350100", "high")  # the code
