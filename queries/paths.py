"""Supply paths: what feeds a segment, what it feeds, and the routes between two segments.

Computed on the chain's leaf supply graph; a segment above the leaves stands for all
the leaves below it.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from chainkg.errors import DataError

__all__ = ["upstream", "downstream", "supply_paths"]

NEIGHBOUR_COLUMNS = ["segment", "name", "stage", "distance", "via"]


def _leaves_of(graph, ref):
    sid = graph.resolve_segment(ref)
    return sid, graph.segments[sid].chain, graph.leaves(sid)


def _reach(graph, ref, reverse):
    sid, chain, start = _leaves_of(graph, ref)
    g = graph.supply_graph(chain)
    g = g.reverse(copy=False) if reverse else g
    best = {}
    for leaf in start:
        for target, path in nx.single_source_shortest_path(g, leaf).items():
            if target in start:
                continue
            if target not in best or len(path) < len(best[target]):
                best[target] = path
    rows = [{"segment": t, "name": graph.segments[t].name, "stage": graph.segments[t].stage,
             "distance": len(p) - 1, "via": " > ".join(graph.segments[x].name for x in (p[::-1] if reverse else p))}
            for t, p in best.items()]
    return pd.DataFrame(rows, columns=NEIGHBOUR_COLUMNS).sort_values(["distance", "segment"]).reset_index(drop=True)


def upstream(graph, segment):
    """Every leaf segment that supplies ``segment``, directly or through others.

    Examples
    --------
    >>> import chainkg
    >>> up = upstream(chainkg.load(), "ic.packaging")
    >>> "ic.fabrication.foundry" in set(up["segment"])
    True
    """
    return _reach(graph, segment, reverse=True)


def downstream(graph, segment):
    """Every leaf segment that ``segment`` supplies, directly or through others."""
    return _reach(graph, segment, reverse=False)


def supply_paths(graph, source, target, limit=20):
    """The shortest supply paths from ``source`` to ``target`` (segments of one chain).

    Returns
    -------
    DataFrame
        One row per path: length and the segments along it, at most ``limit`` rows.
    """
    a, chain_a, la = _leaves_of(graph, source)
    b, chain_b, lb = _leaves_of(graph, target)
    if chain_a != chain_b:
        raise DataError(f"{a} and {b} belong to different chains ({chain_a}, {chain_b})")
    g = graph.supply_graph(chain_a).copy()
    g.add_edges_from(("__from__", x) for x in la)
    g.add_edges_from((x, "__to__") for x in lb)
    rows = []
    if nx.has_path(g, "__from__", "__to__"):
        for path in nx.all_shortest_paths(g, "__from__", "__to__"):
            inner = path[1:-1]
            rows.append({"length": len(inner) - 1, "path": " > ".join(inner),
                         "names": " > ".join(graph.segments[x].name for x in inner)})
            if len(rows) >= limit:
                break
    return pd.DataFrame(rows, columns=["length", "path", "names"])
