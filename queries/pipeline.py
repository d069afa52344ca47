"""The project pipeline (招商项目): counts, investment and rates by status and chain.

Rates are against signed projects (every project past ``intent``), in two ways:

- **funnel**: projects that reached a stage or went beyond it — landed includes
  started and producing ones;
- **stage**: the convention of Chinese pipeline reports (落地率, 开工率, 投产率):
  落地率 counts every project that has landed, 开工率 and 投产率 count projects at
  that stage now. For 57 signed projects of which 9 are only signed, 10 landed,
  20 under construction and 18 in production this gives 84.2%, 35.1% and 31.6%.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from chainkg.graph.codes import found_in
from chainkg.graph.schema import PROJECT_STATUSES
from chainkg.queries.common import resolve_chains, resolve_regions
from chainkg.queries.projects import project_targets

__all__ = ["Pipeline", "pipeline", "STAGE_WORDS"]

STAGE_WORDS = {"intent": "意向", "signed": "签约", "landed": "落地", "under_construction": "开工/在建",
               "in_production": "投产"}
_AFTER_SIGNED = PROJECT_STATUSES[1:]
#: Aggregate figures a source may report about a pipeline, and how rates derive from counts.
REPORTED_METRICS = ("signed_projects", "contract_investment_cny", "landed_projects",
                    "projects_under_construction", "projects_in_production", "landed_rate",
                    "construction_rate", "production_rate")
RATE_FROM = {"landed_rate": "landed_projects", "construction_rate": "projects_under_construction",
             "production_rate": "projects_in_production"}


@dataclass
class Pipeline:
    """Pipeline tables: ``stages`` (all chains together), ``by_chain``, the ``projects``
    on record, and the aggregate figures a source ``reported`` for the region."""

    stages: pd.DataFrame
    by_chain: pd.DataFrame
    projects: pd.DataFrame
    reported: pd.DataFrame

    def tables(self):
        return {"stages": self.stages, "by_chain": self.by_chain, "projects": self.projects,
                "reported": self.reported}

    def to_dict(self):
        return {k: v.to_dict("records") for k, v in self.tables().items()}


def _stage_table(projects):
    status = projects["status"]
    invest = pd.to_numeric(projects["investment_cny"], errors="coerce")
    signed = int(status.isin(_AFTER_SIGNED).sum())
    rows = []
    for i, st in enumerate(PROJECT_STATUSES):
        at = status == st
        reached = status.isin(PROJECT_STATUSES[i:]) if st != "intent" else at
        stage_count = int(reached.sum()) if st in ("signed", "landed") else int(at.sum())
        rows.append({
            "status": st, "word": STAGE_WORDS[st], "at_stage": int(at.sum()),
            "investment_cny": float(invest[at].sum()), "reached": int(reached.sum()),
            "reached_investment_cny": float(invest[reached].sum()),
            "funnel_rate": (reached.sum() / signed) if signed and st != "intent" else None,
            "stage_rate": (stage_count / signed) if signed and st != "intent" else None,
        })
    return pd.DataFrame(rows)


def pipeline(graph, region=None, chains=None):
    """Projects of ``region`` (and regions below it) by status, overall and per chain.

    Returns
    -------
    Pipeline

    Examples
    --------
    >>> import chainkg
    >>> p = pipeline(chainkg.load())
    >>> int(p.stages.set_index("status").loc["in_production", "at_stage"])
    5
    """
    region_id = resolve_regions(graph, region)[0]
    chain_ids = resolve_chains(graph, chains)
    local = graph.region_descendants(region_id)
    proj = graph.projects[found_in(graph.projects["region"], local)].copy()
    # A project's chains are those of the segments it counts for: the one its row names,
    # else its enterprise's or its name's (project_targets), so that 伊卡路包装项目 is a
    # food project. A project placed in two chains counts in each.
    seg_chain = {sid: s.chain for sid, s in graph.segments.items()}
    targets = project_targets(graph)
    placed = targets.assign(chain=targets["segment"].map(seg_chain)).dropna(subset=["chain"])
    chains_of = placed.groupby("project")["chain"].agg(lambda c: sorted(set(c)))
    segments_of = placed.groupby("project")["segment"].agg(lambda c: ";".join(dict.fromkeys(c)))
    placed_in = [chains_of.get(p, []) for p in proj["id"]]
    proj["chain"] = [";".join(cs) for cs in placed_in]
    proj["counts_for"] = [segments_of.get(p, "") for p in proj["id"]]
    if chains is not None:
        keep = [bool(set(cs) & set(chain_ids)) for cs in placed_in]
        proj, placed_in = proj[keep], [cs for cs, k in zip(placed_in, keep) if k]
    parts = []
    for chain in [*chain_ids, ""]:
        sub = proj[[chain in cs for cs in placed_in]] if chain else proj[proj["chain"] == ""]
        if len(sub):
            t = _stage_table(sub)
            t.insert(0, "chain", chain or "(no chain named)")
            parts.append(t)
    by_chain = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    listing = proj[["id", "name", "chain", "segment", "counts_for", "status", "investment_cny", "enterprise", "source"]]
    order = {s: i for i, s in enumerate(PROJECT_STATUSES)}
    listing = listing.sort_values(["status", "id"], key=lambda c: c.map(order) if c.name == "status" else c)
    return Pipeline(stages=_stage_table(proj), by_chain=by_chain, projects=listing.reset_index(drop=True),
                    reported=_reported(graph, local))


def _reported(graph, local):
    """Reported pipeline figures, with each rate recomputed from the reported counts."""
    f = graph.figures[found_in(graph.figures["region"], local) & graph.figures["metric"].isin(REPORTED_METRICS)]
    f = f[["region", "metric", "value", "unit", "period", "source"]].reset_index(drop=True)
    values = dict(zip(f["metric"], f["value"]))
    signed = values.get("signed_projects")

    def check(metric):
        count = values.get(RATE_FROM.get(metric))
        if count is None or not signed:
            return ""
        return f"{count:g}/{signed:g} = {count / signed:.3f}"

    f["from_counts"] = f["metric"].map(check)
    return f
