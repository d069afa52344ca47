"""Local facts per region and segment: the group-bys every gap query starts from.

*Own facts* are the facts that name a segment directly: enterprises operating in it,
presence rows on it, projects targeting it. They are counted once per graph into
(region × segment) matrices at the regions the rows name, then summed up to the
regions asked about (each region with all regions below it). Enterprises are counted
once per segment however many rows repeat them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from chainkg.graph.codes import codes_of, rows_match, unique_ints
from chainkg.graph.schema import ACTIVE_PROJECT_STATUSES
from chainkg.queries.projects import project_targets

__all__ = ["FactCube", "fact_cube", "local_facts", "region_members", "local_matrix", "enterprise_rows",
           "membership_codes", "enterprise_regions"]



@dataclass
class FactCube:
    """Fact matrices, one row per region, one column per segment (``segments`` order).

    ``pool`` counts candidate enterprises per leaf: an enterprise operating in a leaf,
    or in a segment above it whose source does not say which leaf, could fill that leaf.
    """

    regions: list
    segments: list
    facts: dict

    def __getitem__(self, name):
        return self.facts[name]


def _scatter(shape, rows, cols, weights=None):
    """Counts (or sums of ``weights``) per (row, col) in a matrix; codes -1 are left out."""
    ok = (rows >= 0) & (cols >= 0)
    flat = np.asarray(rows)[ok] * shape[1] + np.asarray(cols)[ok]
    w = None if weights is None else np.asarray(weights, dtype=float)[ok]
    return np.bincount(flat, weights=w, minlength=shape[0] * shape[1]).astype(float).reshape(shape)


def _leaf_expansion(graph, segments):
    """For each segment code, the codes of the leaves below it (itself for a leaf) and the fit."""
    index = {s: i for i, s in enumerate(segments)}
    starts, leaves, fits = [], [], []
    for sid in segments:
        starts.append(len(leaves))
        below = graph.leaves(sid)
        leaves += [index[x] for x in below]
        fits += [1.0 if below == [sid] else 0.5] * len(below)
    counts = np.diff(np.array(starts + [len(leaves)]))
    return np.array(starts), counts, np.array(leaves), np.array(fits)


def enterprise_rows(graph):
    """Row of each membership's enterprise in the enterprise table (-1 if absent).

    The loader leaves the rows as a hint in ``memberships.attrs``; they are used only
    if every one of them names the same enterprise (one comparison pass, much cheaper
    than hashing a million ids).
    """
    m, e = graph.counted_memberships, graph.enterprises
    hint = m.attrs.get("enterprise_rows")
    rows = getattr(hint, "rows", None)
    if rows is not None and len(rows) == len(m) and (len(rows) == 0 or rows.max() < len(e)):
        if rows_match(e["id"], rows, m["enterprise"]):
            return rows
    return codes_of(m["enterprise"], e["id"])


def membership_codes(graph):
    """(row of each counted membership's enterprise, code of its segment in
    ``graph.segments``), -1 where absent; cached on the graph (the fact cube and the
    fact sources both start from them)."""
    if "membership_codes" not in graph.cache:
        graph.cache["membership_codes"] = (enterprise_rows(graph),
                                           codes_of(graph.counted_memberships["segment"], list(graph.segments)))
    return graph.cache["membership_codes"]


def enterprise_regions(graph):
    """(region ids of the regions table, code of each enterprise's region among them, -1
    where absent); cached on the graph."""
    if "enterprise_regions" not in graph.cache:
        regions = list(graph.regions["id"].astype(str))
        graph.cache["enterprise_regions"] = regions, codes_of(graph.enterprises["region"], regions)
    return graph.cache["enterprise_regions"]


def fact_cube(graph):
    """Own facts at the regions the rows name; cached on the graph."""
    if "fact_cube" in graph.cache:
        return graph.cache["fact_cube"]
    regions, ent_region = enterprise_regions(graph)
    segments = list(graph.segments)
    shape = (len(regions), len(segments))
    m_ent, m_seg = membership_codes(graph)
    ok = (m_ent >= 0) & (m_seg >= 0)
    pairs = unique_ints(m_ent[ok] * len(segments) + m_seg[ok])  # each enterprise once per segment
    ent, seg = np.divmod(pairs, len(segments))
    facts = {"enterprises": _scatter(shape, ent_region[ent], seg)}
    facts.update(_shares(graph, regions, segments, ent_region, m_ent, m_seg, ok))

    p = graph.presence
    p_r, p_s = codes_of(p["region"], regions), codes_of(p["segment"], segments)
    counts = pd.to_numeric(p["enterprises"], errors="coerce")
    facts["presence_count"] = _scatter(shape, p_r, p_s, counts.fillna(0).to_numpy(dtype=float))
    facts["presence_rows"] = _scatter(shape, p_r, p_s)
    facts["presence_flag"] = _scatter(shape, p_r, p_s, counts.isna().to_numpy(dtype=float))

    # Projects count for the segments they name, else their enterprise's or their name's.
    pr = project_targets(graph)
    j_r, j_s = codes_of(pr["region"], regions), codes_of(pr["segment"], segments)
    facts["projects_active"] = _scatter(shape, j_r, j_s, pr["status"].isin(ACTIVE_PROJECT_STATUSES).to_numpy(dtype=float))
    facts["projects_producing"] = _scatter(shape, j_r, j_s, (pr["status"] == "in_production").to_numpy(dtype=float))
    landed = pr["status"].isin(("landed", "under_construction")).to_numpy(dtype=float)
    facts["projects_landed"] = _scatter(shape, j_r, j_s, landed)

    # Candidate pool: an enterprise counts once for every leaf at or below its segments.
    starts, n_leaves, leaf_codes, _ = _leaf_expansion(graph, segments)
    reps = n_leaves[seg]
    offsets = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    pool_ent = np.repeat(ent, reps)
    pool_leaf = leaf_codes[np.repeat(starts[seg], reps) + offsets]
    pool = unique_ints(pool_ent * len(segments) + pool_leaf)
    pool_ent, pool_leaf = np.divmod(pool, len(segments))
    facts["pool"] = _scatter(shape, ent_region[pool_ent], pool_leaf)
    graph.cache["fact_cube"] = FactCube(regions, segments, facts)
    return graph.cache["fact_cube"]


def _shares(graph, regions, segments, ent_region, m_ent, m_seg, ok):
    """``share_total`` (Σ of the shares that counted memberships give, each enterprise once per
    segment at its largest share), ``share_known`` (enterprises giving one) and ``absent``
    (enterprises listed with a negligible or zero share) per region and segment."""
    shape = (len(regions), len(segments))
    share = graph.counted_shares[ok]
    known = ~np.isnan(share)
    out = {"share_total": np.zeros(shape), "share_known": np.zeros(shape)}
    if known.any():
        best = pd.Series(share[known]).groupby(m_ent[ok][known] * len(segments) + m_seg[ok][known]).max()
        ent, seg = np.divmod(best.index.to_numpy(), len(segments))
        out["share_total"] = _scatter(shape, ent_region[ent], seg, best.to_numpy())
        out["share_known"] = _scatter(shape, ent_region[ent], seg)
    a = graph.absent_memberships
    out["absent"] = np.zeros(shape)
    if len(a):
        a_ent, a_seg = codes_of(a["enterprise"], graph.enterprises["id"]), codes_of(a["segment"], segments)
        a_ok = (a_ent >= 0) & (a_seg >= 0)
        ent, seg = np.divmod(unique_ints(a_ent[a_ok] * len(segments) + a_seg[a_ok]), len(segments))
        out["absent"] = _scatter(shape, ent_region[ent], seg)
    return out


def region_members(graph, targets):
    """A (region, target) table: every region that counts as local for each target region."""
    tree = graph.region_tree
    rows = [(t, t) if tree.out_degree(t) == 0 else None for t in targets if t in tree]
    if len(rows) == len(targets) and all(rows):  # county-level targets: each region is its own
        return pd.DataFrame(rows, columns=["region", "target"])
    rows = [(r, t) for t in targets for r in graph.region_descendants(t)]
    return pd.DataFrame(rows, columns=["region", "target"])


def local_facts(graph, targets):
    """Own facts summed over each target region and the regions below it."""
    cube = fact_cube(graph)
    members = region_members(graph, targets)
    index = pd.Index(cube.regions)
    rows = index.get_indexer(members["region"])
    target_rows = pd.Index(list(targets)).get_indexer(members["target"])
    out = {}
    for name, matrix in cube.facts.items():
        if len(targets) == len(members) and (target_rows == np.arange(len(targets))).all():
            out[name] = matrix[rows]  # each target is its own only member: no sum needed
        else:
            m = np.zeros((len(targets), matrix.shape[1]))
            np.add.at(m, target_rows, matrix[rows])
            out[name] = m
    return FactCube(list(targets), cube.segments, out)


def local_matrix(graph, targets, rows):
    """Rows of (region, segment) counted into a (targets × segments) matrix, each target
    with the regions below it."""
    cube = fact_cube(graph)
    members = region_members(graph, targets)
    m = rows.merge(members, on="region")
    t = pd.Index(list(targets)).get_indexer(m["target"])
    s = pd.Index(cube.segments).get_indexer(m["segment"])
    return _scatter((len(targets), len(cube.segments)), t, s)
