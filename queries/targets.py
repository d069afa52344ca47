"""Target companies: enterprises elsewhere that could fill a segment, ranked and explained.

Score terms (each in [0, 1], weighted by the ``t_*`` settings):

- **fit**: 1.0 when the company works in the segment (or below it), 0.5 when its
  source names only a segment above it, times how sure the membership is (given or
  high 1.0, medium 0.9, low 0.7): a leaf-level scope match beats a parent-level code;
- **size**: the first the row has of output, registered capital (人民币), and employees
  (参保人数), on a log scale relative to the largest candidate with that field (0 when
  none); the reasons name the field;
- **flags**: 上市 0.4, 小巨人 0.4, 专精特新 0.3, 高新技术 0.2, 规上 0.1, capped at 1;
- **ties**: supply ties with local enterprises in either direction, 1 for three or more;
- **origin**: 1 when the company comes from a preferred region group (长三角, 珠三角).

Equal scores are ordered by size, then flags, then ties, then name: never by id.

A candidate that already has a project or an investment intention in the region (by
id, by name, or by a former name its record gives: 曾用名, 原名) is **already engaged**:
it is listed after the new leads, unranked, with the project and its stage, and a match
by name or former name says so, since a namesake is possible.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from chainkg.graph.codes import found_in
from chainkg.graph.resolve import normalize_name
from chainkg.queries.common import resolve_regions
from chainkg.queries.settings import settings_for

__all__ = ["rank_targets", "FLAG_SCORES"]

FLAG_SCORES = {"listed": 0.4, "little_giant": 0.4, "srdi": 0.3, "high_tech": 0.2, "above_scale": 0.1}
FLAG_WORDS = {"listed": "上市", "little_giant": "小巨人", "srdi": "专精特新", "high_tech": "高新技术",
              "above_scale": "规上"}
TARGET_COLUMNS = ["rank", "enterprise", "name", "region", "region_name", "score", "fit", "size", "flags",
                  "ties", "origin", "reasons", "group", "engaged", "main_business", "confidence", "source", "as_of"]
#: How sure a membership is, as a factor of fit (given and manual rows have no confidence).
CONFIDENCE_FIT = {"high": 1.0, "medium": 0.9, "low": 0.7}
#: Size fields, first available wins: (column, what the reasons call it, how to print it).
SIZE_FIELDS = (("output_cny", "output", lambda v: f"{v / 1e8:,.1f}亿元"),
               ("registered_capital", "registered capital", lambda v: f"{v / 1e4:,.0f}万元"),
               ("employees", "employees", lambda v: f"{v:,.0f}"))
_FORMER = re.compile(r"(?:曾用名|原名)[:：为]?\s*([^;；）)]+)")
_SUFFIX = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|集团|股份)$")


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
    mem = graph.counted_memberships[found_in(graph.counted_memberships["segment"], below | above)]
    sure = mem["confidence"].map(CONFIDENCE_FIT).fillna(1.0).to_numpy() if "confidence" in mem else 1.0
    mem = mem.assign(base=np.where(found_in(mem["segment"], below), 1.0, 0.5))
    mem = mem.assign(fit=mem["base"] * sure).sort_values("fit", ascending=False, kind="stable")
    best = mem.drop_duplicates("enterprise").set_index("enterprise")
    fit, base = best["fit"], best["base"]
    # Index only the candidates' rows: indexing every enterprise costs more than the ranking.
    rows = graph.enterprises[found_in(graph.enterprises["id"], fit.index)]
    ent = rows.set_index("id").loc[fit.index.intersection(rows["id"])]
    ent = ent[~found_in(ent["region"], local)].copy()
    if ent.empty:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    ent["fit"], ent["fit_base"] = fit.reindex(ent.index), base.reindex(ent.index)

    ent["size"], ent["size_field"], ent["size_value"] = _size(ent)

    flag_lists = ent["flags"].fillna("").map(lambda f: [x for x in str(f).split(";") if x])
    ent["flags_score"] = flag_lists.map(lambda fl: min(1.0, sum(FLAG_SCORES.get(f, 0) for f in fl)))

    local_ids = set(graph.enterprises.loc[found_in(graph.enterprises["region"], local), "id"])
    links = graph.links
    ties_out = links[found_in(links["customer"], local_ids)].groupby("supplier")["customer"].nunique()
    ties_in = links[found_in(links["supplier"], local_ids)].groupby("customer")["supplier"].nunique()
    ties = ties_out.reindex(ent.index, fill_value=0) + ties_in.reindex(ent.index, fill_value=0)
    ent["ties_count"] = ties.astype(int)
    ent["ties"] = np.minimum(ent["ties_count"] / 3.0, 1.0)

    groups = _origin_groups(graph, s)
    ent["origin_group"] = ent["region"].map(groups)
    ent["origin"] = ent["origin_group"].notna().astype(float)

    w = s.target_weights
    ent["score"] = (w["fit"] * ent["fit"] + w["size"] * ent["size"] + w["flags"] * ent["flags_score"]
                    + w["ties"] * ent["ties"] + w["origin"] * ent["origin"])
    ent["engaged"] = _engaged(graph, local, ent)
    ent = ent.reset_index(names="enterprise").sort_values(
        ["score", "size", "flags_score", "ties_count", "name"], ascending=[False, False, False, False, True],
        kind="stable")
    engaged = ent["engaged"] != ""
    leads = ent[~engaged]
    leads = leads.head(top) if top else leads
    leads = leads.assign(rank=range(1, len(leads) + 1), group="new lead")
    ent = pd.concat([leads, ent[engaged].assign(rank=None, group="already engaged")])
    # Reasons in words only for the rows returned: a segment may have thousands of candidates.
    ent["reasons"] = [_reasons(graph, row, fl, seg, below)
                      for row, fl in zip(ent.itertuples(), flag_lists.reindex(ent["enterprise"]))]
    ent["region_name"] = ent["region"].map(graph.region_name)
    ent = ent.rename(columns={"flags": "flag_ids"}).rename(columns={"flags_score": "flags"})
    return ent[TARGET_COLUMNS].reset_index(drop=True)


def _reasons(graph, row, flags, seg, below):
    out = ["works in " + graph.segments[seg].name if row.fit_base == 1.0
           else "works in a segment above it (which part is not stated)"]
    if row.fit < row.fit_base:
        out[0] += f" (membership {'medium' if row.fit / row.fit_base > 0.8 else 'low'} confidence)"
    for column, label, shown in SIZE_FIELDS:
        if row.size_field == column:
            out.append(f"{label} {shown(row.size_value)}")
    out += [FLAG_WORDS[f] for f in flags if f in FLAG_WORDS]
    if row.ties_count:
        out.append(f"supplies or buys from {row.ties_count} local enterprise{'s' if row.ties_count > 1 else ''}")
    if isinstance(row.origin_group, str):
        out.append(row.origin_group)
    return "; ".join(out)


def _size(ent):
    """Size in [0, 1] of each candidate from the first size field it has, each field on a
    log scale relative to the largest candidate with it; and the field and value used."""
    size = pd.Series(0.0, index=ent.index)
    field = pd.Series("", index=ent.index, dtype=object)
    value = pd.Series(np.nan, index=ent.index)
    for column, _, _ in SIZE_FIELDS:
        if column not in ent:
            continue
        v = pd.to_numeric(ent[column], errors="coerce")
        if column == "registered_capital" and "capital_currency" in ent:
            currency = ent["capital_currency"].fillna("").astype(str)
            v = v.where(currency.isin(["", "CNY", "人民币"]))  # other currencies are not compared
        v = v.where((v > 0) & (field == ""))
        logs = np.log10(v + 1)
        peak = logs.max()
        if pd.notna(peak) and peak > 0:
            has = v.notna()
            size[has], field[has], value[has] = (logs / peak)[has], column, v[has]
    return size, field, value


def _engaged(graph, local, ent):
    """For each candidate, the projects or intentions it already has in the region (in words),
    found by id, name or a former name its record gives; empty when none."""
    projects = graph.projects[found_in(graph.projects["region"], local)]
    if projects.empty:
        return pd.Series("", index=ent.index)
    names = graph.enterprises[found_in(graph.enterprises["id"], projects["enterprise"])].set_index("id")["name"]
    by_id, by_name = {}, {}
    for p in projects.itertuples():
        said = f"{p.name} ({p.status})"
        if isinstance(p.enterprise, str) and p.enterprise:
            by_id.setdefault(p.enterprise, []).append(said)
            by_name.setdefault(_company_key(names.get(p.enterprise, p.enterprise)), []).append(said)
    out = []
    business = ent["main_business"] if "main_business" in ent else pd.Series(None, index=ent.index)
    for eid, name, text in zip(ent.index, ent["name"], business):
        if eid in by_id:
            out.append("; ".join(by_id[eid]))
            continue
        former = _FORMER.findall(text if isinstance(text, str) else "")
        found = [(k, how) for k, how in [(_company_key(name), "by name")]
                 + [(_company_key(f), f"by its former name {f.strip()}") for f in former] if k in by_name]
        out.append("; ".join(f"{s}, {how} (a namesake is possible)" for k, how in found[:1] for s in by_name[k]))
    return pd.Series(out, index=ent.index)


def _company_key(name):
    """A company name without its legal-form suffix, for comparing spellings."""
    key = normalize_name(str(name or "").strip())
    previous = None
    while key != previous:
        previous, key = key, _SUFFIX.sub("", key)
    return key
