"""Target companies: enterprises elsewhere that could fill a segment, ranked and explained.

Score terms (each in [0, 1], weighted by the ``t_*`` settings):

- **fit**: 1.0 when the company works in the segment (or below it), 0.5 when its
  source names only a segment above it;
- **size**: output on a log scale, relative to the largest candidate (0 when unknown);
- **flags**: 上市 0.4, 小巨人 0.4, 专精特新 0.3, 高新技术 0.2, 规上 0.1, capped at 1;
- **ties**: supply ties with local enterprises in either direction, 1 for three or more;
- **origin**: 1 when the company comes from a preferred region group (长三角, 珠三角).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainkg.queries.common import resolve_regions
from chainkg.queries.settings import settings_for

__all__ = ["rank_targets", "FLAG_SCORES"]

FLAG_SCORES = {"listed": 0.4, "little_giant": 0.4, "srdi": 0.3, "high_tech": 0.2, "above_scale": 0.1}
FLAG_WORDS = {"listed": "上市", "little_giant": "小巨人", "srdi": "专精特新", "high_tech": "高新技术",
              "above_scale": "规上"}
TARGET_COLUMNS = ["rank", "enterprise", "name", "region", "region_name", "score", "fit", "size", "flags",
                  "ties", "origin", "reasons", "main_business", "confidence", "source", "as_of"]


def _origin_groups(graph, settings):
    """Region id -> preferred group name, for every region inside a preferred group."""
    out = {}
    for group in settings.preferred_origins:
        for root in settings.region_groups.get(group, ()):
            if root in graph.region_tree:
                for r in graph.region_descendants(root):
                    out.setdefault(r, group)
    return out


def rank_targets(graph, segment, region=None, top=20, **settings):
    """Rank enterprises outside ``region`` that could fill ``segment``.

    Parameters
    ----------
    segment : str
        Segment id, name or alias (any level).
    region : str, optional
        The region looking for companies (code or name); the home region when None.
    top : int or None
        How many to return (all when None).

    Returns
    -------
    DataFrame
        One row per candidate, best first, with each score term and the reasons in words.

    Examples
    --------
    >>> import chainkg
    >>> t = rank_targets(chainkg.load(), "ic.fabrication.foundry", "梁平区")
    >>> t.loc[0, "name"]
    '中芯国际集成电路制造有限公司'
    """
    s = settings_for(graph, **settings)
    region_id = resolve_regions(graph, region)[0]
    seg = graph.resolve_segment(segment)
    local = graph.region_descendants(region_id)

    below = set(graph.descendants(seg))
    above = set(graph.ancestors(seg, include_self=False))
    mem = graph.counted_memberships[graph.counted_memberships["segment"].isin(below | above)]
    fit = mem.assign(fit=np.where(mem["segment"].isin(below), 1.0, 0.5)).groupby("enterprise")["fit"].max()
    ent = graph.enterprises.set_index("id").loc[fit.index.intersection(graph.enterprises["id"])]
    ent = ent[~ent["region"].isin(local)].copy()
    if ent.empty:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    ent["fit"] = fit.reindex(ent.index)

    output = pd.to_numeric(ent["output_cny"], errors="coerce")
    log_out = np.log10(output.where(output > 0))
    peak = log_out.max()
    ent["size"] = (log_out / peak).fillna(0.0) if pd.notna(peak) and peak > 0 else 0.0

    flag_lists = ent["flags"].fillna("").map(lambda f: [x for x in str(f).split(";") if x])
    ent["flags_score"] = flag_lists.map(lambda fl: min(1.0, sum(FLAG_SCORES.get(f, 0) for f in fl)))

    local_ids = set(graph.enterprises.loc[graph.enterprises["region"].isin(local), "id"])
    links = graph.links
    ties_out = links[links["customer"].isin(local_ids)].groupby("supplier")["customer"].nunique()
    ties_in = links[links["supplier"].isin(local_ids)].groupby("customer")["supplier"].nunique()
    ties = ties_out.reindex(ent.index, fill_value=0) + ties_in.reindex(ent.index, fill_value=0)
    ent["ties_count"] = ties.astype(int)
    ent["ties"] = np.minimum(ent["ties_count"] / 3.0, 1.0)

    groups = _origin_groups(graph, s)
    ent["origin_group"] = ent["region"].map(groups)
    ent["origin"] = ent["origin_group"].notna().astype(float)

    w = s.target_weights
    ent["score"] = (w["fit"] * ent["fit"] + w["size"] * ent["size"] + w["flags"] * ent["flags_score"]
                    + w["ties"] * ent["ties"] + w["origin"] * ent["origin"])
    ent["reasons"] = [_reasons(graph, row, fl, seg, below) for row, fl in zip(ent.itertuples(), flag_lists)]
    ent = ent.reset_index(names="enterprise").sort_values(["score", "enterprise"], ascending=[False, True])
    ent = ent.head(top) if top else ent
    ent["rank"] = range(1, len(ent) + 1)
    ent["region_name"] = ent["region"].map(graph.region_name)
    ent = ent.rename(columns={"flags": "flag_ids"}).rename(columns={"flags_score": "flags"})
    return ent[TARGET_COLUMNS].reset_index(drop=True)


def _reasons(graph, row, flags, seg, below):
    out = ["works in " + graph.segments[seg].name if row.fit == 1.0
           else "works in a segment above it (which part is not stated)"]
    if pd.notna(row.output_cny) and str(row.output_cny) not in ("", "nan"):
        out.append(f"output {float(row.output_cny) / 1e8:,.1f}亿元")
    out += [FLAG_WORDS[f] for f in flags if f in FLAG_WORDS]
    if row.ties_count:
        out.append(f"supplies or buys from {row.ties_count} local enterprise{'s' if row.ties_count > 1 else ''}")
    if isinstance(row.origin_group, str):
        out.append(row.origin_group)
    return "; ".join(out)
