"""The status of every leaf segment in every region asked about (DESIGN §5).

- ``present``: at least ``strong_min`` local enterprises, a presence row without a
  count, or a project in production;
- ``weak``: 1 to ``strong_min - 1`` local enterprises (plus presence counts);
- ``planned``: nothing local, but a project in the region targets it (intent …
  under construction);
- ``unresolved``: no facts of its own, but facts name a segment above it: present at
  that level, which leaf is unknown. Counts as present for completeness, never as a gap;
- ``missing``: none of these.

All regions and chains are computed in one vectorised pass.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainkg.queries.local import facts_in

__all__ = ["leaf_status", "ACTIVE_STATUSES", "completeness_of"]

#: Statuses that mean local activity exists (for neighbours, demand and closure).
ACTIVE_STATUSES = ("present", "weak", "unresolved")


def _leaf_frame(graph, targets, chains):
    rows = [(cid, leaf, graph.segments[leaf].weight, graph.segments[leaf].parent)
            for cid in chains for leaf in graph.leaves(cid)]
    leaves = pd.DataFrame(rows, columns=["chain", "segment", "weight", "parent"])
    regions = pd.DataFrame({"region": list(targets)})
    return regions.merge(leaves, how="cross")


def leaf_status(graph, targets, chains, settings):
    """Status of each leaf of ``chains`` in each of ``targets`` (region ids).

    Returns
    -------
    DataFrame
        region, chain, segment, weight, status, enterprises (local, naming the leaf),
        local_count (enterprises + presence counts), presence_flag, projects_active,
        projects_producing, via (the segment above whose facts make it unresolved or
        planned).
    """
    frame = _leaf_frame(graph, targets, chains)
    facts = facts_in(graph, targets).rename(columns={"target": "region"})
    df = frame.merge(facts, on=["region", "segment"], how="left")
    for col in ("enterprises", "presence_count", "projects_active", "projects_producing"):
        df[col] = df[col].fillna(0).astype(np.int64)
    df["presence_flag"] = df["presence_flag"].astype("boolean").fillna(False).astype(bool)
    df["local_count"] = df["enterprises"] + df["presence_count"]

    # Facts that name a segment above the leaf.
    above = [(anc, leaf, depth) for cid in chains for leaf in graph.leaves(cid)
             for depth, anc in enumerate(graph.ancestors(leaf, include_self=False))]
    anc = pd.DataFrame(above, columns=["ancestor", "segment", "depth"])
    anc_facts = facts.rename(columns={"segment": "ancestor"}).merge(anc, on="ancestor")
    anc_facts["anc_active"] = ((anc_facts["enterprises"] + anc_facts["presence_count"] > 0)
                               | anc_facts["presence_flag"] | (anc_facts["projects_producing"] > 0))
    anc_facts["anc_planned"] = anc_facts["projects_active"] > 0
    anc_facts = anc_facts[anc_facts["anc_active"] | anc_facts["anc_planned"]]
    nearest = (anc_facts.sort_values(["anc_active", "depth"], ascending=[False, True])
               .drop_duplicates(["region", "segment"])
               [["region", "segment", "ancestor", "anc_active", "anc_planned"]])
    df = df.merge(nearest, on=["region", "segment"], how="left")
    anc_active = df["anc_active"].astype("boolean").fillna(False).astype(bool)
    anc_planned = df["anc_planned"].astype("boolean").fillna(False).astype(bool)

    own_any = (df["local_count"] > 0) | df["presence_flag"] | (df["projects_active"] > 0) \
        | (df["projects_producing"] > 0)
    present = (df["local_count"] >= settings.strong_min) | df["presence_flag"] | (df["projects_producing"] > 0)
    weak = ~present & (df["local_count"] >= 1)
    planned = ~present & ~weak & (df["projects_active"] > 0)
    unresolved = ~own_any & anc_active
    planned_above = ~own_any & ~anc_active & anc_planned
    df["status"] = np.select([present, weak, planned, unresolved, planned_above],
                             ["present", "weak", "planned", "unresolved", "planned"], "missing")
    df["via"] = df["ancestor"].where(unresolved | planned_above, None)
    return df[["region", "chain", "segment", "parent", "weight", "status", "enterprises", "local_count",
               "presence_flag", "projects_active", "projects_producing", "via"]]


def completeness_of(status):
    """Completeness per (region, chain): Σ weights of present, weak and unresolved leaves / Σ weights."""
    counted = status["status"].isin(("present", "weak", "unresolved"))
    w = status.assign(counted_weight=status["weight"].where(counted, 0.0))
    g = w.groupby(["region", "chain"], sort=False)[["counted_weight", "weight"]].sum()
    out = (g["counted_weight"] / g["weight"]).rename("completeness").reset_index()
    counts = pd.crosstab([status["region"], status["chain"]], status["status"])
    for s in ("present", "weak", "unresolved", "planned", "missing"):
        if s not in counts:
            counts[s] = 0
    return out.merge(counts[["present", "weak", "unresolved", "planned", "missing"]].reset_index(),
                     on=["region", "chain"])
