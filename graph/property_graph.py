"""Materialising a ChainGraph as one typed networkx property graph.

Every node has ``kind`` (its schema label) and ``id``; the networkx node key is
``"Kind:id"`` so ids of different kinds never collide. Every edge has ``type`` (its
schema relation type). The nodes, relationships and properties are those of
:func:`~chainkg.graph.property_tables.property_tables`, so the networkx graph, the
files written from it and the Neo4j export always agree. Missing values are left out.
"""

from __future__ import annotations

import networkx as nx

from chainkg.graph.property_tables import property_tables

__all__ = ["to_networkx", "node_key"]


def node_key(kind, id_):
    """The networkx key of a node: ``"Segment:ic.design"``."""
    return f"{kind}:{id_}"


def _present(record):
    return {k: v for k, v in record.items() if v is not None and v != ""}


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

    Examples
    --------
    >>> import chainkg
    >>> g = to_networkx(chainkg.load(), regions=["梁平区"], chains=["ic"])
    >>> g.nodes["Segment:ic.packaging"]["name"]
    '封装测试'
    """
    tables = property_tables(graph, regions=regions, chains=chains)
    g = nx.MultiDiGraph()
    for t in tables.nodes:
        for record in t.frame.to_dict("records"):
            g.add_node(node_key(t.label, record["id"]), **_present({"kind": t.label, **record}))
    for t in tables.relationships:
        for record in t.frame.to_dict("records"):
            start, end = record.pop("start"), record.pop("end")
            g.add_edge(node_key(t.start, start), node_key(t.end, end), **_present({"type": t.type, **record}))
    return g
