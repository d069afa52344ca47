"""Neo4j export without a server: property tables, dry runs, the bulk-import bundle, CLI errors."""

from __future__ import annotations

import csv
import json
import socket

import pytest
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.errors import ExportError
from chainkg.graph.neo4j_bundle import write_import_bundle
from chainkg.graph.neo4j_store import plan_statements, write_dry_run
from chainkg.graph.property_tables import MERGE_KEYS, check_name, property_tables
from chainkg.graph.schema import NODE_KINDS, REL_TYPES
from neo4j_graphs import HOSTILE_NAMES, hostile_graph, tables_graph
from synthetic import synthetic_graph, write_data_dir


@pytest.fixture(scope="module")
def embedded():
    return chainkg.load()


def nx_graph(g):
    """to_networkx's graph in the canonical form of ``tables_graph``."""
    def canon(d, drop):
        return json.dumps({k: float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                           for k, v in sorted(d.items()) if k not in drop}, ensure_ascii=False, sort_keys=True)

    nodes = sorted(f"{d['kind']} {canon(d, ('kind',))}" for _, d in g.nodes(data=True))
    rels = []
    for u, v, d in g.edges(data=True):
        d = {**{k: "" for k in MERGE_KEYS.get(d["type"], ())}, **d}
        rels.append(f"{u} -{d['type']} {canon(d, ('type',))}-> {v}")
    return {"nodes": nodes, "relationships": sorted(rels)}


@pytest.mark.parametrize("scope", [{}, {"regions": ["梁平区"]}, {"chains": ["ic"]},
                                   {"regions": ["重庆市"], "chains": ["food", "lowalt"]}])
def test_property_tables_equal_to_networkx(embedded, scope):
    assert tables_graph(property_tables(embedded, **scope)) == nx_graph(embedded.to_networkx(**scope))


def test_property_tables_equal_to_networkx_on_synthetic_and_hostile_data(embedded):
    for g in (synthetic_graph(2000, 30, seed=3), hostile_graph(embedded)):
        assert tables_graph(property_tables(g)) == nx_graph(g.to_networkx())


def test_labels_types_and_keys_come_from_the_schema(embedded):
    t = property_tables(hostile_graph(embedded))
    for n in t.nodes:
        assert n.label in NODE_KINDS and set(n.properties) <= set(NODE_KINDS[n.label].properties)
    for r in t.relationships:
        assert r.start in REL_TYPES[r.type].sources and r.end in REL_TYPES[r.type].targets
        assert set(r.properties) <= set(REL_TYPES[r.type].properties)
    for st in plan_statements(t, 3):
        assert not any(name in st.cypher for name in HOSTILE_NAMES)  # data only as parameters


@pytest.mark.parametrize("bad", ["a b", "x`y", "1abc", "n}) DETACH DELETE n //", "", None])
def test_check_name_rejects_non_identifiers(bad):
    with pytest.raises(ExportError):
        check_name(bad)


def test_unknown_property_is_refused(embedded):
    g = embedded.replace(enterprises=embedded.enterprises.assign(secret="x"))
    # An extra column of a fact table is not in the schema: it is left out, never exported.
    ent = next(n for n in property_tables(g).nodes if n.label == "Enterprise")
    assert "secret" not in ent.frame.columns


def test_dry_run_writes_statements_and_parameters(tmp_path, embedded):
    path = tmp_path / "dry.jsonl"
    g = hostile_graph(embedded)
    summary = write_dry_run(g, path, batch_size=7)
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and all(lines[:-1])
    statements = [json.loads(line) for line in lines[:-1]]
    assert statements[0]["statement"].startswith("CREATE CONSTRAINT") and statements[0]["parameters"] == {}
    batches = [s for s in statements if "rows" in s["parameters"]]
    assert all(len(s["parameters"]["rows"]) <= 7 for s in batches)
    names = {r.get("name") for s in batches for r in s["parameters"]["rows"]}
    assert set(HOSTILE_NAMES) <= names
    assert summary.rows["Enterprise"] == len(g.enterprises) and summary.statements == len(statements)


def test_dry_run_cli_needs_no_server_or_password(tmp_path, monkeypatch):
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    out = tmp_path / "dry.jsonl"
    result = CliRunner().invoke(cli, ["export", "neo4j", "--dry-run", str(out), "--chain", "ic",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["nodes"] == len(tables_graph(property_tables(chainkg.load(), chains=["ic"]))["nodes"])
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert "CONSTRAINT" in first["statement"]


def _read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_bundle_headers_and_quoting(tmp_path, embedded):
    out = tmp_path / "bundle"
    write_import_bundle(hostile_graph(embedded), out)
    ent = _read_csv(out / "nodes_Enterprise.csv")
    assert ent[0][0] == "id:ID(Enterprise)" and ent[0][-1] == ":LABEL"
    assert "output_cny:double" in ent[0] and "employees:long" in ent[0]
    assert {r[-1] for r in ent[1:]} == {"Enterprise"}
    name = ent[0].index("name")
    assert [r[name] for r in ent[1:len(HOSTILE_NAMES) + 1]] == HOSTILE_NAMES  # RFC 4180 round trip
    proj = _read_csv(out / "nodes_Project.csv")
    assert "investment_cny:double" in proj[0]
    rel = _read_csv(out / "rels_OPERATES_IN_Enterprise_Segment.csv")
    assert rel[0][:2] == [":START_ID(Enterprise)", ":END_ID(Segment)"] and rel[0][-1] == ":TYPE"
    links = (out / "rels_SUPPLIES_TO_Enterprise_Enterprise.csv").read_text(encoding="utf-8")
    assert '""' in links.splitlines()[-1]  # a missing merge key is an empty string, as MERGE stores it
    assert (out / "constraints.cypher").read_text().count("CREATE CONSTRAINT") == len(NODE_KINDS) - 1
    text = (out / "IMPORT.txt").read_text(encoding="utf-8")
    assert "neo4j-admin database import full" in text and "--multiline-fields=true" in text
    assert "--nodes=nodes_Enterprise.csv" in text and "--relationships=rels_BY_Project_Enterprise.csv" in text


def test_bundle_refuses_a_directory_in_use(tmp_path, embedded):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "mine.txt").write_text("keep")
    with pytest.raises(ExportError, match="not empty"):
        write_import_bundle(embedded, tmp_path / "used")
    write_import_bundle(embedded, tmp_path / "b")
    with pytest.raises(ExportError, match="--overwrite"):
        write_import_bundle(embedded, tmp_path / "b")
    write_import_bundle(embedded, tmp_path / "b", chains=["ic"], overwrite=True)
    assert len(_read_csv(tmp_path / "b" / "nodes_Chain.csv")) == 2


def test_bundle_cli(tmp_path):
    result = CliRunner().invoke(cli, ["export", "neo4j-import", str(tmp_path / "b"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["nodes"] == len(tables_graph(property_tables(chainkg.load()))["nodes"])


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("args, env, message, code", [
    (["--uri", "bolt://127.0.0.1:{port}"], {"NEO4J_PASSWORD": "x"}, "Error: cannot reach Neo4j at", 1),
    (["--uri", "http://127.0.0.1:{port}"], {"NEO4J_PASSWORD": "x"}, "Error: cannot use Neo4j URI", 1),
    ([], {"NEO4J_PASSWORD": "x"}, "Error: give --uri", 2),
    (["--uri", "bolt://127.0.0.1:{port}"], {}, "Error: set NEO4J_PASSWORD", 2),
])
def test_cli_connection_errors_are_one_line(monkeypatch, args, env, message, code):
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    monkeypatch.delenv("NEO4J_URI", raising=False)
    port = _closed_port()
    result = CliRunner().invoke(cli, ["export", "neo4j", *[a.format(port=port) for a in args]], env=env)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    if code == 1:
        assert result.output.strip().count("\n") == 0


def test_synthetic_directory_loads_as_the_synthetic_graph(tmp_path):
    root = write_data_dir(tmp_path / "syn", 1500, 25, seed=4)
    assert tables_graph(property_tables(chainkg.load(root))) == \
        tables_graph(property_tables(synthetic_graph(1500, 25, seed=4)))
