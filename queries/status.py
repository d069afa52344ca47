"""The status of every leaf segment in every region asked about (DESIGN §5).

- ``present``: at least ``strong_min`` local enterprises, a presence row without a
  count, or a project in production;
- ``weak``: 1 to ``strong_min - 1`` local enterprises (plus presence counts);
- ``planned``: nothing local, but a project in the region targets it (intent …
  under construction), or targets a segment above it;
- ``unresolved``: no facts of its own, but facts name a segment above it: present at
  that level, which leaf is unknown. Counts as present for completeness, never as a gap;
- ``missing``: none of these.

Every region and chain is computed in one pass of (regions × leaves) matrices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainkg.queries.local import fact_cube, local_facts
from chainkg.queries.priority import chain_matrices, score

__all__ = ["segment_status", "completeness_of", "ACTIVE_STATUSES", "STATUS_NAMES"]

STATUS_NAMES = np.array(["present", "weak", "planned", "unresolved", "missing"], dtype=object)
PRESENT, WEAK, PLANNED, UNRESOLVED, MISSING = range(5)
#: Statuses that mean local activity exists (for neighbours, demand and closure).
ACTIVE_STATUSES = ("present", "weak", "unresolved")


def _ancestor_table(graph, leaves, seg_index):
    """anc[d, j]: column of the d-th nearest segment above leaf j, or -1."""
    chains = [[seg_index[a] for a in graph.ancestors(leaf, include_self=False)] for leaf in leaves]
    depth = max((len(c) for c in chains), default=0)
    anc = np.full((depth, len(leaves)), -1, dtype=np.int64)
    for j, c in enumerate(chains):
        anc[:len(c), j] = c
    return anc


def _chain_status(graph, chain, cube, pool_total, seg_index, settings):
    leaves = graph.leaves(chain)
    cols = np.array([seg_index[s] for s in leaves])
    f = {k: v[:, cols] for k, v in cube.facts.items()}
    count = f["enterprises"] + f["presence_count"]
    flag = f["presence_flag"] > 0
    producing, active_proj = f["projects_producing"] > 0, f["projects_active"] > 0
    own_any = (count > 0) | flag | producing | active_proj

    own_active = ((cube["enterprises"] + cube["presence_count"]) > 0) | (cube["presence_flag"] > 0) \
        | (cube["projects_producing"] > 0)
    own_planned = cube["projects_active"] > 0
    anc = _ancestor_table(graph, leaves, seg_index)
    # The nearest segment above with facts of its own: an active one first, else a planned one.
    via_active = np.full(count.shape, -1, dtype=np.int64)
    via_planned = np.full(count.shape, -1, dtype=np.int64)
    for idx in anc:  # nearest first
        has = idx >= 0
        safe = np.where(has, idx, 0)
        via_active = np.where((via_active < 0) & own_active[:, safe] & has, safe, via_active)
        via_planned = np.where((via_planned < 0) & own_planned[:, safe] & has, safe, via_planned)
    above_active = via_active >= 0
    via = np.where(above_active, via_active, via_planned)

    present = (count >= settings.strong_min) | flag | producing
    weak = ~present & (count >= 1)
    planned = ~present & ~weak & active_proj
    unresolved = ~own_any & above_active
    planned_above = ~own_any & ~above_active & (via >= 0)
    code = np.select([present, weak, planned | planned_above, unresolved],
                     [PRESENT, WEAK, PLANNED, UNRESOLVED], MISSING)
    via = np.where(unresolved | planned_above, via, -1)
    m = chain_matrices(graph, chain)
    terms = score(m, code, count, f["pool"], pool_total[cols], settings)
    return leaves, code, count, f, via, terms


def segment_status(graph, regions, chains, settings):
    """Status, action and priority of each leaf of ``chains`` in each of ``regions``.

    Returns
    -------
    DataFrame
        One row per (region, leaf): region, chain, segment, parent, weight, status,
        enterprises (local, naming the leaf), local_count (with presence counts),
        presence_flag, projects_active, projects_producing, via (the segment above
        whose facts make it unresolved or planned), action, candidates, then each
        priority term raw (``demand_raw`` …) and normalised (``demand`` …), and
        priority. Terms, action and priority are empty for present and unresolved leaves.
    """
    cube = local_facts(graph, regions)
    seg_index = {s: i for i, s in enumerate(cube.segments)}
    pool_total = fact_cube(graph)["pool"].sum(axis=0)
    frames = []
    for chain in chains:
        leaves, code, count, f, via, terms = _chain_status(graph, chain, cube, pool_total, seg_index,
                                                           settings)
        n_r, n_l = code.shape
        segs = graph.segments
        data = {
            "region": np.repeat(np.array(regions, dtype=object), n_l),
            "chain": chain,
            "segment": np.tile(np.array(leaves, dtype=object), n_r),
            "parent": np.tile(np.array([segs[s].parent for s in leaves], dtype=object), n_r),
            "weight": np.tile(np.array([segs[s].weight for s in leaves]), n_r),
            "status": STATUS_NAMES[code.ravel()],
            "enterprises": f["enterprises"].ravel().astype(np.int64),
            "local_count": count.ravel().astype(np.int64),
            "presence_flag": (f["presence_flag"] > 0).ravel(),
            "projects_active": f["projects_active"].ravel().astype(np.int64),
            "projects_producing": f["projects_producing"].ravel().astype(np.int64),
            "via": np.where(via.ravel() >= 0, np.array(cube.segments, dtype=object)[via.ravel()], None),
        }
        data.update({k: v.ravel() for k, v in terms.items()})
        frames.append(pd.DataFrame(data))
    return pd.concat(frames, ignore_index=True)


def completeness_of(status):
    """Completeness per (region, chain): Σ weights of present, weak and unresolved leaves / Σ weights."""
    counted = status["status"].isin(ACTIVE_STATUSES)
    w = status.assign(counted_weight=status["weight"].where(counted, 0.0))
    g = w.groupby(["region", "chain"], sort=False)[["counted_weight", "weight"]].sum()
    out = (g["counted_weight"] / g["weight"]).rename("completeness").reset_index()
    names = ["present", "weak", "unresolved", "planned", "missing"]
    counts = status.groupby(["region", "chain", "status"], sort=False).size().unstack(fill_value=0)
    counts = counts.reindex(columns=names, fill_value=0).reset_index()
    counts.columns.name = None
    return out.merge(counts, on=["region", "chain"])
