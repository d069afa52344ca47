"""Evidence coverage, completeness as a range, projects and anchors (worked fixtures).

The chain: a and b feed m (m1, m2), which feeds d (weight 2). Values are worked out by
hand in the comments.
"""

from __future__ import annotations

import pandas as pd
import pytest

import chainkg
from chainkg.errors import ValidationError
from chainkg.queries import compare, coverage, gaps
from chainkg.queries.projects import project_targets
from helpers import REGIONS, write_data_dir

CHAIN = """\
id: t
name: 证据链
segments:
  - {id: a, name: 甲料, stage: upstream}
  - {id: b, name: 乙料, stage: upstream, keywords: [乙料制造]}
  - id: m
    name: 中段
    stage: midstream
    children:
      - {id: m1, name: 中段一}
      - {id: m2, name: 中段二}
  - {id: d, name: 丁品, stage: downstream, weight: 2}
supplies:
  - {from: a, to: m}
  - {from: b, to: m}
  - {from: m, to: d}
"""

OTHER_CHAIN = "id: u\nname: 另一链\nsegments:\n  - {id: x, name: 某环节, stage: upstream}\n"
MENTIONS = "article,An article (illustrative),2025,mentions,,\n"


def _dir(tmp_path, sources, enterprises="", projects="", presence="", name="ev"):
    files = {
        "chainkg.yaml": "name: evidence\nhome_region: '500155'\n", "chains/t.yaml": CHAIN,
        "chains/u.yaml": OTHER_CHAIN, "regions.csv": REGIONS,
        "sources.csv": "id,title,as_of,coverage,census_regions,census_chains\n" + sources,
        "enterprises.csv": "id,name,region,segments,flags,source\n" + (enterprises or
                                                                      "a1,甲一,500155,t.a,,article\n"),
        "presence.csv": "region,segment,enterprises,source\n" + presence,
        "projects.csv": "id,name,enterprise,region,segment,investment_cny,status,source\n" + projects,
    }
    return chainkg.load(write_data_dir(tmp_path / name, files))


def _status(graph, region="500155"):
    return coverage(graph, region, "t").segments.set_index("segment")["status"].to_dict()


def test_census_versus_mentions(tmp_path):
    # The same one enterprise (a1); only what the source covers differs.
    mentions = _dir(tmp_path, "reg,Registry export,2025,mentions,,\n",
                    "a1,甲一,500155,t.a,,reg\n", name="m")
    census = _dir(tmp_path, "reg,Registry export,2025,census,500155,t\n",
                  "a1,甲一,500155,t.a,,reg\n", name="c")
    assert _status(mentions) == {"t.a": "weak", "t.b": "unknown", "t.m": "unknown", "t.m.m1": "unknown",
                                 "t.m.m2": "unknown", "t.d": "unknown"}
    assert _status(census) == {"t.a": "weak", "t.b": "missing", "t.m": "missing", "t.m.m1": "missing",
                               "t.m.m2": "missing", "t.d": "missing"}
    lo_m, lo_c = (gaps(g, "500155", "t").completeness.iloc[0] for g in (mentions, census))
    # a (1 of 6) is known either way; under mentions the other 5 may be there, under a census not
    assert (lo_m["completeness_low"], lo_m["completeness_high"]) == pytest.approx((1 / 6, 1.0))
    assert (lo_c["completeness_low"], lo_c["completeness_high"]) == pytest.approx((1 / 6, 1 / 6))
    assert (lo_m["evidence_share"], lo_c["evidence_share"]) == pytest.approx((1 / 6, 1.0))
    assert (lo_m["coverage"], lo_c["coverage"]) == ("mentions", "census")
    # the gap rows say which gaps are confirmed and which to check first
    notes = gaps(census, "500155", "t").gaps.set_index("segment")["note"]
    assert notes["t.b"].startswith("confirmed gap")
    assert gaps(mentions, "500155", "t").gaps.set_index("segment")["note"]["t.b"].startswith("check first")


def test_census_scope(tmp_path):
    # a census of 重庆市 covers 梁平区 below it; one of 无锡市 or of another chain does not
    assert _status(_dir(tmp_path, MENTIONS + "reg,Registry,2025,census,重庆市,\n", name="cq"))["t.b"] == "missing"
    assert _status(_dir(tmp_path, MENTIONS + "reg,Registry,2025,census,320200,\n", name="wx"))["t.b"] == "unknown"
    assert _status(_dir(tmp_path, MENTIONS + "reg,Registry,2025,普查,,u\n", name="ch"))["t.b"] == "unknown"
    # empty census_regions and census_chains: all of them
    assert _status(_dir(tmp_path, MENTIONS + "reg,Registry,2025,census,,\n", name="all"))["t.b"] == "missing"


def test_a_presence_above_the_leaves_stays_unresolved_under_a_census(tmp_path):
    g = _dir(tmp_path, MENTIONS + "reg,Registry,2025,census,500155,\n", presence="500155,t.m,,article\n")
    s = _status(g)
    assert (s["t.m.m1"], s["t.b"]) == ("unresolved", "missing")


def test_bad_coverage_and_unknown_census_references_are_reported(tmp_path):
    with pytest.raises(ValidationError) as err:
        _dir(tmp_path, "reg,Registry,2025,complete,火星市,nochain\n", "a1,甲一,500155,t.a,,reg\n")
    text = "\n".join(err.value.report.lines())
    assert "unknown coverage 'complete'" in text and "火星市" in text and "nochain" in text


def test_compare_warns_when_evidence_differs(tmp_path):
    g = _dir(tmp_path, MENTIONS + "reg,Registry of 梁平区,2025,census,500155,\n",
             "a1,甲一,500155,t.a,,reg\nx1,外乙,320200,t.b,,article\n")
    c = compare(g, ["500155", "320200"], "t")
    assert c.summary["coverage"].tolist() == ["census", "mentions"]
    assert len(c.warnings) == 1
    warning = c.warnings.iloc[0]["warning"]
    assert "different kinds of evidence" in warning and "梁平区 census" in warning and "无锡市 mentions" in warning
    assert "warnings" in c.tables() and c.to_dict()["warnings"] == c.warnings.to_dict("records")
    # the same kind of evidence on both sides: no warning
    same = _dir(tmp_path, MENTIONS, "a1,甲一,500155,t.a,,article\nx1,外乙,320200,t.b,,article\n", name="same")
    assert compare(same, ["500155", "320200"], "t").warnings.empty


def test_project_without_segment_takes_its_classified_enterprise(tmp_path):
    # The enterprise names no segment: its scope is classified (乙料制造 -> t.b). Its project,
    # in production and naming no segment, makes b present.
    files = {
        "chainkg.yaml": "name: evidence\nhome_region: '500155'\n", "chains/t.yaml": CHAIN,
        "regions.csv": REGIONS, "sources.csv": "id,title,as_of\narticle,An article,2025\n",
        "enterprises.csv": "id,name,region,scope,source\nb1,某乙公司,320200,乙料制造；乙料销售,article\n",
        "projects.csv": "id,name,enterprise,region,segment,status,source\n"
                        "p1,扩产项目,某乙公司,500155,,投产,article\n",
    }
    g = chainkg.load(write_data_dir(tmp_path / "cls", files))
    assert g.memberships.set_index("enterprise").at["b1", "method"] == "scope_text"
    t = project_targets(g).set_index("project")
    assert (t.at["p1", "segment"], t.at["p1", "method"]) == ("t.b", "enterprise")
    assert _status(g)["t.b"] == "present"
    assert "t.b" not in set(gaps(g, "500155", "t").gaps["segment"])
    # the coverage tree says how the project got there
    note = coverage(g, "500155", "t").segments.set_index("segment").at["t.b", "note"]
    assert note == "projects placed here: 扩产项目 (enterprise's membership (scope_text))"


def test_project_named_by_its_own_name(tmp_path):
    g = _dir(tmp_path, MENTIONS, projects="p1,乙料扩建项目,,500155,,,landed,article\n"
                                          "p2,某某项目,,500155,,,landed,article\n")
    t = project_targets(g).set_index("project")
    assert t.at["p1", "segment"] == "t.b" and "p2" not in t.index  # a name with no segment word: nowhere
    r = gaps(g, "500155", "t").gaps.set_index("segment")
    assert r.at["t.b", "status"] == "planned"
    assert r.at["t.b", "planned_by"] == "乙料扩建项目" and r.at["t.b", "note"] == "in the pipeline: 乙料扩建项目"


@pytest.mark.parametrize("investment,flags,anchor", [
    (2e9, "", True),             # 20亿元 >= 10亿元
    (5e8, "", False),            # 5亿元: not an anchor
    (5e8, "链主", True),          # flagged
])
def test_anchor_project_pulls_its_upstream(tmp_path, investment, flags, anchor):
    # A landed project in d. b is two supply steps upstream of d (b -> m -> d): anchor_raw
    # = decay ** (2 - 1) = 0.5; a is present (3 enterprises) and no gap.
    ents = ("a1,甲一,500155,t.a,,article\na2,甲二,500155,t.a,,article\na3,甲三,500155,t.a,,article\n"
            f"big,龙头公司,320200,t.a,{flags},article\n")
    g = _dir(tmp_path, MENTIONS, ents, projects=f"p1,工厂项目,龙头公司,500155,t.d,{investment},landed,article\n",
             name=f"anchor{investment}{flags}")
    r = gaps(g, "500155", "t").gaps.set_index("segment")
    assert r.at["t.b", "anchor_raw"] == (0.5 if anchor else 0.0)
    assert r.at["t.m.m1", "anchor_raw"] == (1.0 if anchor else 0.0)  # one step upstream
    assert r.at["t.d", "status"] == "planned"
    if anchor:
        assert r.at["t.m.m1", "anchor"] == 1.0 and r.at["t.b", "anchor"] == 0.5
    # the anchor weight is a setting
    off = gaps(g, "500155", "t", anchor_pull=0).gaps.set_index("segment")
    assert off.at["t.b", "priority"] == pytest.approx(r.at["t.b", "priority"] - (0.2 if anchor else 0))


def test_landed_project_halves_the_priority_of_its_segment(tmp_path):
    landed = _dir(tmp_path, MENTIONS, projects="p1,丁品工厂,,500155,t.d,,landed,article\n", name="l")
    signed = _dir(tmp_path, MENTIONS, projects="p1,丁品工厂,,500155,t.d,,signed,article\n", name="s")
    pl, ps = (gaps(g, "500155", "t").gaps.set_index("segment").at["t.d", "priority"] for g in (landed, signed))
    assert pl == pytest.approx(ps * 0.5)
    full = gaps(landed, "500155", "t", landed_factor=1.0).gaps.set_index("segment").at["t.d", "priority"]
    assert full == pytest.approx(ps)


def test_embedded_data_knows_what_it_does_not_know():
    g = chainkg.load()
    r = gaps(g, "梁平区")
    comp = r.completeness.set_index("chain")
    # IC: only 光电传感模组, 线束 (present) and 功率半导体 (weak) rest on leaf-level facts
    assert comp.at["ic", "completeness_low"] == pytest.approx(3 / 38)
    assert comp.at["ic", "completeness_high"] == pytest.approx(1.0)
    assert comp.at["ic", "unresolved"] == 33 and comp.at["ic", "missing"] == 0
    status = r.gaps.set_index("segment")["status"]
    for farming in ("food.farming.pomelo", "food.farming.duck", "food.farming.rice"):
        assert status[farming] == "unknown"
    # 伊卡路包装 is in production and names 包装: 食品包装 is present, no gap
    assert "food.packaging" not in status.index
    # the low-altitude ranking is led by what the 626 anchor (50亿元, landed) needs upstream
    low = r.gaps[r.gaps["chain"] == "lowalt"]
    top = low.iloc[0]
    assert top["anchor"] == 1.0 and top["segment"].startswith(("lowalt.components", "lowalt.materials"))
    assert low.set_index("segment").at["lowalt.airframe.uav.large_medium", "status"] == "planned"
    # no segment is ranked as a gap while a producing project covers it
    producing = project_targets(g)
    producing = producing[producing["status"] == "in_production"]
    assert not set(producing["segment"]) & set(r.gaps["segment"])
