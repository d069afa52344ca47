"""Segment mentions in one sentence: plus-lists, enumerations of segments, X产业.

Precision comes first: an item counts only when it is a segment's whole name or alias
(never a piece of a longer word such as 领先, 湿地, 营商), one-character items (稻、竹、柚)
only inside an enumeration whose other items all map to the same chain, and a 、-list
only when it names segments (a list of slogans such as 一企一策、点对点 maps to nothing and
is dropped). Items that look like segments but match none are reported as unmapped.
"""

from __future__ import annotations

import functools
import re

from chainkg.graph.resolve import normalize_name
from chainkg.loaders.text_rules import alternation, lead_in, text_rules

__all__ = ["SegmentNames", "segment_mentions"]

_CJK = re.compile(r"[\u4e00-\u9fff]")
_PLUS_LIST = re.compile(r"([\w]{1,16}(?:\s*\+\s*[\w]{1,16})+)")
_CLAUSE = re.compile(r"[,，:：;；()（）“”\"'‘’《》]")
_COUNT_WORDS = re.compile(r"(?:[一二三四五六七八九十两]|\d+)(?:大|个|类|项)")

#: Confidence by rule: lists that name segments as segments, then looser mentions.
CONFIDENCE = {"plus_list": 0.9, "enumeration": 0.9, "enumeration_headless": 0.7, "industry": 0.7}
FUTURE_PENALTY = 0.2


class SegmentNames:
    """Exact names and aliases of the template's segments and chains."""

    def __init__(self, graph):
        self.graph = graph
        self.names = {sid: [normalize_name(n) for n in (s.name, *s.aliases) if n]
                      for sid, s in graph.segments.items()}
        self._chain_words = [(cid, [w for w in (c.name, c.name_en) if w]) for cid, c in graph.chains.items()]

    def chain_of(self, sentence):
        """The one chain the sentence names, if it names exactly one."""
        found = {cid for cid, words in self._chain_words if any(w in sentence for w in words)}
        return found.pop() if len(found) == 1 else None

    def is_chain(self, item):
        return len(self.graph.chain_index.lookup(item)) == 1

    def exact(self, item, chain=None):
        """Segments whose whole name or alias ``item`` is (within ``chain`` when it helps)."""
        found = {s for s in self.graph.segment_index.lookup(item) if s in self.names}
        inside = {s for s in found if self.graph.segments[s].chain == chain}
        return inside or found

    def with_head(self, item, head):
        """Segments an item names together with its list's head (稻 + 加工 -> 稻米加工).

        A name must begin with the item and contain the head, so 稻 in a list of
        加工集群 is rice processing, not rice farming.
        """
        key = normalize_name(item)
        for term in dict.fromkeys((head, head[-2:])):
            if len(term) < 2:
                continue
            found = {sid for sid, names in self.names.items()
                     if any(n.startswith(key) and term in n for n in names)}
            if found:
                return found
        return set()

    def top(self, ids):
        return {c for c in ids if not any(a in ids for a in self.graph.ancestors(c, include_self=False))}

    def map(self, item, chain=None, head=""):
        """The segment ids ``item`` may mean, most specific reading first."""
        ids = self.with_head(item, head) if head else set()
        if not ids:
            ids = self.exact(item, chain)
        return self.top(ids)


def _fact(rule, item, segs, ids, sentence_chain, confidence):
    segment = next(iter(ids)) if len(ids) == 1 else ""
    chain = segs.graph.segments[segment].chain if segment else (sentence_chain or "")
    return {"kind": "segment" if segment else "unmapped", "text": item, "segment": segment, "chain": chain,
            "candidates": ";".join(sorted(ids)) if len(ids) > 1 else "", "rule": rule,
            "confidence": confidence}


@functools.lru_cache(maxsize=None)
def _patterns():
    """Patterns built from the rules once: list heads, words that are no part of a head, and
    what may stand before an X产业."""
    rules = text_rules()
    noise = [*rules.industry_heads, "农产品", "主导", "特色", "优势", "重点", "新兴", "多个", "精品"]
    return (re.compile(alternation(rules.industry_heads)), re.compile(alternation(noise)),
            re.compile(rf"(?:^|[、,，和与及]|{alternation(rules.lead_ins)})$"))


def _first_item(text, segs, chain, head=""):
    """The list's first item: the longest whole-name end of the text before the separator."""
    for start in range(len(text)):
        piece = text[start:]
        if segs.map(piece, chain, head) or segs.is_chain(piece):
            return piece
    return lead_in().sub("", text)


def _last_item(text, segs, chain):
    """The list's last item and what follows it (its head)."""
    if "等" in text:
        item, head = text.split("等", 1)
        return item, head
    for end in range(len(text), 0, -1):
        if segs.map(text[:end], chain) or segs.is_chain(text[:end]):
            return text[:end], text[end:]
    return text, ""


def _list_chain(segs, mapped):
    """The chain most items map to uniquely, to settle the ambiguous ones."""
    chains = [segs.graph.segments[next(iter(ids))].chain for ids in mapped if len(ids) == 1]
    return max(set(chains), key=chains.count) if chains else None


def _list_facts(rule, items, segs, sentence_chain, head, confidence):
    """Facts for the items of one list, with the one-character and same-chain rules."""
    mapped = [segs.map(i, sentence_chain, head) if not segs.is_chain(i) else set() for i in items]
    chain = sentence_chain or _list_chain(segs, mapped)
    if chain:
        mapped = [{s for s in ids if segs.graph.segments[s].chain == chain} or ids for ids in mapped]
    chains = [{segs.graph.segments[s].chain for s in ids} for ids in mapped]
    out = []
    for k, (item, ids) in enumerate(zip(items, mapped)):
        if segs.is_chain(item):
            continue
        if len(item) == 1 and ids:
            mine = next(iter(chains[k])) if len(chains[k]) == 1 else None
            others = [c for j, c in enumerate(chains) if j != k]
            # 稻、竹、柚: a one-character item is a segment only among items of its own chain.
            if not (mine and head and len(others) >= 2 and all(c == {mine} for c in others)):
                ids = set()
        out.append(_fact(rule, item, segs, ids, chain, confidence))
    return out


def _plus_lists(sentence, segs, chain):
    out = []
    for match in _PLUS_LIST.finditer(sentence):
        items = [i.strip() for i in match.group(1).split("+")]
        if not all(_CJK.search(i) for i in items):
            continue  # "3+N", "5G+": not a list of segments
        items[0] = _first_item(items[0], segs, chain)
        items[-1] = _last_item(items[-1], segs, chain)[0]
        facts = _list_facts("plus_list", [i for i in items if i], segs, chain, "", CONFIDENCE["plus_list"])
        if any(f["kind"] == "segment" for f in facts):
            out += facts
    return out


def _enumerations(sentence, segs, chain):
    heads, noise, _ = _patterns()
    out = []
    for clause in _CLAUSE.split(sentence):
        parts = clause.split("、")
        if len(parts) < 2 or any(not p for p in parts):
            continue
        last, tail = _last_item(parts[-1], segs, chain)
        headed = bool(heads.search(tail))
        head = _COUNT_WORDS.sub("", noise.sub("", tail)).strip("。！？!?；;，,：: ") if headed else ""
        items = [_first_item(parts[0], segs, chain, head), *parts[1:-1], last]
        rule = "enumeration" if headed else "enumeration_headless"
        facts = _list_facts(rule, items, segs, chain, head, CONFIDENCE[rule])
        n_mapped = sum(f["kind"] == "segment" for f in facts)
        # A headless 、-list counts only when every item is a segment (no slogans, no places).
        if (headed and n_mapped) or (not headed and n_mapped == len(items) and n_mapped >= 2):
            out += facts
    return out


def _industries(sentence, segs):
    """X产业 / X产业链 where X is a whole segment name standing on its own."""
    _, _, boundary = _patterns()
    out = []
    for match in re.finditer(r"产业链?|产业集群", sentence):
        window = sentence[max(0, match.start() - 10):match.start()]
        for start in range(len(window) - 1):
            item, before = window[start:], sentence[:match.start() - len(window) + start]
            if before and not boundary.search(before):
                continue
            if segs.is_chain(item):
                break
            ids = segs.exact(item, segs.chain_of(sentence))
            if ids:
                out.append(_fact("industry", item, segs, segs.top(ids), None, CONFIDENCE["industry"]))
                break
    return out


def segment_mentions(sentence, segs):
    """Segment facts (and unmapped items) of one sentence, one per (rule, item).

    Examples
    --------
    >>> import chainkg
    >>> segs = SegmentNames(chainkg.load())
    >>> [f["segment"] for f in segment_mentions("形成稻、竹、柚等加工产业集群", segs)]
    ['food.primary.rice', 'food.primary.bamboo', 'food.primary.pomelo']
    >>> segment_mentions("坚持一企一策、点对点服务，擦亮湿地品牌", segs)
    []
    """
    rules = text_rules()
    chain = segs.chain_of(sentence)
    facts = _plus_lists(sentence, segs, chain) + _enumerations(sentence, segs, chain)
    facts += _industries(sentence, segs)
    if any(w in sentence for w in rules.future):
        for f in facts:
            f["confidence"] = round(f["confidence"] - FUTURE_PENALTY, 2)
    seen, out = set(), []
    for f in facts:
        key = (f["segment"] or f["text"], f["kind"])
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
