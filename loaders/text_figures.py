"""Pipeline and enterprise figures in one sentence: counts, amounts and rates with their period.

A number is a figure only when a cue of ``chainkg/data/extract/text.yaml`` stands right
before it (签约项目57个, 落地率84.2%, 规上企业127家), a verb stands before "N个项目"
(签约57个项目), or a noun follows it (36家核心配套企业); only fillers such as 达到, 为,
共 may stand between. A number without a cue is not a figure: nothing is guessed.
"""

from __future__ import annotations

import functools
import re

from chainkg.loaders.tables import parse_amount
from chainkg.loaders.text_rules import alternation, text_rules

__all__ = ["figures_in", "period_in"]

_NUMBER = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(亿元|万元|元|个(?![月小工])|家|项|户|%)")
_UNITS = {"count": ("个", "家", "项", "户"), "cny": ("亿元", "万元", "元"), "ratio": ("%",)}
_PERIOD = re.compile(r"(?:(\d{4})年)?(\d{1,2})\s*[—–\-~至到]\s*(\d{1,2})月")
_CLAUSE_END = re.compile(r"[,，;；、:：]")


def period_in(sentence, year=None):
    """The period a sentence states (1—10月 -> '2025-01/2025-10' with a year, else '1-10月')."""
    m = _PERIOD.search(sentence)
    if not m:
        return None
    first, last = int(m.group(2)), int(m.group(3))
    if not (1 <= first <= last <= 12):
        return None
    y = m.group(1) or year
    return f"{y}-{first:02d}/{y}-{last:02d}" if y else f"{first}-{last}月"


@functools.lru_cache(maxsize=None)
def _patterns():
    rules = text_rules()
    fill = rf"(?:{alternation(rules.fillers)})*"
    added = re.compile(rf"(?:{alternation(rules.added)})$")
    before, verbs, nouns = [], [], []
    for rule in rules.figures:
        for cue in rule.cues:
            before.append((re.compile(rf"({re.escape(cue)}){fill}$"), cue, rule))
        for verb in rule.verbs:
            verbs.append((re.compile(rf"({re.escape(verb)}){fill}$"), verb, rule))
        for noun in rule.nouns:
            nouns.append((re.compile(rf"^[\u4e00-\u9fff]{{0,3}}?{re.escape(noun)}"), noun, rule))
    key = (lambda t: -len(t[1]))
    return sorted(before, key=key), sorted(verbs, key=key), sorted(nouns, key=key), added


def _value(number, unit, kind):
    if kind == "ratio":
        return round(float(number) / 100, 6)
    if kind == "cny":
        return parse_amount(number + unit)
    return int(float(number))


def figures_in(sentence, period=None):
    """Figure facts of one sentence, each with ``period`` (see :func:`period_in`).

    Examples
    --------
    >>> [(f["metric"], f["value"]) for f in figures_in("签约项目57个，落地率84.2%", "1-10月")]
    [('signed_projects', 57), ('landed_rate', 0.842)]
    """
    before, verbs, nouns, added = _patterns()
    out, seen_metrics, last_end = [], set(), 0
    for m in _NUMBER.finditer(sentence):
        number, unit = m.group(1), m.group(2)
        clause_start = max(last_end, max((c.end() for c in _CLAUSE_END.finditer(sentence, 0, m.start())),
                                         default=0))
        left = sentence[clause_start:m.start()]
        right = sentence[m.end():m.end() + 12]
        found = None
        for pattern, cue, rule in before:
            hit = pattern.search(left)
            if hit and unit in _UNITS[rule.unit] and (not rule.needs or rule.needs in seen_metrics):
                found = (rule, cue, left[:hit.start()])
                break
        if found is None and unit in _UNITS["count"] and re.match(r"^(?:[\u4e00-\u9fff]{0,3}?)项目", right):
            for pattern, cue, rule in verbs:
                hit = pattern.search(left)
                if hit:
                    found = (rule, cue, left[:hit.start()])
                    break
        if found is None and unit in _UNITS["count"]:
            for pattern, cue, rule in nouns:
                if pattern.search(right):
                    found = (rule, cue, left)
                    break
        last_end = m.end()
        if found is None:
            continue
        rule, cue, prefix = found
        metric = rule.metric + ("_added" if added.search(prefix) else "")
        seen_metrics.add(rule.key)
        out.append({"kind": "figure", "metric": metric, "value": _value(number, unit, rule.unit),
                    "unit": {"count": "count", "cny": "CNY", "ratio": "ratio"}[rule.unit],
                    "text": sentence[max(clause_start, m.start() - len(cue) - 4):m.end()],
                    "period": period or "", "rule": f"figure:{cue}",
                    "confidence": 0.9})
    return out
