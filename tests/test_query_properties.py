"""Properties of the gap analysis that must hold for any data (hypothesis)."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chainkg
from chainkg.queries import gaps
from chainkg.queries.coverage import coverage
from helpers import DEMO_CHAIN, REGIONS, SOURCES, write_data_dir

SEGMENTS = ["demo.materials", "demo.materials.wafer", "demo.materials.gas", "demo.design", "demo.fab",
            "demo.packaging", "demo.apps"]
REGION_IDS = ["500155", "500000", "320200"]


def _base_graph(tmp_path_factory):
    root = write_data_dir(tmp_path_factory.mktemp("prop"), {
        "chainkg.yaml": "name: prop\nhome_region: '500155'\n", "chains/demo.yaml": DEMO_CHAIN,
        "regions.csv": REGIONS, "sources.csv": SOURCES})
    return chainkg.load(root)


enterprise_rows = st.lists(st.tuples(st.sampled_from(REGION_IDS), st.sampled_from(SEGMENTS)), max_size=25)
presence_rows = st.lists(st.tuples(st.sampled_from(REGION_IDS), st.sampled_from(SEGMENTS),
                                   st.one_of(st.none(), st.integers(0, 4))), max_size=4)
project_rows = st.lists(st.tuples(st.sampled_from(REGION_IDS), st.sampled_from(SEGMENTS),
                                  st.sampled_from(["intent", "signed", "landed", "under_construction",
                                                   "in_production"])), max_size=4)


def build(base, ents, pres, projs):
    e = pd.DataFrame({"id": [f"e{i}" for i in range(len(ents))], "name": [f"企业{i}" for i in range(len(ents))],
                      "region": [r for r, _ in ents], "flags": "", "source": "test", "as_of": ""})
    m = pd.DataFrame({"enterprise": e["id"], "segment": [s for _, s in ents], "source": "test", "as_of": ""})
    p = pd.DataFrame(pres, columns=["region", "segment", "enterprises"]).assign(source="test")
    p["enterprises"] = p["enterprises"].astype("Int64")
    j = pd.DataFrame(projs, columns=["region", "segment", "status"]).assign(source="test")
    j["id"] = [f"p{i}" for i in range(len(j))]
    j["name"] = j["id"]
    return base.replace(enterprises=e, memberships=m, presence=p, projects=j)


def result(graph):
    r = gaps(graph, "500155")
    g = r.gaps.drop(columns=["region_name"]).sort_values(["region", "chain", "segment"]).reset_index(drop=True)
    return r.completeness.reset_index(drop=True), g


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ents=enterprise_rows, pres=presence_rows, projs=project_rows, extra=st.sampled_from(SEGMENTS))
def test_adding_a_local_enterprise_never_hurts(tmp_path_factory, ents, pres, projs, extra):
    base = _base_graph(tmp_path_factory)
    before = build(base, ents, pres, projs)
    after = build(base, ents + [("500155", extra)], pres, projs)
    cb, ca = (coverage(g, "500155").segments.set_index("segment")["status"] for g in (before, after))
    for end in ("completeness_low", "completeness_high"):
        assert result(after)[0][end].iloc[0] >= result(before)[0][end].iloc[0] - 1e-12
    was_present = cb[cb == "present"].index
    assert (ca[was_present] == "present").all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ents=enterprise_rows, pres=presence_rows, projs=project_rows, seed=st.integers(0, 2**32 - 1))
def test_row_order_never_changes_results(tmp_path_factory, ents, pres, projs, seed):
    base = _base_graph(tmp_path_factory)
    g1 = build(base, ents, pres, projs)
    g2 = g1.replace(**{name: getattr(g1, name).sample(frac=1, random_state=seed)
                       for name in ("enterprises", "memberships", "presence", "projects")})
    c1, r1 = result(g1)
    c2, r2 = result(g2)
    pd.testing.assert_frame_equal(c1, c2)
    pd.testing.assert_frame_equal(r1, r2)


CENSUS_SOURCES = """\
id,title,as_of,coverage,census_regions
test,Test fixture (illustrative rows),2025,mentions,
reg,Registry export of 梁平区 (illustrative),2025,census,500155
"""


def _evidence_graph(tmp_path_factory):
    """The base graph with a second source, ``reg``: a census of 梁平区 (500155), all chains."""
    root = write_data_dir(tmp_path_factory.mktemp("census"), {
        "chainkg.yaml": "name: prop\nhome_region: '500155'\n", "chains/demo.yaml": DEMO_CHAIN,
        "regions.csv": REGIONS, "sources.csv": CENSUS_SOURCES})
    return chainkg.load(root)


def _with_sources(graph, ent_sources):
    """``graph`` with each enterprise (and its membership) from the source in ``ent_sources``."""
    return graph.replace(enterprises=graph.enterprises.assign(source=ent_sources),
                         memberships=graph.memberships.assign(source=ent_sources))


def _statuses(graph, region):
    return coverage(graph, region).segments.set_index("segment")["status"]


fact = st.one_of(
    st.tuples(st.just("enterprise"), st.sampled_from(REGION_IDS), st.sampled_from(SEGMENTS), st.none()),
    st.tuples(st.just("presence"), st.sampled_from(REGION_IDS), st.sampled_from(SEGMENTS),
              st.one_of(st.none(), st.integers(0, 4))),
    st.tuples(st.just("project"), st.sampled_from(REGION_IDS), st.sampled_from(SEGMENTS),
              st.sampled_from(["intent", "landed", "in_production"])))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ents=enterprise_rows, pres=presence_rows, projs=project_rows, new=fact,
       region=st.sampled_from(REGION_IDS))
def test_a_mentions_fact_never_turns_a_segment_unknown(tmp_path_factory, ents, pres, projs, new, region):
    base = _evidence_graph(tmp_path_factory)  # 500155 under a census, the others mentions only
    kind, r, seg, extra = new
    after_args = (ents + [(r, seg)], pres, projs) if kind == "enterprise" else \
        (ents, pres + [(r, seg, extra)], projs) if kind == "presence" else (ents, pres, projs + [(r, seg, extra)])
    before, after = build(base, ents, pres, projs), build(base, *after_args)  # every fact from "test": mentions
    sb, sa = _statuses(before, region), _statuses(after, region)
    assert not ((sb == "present") & (sa == "unknown")).any()
    assert (sa[sb == "present"] == "present").all()
    assert set(sa[sa == "unknown"].index) <= set(sb[sb == "unknown"].index)  # nothing becomes unknown


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ents=enterprise_rows, more=enterprise_rows, pres=presence_rows, projs=project_rows)
def test_a_census_with_more_enterprises_never_lowers_completeness_low(tmp_path_factory, ents, more, pres, projs):
    base = _evidence_graph(tmp_path_factory)
    before = _with_sources(build(base, ents, pres, projs), "reg")
    after = _with_sources(build(base, ents + more, pres, projs), "reg")
    cb, ca = (gaps(g, "500155").completeness.iloc[0] for g in (before, after))
    assert ca["completeness_low"] >= cb["completeness_low"] - 1e-12
    assert "census" in cb["coverage"].split("+") and "reg" in cb["sources"].split(";")
    assert (_statuses(before, "500155") != "unknown").all()  # the census covers 梁平区: nothing unknown
