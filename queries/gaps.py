"""Gap analysis: completeness of each chain and the ranked gaps.

The main query of chainkg. For a region (with every region below it) and its chains
it returns completeness as a range (with the evidence behind it) and every leaf
segment that is weak, planned, missing or unknown, with its status, what the status
rests on (``note``: a confirmed gap, or one to check first), the action it calls for
(补链, 强链, 延链, 建链), its priority score with each term, local counts and the
number of candidate enterprises elsewhere.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from chainkg.graph.codes import mapped
from chainkg.queries.common import county_regions, resolve_chains, resolve_regions
from chainkg.queries.priority import TERMS
from chainkg.queries.relatedness import feasibility_of
from chainkg.queries.settings import settings_for
from chainkg.queries.status import GAP_STATUSES, completeness_of, segment_status

__all__ = ["GapReport", "gaps", "gap_notes", "GAP_NOTES"]

#: What each gap status rests on, as the ``note`` column says it.
GAP_NOTES = {
    "weak": "confirmed: local enterprises too few",
    "missing": "confirmed gap: a census lists none",
    "unknown": "check first (待摸底): no census covers it",
    "planned": "in the pipeline",
    "absent": "known absent: listed with a negligible or zero share",
}


def gap_notes(rows):
    """The ``note`` of each gap row: confirmed, or to check first; a planned one names its projects."""
    status = rows["status"]
    notes = mapped(status, GAP_NOTES).fillna("")
    if "absent" in rows:  # what the shares of memberships.csv say (see queries/status.py)
        notes[(status == "missing") & (rows["absent"] > 0)] = GAP_NOTES["absent"]
        by_share = (status == "weak") & rows["share"].notna()
        if by_share.any():
            notes[by_share] = [f"confirmed: local share {s:.0%} below strong_share" for s in rows["share"][by_share]]
    if "planned_by" in rows:
        by = rows["planned_by"].fillna("")
        named = (status == "planned") & (by != "")
        if named.any():
            notes[named] = GAP_NOTES["planned"] + ": " + by[named]
    return notes

GAP_COLUMNS = ["region", "region_name", "chain", "segment", "name", "parent_name", "stage", "status",
               "note", "action", "priority", *TERMS, "local_enterprises", "projects", "candidates", "via",
               "planned_by",
               *(f"{t}_raw" for t in TERMS)]


@dataclass
class GapReport:
    """The result of :func:`gaps`.

    Attributes
    ----------
    completeness : DataFrame
        One row per (region, chain): completeness_low and completeness_high, the
        evidence share, counts of leaves by status, coverage types and sources.
    gaps : DataFrame
        One row per weak, planned, missing or unknown leaf, highest priority first
        within each region and chain.
    settings : Settings
    """

    completeness: pd.DataFrame
    gaps: pd.DataFrame
    settings: object
    notes: list = field(default_factory=list)

    def tables(self):
        notes = {"notes": pd.DataFrame({"note": self.notes})} if self.notes else {}
        return {"completeness": self.completeness, "gaps": self.gaps, **notes}

    def brief_tables(self):
        """The columns a reader needs first (every column stays in CSV, JSON and XLSX)."""
        cols = ["chain", "segment", "name", "status", "note", "action", "priority", *TERMS,
                "local_enterprises", "projects", "candidates"]
        if self.gaps["region"].nunique() > 1:
            cols.insert(0, "region_name")
        comp = self.completeness.drop(columns=["chain_name"]).round(
            {"completeness_low": 4, "completeness_high": 4, "evidence_share": 4})
        notes = {"notes": pd.DataFrame({"note": self.notes})} if self.notes else {}
        return {"completeness": comp, "gaps": self.gaps[cols].round(3), **notes}

    def to_dict(self):
        s = asdict(self.settings)
        s["preferred_origins"] = list(s["preferred_origins"])
        s["region_groups"] = {k: list(v) for k, v in s["region_groups"].items()}
        return {"settings": s, "completeness": self.completeness.to_dict("records"),
                "gaps": self.gaps.to_dict("records"), "notes": list(self.notes)}


def gaps(graph, region=None, chains=None, *, all_regions=False, **settings):
    """Find and rank the missing and weak segments of a region's chains.

    Parameters
    ----------
    graph : ChainGraph
    region : str or list of str, optional
        Region codes or names; the manifest's home region when None.
    chains : str or list of str, optional
        Chain ids or names; all chains when None.
    all_regions : bool
        Every county-level region instead of ``region``.
    **settings
        Overrides of :class:`~chainkg.queries.settings.Settings` (strong_min, decay,
        w_demand, …).

    Returns
    -------
    GapReport

    Examples
    --------
    >>> import chainkg
    >>> r = gaps(chainkg.load(), "梁平区", "ic")
    >>> r.completeness[["region", "chain"]].values.tolist()
    [['500155', 'ic']]
    >>> bool((r.gaps["status"] != "present").all())
    True
    """
    s = settings_for(graph, **settings)
    regions = county_regions(graph) if all_regions else resolve_regions(graph, region)
    chain_ids = resolve_chains(graph, chains)
    scored = segment_status(graph, regions, chain_ids, s)

    region_names = {r: graph.region_name(r) for r in regions}
    comp = completeness_of(scored, graph)
    comp.insert(1, "region_name", comp["region"].map(region_names))
    comp.insert(3, "chain_name", comp["chain"].map({c: graph.chains[c].name for c in chain_ids}))

    g = _ranked(graph, scored, region_names)
    weights = ", ".join(f"{term} {w:g}" for term, w in s.priority_weights.items())
    notes = [f"priority weights ({s.strategy}): {weights}", feasibility_of(graph, regions, s).note]
    return GapReport(completeness=comp.reset_index(drop=True), gaps=g, settings=s, notes=[n for n in notes if n])


def _ranked(graph, scored, region_names):
    """The gap rows of ``scored`` with their names and notes, highest priority first within
    each (region, chain) block (segment_status lists the blocks in the order asked), then by
    segment id."""
    region, chain = (pd.factorize(scored[c])[0] for c in ("region", "chain"))
    block = np.cumsum(np.concatenate(([True], (region[1:] != region[:-1]) | (chain[1:] != chain[:-1]))))
    segment, ids = pd.factorize(scored["segment"])
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.argsort(np.asarray(ids, dtype=object))] = np.arange(len(ids))
    keep = np.flatnonzero(scored["status"].isin(GAP_STATUSES).to_numpy())
    priority = scored["priority"].to_numpy(dtype=float)[keep]
    order = keep[np.lexsort((rank[segment[keep]], -priority, block[keep]))]
    g = scored.take(order).reset_index(drop=True)

    segments = graph.segments
    names = {sid: seg.name for sid, seg in segments.items()}
    g["note"] = gap_notes(g)
    g["region_name"] = mapped(g["region"], region_names)
    g["name"] = mapped(g["segment"], names)
    g["parent_name"] = mapped(g["parent"], names).fillna("")
    g["stage"] = mapped(g["segment"], {sid: seg.stage for sid, seg in segments.items()})
    g["local_enterprises"] = g["enterprises"]
    g["projects"] = g["projects_active"] + g["projects_producing"]
    return g[GAP_COLUMNS]
