"""chainkg export graphml|gexf|json: read back with networkx, kinds, types and properties kept."""

from __future__ import annotations

import json
from collections import Counter

import networkx as nx
import pytest
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.errors import ExportError
from chainkg.graph.files import NODE_LINK_KEYS, graph_bytes, scalar_graph, write_graph_file


@pytest.fixture(scope="module")
def liangping():
    return chainkg.load()


def read_back(path, fmt):
    if fmt == "graphml":
        return nx.read_graphml(path, force_multigraph=True)
    if fmt == "gexf":
        g = nx.read_gexf(path)
        for _, d in g.nodes(data=True):  # GEXF names: see chainkg.graph.files
            d["id"] = d.pop("chainkg_id")
            d.pop("label")
        for *_, d in g.edges(data=True):
            d["type"] = d.pop("relation")
            for key in ("id", "label", "networkx_key"):
                d.pop(key, None)
        return g
    with open(path, encoding="utf-8") as f:
        return nx.node_link_graph(json.load(f), **NODE_LINK_KEYS)


def kinds(g):
    return Counter(d["kind"] for _, d in g.nodes(data=True))


def types(g):
    return Counter(t for *_, t in g.edges(data="type"))


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
@pytest.mark.parametrize("scope", [[], ["--region", "梁平区"], ["--chain", "ic"],
                                   ["--region", "500155", "--chain", "低空经济"]])
def test_cli_export_round_trip(tmp_path, liangping, fmt, scope):
    out = tmp_path / f"g.{fmt}"
    result = CliRunner().invoke(cli, ["export", fmt, *scope, "-o", str(out)])
    assert result.exit_code == 0, result.output
    regions = [v for k, v in zip(scope, scope[1:]) if k == "--region"] or None
    chains = [v for k, v in zip(scope, scope[1:]) if k == "--chain"] or None
    expected = liangping.to_networkx(regions=regions, chains=chains)
    got = read_back(out, fmt)
    assert set(got.nodes) == set(expected.nodes)
    assert kinds(got) == kinds(expected) and types(got) == types(expected)
    assert f"{expected.number_of_nodes()} nodes, {expected.number_of_edges()} edges" in result.output
    seg = got.nodes["Segment:ic.fabrication.foundry"] if "Segment:ic.fabrication.foundry" in got else None
    if seg is not None:
        assert seg["name"] == "逻辑与晶圆代工" and seg["stage"] == "midstream" and float(seg["weight"]) > 0


def test_json_equals_the_library_graph(tmp_path, liangping):
    out = tmp_path / "g.json"
    CliRunner().invoke(cli, ["export", "json", "--region", "梁平区", "-o", str(out)])
    got = read_back(out, "json")
    expected = liangping.to_networkx(regions=["梁平区"])
    assert dict(got.nodes(data=True)) == dict(expected.nodes(data=True))
    assert sorted(map(repr, got.edges(data=True))) == sorted(map(repr, expected.edges(data=True)))
    assert any(d.get("source") == "lp-2025" for *_, d in got.edges(data=True))  # provenance, not an end


def test_graphml_keeps_every_property_as_one_type(tmp_path, liangping):
    out = tmp_path / "g.graphml"
    write_graph_file(liangping, out, regions=["梁平区"])
    got = read_back(out, "graphml")
    pingwei = got.nodes["Enterprise:pingwei"]
    assert pingwei["name"] == "重庆平伟实业股份有限公司" and pingwei["source"] == "lp-2025"
    assert got.nodes["Region:500155"]["level"] == "district"
    assert got.nodes["Segment:ic.design"]["level"] == "1"  # mixed int/str across kinds: text throughout
    project = got.nodes["Project:lp-626"]
    assert project["investment_cny"] == 5e9 and project["status"] == "landed"
    assert {d.get("source") for u, v, d in got.edges("Enterprise:pingwei", data=True)
            if d["type"] == "OPERATES_IN"} == {"lp-2025"}
    text = out.read_text(encoding="utf-8")
    assert text.count('attr.name="level"') == 1 and text.count('attr.name="weight"') == 2  # node + edge


def test_gexf_is_readable_by_gephi_conventions(tmp_path, liangping):
    out = tmp_path / "g.gexf"
    write_graph_file(liangping, out, chains=["ic"])
    raw = nx.read_gexf(out)
    assert raw.nodes["Segment:ic.packaging"]["label"] == "封装测试"
    assert {d["label"] for *_, d in raw.edges(data=True)} <= {"PART_OF", "SUPPLIES", "OPERATES_IN", "LOCATED_IN",
                                                             "TARGETS", "BY", "SUPPLIES_TO", "HAS_PRESENCE"}
    assert raw.is_directed()


def test_scalar_graph_converts_lists_dicts_and_drops_none():
    g = nx.MultiDiGraph()
    g.add_node("a", tags=["x", 1], meta={"k": "值"}, empty=None, n=1)
    g.add_node("b", n=2.5)
    g.add_edge("a", "b", type="T", w=None)
    h = scalar_graph(g)
    assert h.nodes["a"] == {"tags": "x;1", "meta": '{"k": "值"}', "n": 1.0}
    assert h.edges["a", "b", 0] == {"type": "T"}
    for fmt in ("graphml", "gexf", "json"):
        assert graph_bytes(g, fmt)


def test_unknown_format_and_unwritable_path(tmp_path, liangping):
    with pytest.raises(ExportError, match="unknown graph file format 'dot'"):
        write_graph_file(liangping, tmp_path / "g.dot")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, ["export", "graphml", "-o", str(blocker / "g.graphml")])
    assert result.exit_code == 1 and result.output.startswith("Error: cannot write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_unknown_chain_is_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["export", "gexf", "--chain", "集成", "-o", str(tmp_path / "g.gexf")])
    assert result.exit_code == 1 and "unknown chain '集成'" in result.output
    assert not (tmp_path / "g.gexf").exists()
