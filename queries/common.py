"""Resolving the regions and chains a query is about."""

from __future__ import annotations

from chainkg.errors import DataError

__all__ = ["resolve_regions", "resolve_chains", "county_regions"]


def resolve_regions(graph, regions=None):
    """Region ids for ``regions`` (codes or names); the manifest's home region when None."""
    if regions is None or (not isinstance(regions, str) and len(regions) == 0):
        if not graph.home_region:
            raise DataError("no region given and the data has no home_region in its manifest; "
                            "name one with --region")
        regions = [graph.home_region]
    if isinstance(regions, str):
        regions = [regions]
    return list(dict.fromkeys(graph.resolve_region(r) for r in regions))


def resolve_chains(graph, chains=None):
    """Chain ids for ``chains`` (ids or names); all chains when None."""
    if chains is None or (not isinstance(chains, str) and len(chains) == 0):
        return list(graph.chains)
    if isinstance(chains, str):
        chains = [chains]
    return list(dict.fromkeys(graph.resolve_chain(c) for c in chains))


def county_regions(graph):
    """County-level regions (level ``district``), or the regions with nothing below them."""
    r = graph.regions
    ids = r.loc[r["level"] == "district", "id"].astype(str).tolist()
    if ids:
        return ids
    tree = graph.region_tree
    return [n for n in tree.nodes if tree.out_degree(n) == 0]
