"""Export to a real Neo4j 5 server: counts, idempotence, a killed run, hostile names, dry run, bundle."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.graph.neo4j_bundle import write_import_bundle
from chainkg.graph.neo4j_store import connect, write_dry_run
from chainkg.graph.property_tables import property_tables
from neo4j_graphs import HOSTILE_NAMES, db_graph, digest, hostile_graph, tables_graph
from synthetic import write_data_dir



def test_export_embedded_data_then_rerun_changes_nothing(neo4j_store):
    g = chainkg.load()
    expected = tables_graph(property_tables(g))
    first = neo4j_store.export(g, batch_size=40)
    assert first.nodes_created == len(expected["nodes"]) and first.nodes_matched == 0
    assert first.relationships_created == len(expected["relationships"])
    assert db_graph(neo4j_store) == expected
    constraints = "SHOW CONSTRAINTS YIELD name WHERE name STARTS WITH 'chainkg_' RETURN count(*) AS n"
    assert neo4j_store.read(constraints)[0]["n"] == 6  # one per label, Source included

    again = neo4j_store.export(g, batch_size=40)
    assert (again.nodes_created, again.relationships_created, again.properties_set) == (0, 0, 0)
    assert again.nodes_matched == first.nodes_created
    assert db_graph(neo4j_store) == expected


def test_export_selection_matches_to_networkx_selection(neo4j_store):
    g = chainkg.load()
    neo4j_store.export(g, regions=["梁平区"], chains=["lowalt"])
    assert db_graph(neo4j_store) == tables_graph(property_tables(g, regions=["梁平区"], chains=["lowalt"]))


def test_hostile_names_round_trip_unchanged(neo4j_store):
    g = hostile_graph(chainkg.load())
    neo4j_store.export(g, batch_size=3)
    assert db_graph(neo4j_store) == tables_graph(property_tables(g))
    names = {r["name"] for r in neo4j_store.read("MATCH (e:Enterprise) RETURN e.name AS name")}
    assert set(HOSTILE_NAMES) <= names
    assert neo4j_store.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == len(tables_graph(property_tables(g))["nodes"])
    products = sorted(r["p"] for r in neo4j_store.read("MATCH ()-[r:SUPPLIES_TO]->() RETURN r.product AS p"))
    assert products == ["", HOSTILE_NAMES[1]]


def test_dry_run_replayed_builds_the_same_graph(neo4j_store, tmp_path):
    g = hostile_graph(chainkg.load())
    path = tmp_path / "export.jsonl"
    write_dry_run(g, path, batch_size=25)
    for line in path.read_text(encoding="utf-8").splitlines():
        st = json.loads(line)
        neo4j_store.write(st["statement"], st["parameters"])
    assert db_graph(neo4j_store) == tables_graph(property_tables(g))


def _export_cmd(data, server, *extra):
    return [sys.executable, "-m", "chainkg", "--data", str(data), "export", "neo4j", "--uri", server.uri,
            "--user", server.user, *extra]


def test_killed_export_rerun_equals_one_clean_run(neo4j_store, neo4j_clean, tmp_path):
    data = write_data_dir(tmp_path / "syn", 4000, 60, seed=11)
    env = {**os.environ, "NEO4J_PASSWORD": neo4j_clean.password}
    g = chainkg.load(data)
    expected = tables_graph(property_tables(g))
    total = len(g.enterprises)

    proc = subprocess.Popen(_export_cmd(data, neo4j_clean, "--batch-size", "100"), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            done = neo4j_store.read("MATCH (e:Enterprise) RETURN count(e) AS n")[0]["n"]
            if done >= 300:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    partial = db_graph(neo4j_store)
    assert proc.returncode == -signal.SIGKILL, "the export finished before it could be killed"
    assert 0 < len(partial["nodes"]) < len(expected["nodes"]), (len(partial["nodes"]), total)

    rerun = subprocess.run(_export_cmd(data, neo4j_clean, "--batch-size", "100", "--format", "json"),
                           env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    resumed = db_graph(neo4j_store)

    neo4j_store.write("MATCH (n) DETACH DELETE n")
    clean = subprocess.run(_export_cmd(data, neo4j_clean, "--format", "json"), env=env,
                           capture_output=True, text=True, timeout=600)
    assert clean.returncode == 0, clean.stderr
    once = db_graph(neo4j_store)
    assert len(resumed["nodes"]) == len(once["nodes"]) == len(expected["nodes"])
    assert len(resumed["relationships"]) == len(once["relationships"]) == len(expected["relationships"])
    assert digest(resumed) == digest(once) == digest(expected)
    report = json.loads(rerun.stdout)
    assert 0 < report["nodes_matched"] < len(expected["nodes"])  # the rerun found the first batches


def test_bundle_loaded_by_the_import_tool_equals_the_unwind_export(neo4j_store, tmp_path):
    from neo4j_server import bundle_import_args, start_neo4j

    g = hostile_graph(chainkg.load())
    bundle = tmp_path / "bundle"
    write_import_bundle(g, bundle)
    neo4j_store.export(g)
    exported = db_graph(neo4j_store)
    server = start_neo4j(tmp_path / "imported", import_args=bundle_import_args(bundle))
    try:
        with connect(server.uri, server.user, server.password) as imported:
            assert db_graph(imported) == exported == tables_graph(property_tables(g))
    finally:
        server.stop()


@pytest.mark.parametrize("case", ["password", "database"])
def test_wrong_password_and_unknown_database_are_one_line_errors(neo4j_server, case):
    args = ["export", "neo4j", "--uri", neo4j_server.uri, "--user", neo4j_server.user]
    env = {"NEO4J_PASSWORD": neo4j_server.password}
    if case == "password":
        env["NEO4J_PASSWORD"] = neo4j_server.password + "-wrong"
        expected = "Error: Neo4j at " + neo4j_server.uri + " refused the credentials of user 'neo4j'"
    else:
        args += ["--database", "nosuchdb"]
        expected = "Error: Neo4j at " + neo4j_server.uri + " has no database 'nosuchdb'"
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 1
    assert result.output.strip() == expected + (" (check NEO4J_PASSWORD)" if case == "password" else "")
    assert env["NEO4J_PASSWORD"] not in result.output
