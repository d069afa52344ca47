"""The facts a chain map shows, gathered with the gap queries and vectorised group-bys.

For a region and its chains: every segment's status from
:func:`~chainkg.queries.coverage.coverage`, the action, priority and candidate count of
the gaps from :func:`~chainkg.queries.gaps.gaps`, the biggest local enterprises of each
segment's subtree, and the local enterprises and projects the map can draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from chainkg.graph.codes import found_in
from chainkg.queries.common import resolve_chains, resolve_regions
from chainkg.queries.coverage import coverage
from chainkg.queries.gaps import gaps

__all__ = ["MapFacts", "map_facts", "TOP_ENTERPRISES"]

#: Enterprises named in a segment's hover text.
TOP_ENTERPRISES = 5


@dataclass
class MapFacts:
    """What :func:`map_facts` gathers.

    Attributes
    ----------
    region, region_name : str
    chains : list of str
        Chain ids, in the order asked for.
    segments : DataFrame
        One row per segment (tree order, indexed by segment id): chain, status,
        local_enterprises, presence, projects, note, action, priority, candidates.
    completeness : DataFrame
        One row per chain: completeness and leaf counts by status.
    top : dict of str to list of str
        Segment id -> the biggest local enterprises below it (by output, then name).
    enterprises : DataFrame
        Local enterprises operating in the chains' segments.
    memberships : DataFrame
        enterprise, segment: the rows linking them.
    projects : DataFrame
        Local projects targeting the chains' segments.
    unplaced : dict of str to int
        Local enterprises and projects that name no segment of the chains.
    sources : list of str
        Source ids of the facts shown.
    """

    region: str
    region_name: str
    chains: list
    segments: pd.DataFrame
    completeness: pd.DataFrame
    top: dict
    enterprises: pd.DataFrame
    memberships: pd.DataFrame
    projects: pd.DataFrame
    unplaced: dict
    sources: list


def _top_enterprises(graph, enterprises, memberships, segment_ids):
    """The biggest enterprises of each segment's subtree, in one group-by."""
    ups = pd.DataFrame([(s, a) for s in segment_ids for a in graph.ancestors(s)],
                       columns=["segment", "node"])
    m = memberships.merge(ups, on="segment").drop_duplicates(["enterprise", "node"])
    e = enterprises[["id", "name", "output_cny"]].rename(columns={"id": "enterprise"})
    m = m.merge(e, on="enterprise")
    m["output"] = pd.to_numeric(m["output_cny"], errors="coerce")
    m = m.sort_values(["node", "output", "name"], ascending=[True, False, True], na_position="last")
    head = m.groupby("node", sort=False).head(TOP_ENTERPRISES)
    return {node: list(names) for node, names in head.groupby("node", sort=False)["name"]}


def map_facts(graph, region=None, chains=None, **settings):
    """Gather what the map of ``region``'s ``chains`` shows.

    Parameters
    ----------
    graph : ChainGraph
    region : str, optional
        Region code or name; the manifest's home region when None.
    chains : str or list of str, optional
        Chain ids or names; all chains when None.
    **settings
        Overrides of the query settings (``strong_min``, …).

    Returns
    -------
    MapFacts

    Examples
    --------
    >>> import chainkg
    >>> f = map_facts(chainkg.load(), "梁平区", "ic")
    >>> f.segments.loc["ic.fabrication.foundry", ["status", "action"]].tolist()
    ['unknown', '补链']
    >>> f.top["ic.packaging"]
    ['重庆平伟实业股份有限公司']
    """
    region_id = resolve_regions(graph, region)[0]
    chain_ids = resolve_chains(graph, chains)
    cov = coverage(graph, region_id, chain_ids, **settings)
    gap = gaps(graph, region_id, chain_ids, **settings).gaps
    segs = cov.segments.drop(columns=["name"]).set_index("segment")
    segs = segs.join(gap.set_index("segment")[["action", "priority", "candidates"]])
    segment_ids = list(segs.index)

    local = graph.region_descendants(region_id)
    ents = graph.enterprises[found_in(graph.enterprises["region"], local)]
    mem = graph.counted_memberships[found_in(graph.counted_memberships["enterprise"], ents["id"])]
    mem = mem[found_in(mem["segment"], segment_ids)][["enterprise", "segment"]].drop_duplicates()
    placed = ents[found_in(ents["id"], mem["enterprise"])]
    projects = graph.projects[found_in(graph.projects["region"], local)]
    placed_projects = projects[found_in(projects["segment"], segment_ids)]

    presence = graph.presence[found_in(graph.presence["region"], local)
                              & found_in(graph.presence["segment"], segment_ids)]
    sources = pd.concat([placed["source"], presence["source"], placed_projects["source"]])
    sources = sorted({str(s) for s in sources.dropna() if str(s)})
    return MapFacts(
        region=region_id, region_name=graph.region_name(region_id), chains=chain_ids, segments=segs,
        completeness=cov.completeness, top=_top_enterprises(graph, placed, mem, segment_ids),
        enterprises=placed.reset_index(drop=True), memberships=mem.reset_index(drop=True),
        projects=placed_projects.reset_index(drop=True),
        unplaced={"enterprises": len(ents) - len(placed), "projects": len(projects) - len(placed_projects)},
        sources=sources)
