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

from chainkg.graph.schema import ACTIVE_PROJECT_STATUSES

__all__ = ["FactCube", "fact_cube", "local_facts", "region_members", "candidate_pool"]

FACTS = ("enterprises", "presence_count", "presence_rows", "presence_flag", "projects_active",
         "projects_producing", "pool")


@dataclass
class FactCube:
    """Fact matrices, one row per region, one column per segment (``segments`` order).

    ``pool`` counts candidate enterprises per leaf (see :func:`candidate_pool`).
    """

    regions: list
    segments: list
    facts: dict

    def __getitem__(self, name):
        return self.facts[name]


def _scatter(shape, rows, cols, weights=None):
    out = np.zeros(shape)
    ok = (rows >= 0) & (cols >= 0)
    np.add.at(out, (rows[ok], cols[ok]), 1.0 if weights is None else weights[ok])
    return out


def fact_cube(graph):
    """Own facts at the regions the rows name; cached on the graph."""
    if "fact_cube" in graph.cache:
        return graph.cache["fact_cube"]
    regions = pd.Index(graph.regions["id"].astype(str))
    segments = pd.Index(list(graph.segments))
    shape = (len(regions), len(segments))
    ent_region = pd.Series(regions.get_indexer(graph.enterprises["region"].astype(str)),
                           index=graph.enterprises["id"].values)
    m = graph.memberships.drop_duplicates(["enterprise", "segment"])
    m_region = m["enterprise"].map(ent_region).fillna(-1).to_numpy(dtype=np.int64)
    facts = {"enterprises": _scatter(shape, m_region, segments.get_indexer(m["segment"]))}

    p = graph.presence
    p_r, p_s = regions.get_indexer(p["region"].astype(str)), segments.get_indexer(p["segment"])
    counts = pd.to_numeric(p["enterprises"], errors="coerce")
    facts["presence_count"] = _scatter(shape, p_r, p_s, counts.fillna(0).to_numpy(dtype=float))
    facts["presence_rows"] = _scatter(shape, p_r, p_s)
    facts["presence_flag"] = _scatter(shape, p_r, p_s, counts.isna().to_numpy(dtype=float))

    pr = graph.projects
    j_r, j_s = regions.get_indexer(pr["region"].astype(str)), segments.get_indexer(pr["segment"].fillna(""))
    facts["projects_active"] = _scatter(shape, j_r, j_s, pr["status"].isin(ACTIVE_PROJECT_STATUSES).to_numpy(dtype=float))
    facts["projects_producing"] = _scatter(shape, j_r, j_s, (pr["status"] == "in_production").to_numpy(dtype=float))

    pool = candidate_pool(graph)
    facts["pool"] = _scatter(shape, regions.get_indexer(pool["region"].astype(str)),
                             segments.get_indexer(pool["leaf"]))
    graph.cache["fact_cube"] = FactCube(list(regions), list(segments), facts)
    return graph.cache["fact_cube"]


def region_members(graph, targets):
    """A (region, target) table: every region that counts as local for each target region."""
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


def candidate_pool(graph):
    """Which enterprises could fill which leaf: (enterprise, region, leaf, fit).

    An enterprise operating in a leaf (fit 1.0) or in a segment above it, whose
    source does not say which leaf (fit 0.5), is a candidate for that leaf. Cached.
    """
    if "candidate_pool" in graph.cache:
        return graph.cache["candidate_pool"]
    rows = []
    for sid in graph.segments:
        if graph.is_leaf(sid):
            rows.append((sid, sid, 1.0))
        else:
            rows += [(sid, leaf, 0.5) for leaf in graph.leaves(sid)]
    expand = pd.DataFrame(rows, columns=["segment", "leaf", "fit"])
    m = graph.memberships[["enterprise", "segment"]].merge(expand, on="segment")
    m = m.sort_values("fit", ascending=False, kind="stable").drop_duplicates(["enterprise", "leaf"])
    ent_region = pd.Series(graph.enterprises["region"].values, index=graph.enterprises["id"].values)
    m["region"] = m["enterprise"].map(ent_region).values
    graph.cache["candidate_pool"] = m[["enterprise", "region", "leaf", "fit"]].reset_index(drop=True)
    return graph.cache["candidate_pool"]
