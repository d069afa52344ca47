"""The test Neo4j server itself: auth, errors the project must turn into messages, import."""

import socket

import pytest

import neo4j
from neo4j.exceptions import AuthError, ClientError, ServiceUnavailable
from neo4j_server import start_neo4j_or_skip  # the fixtures come from conftest.py


def test_connect_and_return_1(neo4j_server):
    with neo4j_server.driver() as driver:
        records, _, _ = driver.execute_query("RETURN 1 AS x")
        assert records[0]["x"] == 1
        records, _, _ = driver.execute_query("CALL dbms.components() YIELD versions, edition")
        assert records[0]["edition"] == "community"
        assert records[0]["versions"][0].startswith("5.26.")


def test_wrong_password_raises_auth_error(neo4j_server):
    with neo4j.GraphDatabase.driver(neo4j_server.uri, auth=("neo4j", "wrong-password")) as driver:
        with pytest.raises(AuthError) as info:
            driver.verify_connectivity()
    assert info.value.code == "Neo.ClientError.Security.Unauthorized"


def test_unknown_database_raises_client_error(neo4j_server):
    with neo4j_server.driver() as driver:
        with pytest.raises(ClientError) as info:
            driver.execute_query("RETURN 1", database_="nosuchdb")
    assert info.value.code == "Neo.ClientError.Database.DatabaseNotFound"
    assert "nosuchdb" in info.value.message


def test_server_down_raises_service_unavailable():
    with socket.socket() as sock:  # a port with nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with neo4j.GraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=("neo4j", "x")) as driver:
        with pytest.raises(ServiceUnavailable):
            driver.verify_connectivity()


def test_clean_fixture_empties_data_and_schema(neo4j_server):
    with neo4j_server.driver() as driver:
        driver.execute_query("CREATE CONSTRAINT company_id FOR (c:Company) REQUIRE c.id IS UNIQUE")
        driver.execute_query("CREATE INDEX company_name FOR (c:Company) ON (c.name)")
        driver.execute_query("CREATE (:Company {id: 'c1', name: 'Acme'})")
    neo4j_server.clean()
    with neo4j_server.driver() as driver:
        records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n")
        assert records[0]["n"] == 0
        records, _, _ = driver.execute_query("SHOW CONSTRAINTS")
        assert records == []
        records, _, _ = driver.execute_query("SHOW INDEXES YIELD type RETURN collect(type) AS t")
        assert set(records[0]["t"]) <= {"LOOKUP"}


def test_clean_fixture_gives_empty_database(neo4j_clean):
    with neo4j_clean.driver() as driver:
        driver.execute_query("CREATE (:Leftover)")
        records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n")
        assert records[0]["n"] == 1


def test_clean_fixture_gives_empty_database_again(neo4j_clean):
    with neo4j_clean.driver() as driver:
        records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n")
        assert records[0]["n"] == 0


def test_import_csv_bundle_before_start(tmp_path):
    """neo4j-admin's full import (ID spaces, :LABEL, :TYPE) runs in the launcher itself."""
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "companies.csv").write_text(
        "id:ID(Company),name,:LABEL\nc1,Acme,Company\nc2,Globex,Company;Supplier\n"
    )
    (bundle / "products.csv").write_text("id:ID(Product),name,:LABEL\nc1,Widget,Product\n")
    (bundle / "supplies.csv").write_text(
        ":START_ID(Company),:END_ID(Company),:TYPE,share:double\nc2,c1,SUPPLIES,0.5\n"
    )
    (bundle / "produces.csv").write_text(":START_ID(Company),:END_ID(Product),:TYPE\nc1,c1,PRODUCES\n")
    server = start_neo4j_or_skip(
        tmp_path / "server",
        import_args=[
            f"--nodes={bundle / 'companies.csv'}",
            f"--nodes={bundle / 'products.csv'}",
            f"--relationships={bundle / 'supplies.csv'}",
            f"--relationships={bundle / 'produces.csv'}",
        ],
    )
    try:
        with server.driver() as driver:
            records, _, _ = driver.execute_query(
                "MATCH (a)-[r]->(b) RETURN a.name AS a, labels(a) AS la, type(r) AS t,"
                " r.share AS share, b.name AS b ORDER BY t"
            )
        rows = [(r["a"], sorted(r["la"]), r["t"], r["share"], r["b"]) for r in records]
        assert rows == [
            ("Acme", ["Company"], "PRODUCES", None, "Widget"),
            ("Globex", ["Company", "Supplier"], "SUPPLIES", 0.5, "Acme"),
        ]
    finally:
        server.stop()
    assert server.process.returncode == 0
