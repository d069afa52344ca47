"""Comparing regions side by side, chain by chain.

Completeness is compared as a range, with the evidence behind each region; where the
regions rest on different kinds of evidence (a census beside mentions, facts naming
segments above the leaves beside facts naming leaves), ``warnings`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from chainkg.graph.codes import found_in
from chainkg.queries.common import resolve_chains, resolve_regions
from chainkg.queries.evidence import compare_warnings
from chainkg.queries.projects import project_targets
from chainkg.queries.settings import settings_for
from chainkg.queries.status import completeness_of, segment_status

__all__ = ["Comparison", "compare"]


@dataclass
class Comparison:
    """``summary``: one row per (chain, region); ``segments``: leaf statuses, one column per
    region; ``warnings``: one row per chain where the regions rest on different kinds of
    evidence (see :func:`~chainkg.queries.evidence.compare_warnings`)."""

    summary: pd.DataFrame
    segments: pd.DataFrame
    warnings: pd.DataFrame

    def tables(self):
        out = {"warnings": self.warnings} if len(self.warnings) else {}
        return {**out, "summary": self.summary, "segments": self.segments}

    def to_dict(self):
        return {"warnings": self.warnings.to_dict("records"), "summary": self.summary.to_dict("records"),
                "segments": self.segments.to_dict("records")}


def compare(graph, regions, chains=None, **settings):
    """Completeness, status counts and local facts of several regions, per chain.

    Examples
    --------
    >>> import chainkg
    >>> c = compare(chainkg.load(), ["梁平区", "重庆市"], "ic")
    >>> c.summary["region"].tolist()
    ['500155', '500000']
    >>> c.summary[["completeness_low", "completeness_high"]].round(3).values.tolist()[0]
    [0.079, 1.0]
    """
    s = settings_for(graph, **settings)
    region_ids = resolve_regions(graph, regions)
    chain_ids = resolve_chains(graph, chains)
    status = segment_status(graph, region_ids, chain_ids, s)
    summary = completeness_of(status, graph)
    summary.insert(1, "region_name", summary["region"].map(graph.region_name))
    local = {r: graph.region_descendants(r) for r in region_ids}
    seg_chain = {sid: seg.chain for sid, seg in graph.segments.items()}
    mem = graph.counted_memberships.assign(chain=graph.counted_memberships["segment"].map(seg_chain))
    ent_region = graph.enterprises.set_index("id")["region"]
    mem = mem.assign(region=mem["enterprise"].map(ent_region))
    targets = project_targets(graph)
    proj = targets.assign(chain=targets["segment"].map(seg_chain)).drop_duplicates(["project", "chain"])
    summary["enterprises"] = [mem[(mem["chain"] == c) & found_in(mem["region"], local[r])]["enterprise"].nunique()
                              for r, c in zip(summary["region"], summary["chain"])]
    summary["projects"] = [int(((proj["chain"] == c) & found_in(proj["region"], local[r])).sum())
                           for r, c in zip(summary["region"], summary["chain"])]
    order = {c: i for i, c in enumerate(chain_ids)}
    summary = summary.sort_values("chain", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)

    wide = status.pivot(index=["chain", "segment"], columns="region", values="status")[region_ids]
    wide.columns = [f"{graph.region_name(r)} ({r})" for r in region_ids]
    wide = wide.reset_index()
    wide.insert(2, "name", wide["segment"].map(lambda x: graph.segments[x].name))
    leaf_order = {leaf: i for i, leaf in enumerate(graph.leaves())}
    wide = wide.sort_values("segment", key=lambda c: c.map(leaf_order)).reset_index(drop=True)
    warnings = compare_warnings(summary, {r: graph.region_name(r) for r in region_ids})
    return Comparison(summary=summary, segments=wide, warnings=warnings)
