"""Local facts per region and segment: the group-bys every gap query starts from.

*Own facts* are the facts that name a segment directly: enterprises operating in it,
presence rows on it, projects targeting it. They are counted once per graph at the
regions the rows name, then rolled up to the regions asked about (each region with
all regions below it). Enterprises are counted once per segment however many rows
repeat them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainkg.graph.schema import ACTIVE_PROJECT_STATUSES

__all__ = ["own_facts", "region_members", "facts_in", "candidate_pool", "FACT_COLUMNS"]

FACT_COLUMNS = ["enterprises", "presence_count", "presence_flag", "projects_active",
                "projects_producing"]


def own_facts(graph):
    """Own facts per (region as written, segment); cached on the graph."""
    if "own_facts" in graph.cache:
        return graph.cache["own_facts"]
    ent_region = pd.Series(graph.enterprises["region"].values, index=graph.enterprises["id"].values)
    m = graph.memberships
    mem = pd.DataFrame({"region": m["enterprise"].map(ent_region).values, "segment": m["segment"].values})
    parts = [mem.groupby(["region", "segment"], observed=True).size().rename("enterprises")]

    p = graph.presence
    counts = pd.to_numeric(p["enterprises"], errors="coerce")
    pres = pd.DataFrame({"region": p["region"].values, "segment": p["segment"].values,
                         "presence_count": counts.fillna(0).values, "presence_flag": counts.isna().values})
    parts.append(pres.groupby(["region", "segment"]).agg({"presence_count": "sum", "presence_flag": "any"}))

    pr = graph.projects[graph.projects["segment"].notna() & (graph.projects["segment"] != "")]
    proj = pd.DataFrame({"region": pr["region"].values, "segment": pr["segment"].values,
                         "projects_active": pr["status"].isin(ACTIVE_PROJECT_STATUSES).values,
                         "projects_producing": (pr["status"] == "in_production").values})
    parts.append(proj.groupby(["region", "segment"]).sum())

    facts = pd.concat(parts, axis=1).fillna(0)
    facts["presence_flag"] = facts["presence_flag"].astype(bool)
    for col in ("enterprises", "presence_count", "projects_active", "projects_producing"):
        facts[col] = facts[col].astype(np.int64)
    facts = facts.reset_index()
    facts.columns = ["region", "segment", *facts.columns[2:]]
    graph.cache["own_facts"] = facts[["region", "segment", *FACT_COLUMNS]]
    return graph.cache["own_facts"]


def region_members(graph, targets):
    """A (region, target) table: every region that counts as local for each target region."""
    rows = [(r, t) for t in targets for r in graph.region_descendants(t)]
    return pd.DataFrame(rows, columns=["region", "target"])


def facts_in(graph, targets):
    """Own facts rolled up to each target region: columns target, segment and FACT_COLUMNS."""
    facts = own_facts(graph).merge(region_members(graph, targets), on="region")
    out = facts.groupby(["target", "segment"], sort=False).agg(
        {"enterprises": "sum", "presence_count": "sum", "presence_flag": "any",
         "projects_active": "sum", "projects_producing": "sum"})
    return out.reset_index()


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
