"""The planner's brief (两图两库两清单) as data: one call, every list the report shows.

:func:`build_brief` runs the queries once (gaps, coverage, targets, pipeline) for one
region and its chains and keeps their results as the tables every renderer (HTML, PDF,
DOCX, XLSX) prints, so each form shows the same rows and the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from chainkg.graph.codes import found_in
from chainkg.queries import coverage, gaps, pipeline, rank_targets
from chainkg.queries.common import resolve_chains, resolve_regions
from chainkg.queries.targets import FLAG_WORDS, SIZE_FIELDS
from chainkg.report.diagram import chain_diagram
from chainkg.report.words import (PROJECT_STAGE_ZH, STAGE_ZH, STATUS_ZH, gap_note_zh, percent, reasons_zh,
                                  term_words, yi)

__all__ = ["Brief", "ChainBrief", "build_brief", "cell_text", "DEFAULT_CHAINS"]

DEFAULT_CHAINS = ("ic", "food", "lowalt")
TOP_GAPS = 3        # gaps per chain whose target companies the brief lists
TOP_TARGETS = 5     # new leads per gap
MAX_ENTERPRISES = 300  # rows of a chain's enterprise ledger (the total is always given)


def cell_text(value):
    """A table cell as the HTML and DOCX forms print it (XLSX keeps numbers as numbers)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


@dataclass
class ChainBrief:
    """One chain of the brief: its completeness range, segment statuses (the diagram),
    ranked gaps, target companies and the region's enterprises in it."""

    chain: str
    name: str
    completeness: dict
    segments: pd.DataFrame
    gaps: pd.DataFrame
    targets: pd.DataFrame
    enterprises: pd.DataFrame
    enterprise_total: int
    diagram: object = None  # graphviz.Digraph of the panorama; rendered by each format


@dataclass
class Brief:
    """The result of :func:`build_brief`; ``tables()`` gives one table per list."""

    region: str
    region_name: str
    as_of: str
    chains: list
    projects: pd.DataFrame
    reconciliation: pd.DataFrame
    figures: pd.DataFrame
    sources: pd.DataFrame
    settings: pd.DataFrame
    notes: list = field(default_factory=list)

    @property
    def title(self):
        return f"{self.region_name}产业链招商工作简报"

    def completeness_table(self):
        rows = [{"产业链 chain": c.name, "chain": c.chain, **c.completeness} for c in self.chains]
        return pd.DataFrame(rows)

    def tables(self):
        """Sheet name -> table: every list of the brief, chains stacked with a chain column."""
        def stacked(attr):
            parts = [getattr(c, attr).assign(**{"产业链 chain": c.name}) for c in self.chains]
            parts = [p[["产业链 chain", *[col for col in p.columns if col != "产业链 chain"]]] for p in parts]
            return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

        return {"完整度 completeness": self.completeness_table(), "缺链弱链 gaps": stacked("gaps"),
                "目标企业 targets": stacked("targets"), "重点企业 enterprises": stacked("enterprises"),
                "重点项目 projects": self.projects, "项目核对 pipeline": self.reconciliation,
                "数据 figures": self.figures, "来源 sources": self.sources, "参数 settings": self.settings}

    def to_dict(self):
        return {name: df.astype(object).where(df.notna(), None).to_dict("records")
                for name, df in self.tables().items()}


def build_brief(graph, region=None, chains=None, **settings):
    """Everything the planner's brief shows for ``region`` and ``chains``.

    Parameters
    ----------
    graph : ChainGraph
    region : str, optional
        Region code or name; the home region when None.
    chains : str or list of str, optional
        Chain ids or names; the three embedded chains (ic, food, lowalt) where the data
        has them, else all chains.
    **settings
        Overrides of :class:`~chainkg.queries.Settings`.

    Returns
    -------
    Brief

    Examples
    --------
    >>> import chainkg
    >>> b = build_brief(chainkg.load())
    >>> [c.chain for c in b.chains], b.region_name
    (['ic', 'food', 'lowalt'], '梁平区')
    >>> b.reconciliation.set_index("metric").loc["construction_rate", "由计数计算 computed"]
    '35.1%'
    """
    region_id = resolve_regions(graph, region)[0]
    if chains is None:
        chains = [c for c in DEFAULT_CHAINS if c in graph.chains] or None
    chain_ids = resolve_chains(graph, chains)
    report = gaps(graph, region_id, chain_ids, **settings)
    cov = coverage(graph, region_id, chain_ids, **settings)
    s = report.settings
    parts = [_chain_brief(graph, region_id, cid, report, cov, s, settings) for cid in chain_ids]
    pipe = pipeline(graph, region_id)  # the reported figures cover the whole region
    return Brief(region=region_id, region_name=graph.region_name(region_id), as_of=str(graph.meta.get("as_of") or ""),
                 chains=parts, projects=_projects(graph, pipe), reconciliation=_reconciliation(pipe),
                 figures=_figures(graph, region_id), sources=_sources(graph), settings=_settings(s),
                 notes=list(report.notes))


def _chain_brief(graph, region, chain, report, cov, s, settings):
    comp = report.completeness[report.completeness["chain"] == chain].iloc[0]
    completeness = {"完整度下限 low": percent(comp["completeness_low"], 0),
                    "完整度上限 high": percent(comp["completeness_high"], 0),
                    "证据份额 evidence": percent(comp["evidence_share"], 0),
                    **{f"{STATUS_ZH[k]} {k}": int(comp[k]) for k in STATUS_ZH},
                    "证据类型 coverage": comp["coverage"], "来源 sources": comp["sources"]}
    segs = cov.segments[cov.segments["chain"] == chain].reset_index(drop=True)
    g = report.gaps[report.gaps["chain"] == chain].reset_index(drop=True)
    weights = s.priority_weights
    table = pd.DataFrame({
        "排名 rank": range(1, len(g) + 1), "环节 segment": g["name"], "segment": g["segment"],
        "位置 stage": g["stage"].map(STAGE_ZH).fillna(g["stage"]),
        "状态 status": g["status"].map(STATUS_ZH) + " " + g["status"],
        "建议 action": g["action"], "优先级 priority": g["priority"].round(3),
        "主要依据 why": [term_words(r, weights) for r in g.to_dict("records")],
        "本地企业 local": g["local_enterprises"].astype(int), "候选企业 candidates": g["candidates"].astype(int),
        "说明 note": [gap_note_zh(st, by) for st, by in zip(g["status"], g["planned_by"])]})
    targets = [_targets(graph, region, row, settings) for row in g.head(TOP_GAPS).itertuples()]
    targets = pd.concat(targets, ignore_index=True) if targets else pd.DataFrame()
    ents, total = _enterprises(graph, region, chain)
    part = ChainBrief(chain=chain, name=graph.chains[chain].name, completeness=completeness, segments=segs,
                      gaps=table, targets=targets, enterprises=ents, enterprise_total=total)
    part.diagram = chain_diagram(graph, part)
    return part


def _size_text(row):
    for column, label, shown in SIZE_FIELDS:
        value = pd.to_numeric(pd.Series([row.get(column)]), errors="coerce").iloc[0]
        if pd.notna(value) and value > 0:
            return {"output": "产值 ", "registered capital": "注册资本 ", "employees": "参保人数 "}[label] + shown(value)
    return ""


def _flags_text(flags):
    return "、".join(FLAG_WORDS.get(f, f) for f in str(flags or "").split(";") if f and f != "nan")


def _targets(graph, region, gap, settings):
    t = rank_targets(graph, gap.segment, region, TOP_TARGETS, **settings)
    columns = ["缺口环节 gap", "gap_segment", "排名 rank", "企业 enterprise", "enterprise", "地区 region",
               "得分 score", "理由 reasons", "标签 flags", "规模 size", "已接洽 engaged"]
    if t.empty:
        return pd.DataFrame(columns=columns)
    ent = graph.enterprises[found_in(graph.enterprises["id"], t["enterprise"])].drop_duplicates("id")
    ent = ent.set_index("id").reindex(t["enterprise"])
    return pd.DataFrame({
        "缺口环节 gap": gap.name, "gap_segment": gap.segment,
        "排名 rank": t["rank"].map(lambda r: "" if pd.isna(r) else str(int(r))),
        "企业 enterprise": t["name"], "enterprise": t["enterprise"], "地区 region": t["region_name"],
        "得分 score": t["score"].round(3), "理由 reasons": t["reasons"].map(reasons_zh),
        "标签 flags": [_flags_text(f) for f in ent["flags"]],
        "规模 size": [_size_text(r) for r in ent.to_dict("records")],
        "已接洽 engaged": t["engaged"].map(lambda e: f"已接洽：{e}" if e else ""),
    }, columns=columns)


def _enterprises(graph, region, chain):
    local = graph.region_descendants(region)
    ents = graph.enterprises[found_in(graph.enterprises["region"], local)]
    chain_segs = {sid: seg.name for sid, seg in graph.segments.items() if seg.chain == chain}
    mem = graph.counted_memberships
    mem = mem[mem["segment"].isin(chain_segs.keys()) & found_in(mem["enterprise"], ents["id"])]
    segs = mem.groupby("enterprise", sort=False)["segment"].agg(
        lambda s: "、".join(dict.fromkeys(chain_segs[x] for x in s)))
    rows = ents.set_index("id").loc[segs.index].reset_index()
    rows = rows.assign(segments=rows["id"].map(segs)).sort_values(["name", "id"], kind="stable")
    out = pd.DataFrame({"企业 enterprise": rows["name"], "enterprise": rows["id"], "环节 segments": rows["segments"],
                        "标签 flags": [_flags_text(f) for f in rows["flags"]],
                        "规模 size": [_size_text(r) for r in rows.to_dict("records")],
                        "来源 source": rows["source"]})
    return out.head(MAX_ENTERPRISES).reset_index(drop=True), len(out)


def _projects(graph, pipe):
    p = graph.projects.set_index("id").reindex(pipe.projects["id"]).reset_index()
    names = {sid: seg.name for sid, seg in graph.segments.items()}
    chain_names = {cid: c.name for cid, c in graph.chains.items()}
    return pd.DataFrame({
        "项目 project": p["name"], "project": p["id"],
        "产业链 chain": pipe.projects["chain"].map(chain_names).fillna("").to_numpy(),
        "环节 segment": p["segment"].map(names).fillna(""), "阶段 stage": p["status"].map(PROJECT_STAGE_ZH),
        "投资额 investment": p["investment_cny"].map(yi),
        **{label: p[col].fillna("").astype(str) if col in p else ""
           for label, col in (("签约 signed_on", "signed_on"), ("开工 started_on", "started_on"),
                              ("投产 production_on", "production_on"))},
        "来源 source": p["source"]})


_METRIC_ZH = {"signed_projects": "签约项目", "contract_investment_cny": "合同投资额", "landed_projects": "落地项目",
              "projects_under_construction": "开工（在建）项目", "projects_in_production": "投产项目",
              "landed_rate": "落地率", "construction_rate": "开工率", "production_rate": "投产率"}
_ON_RECORD = {"signed_projects": ("signed", "reached"), "landed_projects": ("landed", "reached"),
              "projects_under_construction": ("under_construction", "at_stage"),
              "projects_in_production": ("in_production", "at_stage"),
              "landed_rate": ("landed", "stage_rate"), "construction_rate": ("under_construction", "stage_rate"),
              "production_rate": ("in_production", "stage_rate")}
_COUNT_OF = {"landed_rate": "landed_projects", "construction_rate": "projects_under_construction",
             "production_rate": "projects_in_production"}


def _reconciliation(pipe):
    """Reported pipeline figures beside the rates recomputed from the reported counts and
    the same figures over the projects on record: the differences shown, not hidden."""
    reported = pipe.reported
    values = dict(zip(reported["metric"], reported["value"]))
    stages = pipe.stages.set_index("status")
    rows = []
    for r in reported.itertuples():
        if r.metric.endswith("_rate"):
            count, signed = values.get(_COUNT_OF[r.metric]), values.get("signed_projects")
            computed = count / signed if count is not None and signed else None
            shown, said = percent(computed), percent(r.value)
            diff = "" if computed is None else f"{100 * (computed - r.value):+.1f} 个百分点"
            formula = f"{count:g}/{signed:g}" if computed is not None else ""
        else:
            shown = said = yi(r.value) if r.unit == "CNY" else f"{r.value:g}"
            diff, formula = "", ""
        if r.metric == "contract_investment_cny":
            record = yi(stages.loc["signed", "reached_investment_cny"])
        else:
            status, col = _ON_RECORD[r.metric]
            v = stages.loc[status, col]
            record = percent(v) if col == "stage_rate" else f"{int(v)}"
        rows.append({"指标 metric": _METRIC_ZH.get(r.metric, r.metric), "metric": r.metric, "报道值 reported": said,
                     "由计数计算 computed": shown, "算式 formula": formula, "差异 difference": diff,
                     "在库项目 on record": record, "期间 period": r.period, "来源 source": r.source})
    return pd.DataFrame(rows, columns=["指标 metric", "metric", "报道值 reported", "由计数计算 computed",
                                       "算式 formula", "差异 difference", "在库项目 on record", "期间 period",
                                       "来源 source"])


def _figures(graph, region):
    f = graph.figures[found_in(graph.figures["region"], graph.region_descendants(region))]
    return pd.DataFrame({"指标 figure": f["note"].fillna(f["metric"]), "metric": f["metric"],
                         "数值 value": [yi(v) if u == "CNY" else f"{v:g}" for v, u in zip(f["value"], f["unit"])],
                         "单位 unit": f["unit"], "期间 as of": f["period"], "来源 source": f["source"]}
                        ).reset_index(drop=True)


def _sources(graph):
    s = graph.sources
    return pd.DataFrame({"来源 source": s["id"], "标题 title": s["title"], "截至 as of": s["as_of"].fillna(""),
                         "证据类型 coverage": s["coverage"].fillna("mentions"), "说明 note": s["note"].fillna("")}
                        ).reset_index(drop=True)


def _settings(s):
    rows = [("strategy", s.strategy, "优先级权重方案"), ("strong_min", s.strong_min, "本地企业达到此数为“已有”"),
            ("decay", s.decay, "每远一步供应关系的衰减")]
    rows += [(f"priority.{k}", v, "优先级权重") for k, v in s.priority_weights.items()]
    rows += [(f"target.{k}", v, "目标企业得分权重") for k, v in s.target_weights.items()]
    rows += [("preferred_origins", "、".join(s.preferred_origins), "优先来源地区")]
    return pd.DataFrame([(k, str(v), m) for k, v, m in rows], columns=["参数 setting", "取值 value", "含义 meaning"])
