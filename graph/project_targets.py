"""The segments each project counts for (DESIGN §5).

A project row may name no segment (the source did not say). It then counts for:

1. the segments of its enterprise (given or classified memberships), when it names one
   that has memberships;
2. else the segment whose name or alias its own name holds (``伊卡路包装项目`` names
   包装, an alias of 食品包装): the longest such word, none when two segments tie, none
   when the name also holds one of the segment's exclusion words. Notes are not read:
   they say what a source does not state as often as what it does.

Queries count projects through this table, and the exports write it as ``TARGETS``
relationships with their ``method``, so every backend places a project alike.
"""

from __future__ import annotations

import pandas as pd

from chainkg.graph.codes import found_in

__all__ = ["project_targets", "PROJECT_TARGET_COLUMNS"]

PROJECT_TARGET_COLUMNS = ["project", "name", "region", "segment", "status", "investment_cny", "enterprise",
                          "method", "evidence", "source"]


def _named_segment(graph, name):
    """The segment whose name or alias ``name`` holds (longest word; None if ambiguous)."""
    found = {}
    for sid, seg in graph.segments.items():
        if any(x and x in name for x in seg.exclude):
            continue
        for word in (seg.name, *seg.aliases):
            if len(word) >= 2 and word in name:
                found[sid] = max(found.get(sid, ""), word, key=len)
    if not found:
        return None, None
    longest = max(len(w) for w in found.values())
    best = [(s, w) for s, w in found.items() if len(w) == longest]
    return best[0] if len(best) == 1 else (None, None)


def project_targets(graph):
    """One row per (project, segment) the project counts for.

    Returns
    -------
    DataFrame
        :data:`PROJECT_TARGET_COLUMNS`; ``method`` is ``given`` (the row names the
        segment), ``enterprise`` (its enterprise's membership; ``evidence`` says how the
        enterprise came to it) or ``name`` (``evidence`` quotes the word). Projects
        that none of these place are left out. ``ChainGraph.project_targets`` caches it.

    Examples
    --------
    >>> import chainkg
    >>> t = project_targets(chainkg.load()).set_index("project")
    >>> t.loc["lp-yikalu-packaging", ["segment", "method", "evidence"]].tolist()
    ['food.packaging', 'name', '项目名称: 包装']
    """
    p = graph.projects.rename(columns={"id": "project"})
    has_segment = p["segment"].notna() & (p["segment"].astype(str) != "")
    given = p[has_segment].assign(method="given", evidence="")
    rest = p[~has_segment].drop(columns=["segment"])
    rest = rest.assign(enterprise=rest["enterprise"].astype(object))  # an all-empty column reads as float
    mem = graph.counted_memberships[["enterprise", "segment", "method"]].rename(columns={"method": "evidence"})
    mem = mem[found_in(mem["enterprise"], rest["enterprise"])]  # those of these projects only
    mem = mem.assign(enterprise=mem["enterprise"].astype(object))
    by_ent = rest.merge(mem, on="enterprise")
    by_ent = by_ent.assign(method="enterprise",
                           evidence="enterprise's membership (" + by_ent["evidence"].fillna("given").astype(str) + ")")
    left = rest[~found_in(rest["project"], by_ent["project"])]
    named = [(i, *_named_segment(graph, str(n))) for i, n in zip(left.index, left["name"])]
    named = [(i, s, w) for i, s, w in named if s is not None]
    by_name = left.loc[[i for i, _, _ in named]].assign(
        segment=[s for _, s, _ in named], method="name", evidence=[f"项目名称: {w}" for _, _, w in named])
    out = pd.concat([given, by_ent, by_name], ignore_index=True)
    out = out.reindex(columns=PROJECT_TARGET_COLUMNS)
    out = out[found_in(out["segment"], list(graph.segments))].reset_index(drop=True)
    return out
