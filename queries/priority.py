"""Actions and priority scores of the segments that are not present (DESIGN §5).

For each chain the leaf supply graph is turned into matrices once; every region's
terms are then matrix products over a (regions × leaves) table, so scoring all 2,844
county-level regions costs about as much as scoring one.

Terms, each reported raw and normalised to [0, 1] by the largest value among the
non-present segments of the same region and chain:

- **demand**: local enterprises in segments downstream that need it, a segment ``d``
  supply steps away weighted ``decay ** (d - 1)``; an active segment whose source
  gives no count counts as 1;
- **supply**: the same upstream (local suppliers that could feed it);
- **closure**: source-to-end supply paths through it whose other segments are all
  active locally: the paths it alone would complete (for a weak segment, the complete
  paths that depend on it). Paths are counted on the chain's supply graph with edges
  that close cycles removed;
- **centrality**: betweenness of the segment in the chain's supply graph;
- **availability**: candidate enterprises outside the region (see ``FactCube``);
- **feasibility**: the density of the region's segments around it, as economic
  complexity measures relatedness (:mod:`chainkg.queries.relatedness`); not available
  (NaN, never 0) where the data holds too few regions or the region is not at the
  matrix's level;
- **anchor**: anchor projects (see :mod:`chainkg.queries.projects`) in segments
  downstream, weighted by distance like demand: the suppliers a landed or producing
  链主 project needs. Weight ``anchor_pull``.

The segments ranked are the weak, planned, missing and unknown ones. A segment that a
landed or started project targets keeps ``landed_factor`` of its priority: it is being
filled, and what that project needs upstream is the next question.

Action: ``强链`` for weak; for missing, unknown and planned ``补链`` with an active upstream and
downstream neighbour, ``延链`` with one side active, ``建链`` with neither.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

__all__ = ["ChainMatrices", "chain_matrices", "score", "TERMS", "ACTIONS"]

TERMS = ("demand", "supply", "closure", "centrality", "availability", "feasibility", "anchor")
ACTIONS = {"strengthen": "强链", "fill": "补链", "extend": "延链", "build": "建链"}


class ChainMatrices:
    """The supply graph of one chain's leaves as matrices."""

    def __init__(self, graph, chain):
        g = graph.supply_graph(chain)
        self.leaves = list(g.nodes)
        index = {s: i for i, s in enumerate(self.leaves)}
        n = len(self.leaves)
        self.adj = np.zeros((n, n))
        for a, b in g.edges:
            self.adj[index[a], index[b]] = 1.0
        self.dist = np.zeros((n, n))
        for s, lengths in nx.all_pairs_shortest_path_length(g):
            for t, d in lengths.items():
                if d > 0:
                    self.dist[index[s], index[t]] = d
        bc = nx.betweenness_centrality(g, normalized=True) if n > 2 else {}
        self.centrality = np.array([bc.get(s, 0.0) for s in self.leaves])

        dag = g.copy()
        dag.remove_edges_from(_cycle_closing_edges(g, self.leaves))
        self.dag_preds = [[index[p] for p in dag.predecessors(s)] for s in self.leaves]
        self.dag_succs = [[index[p] for p in dag.successors(s)] for s in self.leaves]
        self.topo = [index[s] for s in nx.topological_sort(dag)]
        self.sources = np.array([dag.in_degree(s) == 0 for s in self.leaves], dtype=float)
        self.sinks = np.array([dag.out_degree(s) == 0 for s in self.leaves], dtype=float)

    def decay_matrix(self, decay):
        """M[s, t] = decay ** (dist(s, t) - 1) for t downstream of s, else 0."""
        return np.where(self.dist > 0, decay ** np.maximum(self.dist - 1, 0), 0.0)

    def closure(self, active):
        """Complete source-to-sink paths through each leaf, for each row of ``active``."""
        p_to = np.zeros_like(active, dtype=float)
        for v in self.topo:
            into = self.sources[v] + p_to[:, self.dag_preds[v]].sum(axis=1)
            p_to[:, v] = active[:, v] * into
        p_from = np.zeros_like(active, dtype=float)
        for v in reversed(self.topo):
            out = self.sinks[v] + p_from[:, self.dag_succs[v]].sum(axis=1)
            p_from[:, v] = active[:, v] * out
        into = np.stack([self.sources[v] + p_to[:, self.dag_preds[v]].sum(axis=1)
                         for v in range(len(self.leaves))], axis=1)
        out = np.stack([self.sinks[v] + p_from[:, self.dag_succs[v]].sum(axis=1)
                        for v in range(len(self.leaves))], axis=1)
        return into * out


def _cycle_closing_edges(g, order):
    """Edges that close a cycle in a depth-first search in template order (deterministic)."""
    state, closing = {}, []
    for root in order:
        if root in state:
            continue
        stack = [(root, iter(g.successors(root)))]
        state[root] = "open"
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = "done"
                stack.pop()
            elif state.get(nxt) == "open":
                closing.append((node, nxt))
            elif nxt not in state:
                state[nxt] = "open"
                stack.append((nxt, iter(g.successors(nxt))))
    return closing


def chain_matrices(graph, chain):
    key = ("chain_matrices", chain)
    if key not in graph.cache:
        graph.cache[key] = ChainMatrices(graph, chain)
    return graph.cache[key]


def score(m, code, count, pool_local, pool_total, settings, anchor=None, landed=None, feasibility=None):
    """Actions, terms and priorities of one chain for every region.

    Parameters
    ----------
    m : ChainMatrices
    code : ndarray (regions × leaves)
        Status codes (0 present, 1 weak, 2 planned, 3 unresolved, 4 missing, 5 unknown).
    count : ndarray
        Local enterprise counts (with presence counts).
    pool_local, pool_total
        Candidate enterprises in each region, and everywhere.
    anchor : ndarray, optional
        Anchor projects targeting each leaf, per region.
    landed : ndarray of bool, optional
        Leaves a landed or started project targets, per region.
    feasibility : ndarray, optional
        Density of each leaf in each region (:mod:`chainkg.queries.relatedness`); NaN
        where it is not available, and then the term is NaN too, never 0.

    Returns
    -------
    dict of ndarray
        action, candidates, ``{term}_raw`` and ``{term}`` for each term, priority; NaN
        or None where the leaf is present or unresolved.
    """
    active = (code == 0) | (code == 1) | (code == 3)
    gap = (code == 1) | (code == 2) | (code == 4) | (code == 5)
    eff = np.where(active, np.maximum(count, 1.0), 0.0)
    decay = m.decay_matrix(settings.decay)
    candidates = pool_total[None, :] - pool_local
    raw = {
        "demand": eff @ decay.T,
        "supply": eff @ decay,
        "closure": m.closure(active.astype(float)),
        "centrality": np.broadcast_to(m.centrality, code.shape),
        "availability": candidates,
        "feasibility": np.full(code.shape, np.nan) if feasibility is None else feasibility,
        "anchor": (np.zeros(code.shape) if anchor is None else anchor) @ decay.T,
    }
    up_active = (active.astype(float) @ m.adj) > 0
    down_active = (active.astype(float) @ m.adj.T) > 0
    out = {"action": np.where(~gap, None, np.select(
        [code == 1, up_active & down_active, up_active | down_active],
        [ACTIONS["strengthen"], ACTIONS["fill"], ACTIONS["extend"]], ACTIONS["build"]).astype(object)),
        "candidates": candidates.astype(np.int64)}
    priority = np.zeros(code.shape)
    weights = settings.priority_weights
    for term in TERMS:
        values = np.where(gap, raw[term], np.nan)
        peak = np.max(np.where(gap & ~np.isnan(values), values, -np.inf), axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            norm = np.where(peak > 0, values / peak, 0.0)
        norm = np.where(gap & ~np.isnan(values), norm, np.nan)  # not available is not 0
        out[f"{term}_raw"] = values
        out[term] = norm
        priority += weights[term] * np.nan_to_num(norm)
    if landed is not None:
        priority = np.where(landed & gap, priority * settings.landed_factor, priority)
    out["priority"] = np.where(gap, priority, np.nan)
    return out
