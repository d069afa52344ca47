"""Gap statuses and completeness computed by Cypher equal the in-memory queries."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.queries import coverage, gaps
from chainkg.queries.neo4j_backend import coverage_neo4j, gaps_neo4j, leaf_status_neo4j
from chainkg.queries.settings import settings_for
from chainkg.queries.status import segment_status
from chainkg.render import to_jsonable
from synthetic import synthetic_graph


def _sorted(df, keys):
    df = df.sort_values(keys).reset_index(drop=True).astype(object)
    return df.where(df.notna(), None)


def assert_same_results(graph, neo4j_store, region, strong_min=3):
    chains = list(graph.chains)
    cypher = leaf_status_neo4j(neo4j_store, region, strong_min=strong_min)
    memory = segment_status(graph, [graph.resolve_region(region)], chains,
                            settings_for(graph, strong_min=strong_min))[list(cypher.columns)]
    keys = ["chain", "segment"]
    pd.testing.assert_frame_equal(_sorted(cypher, keys), _sorted(memory, keys))

    mem_cov, cy_cov = coverage(graph, region, strong_min=strong_min), coverage_neo4j(neo4j_store, region,
                                                                                     strong_min=strong_min)
    pd.testing.assert_frame_equal(_sorted(cy_cov.segments, keys), _sorted(mem_cov.segments, keys))
    pd.testing.assert_frame_equal(_sorted(cy_cov.completeness, ["chain"]),
                                  _sorted(mem_cov.completeness, ["chain"]))

    mem_gaps, cy_gaps = gaps(graph, region, strong_min=strong_min), gaps_neo4j(neo4j_store, region,
                                                                               strong_min=strong_min)
    pd.testing.assert_frame_equal(_sorted(cy_gaps.completeness, ["chain"]),
                                  _sorted(mem_gaps.completeness, ["chain"]))
    same = ["region", "region_name", "chain", "segment", "name", "parent_name", "stage", "status", "note",
            "action", "local_enterprises", "projects", "via", "planned_by"]
    pd.testing.assert_frame_equal(_sorted(cy_gaps.gaps[same], keys), _sorted(mem_gaps.gaps[same], keys))
    return cypher



def test_embedded_data(neo4j_store):
    g = chainkg.load()
    neo4j_store.export(g)
    for region in ("梁平区", "500000", "CN"):
        assert_same_results(g, neo4j_store, region)


def test_synthetic_data(neo4j_store):
    g = synthetic_graph(3000, 300, seed=7)
    # A census of X01 (and the regions below it) for two chains: missing there, unknown elsewhere.
    census = pd.DataFrame([{"id": "registry-X01", "title": "Registry export of X01 (synthetic)",
                            "coverage": "census", "census_regions": "X01", "census_chains": "ic;food"}])
    g = g.replace(sources=pd.concat([g.sources, census], ignore_index=True))
    neo4j_store.export(g)
    counties = g.regions.loc[g.regions["level"] == "district", "id"].tolist()
    seen = set()
    for region in ["X0", "X01", "X0105", *counties[::37]]:
        for strong_min in (1, 3, 5):
            seen |= set(assert_same_results(g, neo4j_store, region, strong_min)["status"])
    assert seen == {"present", "weak", "planned", "unresolved", "missing", "unknown"}  # every rule was exercised


def test_cli_backend_neo4j_equals_library(neo4j_store, neo4j_clean):
    neo4j_store.export(chainkg.load())
    args = ["--backend", "neo4j", "--uri", neo4j_clean.uri, "--user", neo4j_clean.user, "--format", "json"]
    env = {"NEO4J_PASSWORD": neo4j_clean.password}
    for command, query in (("gaps", gaps_neo4j), ("coverage", coverage_neo4j)):
        result = CliRunner().invoke(cli, [command, "--region", "梁平区", "--chain", "ic", *args], env=env)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == to_jsonable(query(neo4j_store, "梁平区", "ic").to_dict())
    memory = json.loads(CliRunner().invoke(cli, ["coverage", "--chain", "ic", "--format", "json"]).output)
    cypher = json.loads(CliRunner().invoke(cli, ["coverage", "--chain", "ic", *args], env=env).output)
    assert cypher["completeness"] == memory["completeness"]
    assert sorted(cypher["segments"], key=lambda r: r["segment"]) == \
        sorted(memory["segments"], key=lambda r: r["segment"])


def test_projects_without_a_segment_and_a_census(neo4j_store):
    """A project naming no segment counts for its enterprise's (平伟: three leaves) in both
    backends, once per segment above them; a census of 梁平区 for ic makes its gaps missing."""
    g = chainkg.load()
    extra = pd.DataFrame([{"id": "x-pingwei", "name": "平伟扩产项目", "enterprise": "pingwei", "region": "500155",
                           "status": "signed", "source": "lp-2025"},
                          {"id": "x-named", "name": "某冷链物流项目", "region": "500155", "status": "under_construction",
                           "source": "lp-2025"}])
    census = pd.DataFrame([{"id": "registry", "title": "Registry export of 梁平区 (illustrative)",
                            "coverage": "census", "census_regions": "500155", "census_chains": "ic"}])
    g = g.replace(projects=pd.concat([g.projects, extra], ignore_index=True),
                  sources=pd.concat([g.sources, census], ignore_index=True))
    assert set(g.project_targets.loc[g.project_targets["project"] == "x-pingwei", "segment"]) == \
        {"ic.packaging", "ic.fabrication.power", "ic.modules.optical"}
    neo4j_store.export(g)
    assert_same_results(g, neo4j_store, "500000")
    leaves = assert_same_results(g, neo4j_store, "梁平区").set_index("segment")
    assert leaves.at["ic.fabrication.foundry", "status"] == "missing"  # under the census
    assert leaves.at["food.farming.rice", "status"] == "unknown"  # the census is of ic only
    assert leaves.at["food.cold_chain", "status"] == "planned"  # placed by its name


def test_shares_and_known_absence(neo4j_store, tmp_path):
    """The illustrative supply-chain dataset: shares decide present and weak, negligible and
    zero shares make a leaf known absent, in Cypher as in memory."""
    from pathlib import Path

    from chainkg.loaders.mapping import import_mapped_tables

    import_mapped_tables(Path(__file__).parent / "data" / "supplychain" / "mapping.yaml", tmp_path / "chips")
    g = chainkg.load(tmp_path / "chips")
    neo4j_store.export(g)
    seen = set()
    for region in ("KOR", "CN", "USA", "JPN"):
        seen |= set(assert_same_results(g, neo4j_store, region)["status"])
    assert seen == {"present", "weak", "missing", "unknown"}
