"""Coverage: the status of every segment of a region's chains, as a tree.

Leaves take their status from :func:`~chainkg.queries.status.segment_status`. A segment
above the leaves takes the same rule over its whole subtree: its local enterprises
(each counted once), presence rows and projects anywhere below it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from chainkg.graph.codes import found_in
from chainkg.graph.schema import ACTIVE_PROJECT_STATUSES
from chainkg.queries.common import resolve_chains, resolve_regions
from chainkg.queries.local import local_facts
from chainkg.queries.projects import project_targets
from chainkg.queries.settings import settings_for
from chainkg.queries.status import completeness_of, segment_status

__all__ = ["Coverage", "coverage", "rollup_status", "placed_note", "join_notes"]


@dataclass
class Coverage:
    """Per-segment status of a region's chains (tree order) and completeness per chain
    (a range, with its evidence: see :func:`~chainkg.queries.evidence.completeness_table`)."""

    segments: pd.DataFrame
    completeness: pd.DataFrame

    def tables(self):
        return {"completeness": self.completeness, "segments": self.segments}

    def to_dict(self):
        return {"completeness": self.completeness.to_dict("records"),
                "segments": self.segments.to_dict("records")}


def _subtree_facts(graph, region_ids, settings):
    """Distinct local enterprises, presence and projects below each segment."""
    ups = pd.DataFrame([(s, a) for s in graph.segments for a in graph.ancestors(s)],
                       columns=["segment", "node"])
    local_ent = graph.enterprises.loc[found_in(graph.enterprises["region"], region_ids), "id"]
    mem = graph.counted_memberships
    mem = mem[found_in(mem["enterprise"], local_ent)][["enterprise", "segment"]]
    ent = mem.merge(ups, on="segment").drop_duplicates(["enterprise", "node"]).groupby("node").size()

    pres = graph.presence[found_in(graph.presence["region"], region_ids)].merge(ups, on="segment")
    counts = pd.to_numeric(pres["enterprises"], errors="coerce")
    pres_count = counts.fillna(0).groupby(pres["node"]).sum()
    pres_flag = counts.isna().groupby(pres["node"]).any()
    pres_rows = pres.groupby("node").size()

    targets = project_targets(graph)
    proj = targets[found_in(targets["region"], region_ids)].merge(ups, on="segment")
    proj = proj.drop_duplicates(["project", "node"])  # a project placed in two leaves counts once above
    active = proj["status"].isin(ACTIVE_PROJECT_STATUSES).groupby(proj["node"]).sum()
    producing = (proj["status"] == "in_production").groupby(proj["node"]).sum()
    out = pd.DataFrame({"enterprises": ent, "presence_rows": pres_rows, "presence_count": pres_count,
                        "projects_active": active, "projects_producing": producing})
    out = out.reindex(list(graph.segments)).fillna(0).astype(np.int64)
    out["presence_flag"] = pres_flag.reindex(out.index).astype("boolean").fillna(False).astype(bool)
    return out


def coverage(graph, region=None, chains=None, **settings):
    """Status of every segment of ``chains`` in ``region`` (with the regions below it).

    Returns
    -------
    Coverage

    Examples
    --------
    >>> import chainkg
    >>> c = coverage(chainkg.load(), "梁平区", "ic")
    >>> c.segments.set_index("segment").loc["ic.materials", "status"]
    'present'
    >>> c.segments.set_index("segment").loc["ic.materials.photoresist", "status"]
    'unresolved'
    """
    s = settings_for(graph, **settings)
    region_id = resolve_regions(graph, region)[0]
    chain_ids = resolve_chains(graph, chains)
    leaves = segment_status(graph, [region_id], chain_ids, s).set_index("segment")
    local = graph.region_descendants(region_id)
    sub = _subtree_facts(graph, local, s)
    own = _OwnFacts(graph, region_id)
    targets = project_targets(graph)
    targets = targets[(targets["method"] != "given") & found_in(targets["region"], local)]
    placed = {}
    for sid, name, evidence in targets[["segment", "name", "evidence"]].itertuples(index=False):
        placed.setdefault(sid, []).append((name, evidence))
    rows = []
    for cid in chain_ids:
        for sid in graph.descendants(cid):
            seg = graph.segments[sid]
            f = sub.loc[sid]
            ent = int(f["enterprises"])
            count = ent + int(f["presence_count"])
            if sid in leaves.index:
                status, via = leaves.at[sid, "status"], leaves.at[sid, "via"]
            else:
                status = _parent_status(graph, sid, count, f, leaves, s)
                via = own.nearest_with_facts(sid) if status in ("unresolved", "planned") else None
            rows.append({
                "chain": cid, "segment": sid, "name": "  " * (seg.level - 1) + seg.name,
                "stage": seg.stage, "status": status, "local_enterprises": ent,
                "presence": _presence_text(f),
                "projects": int(f["projects_active"] + f["projects_producing"]),
                "note": join_notes(_note(graph, status, via, sid), placed_note(placed.get(sid, ())))})
    comp = completeness_of(leaves.reset_index(), graph)
    comp.insert(1, "region_name", graph.region_name(region_id))
    return Coverage(segments=pd.DataFrame(rows), completeness=comp)


class _OwnFacts:
    """The facts that name each segment itself in a region, for the segment above a leaf
    whose status its leaves give: which segment above it has facts (as the leaves' ``via``)."""

    def __init__(self, graph, region_id):
        cube = local_facts(graph, [region_id])
        self.graph, self.index = graph, {sid: k for k, sid in enumerate(cube.segments)}
        f = {k: v[0] for k, v in cube.facts.items()}
        self.active = (f["enterprises"] + f["presence_count"] > 0) | (f["presence_flag"] > 0) \
            | (f["projects_producing"] > 0)
        self.planned = f["projects_active"] > 0

    def nearest_with_facts(self, sid):
        """The nearest segment above ``sid`` with active facts, else with planned ones; None
        when ``sid`` has facts of its own."""
        k = self.index[sid]
        if self.active[k] or self.planned[k]:
            return None
        above = self.graph.ancestors(sid, include_self=False)
        for facts in (self.active, self.planned):
            for a in above:
                if facts[self.index[a]]:
                    return a
        return None


def _parent_status(graph, sid, count, f, leaves, s):
    if count >= s.strong_min or f["presence_flag"] or f["projects_producing"] > 0:
        return "present"
    if count >= 1:
        return "weak"
    return rollup_status(leaves.loc[[x for x in graph.leaves(sid) if x in leaves.index], "status"])


def rollup_status(below):
    """The status of a segment without facts below it, from its leaves' statuses.

    Examples
    --------
    >>> rollup_status(pd.Series(["unknown", "unresolved"]))
    'unresolved'
    """
    for status in ("planned", "unresolved", "unknown"):
        if (below == status).any():
            return status
    return "missing"


def _presence_text(f):
    if not f["presence_rows"]:
        return ""
    count = int(f["presence_count"])
    rows = int(f["presence_rows"])
    return f"{rows} presence row{'s' if rows > 1 else ''}" + (f", {count} enterprises counted" if count else "")


def placed_note(projects):
    """The note that names the projects placed in a segment without naming it: (name, evidence)."""
    if not projects:
        return ""
    return "projects placed here: " + "; ".join(sorted({f"{n} ({e})" for n, e in projects}))


def join_notes(*notes):
    return "; ".join(n for n in notes if n)


def _note(graph, status, via, sid):
    if not isinstance(via, str):
        return ""
    if status == "unresolved":
        parent = graph.segments[via].name
        return f"present at the level of {parent} ({via}); which {parent} is unknown"
    if status == "planned":
        return f"a project targets {graph.segments[via].name} ({via})"
    return ""
