"""The brief's words: terms, statuses, the method paragraph, and reasons in Chinese.

Kept apart from the code that builds and renders the brief, so that a planning office
can read (and change) what the brief says in one place.
"""

from __future__ import annotations

import math
import re

__all__ = ["STATUS_ZH", "STAGE_ZH", "TERM_ZH", "GLOSSARY", "METHOD", "FLAG_ZH", "PROJECT_STAGE_ZH",
           "term_words", "reasons_zh", "gap_note_zh", "yi", "percent"]

STATUS_ZH = {"present": "已有", "weak": "薄弱", "planned": "规划中", "missing": "缺失",
             "unresolved": "待确认", "unknown": "待摸底"}
STAGE_ZH = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}
FLAG_ZH = {"listed": "上市", "little_giant": "小巨人", "srdi": "专精特新", "high_tech": "高新技术",
           "above_scale": "规上"}
PROJECT_STAGE_ZH = {"intent": "意向", "signed": "签约", "landed": "落地", "under_construction": "开工/在建",
                    "in_production": "投产"}

#: Priority term -> (name, how its raw value reads in a sentence).
TERM_ZH = {
    "demand": ("需求拉动", "下游本地企业需求强（折算 {raw:g} 家）"),
    "supply": ("供给推动", "上游本地企业可配套（折算 {raw:g} 家）"),
    "closure": ("补通链条", "可补通 {raw:g} 条供应路径"),
    "centrality": ("枢纽地位", "处于链条枢纽位置"),
    "availability": ("候选充足", "全国有 {raw:g} 家候选"),
    "feasibility": ("关联可行", "与本地已有环节关联度高"),
    "anchor": ("链主带动", "下游链主项目带动"),
}

GLOSSARY = [
    ("补链 fill", "缺失环节的上游和下游本地都已有，补上即可连通。"),
    ("延链 extend", "只有一侧（上游或下游）本地已有，向外延伸一环。"),
    ("建链 build", "两侧本地都没有，需要从无到有建设。"),
    ("强链 strengthen", "本地已有企业但少于阈值（薄弱），需要壮大。"),
    ("待摸底 unknown", "没有普查类来源覆盖该地区和产业链，无人摸过底：先核实，再定为缺失。"),
    ("待确认 unresolved", "来源只说到上级环节（如“材料”），具体哪一环未说明。"),
]

METHOD = (
    "环节状态按本地证据判定：本地企业数达到阈值（默认 3 家）或有不计数的存在记录为“已有”，"
    "1 家至阈值以下为“薄弱”，无本地企业但有意向至在建项目为“规划中”；"
    "只有在普查类来源（如企业名录）覆盖该地区和产业链时，没有记录才算“缺失”，否则为“待摸底”。"
    "完整度因此是一个区间：下限只计已证实的已有和薄弱环节，上限再加上待确认和待摸底环节。"
    "优先级是各项归一化指标（0–1）的加权和：需求拉动（下游本地企业，按距离衰减）、供给推动（上游本地企业）、"
    "补通链条（该环节独自补通的供应路径）、枢纽地位（供应网络中的介数中心性）、候选充足（外地候选企业数）、"
    "关联可行（本地产业关联密度，数据不足时不计）和链主带动（下游已落地的链主项目）；权重见“参数”表。"
    "已落地或开工项目所指向的环节只保留一部分优先级，因为它正在被填补。"
)


GAP_NOTE_ZH = {"weak": "已证实：本地企业偏少", "missing": "已证实缺失：普查未见此环节企业",
               "unknown": "先核实（待摸底）：无普查覆盖", "planned": "已有项目在推进"}


def gap_note_zh(status, planned_by=None):
    """What a gap's status rests on, in words (a planned one names its projects)."""
    note = GAP_NOTE_ZH.get(status, "")
    return f"{note}：{planned_by}" if status == "planned" and isinstance(planned_by, str) and planned_by else note


def term_words(row, weights, top=2):
    """The two largest weighted priority terms of a gap row, in words ("；"-joined)."""
    parts = []
    for term, w in weights.items():
        value = row.get(term)
        if value is None or (isinstance(value, float) and math.isnan(value)) or w * value <= 0:
            continue
        parts.append((w * value, term))
    parts.sort(key=lambda p: (-p[0], list(weights).index(p[1])))
    out = []
    for _, term in parts[:top]:
        raw = row.get(f"{term}_raw")
        raw = 0 if raw is None or (isinstance(raw, float) and math.isnan(raw)) else round(float(raw), 2)
        out.append(TERM_ZH[term][1].format(raw=raw))
    return "；".join(out)


_REASONS = [
    (re.compile(r"^works in a segment above it \(which part is not stated\)"), "从事其上级环节（具体未说明）"),
    (re.compile(r"^works in (.+?)( \(membership (medium|low) confidence\))?$"),
     lambda m: f"从事{m.group(1)}" + (f"（归属可信度{'中' if m.group(3) == 'medium' else '低'}）" if m.group(2) else "")),
    (re.compile(r"^output (.+)$"), r"产值 \1"),
    (re.compile(r"^registered capital (.+)$"), r"注册资本 \1"),
    (re.compile(r"^employees (.+)$"), r"参保人数 \1"),
    (re.compile(r"^supplies or buys from (\d+) local enterprises?$"), r"与 \1 家本地企业有供销关系"),
]


def reasons_zh(reasons):
    """The reasons of :func:`~chainkg.queries.rank_targets` in Chinese (unknown parts kept)."""
    out = []
    for part in str(reasons or "").split("; "):
        for pattern, repl in _REASONS:
            if pattern.search(part):
                part = pattern.sub(repl, part)
                break
        if part:
            out.append(part)
    return "；".join(out)


def yi(cny):
    """元 as 亿元 text: ``9835000000`` -> ``'98.35亿元'``; empty when unknown."""
    if cny is None or (isinstance(cny, float) and math.isnan(cny)):
        return ""
    return f"{float(cny) / 1e8:,.2f}".rstrip("0").rstrip(".") + "亿元"


def percent(ratio, digits=1):
    """``0.35088`` -> ``'35.1%'``; empty when unknown."""
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return ""
    return f"{100 * float(ratio):.{digits}f}%"
