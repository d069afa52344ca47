"""Comparing regions side by side, chain by chain."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from chainkg.queries.common import resolve_chains, resolve_regions
from chainkg.queries.settings import settings_for
from chainkg.queries.status import completeness_of, segment_status

__all__ = ["Comparison", "compare"]


@dataclass
class Comparison:
    """``summary``: one row per (chain, region); ``segments``: leaf statuses, one column per region."""

    summary: pd.DataFrame
    segments: pd.DataFrame

    def tables(self):
        return {"summary": self.summary, "segments": self.segments}

    def to_dict(self):
        return {"summary": self.summary.to_dict("records"), "segments": self.segments.to_dict("records")}


def compare(graph, regions, chains=None, **settings):
    """Completeness, status counts and local facts of several regions, per chain.

    Examples
    --------
    >>> import chainkg
    >>> c = compare(chainkg.load(), ["梁平区", "重庆市"], "ic")
    >>> c.summary["region"].tolist()
    ['500155', '500000']
    """
    s = settings_for(graph, **settings)
    region_ids = resolve_regions(graph, regions)
    chain_ids = resolve_chains(graph, chains)
    status = segment_status(graph, region_ids, chain_ids, s)
    summary = completeness_of(status)
    summary.insert(1, "region_name", summary["region"].map(graph.region_name))
    local = {r: graph.region_descendants(r) for r in region_ids}
    seg_chain = {sid: seg.chain for sid, seg in graph.segments.items()}
    mem = graph.counted_memberships.assign(chain=graph.counted_memberships["segment"].map(seg_chain))
    ent_region = graph.enterprises.set_index("id")["region"]
    mem = mem.assign(region=mem["enterprise"].map(ent_region))
    proj = graph.projects.assign(chain=graph.projects["segment"].map(seg_chain))
    summary["enterprises"] = [mem[(mem["chain"] == c) & mem["region"].isin(local[r])]["enterprise"].nunique()
                              for r, c in zip(summary["region"], summary["chain"])]
    summary["projects"] = [int(((proj["chain"] == c) & proj["region"].isin(local[r])).sum())
                           for r, c in zip(summary["region"], summary["chain"])]
    order = {c: i for i, c in enumerate(chain_ids)}
    summary = summary.sort_values("chain", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)

    wide = status.pivot(index=["chain", "segment"], columns="region", values="status")[region_ids]
    wide.columns = [f"{graph.region_name(r)} ({r})" for r in region_ids]
    wide = wide.reset_index()
    wide.insert(2, "name", wide["segment"].map(lambda x: graph.segments[x].name))
    leaf_order = {leaf: i for i, leaf in enumerate(graph.leaves())}
    wide = wide.sort_values("segment", key=lambda c: c.map(leaf_order)).reset_index(drop=True)
    return Comparison(summary=summary, segments=wide)
