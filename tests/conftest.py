"""Shared fixtures: small data directories that tests write themselves."""

from __future__ import annotations

import pytest

from helpers import DEMO_CHAIN, REGIONS, SOURCES, write_data_dir
from neo4j_server import neo4j_clean, neo4j_server  # noqa: F401  (the real Neo4j test server)


@pytest.fixture
def demo_files():
    """The files of a small, valid data directory (a dict, to modify before writing)."""
    return {
        "chainkg.yaml": "name: demo\nas_of: '2025-01'\nhome_region: '500155'\n",
        "chains/demo.yaml": DEMO_CHAIN,
        "regions.csv": REGIONS,
        "sources.csv": SOURCES,
        "enterprises.csv": (
            "id,name,region,segments,flags,output_cny,source,as_of\n"
            "e1,甲公司,500155,demo.fab,规上,1亿,test,2025\n"
            "e2,乙公司,500155,封测;设计,,,test,2025\n"
            "e3,丙公司,320200,demo.materials.wafer,上市;专精特新,5000000,test,2025\n"
        ),
        "projects.csv": (
            "name,enterprise,region,segment,投资额(亿元),status,source\n"
            "丁项目,丙公司,500155,demo.materials.gas,2.5,签约,test\n"
        ),
        "presence.csv": "region,segment,enterprises,source\n500155,demo.apps,,test\n",
    }


@pytest.fixture
def demo_dir(tmp_path, demo_files):
    return write_data_dir(tmp_path / "demo", demo_files)


@pytest.fixture
def neo4j_store(neo4j_clean):
    """A chainkg Neo4jStore connected to the emptied test server."""
    from chainkg.graph.neo4j_store import connect

    with connect(neo4j_clean.uri, neo4j_clean.user, neo4j_clean.password) as store:
        yield store
