"""Gap queries on small fixture chains, against values computed by hand (DESIGN §5)."""

from __future__ import annotations

import pandas as pd
import pytest

import chainkg
from chainkg.queries import compare, coverage, gaps, pipeline, rank_targets, supply_paths, upstream, whatif
from helpers import REGIONS, SOURCES, write_data_dir

HAND_CHAIN = """\
id: t
name: 手算链
segments:
  - {id: a, name: 甲, stage: upstream}
  - {id: b, name: 乙, stage: upstream}
  - id: m
    name: 中
    stage: midstream
    children:
      - {id: m1, name: 中一}
      - {id: m2, name: 中二}
  - {id: d, name: 丁, stage: downstream, weight: 2}
supplies:
  - {from: a, to: m}
  - {from: b, to: m}
  - {from: m, to: d}
"""

CYCLE_CHAIN = """\
id: cyc
name: 环链
segments:
  - {id: x, name: 甲环, stage: upstream}
  - {id: y, name: 乙环, stage: midstream}
  - {id: z, name: 丙环, stage: downstream}
supplies:
  - {from: x, to: y}
  - {from: y, to: x}
  - {from: y, to: z}
"""


def enterprises(rows):
    return "id,name,region,segments,flags,output_cny,source\n" + "".join(
        f"{i},{n},{r},{s},{f},{o},test\n" for i, n, r, s, f, o in rows)


@pytest.fixture
def hand(tmp_path):
    files = {
        "chainkg.yaml": "name: hand\nhome_region: '500155'\n",
        "chains/t.yaml": HAND_CHAIN, "chains/cyc.yaml": CYCLE_CHAIN,
        "regions.csv": REGIONS, "sources.csv": SOURCES,
        "enterprises.csv": enterprises([
            ("a1", "甲一", "500155", "t.a", "", ""), ("a2", "甲二", "500155", "t.a", "", ""),
            ("a3", "甲三", "500155", "t.a", "", ""), ("d1", "丁一", "500155", "t.d", "", ""),
            ("x", "外乙", "320200", "t.b", "上市", "1000000000"), ("y", "外中", "320200", "t.m", "", ""),
            ("z", "外丁", "500000", "t.d", "专精特新", "10000000"),
            ("c1", "环甲一", "500155", "cyc.x", "", ""), ("c2", "环甲二", "500155", "cyc.x", "", ""),
            ("c3", "环甲三", "500155", "cyc.x", "", ""), ("c4", "环丙一", "500155", "cyc.z", "", ""),
            ("c5", "环丙二", "500155", "cyc.z", "", ""), ("c6", "环丙三", "500155", "cyc.z", "", ""),
        ]),
        "presence.csv": "region,segment,enterprises,source\n500155,t.m,,test\n",
        "links.csv": "supplier,customer,product,source\nx,a1,乙料,test\n",
    }
    return chainkg.load(write_data_dir(tmp_path / "hand", files))


def row(report, segment):
    return report.gaps.set_index("segment").loc[segment]


def test_hand_statuses_and_completeness(hand):
    cov = coverage(hand, "500155", "t").segments.set_index("segment")["status"]
    # the fixture's one source gives mentions (the default): b, with no facts, is unknown, not missing
    assert cov.to_dict() == {"t.a": "present", "t.b": "unknown", "t.m": "present",
                             "t.m.m1": "unresolved", "t.m.m2": "unresolved", "t.d": "weak"}
    r = gaps(hand, "500155", "t")
    comp = r.completeness.iloc[0]
    assert comp["completeness_low"] == pytest.approx(3 / 6)  # (a1 + d2) / 6: leaf-level facts
    assert comp["completeness_high"] == pytest.approx(1.0)  # + b1 (unknown) + m1 + m2 (unresolved)
    assert comp["evidence_share"] == pytest.approx(3 / 6)
    assert (comp["coverage"], comp["sources"]) == ("mentions", "test")
    assert set(r.gaps["segment"]) == {"t.b", "t.d"}  # unresolved leaves are never gaps


def test_hand_priority_terms(hand):
    r = gaps(hand, "500155", "t")
    b, d = row(r, "t.b"), row(r, "t.d")
    # demand of b: m1 + m2 one step away (1 each, counted as 1 without a count), d two steps (1 × 0.5)
    assert (b["demand_raw"], b["supply_raw"], b["closure_raw"]) == (2.5, 0.0, 2.0)
    # supply of d: m1 + m2 one step (1 each), a two steps (3 × 0.5); b is missing
    assert (d["demand_raw"], d["supply_raw"], d["closure_raw"]) == (0.0, 3.5, 2.0)
    assert (b["centrality_raw"], d["centrality_raw"]) == (0.0, 0.0)
    assert (b["candidates"], d["candidates"]) == (1, 1)
    assert (b["demand"], b["supply"], b["closure"], b["availability"]) == (1.0, 0.0, 1.0, 1.0)
    assert (d["demand"], d["supply"], d["closure"], d["availability"]) == (0.0, 1.0, 1.0, 1.0)
    assert b["priority"] == pytest.approx(0.30 + 0.25 + 0.15)
    assert d["priority"] == pytest.approx(0.15 + 0.25 + 0.15)
    assert list(r.gaps["segment"]) == ["t.b", "t.d"]  # highest priority first


def test_hand_actions(hand):
    r = gaps(hand, "500155", "t")
    assert (row(r, "t.b")["action"], row(r, "t.d")["action"]) == ("延链", "强链")
    # In 320200 there is one company in b (x) and one at the m level (y): a and d are missing.
    r2 = gaps(hand, "320200", "t")
    actions = r2.gaps.set_index("segment")["action"].to_dict()
    assert actions == {"t.a": "延链", "t.b": "强链", "t.d": "延链"}
    # with a and d present and nothing at m: both m leaves are between present segments
    more = hand.replace(presence=hand.presence.iloc[0:0])
    r3 = gaps(more, "500155", "t", strong_min=1)
    acts = r3.gaps.set_index("segment")["action"].to_dict()
    assert acts["t.m.m1"] == acts["t.m.m2"] == "补链" and acts["t.b"] == "建链"


def test_weights_change_priority(hand):
    r = gaps(hand, "500155", "t", w_demand=0, w_supply=1, w_closure=0, w_availability=0)
    assert list(r.gaps["segment"]) == ["t.d", "t.b"]
    assert r.to_dict()["settings"]["w_supply"] == 1


def test_strong_min_threshold(hand):
    assert row(gaps(hand, "500155", "t", strong_min=4), "t.a")["status"] == "weak"
    assert "t.d" not in set(gaps(hand, "500155", "t", strong_min=1).gaps["segment"])


def test_supply_cycle(hand):
    r = gaps(hand, "500155", "cyc")
    y = row(r, "cyc.y")
    assert y["action"] == "补链"
    assert y["closure_raw"] == 1.0  # x > y > z once the edge closing the cycle (y > x) is set aside
    assert y["demand_raw"] == 6.0  # x and z are both one step downstream of y (3 each)
    assert y["supply_raw"] == 3.0


def test_planned_and_producing_projects(hand, tmp_path):
    proj = pd.DataFrame([
        {"id": "p1", "name": "乙项目", "region": "500155", "segment": "t.b", "status": "signed",
         "source": "test"},
        {"id": "p2", "name": "丁项目", "region": "500155", "segment": "t.d", "status": "in_production",
         "source": "test"}])
    g = hand.replace(projects=proj)
    r = gaps(g, "500155", "t")
    assert row(r, "t.b")["status"] == "planned" and row(r, "t.b")["projects"] == 1
    assert "t.d" not in set(r.gaps["segment"])  # a project in production counts as present


def test_presence_row_with_count(hand):
    pres = pd.DataFrame([{"region": "500155", "segment": "t.b", "enterprises": 2, "source": "test"}])
    r = gaps(hand.replace(presence=pres), "500155", "t")
    assert row(r, "t.b")["status"] == "weak"


def test_region_rollup_includes_regions_below(hand):
    r = gaps(hand, "重庆市", "t")  # 500000 holds 500155 and z (in t.d): d now has 2 → weak
    assert row(r, "t.d")["local_enterprises"] == 2


def test_targets_explained(hand):
    t = rank_targets(hand, "t.b", "500155")
    assert t.loc[0, "enterprise"] == "x"
    assert t.loc[0, "fit"] == 1.0 and t.loc[0, "flags"] == 0.4 and t.loc[0, "ties"] == pytest.approx(1 / 3)
    assert t.loc[0, "origin"] == 1.0  # 无锡 is in the Yangtze River Delta
    assert "supplies or buys from 1 local enterprise" in t.loc[0, "reasons"]
    assert "长三角" in t.loc[0, "reasons"] and "上市" in t.loc[0, "reasons"]
    m = rank_targets(hand, "t.m.m1", "500155")
    assert m.loc[0, "enterprise"] == "y" and m.loc[0, "fit"] == 0.5


def test_targets_outside_region_only(hand):
    # z is in 重庆市 but outside 梁平区: a candidate for 梁平区, local for 重庆市
    assert rank_targets(hand, "t.d", "500155")["enterprise"].tolist() == ["z"]
    assert rank_targets(hand, "t.d", "500000")["enterprise"].tolist() == []


def test_paths(hand):
    up = upstream(hand, "t.d")
    assert up.set_index("segment")["distance"].to_dict() == {"t.m.m1": 1, "t.m.m2": 1, "t.a": 2, "t.b": 2}
    p = supply_paths(hand, "甲", "丁")
    assert p["path"].tolist() == ["t.a > t.m.m1 > t.d", "t.a > t.m.m2 > t.d"]


def test_compare_two_regions(hand):
    c = compare(hand, ["500155", "320200"], "t")
    # 320200: b weak, m1 m2 unresolved, a and d unknown
    assert c.summary["completeness_low"].round(4).tolist() == [0.5, round(1 / 6, 4)]
    assert c.summary["completeness_high"].round(4).tolist() == [1.0, 1.0]
    assert c.warnings.empty  # both rest on mentions, both with unresolved leaves
    assert c.segments.columns.tolist()[-2:] == ["梁平区 (500155)", "无锡市 (320200)"]


def test_whatif_difference(hand):
    w = whatif(hand, [("新乙", "t.b", "500155")], chains="t")
    comp = w.completeness.iloc[0]
    assert comp["completeness_low_after"] - comp["completeness_low_before"] == pytest.approx(1 / 6)
    assert comp["completeness_high_change"] == 0  # b was counted at the high end while unknown
    ch = w.changes.set_index("segment")
    assert ch.loc["t.b", "status_before"] == "unknown" and ch.loc["t.b", "status_after"] == "weak"
    assert len(hand.enterprises) == 13  # the original graph is unchanged


def test_pipeline_57_projects(tmp_path):
    statuses = ["signed"] * 9 + ["landed"] * 10 + ["under_construction"] * 20 + ["in_production"] * 18
    invest = [98.35e8 / 57] * 57
    proj = pd.DataFrame({"id": [f"p{i}" for i in range(57)], "name": [f"项目{i}" for i in range(57)],
                         "region": "500155", "segment": None, "status": statuses,
                         "investment_cny": invest, "source": "test"})
    g = chainkg.load().replace(projects=proj)
    st = pipeline(g).stages.set_index("status")
    assert st.loc["signed", "reached"] == 57
    assert st.loc["signed", "reached_investment_cny"] == pytest.approx(98.35e8)
    assert round(st.loc["landed", "stage_rate"] * 100, 1) == 84.2
    assert round(st.loc["under_construction", "stage_rate"] * 100, 1) == 35.1
    assert round(st.loc["in_production", "stage_rate"] * 100, 1) == 31.6
    assert round(st.loc["under_construction", "funnel_rate"] * 100, 1) == 66.7  # 38 started of 57


def test_pipeline_places_projects_in_chains_as_the_counts_do():
    """A project whose row names no segment belongs to the chain its name or enterprise
    places it in (伊卡路包装项目 is a food-packaging project), in the per-chain tables
    and under --chain alike; what nothing places stays under no chain."""
    p = pipeline(chainkg.load())
    listing = p.projects.set_index("id")
    assert listing.at["lp-yikalu-packaging", "chain"] == "food"
    assert listing.at["lp-yikalu-packaging", "counts_for"] == "food.packaging"
    assert listing.at["lp-626", "chain"] == "lowalt" and listing.at["lp-sidi-tech", "chain"] == ""
    food = pipeline(chainkg.load(), chains=["food"])
    assert food.projects["id"].tolist() == ["lp-yikalu-packaging"]
    assert set(food.by_chain["chain"]) == {"food"}
    assert food.stages.set_index("status").at["in_production", "at_stage"] == 1
    nowhere = p.by_chain[p.by_chain["chain"] == "(no chain named)"].set_index("status")
    assert nowhere.at["in_production", "at_stage"] == 3  # 纵横, 媤蒂, 香港户外家具


def test_embedded_gaps_are_explained():
    r = gaps(chainkg.load())
    assert set(r.completeness["chain"]) == {"ic", "food", "lowalt"}
    assert r.gaps["action"].isin(["补链", "强链", "延链", "建链"]).all()
    assert r.gaps["priority"].between(0, 1).all()
    # the article names no wafer fabrication in 梁平: foundry is a gap to check, materials are not gaps
    assert r.gaps.set_index("segment").at["ic.fabrication.foundry", "status"] == "unknown"
    assert not r.gaps["segment"].str.startswith("ic.materials").any()


def test_reordered_enterprise_table_gives_the_same_gaps(hand):
    """The loader's row hint for memberships must never be trusted blindly."""
    assert "enterprise_rows" in hand.memberships.attrs
    shuffled = hand.replace(enterprises=hand.enterprises.sample(frac=1, random_state=3))
    a, b = gaps(hand, "500155"), gaps(shuffled, "500155")
    pd.testing.assert_frame_equal(a.gaps, b.gaps)
    pd.testing.assert_frame_equal(a.completeness, b.completeness)
