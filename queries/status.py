"""The status of every leaf segment in every region asked about (DESIGN §5).

- ``present``: at least ``strong_min`` local enterprises, a presence row without a
  count, or a project in production; where local memberships give shares
  (``memberships.csv``), a total share of at least ``strong_share`` instead of the count;
- ``weak``: 1 to ``strong_min - 1`` local enterprises (plus presence counts), or local
  enterprises whose shares add up to less than ``strong_share``;
- ``planned``: nothing local, but a project in the region targets it (intent …
  under construction), or targets a segment above it;
- ``unresolved``: no facts of its own, but facts name a segment above it: present at
  that level, which leaf is unknown. Never a gap;
- ``missing``: none of these, and a census source covers the region and chain
  (see :mod:`chainkg.queries.evidence`), or the region's only memberships in the leaf
  are listed with a negligible or zero share: a confirmed gap (known absent);
- ``unknown`` (待摸底): none of these, and no census covers it: nobody has looked.

Shares (see :mod:`chainkg.loaders.memberships`): a membership with a negligible flag or a
share of exactly 0 is not a local enterprise; it says someone looked and found (next to)
none, so a leaf with only such memberships is ``missing``, never ``unknown``. A membership
without a share counts by the count rule; once one local membership of a leaf gives a
share, the leaf is present when the region's shares add up to ``strong_share``
(default 0.10) and weak below it, however many enterprises there are. The segments above
the leaves (in ``coverage``) keep the count rule.

Projects count for the segments :func:`~chainkg.queries.projects.project_targets`
places them in. Every region and chain is computed in one pass of (regions × leaves)
matrices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainkg.graph.codes import decode
from chainkg.graph.schema import ACTIVE_PROJECT_STATUSES
from chainkg.queries.evidence import census_matrix, completeness_table, evidence_of, project_names
from chainkg.queries.local import fact_cube, local_facts, local_matrix, region_members
from chainkg.queries.priority import chain_matrices, score
from chainkg.queries.projects import anchor_projects, project_targets
from chainkg.queries.relatedness import feasibility_of

__all__ = ["segment_status", "completeness_of", "ACTIVE_STATUSES", "GAP_STATUSES", "STATUS_NAMES"]

STATUS_NAMES = np.array(["present", "weak", "planned", "unresolved", "missing", "unknown"], dtype=object)
PRESENT, WEAK, PLANNED, UNRESOLVED, MISSING, UNKNOWN = range(6)
#: Statuses the priority ranking covers.
GAP_STATUSES = ("weak", "planned", "missing", "unknown")
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


def _chain_status(graph, chain, cube, pool_total, seg_index, settings, censused, anchors, feasibility):
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

    # Where local memberships give shares, their total decides, not the count.
    by_share = f["share_known"] > 0
    strong = np.where(by_share, f["share_total"] >= settings.strong_share - 1e-9, count >= settings.strong_min)
    present = strong | flag | producing
    weak = ~present & (count >= 1)
    planned = ~present & ~weak & active_proj
    known_absent = ~own_any & (f["absent"] > 0)
    unresolved = ~own_any & ~known_absent & above_active
    planned_above = ~own_any & ~known_absent & ~above_active & (via >= 0)
    absent = np.where(censused[:, None] | known_absent, MISSING, UNKNOWN)
    code = np.select([present, weak, planned | planned_above, unresolved],
                     [PRESENT, WEAK, PLANNED, UNRESOLVED], absent)
    via = np.where(unresolved | planned_above, via, -1)
    m = chain_matrices(graph, chain)
    terms = score(m, code, count, f["pool"], pool_total[cols], settings, anchor=anchors[:, cols],
                  landed=f["projects_landed"] > 0, feasibility=feasibility.leaves(leaves))
    return leaves, code, count, f, via, terms


def segment_status(graph, regions, chains, settings):
    """Status, action and priority of each leaf of ``chains`` in each of ``regions``.

    Returns
    -------
    DataFrame
        One row per (region, leaf): region, chain, segment, parent, weight, status,
        enterprises (local, naming the leaf), local_count (with presence counts),
        presence_flag, projects_active, projects_producing, share (the total of the
        shares local memberships give; NaN where none gives one), absent (enterprises
        listed with a negligible or zero share), via (the segment above
        whose facts make it unresolved or planned), action, candidates, then each
        priority term raw (``demand_raw`` …) and normalised (``demand`` …), and
        priority. Terms, action and priority are empty for present and unresolved leaves.
    """
    cube = local_facts(graph, regions)
    seg_index = {s: i for i, s in enumerate(cube.segments)}
    pool_total = fact_cube(graph)["pool"].sum(axis=0)
    censused = census_matrix(graph, regions, chains)
    anchors = local_matrix(graph, regions, anchor_projects(graph, settings)[["region", "segment"]])
    feasibility = feasibility_of(graph, regions, settings)
    frames = []
    for j, chain in enumerate(chains):
        leaves, code, count, f, via, terms = _chain_status(graph, chain, cube, pool_total, seg_index,
                                                           settings, censused[:, j], anchors, feasibility)
        n_r, n_l = code.shape
        segs = graph.segments
        rows, cols = np.repeat(np.arange(n_r), n_l), np.tile(np.arange(n_l), n_r)
        data = {  # text columns decoded from codes: no Python string per row
            "region": decode(rows, regions).array,
            "chain": decode(np.zeros(n_r * n_l, dtype=np.int64), [chain]).array,
            "segment": decode(cols, leaves).array,
            "parent": decode(cols, [segs[s].parent for s in leaves]).array,
            "weight": np.array([segs[s].weight for s in leaves], dtype=float)[cols],
            "status": decode(code.ravel(), STATUS_NAMES).array,
            "enterprises": f["enterprises"].ravel().astype(np.int64),
            "local_count": count.ravel().astype(np.int64),
            "presence_flag": (f["presence_flag"] > 0).ravel(),
            "projects_active": f["projects_active"].ravel().astype(np.int64),
            "projects_producing": f["projects_producing"].ravel().astype(np.int64),
            "share": np.where(f["share_known"] > 0, f["share_total"], np.nan).ravel(),
            "absent": f["absent"].ravel().astype(np.int64),
            "via": decode(via.ravel(), cube.segments).array,
        }
        data.update({k: v.ravel() for k, v in terms.items()})
        frames.append(pd.DataFrame(data))
    out = pd.concat(frames, ignore_index=True)
    out.insert(out.columns.get_loc("via") + 1, "planned_by", _planned_by(graph, regions, out))
    return out


def _planned_by(graph, regions, status):
    """Names of the active projects (in each region and below) that make a leaf planned."""
    out = pd.Series("", index=status.index, dtype=object)
    planned = status["status"] == "planned"
    if not planned.any():
        return out
    rows = status[planned]
    key = rows["via"].where(rows["via"].notna(), rows["segment"])
    t = project_targets(graph)
    t = t[t["status"].isin(ACTIVE_PROJECT_STATUSES) & t["segment"].isin(set(key))]
    t = t.merge(region_members(graph, pd.unique(rows["region"]).tolist()), on="region")
    grouped = {}  # a plain loop: a pandas aggregation per group costs more than the names
    for key_, name in zip(zip(t["target"].tolist(), t["segment"].tolist()), t["name"].tolist()):
        grouped.setdefault(key_, []).append(name)
    names = {k: project_names(v) for k, v in grouped.items()}
    out[planned] = [names.get((r, k), "") for r, k in zip(rows["region"], key)]
    return out


def completeness_of(status, graph=None):
    """Completeness as a range per (region, chain), with its evidence when ``graph`` is given.

    See :func:`chainkg.queries.evidence.completeness_table`.
    """
    evidence = None
    if graph is not None:
        evidence = evidence_of(graph, pd.unique(status["region"]).tolist(), pd.unique(status["chain"]).tolist())
    return completeness_table(status, evidence)
