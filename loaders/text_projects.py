"""Projects, lists of companies and investment intentions in one sentence.

- A project is a name ending in 项目 (“626”特种飞行器智能工厂项目) with what its stretch of
  the sentence says: the company (a full legal name), 总投资, expected yearly output
  (年产值突破200亿元, 年销售收入5亿元), the latest stage reached (签约 … 中试投产) with its
  month, and the segment the text names for it. Planned stages (预计投产, 达产后) are
  not statuses.
- A 、-list of names followed by 等N个项目 or 等N家企业(达成投资意向) gives one row per
  name (a project, an intention or an enterprise) and the stated N as a figure.
"""

from __future__ import annotations

import functools
import re

from chainkg.graph.schema import PROJECT_STATUSES
from chainkg.loaders.tables import parse_amount
from chainkg.loaders.text_rules import alternation, lead_in, text_rules

__all__ = ["projects_in"]

_COMPANY = re.compile(r"[\u4e00-\u9fffA-Za-z0-9()（）]{2,40}?(?:股份有限公司|有限责任公司|有限公司|集团有限公司)")
_LIST = re.compile(r"((?:[^、,，;；。:：“”()（）]{2,24}、)+[^、,，;；。:：“”()（）]{2,24}?)等"
                   r"(\d+|[一二三四五六七八九十两]+)(个|家|项)(项目|[\u4e00-\u9fff]{0,4}?(?:企业|公司))")
_INVEST = re.compile(r"(?:总投资|计划投资|协议投资|合同投资|投资)额?(?:约|达到|达|超过|超|近|为|逾)?\s*"
                     r"(\d+(?:\.\d+)?)\s*(亿元|万元|亿|万)")
_OUTPUT = re.compile(r"(?:年产值|年销售收入|年营业收入|年营收|年产出|年收入)(?:可|将|预计)?"
                     r"(?:突破|超过|超|达到|达|约|逾|近|可达)?\s*(\d+(?:\.\d+)?)\s*(亿元|万元|亿|万)")
_MONTH = re.compile(r"(?<!\d)(\d{1,2})月份?[\u4e00-\u9fff]{0,4}$")
_CLAUSE_START = re.compile(r"[,，;；:：。、]")
_PROJECT_LEAD = re.compile(r"^.*(?:签约|引进|落地|落户|建设|实施|推进|开工|投产|其中|的|是|与|由|今年|已|全区|全县|"
                           r"全市|该区|该县|总投资\d+(?:\.\d+)?亿元的)")
_GENERIC = re.compile(r"^(?:签约|落地|开工|投产|在建|新建|续建|招商|重点|产业|工业|各类|亿元以上|市级|区级|县级|省级|"
                      r"重大|优质|新|[一二三四五六七八九十\d]+个|等)*$")
_FACILITY = re.compile(r"(?:智能工厂|工厂|生产基地|基地|生产线|产业园|制造|研发中心|中心|扩能|扩建|技改|一期|二期)+$")
_CN_NUMBERS = {c: i for i, c in enumerate("零一二三四五六七八九十", 0)} | {"两": 2}


def _cn_int(text):
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_NUMBERS[text[1]]
    if text.endswith("十"):
        return 10 * _CN_NUMBERS[text[0]]
    if "十" in text:
        return 10 * _CN_NUMBERS[text[0]] + _CN_NUMBERS[text[-1]]
    return _CN_NUMBERS.get(text)


@functools.lru_cache(maxsize=None)
def _status_patterns():
    rules = text_rules()
    return (re.compile(alternation(w for w, _ in rules.statuses)), dict(rules.statuses),
            re.compile(rf"(?:{alternation(rules.future)})[\u4e00-\u9fff]{{0,2}}$"))


def _stage(text):
    """(status, stage word, month) of the latest stage ``text`` says was reached."""
    words, status_of, future = _status_patterns()
    if "意向" in text:
        return "intent", "意向", None
    best = None
    for m in words.finditer(text):
        if future.search(text[:m.start()]) or text[m.end():m.end() + 1] == "后":
            continue  # 预计投产, 达产后: a plan, not a stage reached
        status = status_of[m.group(0)]
        if best is None or PROJECT_STATUSES.index(status) >= PROJECT_STATUSES.index(best[0]):
            month = _MONTH.search(text[max(0, m.start() - 8):m.start()])
            best = (status, m.group(0), int(month.group(1)) if month and 1 <= int(month.group(1)) <= 12 else None)
    return best or (None, "", None)


def _amount(pattern, text):
    m = pattern.search(text)
    return parse_amount(m.group(1) + m.group(2)) if m else None


def _project_segment(name, scope, segs):
    """The segment the text names for the project: the end of its name, else a whole name in its stretch."""
    core = _FACILITY.sub("", re.sub("项目$", "", name).strip("“”\"'"))
    for start in range(len(core) - 1):
        ids = segs.top(segs.exact(core[start:]))
        if ids:
            return next(iter(ids)) if len(ids) == 1 else ""
    found = {sid for sid, names in segs.names.items() if any(len(n) >= 4 and n in scope for n in names)}
    found = segs.top(found)
    return next(iter(found)) if len(found) == 1 else ""


def _row(kind, **values):
    return {"kind": kind, **values}


def _lists(sentence, segs):
    """Rows of 、-lists of companies with their stated count; the spans they cover."""
    lead = lead_in()
    out, spans = [], []
    for m in _LIST.finditer(sentence):
        items = m.group(1).split("、")
        items[0] = lead.sub("", items[0]) or items[0]
        if any(len(i) < 2 for i in items) or sum(bool(segs.exact(i)) or segs.is_chain(i) for i in items) * 2 >= len(items):
            continue  # a list of segments or too short to be names
        count = _cn_int(m.group(2))
        tail = sentence[m.end():]
        noun = m.group(4)
        status, stage, month = _stage(sentence[m.start():m.end()] + tail) if noun == "项目" or "意向" in tail \
            else (None, "", None)
        if "意向" in sentence[:m.end()] + tail:
            kind, metric = "intention", "intention_companies"
            status, stage = "intent", "意向"
        elif noun == "项目":
            kind, metric = "project", "project_count"
        else:
            kind, metric = "enterprise", "enterprise_count"
        for item in items:
            out.append(_row(kind, text=item, enterprise=item, project="", status=status or "", stage=stage,
                            month=month, rule=f"list:等{m.group(2)}{m.group(3)}{noun}", confidence=0.8))
        out.append(_row("figure", text=m.group(0), metric=metric, value=count, unit="count",
                        rule="list_count", confidence=0.9, note="named: " + ";".join(items)))
        spans.append((m.start(), m.end()))
    return out, spans


def projects_in(sentence, segs):
    """Project, intention and enterprise rows of one sentence (and the counts lists state).

    Examples
    --------
    >>> import chainkg
    >>> from chainkg.loaders.text_segments import SegmentNames
    >>> rows = projects_in("总投资50亿元的“626”特种飞行器智能工厂项目于4月落地", SegmentNames(chainkg.load()))
    >>> [(r["project"], r["investment_cny"], r["status"], r["month"]) for r in rows]
    [('“626”特种飞行器智能工厂项目', 5000000000.0, 'landed', 4)]
    """
    out, spans = _lists(sentence, segs)
    hits = [m for m in re.finditer("项目", sentence) if not any(a <= m.start() < b for a, b in spans)]
    names = []
    for m in hits:
        clause_start = max((c.end() for c in _CLAUSE_START.finditer(sentence, 0, m.start())), default=0)
        before = sentence[clause_start:m.start()]
        company = None
        for c in _COMPANY.finditer(before):
            company = c
        if company:
            lead = _PROJECT_LEAD.sub("", before[:company.start()])
            name = lead + before[company.start():]
            enterprise = _PROJECT_LEAD.sub("", company.group(0)) if not lead else company.group(0)
            enterprise = re.sub(r"^(?:与|同|由|和)", "", enterprise)
        else:
            name, enterprise = _PROJECT_LEAD.sub("", before), ""
        if _GENERIC.match(name) or len(name.strip("“”")) < 3 or re.match(r"\d", sentence[m.end():m.end() + 1]):
            continue
        names.append((clause_start, m.end(), name + "项目", enterprise))
    for k, (start, end, name, enterprise) in enumerate(names):
        scope_start = names[k - 1][1] if k else 0
        scope_end = names[k + 1][0] if k + 1 < len(names) else len(sentence)
        scope = sentence[scope_start:scope_end]
        investment, output = _amount(_INVEST, scope), _amount(_OUTPUT, scope)
        status, stage, month = _stage(sentence[start:scope_end] if not k else scope)
        if not (enterprise or investment or output or status):
            continue
        out.append(_row("intention" if status == "intent" else "project", text=name, enterprise=enterprise,
                        project=name, investment_cny=investment, expected_output_cny=output,
                        status=status or "", stage=stage, month=month,
                        segment=_project_segment(name, scope, segs), rule="project", confidence=0.9))
    return out
