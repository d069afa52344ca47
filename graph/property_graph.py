"""Materialising a ChainGraph as one typed networkx property graph.

Every node has ``kind`` (its schema label) and ``id``; the networkx node key is
``"Kind:id"`` so ids of different kinds never collide. Every edge has ``type`` (its
schema relation type). Missing values are left out rather than stored as NaN.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

__all__ = ["to_networkx", "node_key"]


def node_key(kind, id_):
    """The networkx key of a node: ``"Segment:ic.design"``."""
    return f"{kind}:{id_}"


def _clean(record):
    return {k: v for k, v in record.items() if v is not None and not (isinstance(v, float) and pd.isna(v))
            and v is not pd.NA and v != ""}


def _records(df):
    return df.astype(object).where(df.notna(), None).to_dict("records")


def to_networkx(graph, regions=None, chains=None):
    """Build the full typed property graph of ``graph``.

    Parameters
    ----------
    graph : ChainGraph
    regions : iterable of str, optional
        Region ids or names; only these regions, the regions below them and the facts
        located there are kept (the regions above them stay, for context).
    chains : iterable of str, optional
        Chain ids or names; only their segments and the facts about them are kept.

    Returns
    -------
    networkx.MultiDiGraph
    """
    chain_ids = [graph.resolve_chain(c) for c in chains] if chains else list(graph.chains)
    seg_ids = {s for c in chain_ids for s in graph.descendants(c)}
    if regions:
        region_ids = set()
        for r in regions:
            rid = graph.resolve_region(r)
            region_ids |= graph.region_descendants(rid)
            region_ids |= set(nx.ancestors(graph.region_tree, rid))
        local = set().union(*(graph.region_descendants(graph.resolve_region(r)) for r in regions))
    else:
        region_ids = local = set(graph.regions["id"].astype(str))

    g = nx.MultiDiGraph()
    for cid in chain_ids:
        c = graph.chains[cid]
        g.add_node(node_key("Chain", cid), **_clean({"kind": "Chain", "id": cid, "name": c.name,
                                                      "name_en": c.name_en, "source": c.source,
                                                      "as_of": c.as_of}))
    for sid in seg_ids:
        s = graph.segments[sid]
        g.add_node(node_key("Segment", sid), **_clean({
            "kind": "Segment", "id": sid, "name": s.name, "name_en": s.name_en, "chain": s.chain,
            "stage": s.stage, "level": s.level, "weight": s.weight,
            "aliases": ";".join(s.aliases), "description": s.description}))
        parent = ("Segment", s.parent) if s.parent else ("Chain", s.chain)
        g.add_edge(node_key("Segment", sid), node_key(*parent), type="PART_OF")
    for cid in chain_ids:
        for a, b, w in graph.chains[cid].supplies:
            g.add_edge(node_key("Segment", a), node_key("Segment", b), type="SUPPLIES", weight=w)

    regions_df = graph.regions[graph.regions["id"].astype(str).isin(region_ids)]
    for r in _records(regions_df):
        g.add_node(node_key("Region", r["id"]), **_clean({"kind": "Region", **r}))
        if r.get("parent") and r["parent"] in region_ids:
            g.add_edge(node_key("Region", r["id"]), node_key("Region", r["parent"]), type="PART_OF")

    memberships = graph.memberships[graph.memberships["segment"].isin(seg_ids)]
    enterprises = graph.enterprises[graph.enterprises["region"].isin(local)]
    if chains:
        enterprises = enterprises[enterprises["id"].isin(memberships["enterprise"])]
    ent_ids = set(enterprises["id"])
    for e in _records(enterprises):
        g.add_node(node_key("Enterprise", e["id"]), **_clean({"kind": "Enterprise", **e}))
        g.add_edge(node_key("Enterprise", e["id"]), node_key("Region", e["region"]), type="LOCATED_IN")
    for m in _records(memberships[memberships["enterprise"].isin(ent_ids)]):
        g.add_edge(node_key("Enterprise", m["enterprise"]), node_key("Segment", m["segment"]),
                   **_clean({"type": "OPERATES_IN", "share": m["share"], "source": m["source"],
                             "as_of": m["as_of"]}))
    for link in _records(graph.links[graph.links["supplier"].isin(ent_ids)
                                     & graph.links["customer"].isin(ent_ids)]):
        g.add_edge(node_key("Enterprise", link["supplier"]), node_key("Enterprise", link["customer"]),
                   **_clean({"type": "SUPPLIES_TO", **{k: link[k] for k in
                                                        ("product", "weight", "source", "as_of")}}))

    projects = graph.projects[graph.projects["region"].isin(local)]
    if chains:
        projects = projects[projects["segment"].isin(seg_ids)]
    for p in _records(projects):
        g.add_node(node_key("Project", p["id"]), **_clean({"kind": "Project", **p}))
        g.add_edge(node_key("Project", p["id"]), node_key("Region", p["region"]), type="LOCATED_IN")
        if p.get("segment") in seg_ids:
            g.add_edge(node_key("Project", p["id"]), node_key("Segment", p["segment"]), type="TARGETS")
        if p.get("enterprise") and node_key("Enterprise", p["enterprise"]) in g:
            g.add_edge(node_key("Project", p["id"]), node_key("Enterprise", p["enterprise"]), type="BY")

    presence = graph.presence[graph.presence["region"].isin(local) & graph.presence["segment"].isin(seg_ids)]
    for row in _records(presence):
        g.add_edge(node_key("Region", row["region"]), node_key("Segment", row["segment"]),
                   **_clean({"type": "HAS_PRESENCE", "enterprises": row["enterprises"],
                             "note": row["note"], "source": row["source"], "as_of": row["as_of"]}))
    return g
