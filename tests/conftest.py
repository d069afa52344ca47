"""Shared fixtures: small data directories that tests write themselves."""

from __future__ import annotations

import pytest

from helpers import demo_data_files, write_data_dir
from neo4j_server import neo4j_clean, neo4j_server  # noqa: F401  (the real Neo4j test server)


@pytest.fixture(autouse=True)
def load_cache_dir(tmp_path_factory, monkeypatch):
    """Each test's own load cache, so that no test sees another's snapshots (or the user's)."""
    path = tmp_path_factory.mktemp("load-cache")
    monkeypatch.setenv("CHAINKG_CACHE_DIR", str(path))
    monkeypatch.delenv("CHAINKG_NO_CACHE", raising=False)
    return path


@pytest.fixture(scope="session")
def rules():
    """The classification rules of the embedded chains and industry-code table."""
    import chainkg
    from chainkg.loaders.classify import load_rules
    from chainkg.loaders.report import Report

    report = Report()
    graph = chainkg.load()
    rules = load_rules(graph.segments.values(), report, chains=graph.chains.values())
    assert report.valid, report.lines()
    return rules


@pytest.fixture
def demo_files():
    """The files of a small, valid data directory (a dict, to modify before writing)."""
    return demo_data_files()


@pytest.fixture
def demo_dir(tmp_path, demo_files):
    return write_data_dir(tmp_path / "demo", demo_files)


@pytest.fixture
def neo4j_store(neo4j_clean):
    """A chainkg Neo4jStore connected to the emptied test server."""
    from chainkg.graph.neo4j_store import connect

    with connect(neo4j_clean.uri, neo4j_clean.user, neo4j_clean.password) as store:
        yield store
