"""Classification of registry records into segments: the rules, and how good they are.

The development set (tests/data/classify/dev) is labelled by hand; a prediction is right
when it is the labelled segment, above it or below it. The hold-out set beside it is
measured the same way and never used to write rules.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pandas as pd
import pytest

import chainkg
from chainkg.loaders.classify import classify, load_rules, split_clauses
from chainkg.loaders.report import Report
from classify_eval import quality

DATA = Path(__file__).parent / "data" / "classify"


def run(rules, rows):
    records = pd.DataFrame(rows, columns=["industry", "scope", "products"])
    memberships, outcome = classify(records, rules)
    by_row = collections.defaultdict(set)
    for r in memberships.itertuples():
        by_row[r.row].add(r.segment)
    return [by_row[i] for i in range(len(rows))], outcome.tolist(), memberships


def test_boilerplate_and_headings_end_clauses():
    scope = ("许可项目：食品生产（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
             "一般项目：食品销售（仅销售预包装食品）；货物进出口")
    assert split_clauses(scope) == ["食品生产", "食品销售（仅销售预包装食品）", "货物进出口"]


@pytest.mark.parametrize("scope, expected, outcome", [
    ("一般项目：集成电路芯片设计及服务；软件开发", {"ic.design.chip_design"}, "classified"),
    ("一般项目：电子元器件批发；集成电路芯片及产品销售；货物进出口", set(), "trade_only"),
    ("一般项目：生物芯片研发；医学研究和试验发展", set(), "unclassified"),
    ("一般项目：物业管理；停车场服务", set(), "unclassified"),
], ids=["design", "trade-only", "unrelated-sense", "elsewhere"])
def test_scope_clauses(rules, scope, expected, outcome):
    segments, outcomes, _ = run(rules, [("", scope, "")])
    assert segments[0] == expected and outcomes[0] == outcome


def test_industry_code_confirms_text(rules):
    _, _, m = run(rules, [("集成电路制造", "一般项目：集成电路制造；技术服务", "")])
    row = m.set_index("segment").loc["ic.fabrication"]
    assert row["method"] == "industry_code+scope_text" and row["confidence"] == "high"
    assert "国标行业 3973" in row["evidence"] and "集成电路制造" in row["evidence"]


def test_a_side_clause_under_another_class_makes_no_member(rules):
    scope = "一般项目：软件开发；信息系统集成服务；网络技术服务；集成电路设计；数据处理服务"
    segments, _, _ = run(rules, [("应用软件开发", scope, "")])
    assert segments[0] == set()


def test_makers_own_sales_make_no_channel(rules):
    segments, _, _ = run(rules, [("", "许可项目：食品生产；食品销售。一般项目：预制菜加工", "")])
    assert segments[0] == {"food.deep.prepared_dishes"}


def test_one_character_words_count_only_as_enumeration_items(rules):
    segments, _, _ = run(rules, [("", "一般项目：谷物种植", "稻、柚、鸭"), ("", "一般项目：鸭舌帽销售", "")])
    assert {"food.farming.pomelo"} <= segments[0] or any(s.startswith("food.") for s in segments[0])
    assert segments[1] == set()


def test_bad_code_file_is_located(tmp_path):
    path = tmp_path / "codes.yaml"
    path.write_text("classes: {'3973': 集成电路制造, X9: 什么}\n"
                    "mappings:\n  '3974': {segments: [ic.display]}\n  '3973': {segments: [ic.nowhere]}\n",
                    encoding="utf-8")
    report = Report()
    load_rules(chainkg.load().segments.values(), report, path)
    where = {(p.path, p.message.split(" (")[0]) for p in report.problems}
    assert ("classes.X9", "not a GB/T 4754 code 'X9'") in where
    assert any(p == "mappings.3974" and m.startswith("unknown industry code '3974'") for p, m in where)
    assert any(p == "mappings.3973.segments[0]" and m.startswith("unknown segment 'ic.nowhere'") for p, m in where)


@pytest.mark.parametrize("name", ["dev", "holdout"])
def test_quality_on_the_labelled_sets(name):
    """The issue's targets, precision 0.90 and recall 0.85, for each chain and overall,
    through the loader as a user runs it (see scripts/classify_quality.py)."""
    for chain, (precision, recall, _, _) in quality(DATA / name / f"registry_{name}.csv").items():
        assert precision >= 0.90 and recall >= 0.85, (chain, precision, recall)


@pytest.mark.parametrize("industry, scope, products, expected", [
    ("集成电路设计", "一般项目：集成电路设计；技术服务、技术开发", "PCIe/DDR接口IP授权", {"ic.design.ip"}),
    ("", "一般项目：集成电路设计；软件开发", "版图物理验证（DRC/LVS）软件", {"ic.design.eda"}),
    ("通信终端设备制造", "一般经营项目是：物联网通信模块的技术开发与销售；软件开发。，许可经营项目是：物联网通信模块的生产。",
     "", {"ic.modules.comm"}),
    ("", "技术开发、技术服务；制造无人机飞行控制系统；销售电子产品", "", {"lowalt.components.flight_control"}),
], ids=["products-name-a-sibling", "products-name-a-sibling-no-class", "first-clause-beside-a-medium-class",
        "generic-first-clause"])
def test_the_text_says_which_of_the_kind(rules, industry, scope, products, expected):
    """A catalogue item in the scope yields to the sibling the main products name; a class
    that is not high yields to what the principal text names in its chain; a clause of
    generic technical services is never the principal one."""
    segments, _, _ = run(rules, [(industry, scope, products)])
    assert segments[0] == expected


def test_a_diversified_row_keeps_its_other_branches(rules):
    segments, _, _ = run(rules, [("", "一般项目：集成电路设计；电力电子元器件制造", "IGBT功率模块")])
    assert "ic.design.chip_design" in segments[0] and "ic.modules.power" in segments[0]


def test_chunks_of_rows_classify_as_one_table(rules, monkeypatch):
    """Rows are classified in chunks side by side; the result may not depend on where the
    chunks end (row numbers, evidence numbering, outcome order)."""
    import chainkg.loaders.classify as classify_module

    records = pd.read_csv(DATA / "dev" / "registry_dev.csv", dtype=str, encoding="utf-8-sig").fillna("")
    records = records.rename(columns={"国标行业小类": "industry", "经营范围": "scope", "主营产品": "products"})
    whole, whole_outcome = classify(records, rules)
    monkeypatch.setattr(classify_module, "CHUNK_ROWS", 7)
    chunked, chunked_outcome = classify(records, rules)
    assert len(whole) > 100
    pd.testing.assert_frame_equal(whole.astype(str), chunked.astype(str))
    assert whole_outcome.tolist() == chunked_outcome.tolist()
