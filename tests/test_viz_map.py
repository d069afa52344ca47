"""Chain maps without a browser: the data, the layout, folding, escaping and the CLI."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

import chainkg
from chainkg.cli import cli
from chainkg.errors import ChainKGError
from chainkg.visualize import DEFAULT_MAX_NODES, chain_map, map_data, stage_layout, write_chain_map
from chainkg.visualize.page import script_json, vis_assets
from viz_support import synthetic_region_graph


@pytest.fixture(scope="module")
def liangping():
    return chainkg.load()


@pytest.fixture(scope="module")
def large():
    return synthetic_region_graph(5000)


def by_id(cmap):
    return {n["id"]: n for n in cmap.nodes}


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each script."""

    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append([dict(attrs), ""])

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1][1] += data


def parse(html):
    tags = Tags()
    tags.feed(html)
    return tags


@pytest.mark.parametrize("segment, status, action", [
    ("ic.fabrication.foundry", "unknown", "补链 fill"),  # no census: 待摸底, not missing
    ("ic.fabrication.power", "weak", "强链 strengthen"),
    ("ic.materials.photoresist", "unresolved", None),
    ("ic.packaging", "present", None),
    ("lowalt.airframe.uav.large_medium", "planned", "延链 extend"),
    ("food.farming.rice", "unknown", "延链 extend"),
])
def test_segment_status_colour_and_action(liangping, segment, status, action):
    node = by_id(map_data(liangping))[f"Segment:{segment}"]
    rows = dict(node["info"]["rows"])
    assert node["status"] == status and rows["status"].startswith(status)
    assert rows.get("action") == action
    assert ("shapeProperties" in node) == (status in ("missing", "unknown"))  # dashed: not seen here


def test_map_matches_coverage_and_property_graph(liangping):
    cmap = map_data(liangping, enterprises=True, projects=True)
    counts = cmap.counts()
    assert counts["nodes"] == {"Chain": 3, "Segment": len(liangping.segments), "Enterprise": 1, "Project": 2}
    g = liangping.to_networkx(regions=["500155"])
    supplies = sum(1 for *_, t in g.edges(data="type") if t == "SUPPLIES")
    assert counts["edges"]["SUPPLIES"] == supplies and counts["edges"]["PART_OF"] == len(liangping.segments)
    pingwei = by_id(cmap)["Enterprise:pingwei"]
    assert dict(pingwei["info"]["rows"])["segments"] == "封装测试、功率半导体、光电传感模组"
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in cmap.nodes)


def test_header_states_region_chain_as_of_and_sources(liangping):
    h = map_data(liangping, chains=["ic"]).header
    assert h["title"] == "梁平区 产业链图谱 · 集成电路" and h["as_of"] == "2025-10"
    assert any("lp-2025" in s for s in h["sources"]) and "chainkg-template" in h["templates"][0]
    assert h["completeness"][0]["gaps"][0] == {"node": "Segment:ic.fabrication.power", "name": "功率半导体",
                                               "action": "强链"}


def test_layout_stages_left_to_right_children_below_parents(liangping):
    pos = by_id(map_data(liangping, chains=["ic"], enterprises=True, projects=True))
    xs = {stage: [n["x"] for n in pos.values() if n["kind"] == "Segment"
                  and liangping.segments[n["id"].split(":", 1)[1]].stage == stage]
          for stage in ("upstream", "midstream", "downstream")}
    assert max(xs["upstream"]) < min(xs["midstream"]) and max(xs["midstream"]) < min(xs["downstream"])
    for sid, seg in liangping.segments.items():
        if seg.parent and seg.chain == "ic":
            child, parent = pos[f"Segment:{sid}"], pos[f"Segment:{seg.parent}"]
            assert child["x"] > parent["x"] and 0 < child["y"] - parent["y"] < 64 * 15
    points = [(n["x"], n["y"]) for n in pos.values()]
    assert len(set(points)) == len(points)


@pytest.mark.parametrize("rows, side_by_side", [(1, False), (40, True)])
def test_layout_packs_chains_towards_a_screen(rows, side_by_side):
    chains = [(f"C{i}", [(f"C{i}.{j}", "upstream", 0) for j in range(rows)] + [(f"C{i}.z", "downstream", 0)])
              for i in range(3)]
    pos = stage_layout(chains)
    xs, ys = {pos[f"C{i}"][0] for i in range(3)}, {pos[f"C{i}"][1] for i in range(3)}
    assert (len(xs), len(ys)) == ((3, 1) if side_by_side else (1, 3))


def test_layout_grids_attached_nodes():
    pos = stage_layout([("C0", [("C0.a", "upstream", 0), ("C0.b", "downstream", 0)])],
                       {"C0.a": [f"e{i}" for i in range(9)]})
    grid = sorted({pos[f"e{i}"][0] for i in range(9)})
    assert len(grid) == 4 and len({pos[f"e{i}"][1] for i in range(9)}) == 3


def test_large_region_folds_enterprises(large):
    graph, region = large
    cmap = map_data(graph, region, enterprises=True)
    assert cmap.folded == {"enterprises": 5000}
    assert len(cmap.nodes) == cmap.header["nodes"] <= DEFAULT_MAX_NODES
    assert "Enterprise" not in cmap.counts()["nodes"] and "OPERATES_IN" not in cmap.counts()["edges"]
    assert "Enterprises folded into their segments (5,000 enterprises)" in cmap.header["notices"][0]
    labels = [n["label"] for n in cmap.nodes if n["kind"] == "Segment"]
    assert sum("家企业" in label for label in labels) > 50
    top = by_id(cmap)["Segment:ic.design.eda"]["info"]["list"]
    assert len(top) == 6 and top[-1].startswith("… and ")


def test_under_the_cap_enterprises_are_drawn(large):
    graph, region = large
    cmap = map_data(graph, region, chains=["lowalt"], enterprises=True, max_nodes=6000)
    n = cmap.counts()["nodes"]["Enterprise"]
    assert 500 < n < 5000 and cmap.folded == {}
    assert cmap.counts()["edges"]["OPERATES_IN"] >= n


@pytest.mark.parametrize("max_nodes, folded", [  # the IC map: 1 chain, 46 segments, 1 enterprise, 1 project
    (49, set()),
    (48, {"enterprises"}),
    (47, {"enterprises", "projects"}),
    (30, {"enterprises", "projects", "segments"}),
])
def test_fold_order_and_cap(liangping, max_nodes, folded):
    cmap = map_data(liangping, chains=["ic"], enterprises=True, projects=True, max_nodes=max_nodes)
    assert set(cmap.folded) == folded and len(cmap.nodes) <= max_nodes
    if "segments" in folded:
        assert any("sub-segments" in n["label"] for n in cmap.nodes)


def test_cap_below_the_top_level_is_an_error(liangping):
    with pytest.raises(ChainKGError, match="top-level segments alone need 25 nodes"):
        map_data(liangping, max_nodes=20)


def test_page_is_self_contained_with_csp_hashes(liangping):
    html = chain_map(liangping, enterprises=True, projects=True)
    tags = parse(html)
    assert not [t for t, a in tags.tags if t in ("link", "img", "iframe", "object", "embed")]
    assert not [a for t, a in tags.tags if "src" in a or "href" in a]
    csp = next(a["content"] for t, a in tags.tags if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    for attrs, text in tags.scripts:
        if attrs.get("type") == "application/json":
            data = json.loads(text)
            assert len(data["nodes"]) == 108 and data["options"]["physics"]["enabled"] is False
        else:
            digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in csp
    assert "sourceMappingURL" not in html and "@license" in vis_assets()[0][:2000]


def test_hostile_data_is_escaped_in_the_source(liangping):
    evil = '</script><img src=x onerror=alert(1)>\u2028<!--'
    ents = liangping.enterprises.copy()
    ents.loc[ents["id"] == "pingwei", "name"] = evil
    regions = liangping.regions.copy()
    regions.loc[regions["id"] == "500155", "name"] = "梁平区" + evil
    graph = liangping.replace(enterprises=ents, regions=regions)
    html = chain_map(graph, "500155", "ic", enterprises=True)
    assert "<img" not in html and html.count("</script>") == 3 and html.count("<!--") == 0
    embedded = next(t for a, t in parse(html).scripts if a.get("type") == "application/json")
    assert "\u2028" not in embedded  # a raw line separator would end a line inside a JS string
    assert evil in [n["info"]["heading"] for n in json.loads(embedded)["nodes"]]
    assert "<title>梁平区&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.text() | st.integers() | st.booleans() | st.none(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=8))
def test_script_json_round_trips_and_never_closes_a_script(value):
    text = script_json(value)
    assert json.loads(text) == value
    assert not re.search("[<>&\u2028\u2029]", text)


def test_cli_viz_writes_the_page(tmp_path):
    out = tmp_path / "map.html"
    result = CliRunner().invoke(cli, ["viz", "--chain", "ic", "--enterprises", "--max-nodes", "40",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Enterprises folded" in result.output and f"wrote {out}" in result.output
    html = out.read_text(encoding="utf-8")
    assert "Enterprises folded into their segments (1 enterprise)" in html


@pytest.mark.parametrize("args, message, code", [
    (["viz", "--region", "北京", "-o", "x.html"], "unknown region '北京'", 1),
    (["viz", "--region", "梁平区", "--region", "上海市", "-o", "x.html"], "give one --region", 2),
    (["viz", "--max-nodes", "5", "-o", "x.html"], "x>=10", 2),
    (["viz"], "Missing option '--output'", 2),
])
def test_cli_viz_errors(tmp_path, args, message, code):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code and message in result.output
    assert not (tmp_path / "x.html").exists()


def test_cli_default_cap_is_the_library_default():
    viz = cli.commands["viz"]
    assert next(p.default for p in viz.params if p.name == "max_nodes") == DEFAULT_MAX_NODES


def test_write_chain_map_leaves_nothing_on_failure(tmp_path, liangping):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ChainKGError, match="cannot write"):
        write_chain_map(blocker / "map.html", liangping)
    assert list(tmp_path.iterdir()) == [blocker]
