"""The rules that classify registry records into chain segments, and how text is read.

The rules are data: GB/T 4754-2017 industry classes mapped to segments
(``chainkg/data/classify/gbt4754-2017.yaml``, or a data directory's own
``industry_codes.yaml``) and per-segment ``keywords``, ``exclude`` words and ``exact``
one-character words in the chain templates. :func:`load_rules` reads and checks them;
:class:`Rules` holds them with one Aho–Corasick automaton (``ahocorasick_rs``) over every
word, activity word, clause end, item separator and bracket, and per-segment lookup
tables for :mod:`chainkg.loaders.classify`.

A business scope is read clause by clause (clauses end at ；, ; or 。), its section
headings and licensing boilerplate ignored (:func:`split_clauses`); what a clause does is
its strongest activity word (:func:`clause_activity`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from chainkg.graph.resolve import normalize_name
from chainkg.graph.shapes import INVALID, Choice, Fields, Flag, ListOf, MapOf, Text, closest
from chainkg.loaders.yamlfile import read_yaml

__all__ = ["Rules", "SegmentWords", "load_rules", "embedded_codes_path", "split_clauses", "clause_activity",
           "normalize_scope", "MAKING_WORDS", "TRADE_WORDS", "SERVICE_WORDS"]

#: Words that make a clause a making clause (the enterprise makes, grows or develops).
MAKING_WORDS = ("制造", "生产", "加工", "研发", "研制", "设计", "封装", "测试", "封测", "种植", "养殖", "培育", "选育",
                "育种", "繁育", "饲养", "屠宰", "组装", "装配", "制备", "开发", "栽培", "酿造", "焙烤",
                "烘焙", "腌制", "冷冻", "速冻", "分切", "精制", "提炼", "成型", "改装", "总装", "试制")
#: Words of trade-only clauses.
TRADE_WORDS = ("销售", "批发", "零售", "进出口", "代理", "经销", "贸易", "采购", "经营", "售卖", "供应链管理")
#: Words of service clauses (they make no member of a making segment).
SERVICE_WORDS = ("服务", "咨询", "培训", "租赁", "维修", "维护", "检测", "运营", "运输", "配送", "仓储",
                 "安装", "展览", "推广", "转让", "交流", "体验", "表演", "管理", "中介", "保养", "外包")

_CLAUSE_END = "；;。\n"
#: Inside a clause, items of an enumeration ("稻谷、柚子种植"); the last word of an item is its head.
_ITEM_END = "、，,/"
#: Brackets hold notes on an item ("（仅销售预包装食品）", "（外购芯片）", "（委托加工）").
_OPEN, _CLOSE = "（(", "）)"
(_KIND_SEGMENT, _KIND_EXCLUDE, _KIND_EXACT, _KIND_MAKE, _KIND_TRADE, _KIND_SERVICE, _KIND_END,
 _KIND_ITEM, _KIND_OPEN, _KIND_CLOSE) = range(10)
# Section headings and licensing boilerplate end a clause and say nothing about the enterprise.
# A bracket of boilerplate may hold a clause end ("（依法须经批准的项目；经相关部门批准后…）"): its
# halves on either side of the clause end are boilerplate too.
_LICENCE = "(?:依法须经批准|凭营业执照|许可证件|审批结果|专项规定|国家禁止|不得从事|需许可|经相关部门批准)"
_SECTION = re.compile(r"(?:一般经营项目|许可经营项目|一般项目|许可项目|经营范围)(?:是)?\s*[:：]|"
                      rf"[（(][^（()）]*{_LICENCE}[^（()）]*[)）]|"
                      rf"[（(][^（()）；;。\n]*{_LICENCE}[^（()）；;。\n]*(?=[；;。\n]|$)|"
                      rf"(?:^|(?<=[；;。\n]))[^（()）；;。\n]*{_LICENCE}[^（()）；;。\n]*[)）]")


def embedded_codes_path():
    """The embedded GB/T 4754-2017 class table and its mappings onto the embedded chains."""
    from importlib import resources

    return Path(str(resources.files("chainkg") / "data" / "classify" / "gbt4754-2017.yaml"))


_CODE = re.compile(r"^(?:[A-T]|\d{2,4})$")
_MAPPING_SHAPE = Fields({"segments": ListOf(Text()), "confidence": Choice(("high", "medium", "low"), "confidence"),
                         "trade": Flag(), "note": Text()})
_CODES_SHAPE = Fields({"edition": Text(), "source": Text(), "as_of": Text(), "classes": MapOf(Text(), Text()),
                       "mappings": MapOf(Text(), _MAPPING_SHAPE)})


def load_rules(segments, report, path=None, name=None, chains=None):
    """The classification rules for ``segments``: their words, and an industry-code file.

    Parameters
    ----------
    segments : iterable of Segment
        With their ``keywords``, ``exclude``, ``exact`` and ``trade_counts`` (from the
        chain templates).
    chains : iterable of Chain, optional
        Their words that name a chain but no segment mark trade in it as trade-only.
    report : Report
        Problems of the code file go here, at their YAML path: a code that is not a
        class of the table or not a GB/T 4754 code at all, an unknown segment.
    path : optional
        The code file (``gbt4754-2017.yaml`` shape); the embedded one by default.

    Returns
    -------
    Rules
        Mappings onto segments that are not among ``segments`` are dropped without a
        word when the file is the embedded one (a data directory may use fewer chains).
    """
    segments = list(segments)
    known = {s.id for s in segments} | {s.chain for s in segments}
    embedded = path is None
    path = Path(path) if path else embedded_codes_path()
    name = name or path.name
    data = read_yaml(path, report, name)

    def problem(where, message):
        report.add("schema", message, file=name, path=where)

    checked = _CODES_SHAPE.check(data if data is not None else {}, "", problem)
    checked = {} if checked is INVALID else checked
    classes = {}
    for code, title in (checked.get("classes") or {}).items():
        if not _CODE.match(code):
            problem(f"classes.{code}", f"not a GB/T 4754 code {code!r} (a letter A–T, or 2, 3 or 4 digits)")
        else:
            classes[code] = title
    mappings = {}
    for code, spec in (checked.get("mappings") or {}).items():
        if code not in classes:
            problem(f"mappings.{code}", f"unknown industry code {code!r}: not under classes"
                                        f"{closest(code, classes)}")
            continue
        kept = []
        for i, seg in enumerate(spec.get("segments") or []):
            if seg in known:
                kept.append(seg)
            elif not embedded:
                problem(f"mappings.{code}.segments[{i}]", f"unknown segment {seg!r}{closest(seg, known)}")
        if kept or spec.get("trade"):
            mappings[code] = {**spec, "segments": kept}
    parents = {s.id: s.parent for s in segments}
    words = [SegmentWords(s.id, s.keywords, s.exclude, s.exact, s.trade_counts) for s in segments
             if s.keywords or s.exact]
    # Words of a chain as a whole (ids without a dot): evidence of trade in it, never a member.
    words += [SegmentWords(c.id, c.keywords, c.exclude) for c in chains or () if c.keywords]
    return Rules(classes=classes, mappings=mappings, words=words, parents=parents)


#: A clause of generic technical services: nearly every scope lists one, often first, and
#: it says nothing of what the enterprise does, so it is not counted as a clause.
_GENERIC_CLAUSE = re.compile(r"(?:技术(?:开发|咨询|服务|交流|转让|推广|研发|培训)|[、，,及和与\s])+")


def split_clauses(scope):
    """The clauses of a business scope, without boilerplate and without clauses of generic
    technical services only ("技术开发、技术服务").

    Examples
    --------
    >>> split_clauses("一般项目：集成电路设计；电子元器件销售（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）")
    ['集成电路设计', '电子元器件销售']
    >>> split_clauses("技术开发、技术服务；制造无人机飞行控制系统")
    ['制造无人机飞行控制系统']
    """
    clauses = (c.strip(" ，,、。") for c in re.split(f"[{_CLAUSE_END}]", normalize_scope(scope)))
    return [c for c in clauses if c and not _GENERIC_CLAUSE.fullmatch(c)]


def normalize_scope(scope):
    """The scope with section headings and licensing boilerplate turned into clause ends.

    Examples
    --------
    >>> normalize_scope("许可项目：食品生产（依法须经批准的项目，经相关部门批准后方可开展经营活动）一般项目：食品销售")
    '；食品生产；；食品销售'
    """
    return _SECTION.sub("；", str(scope or ""))


def clause_activity(clause):
    """``make``, ``trade``, ``service`` or ``none``: what a clause does.

    Examples
    --------
    >>> [clause_activity(c) for c in ("电子产品的研发、生产、销售", "集成电路销售", "无人机培训", "预制菜")]
    ['make', 'trade', 'service', 'none']
    """
    if any(w in clause for w in MAKING_WORDS):
        return "make"
    if any(w in clause for w in SERVICE_WORDS):
        return "service"
    if any(w in clause for w in TRADE_WORDS):
        return "trade"
    return "none"


@dataclass
class SegmentWords:
    """What names one segment in text."""

    segment: str
    keywords: tuple = ()
    exclude: tuple = ()
    exact: tuple = ()
    trade_counts: bool = False


@dataclass
class Rules:
    """Classification rules: industry classes and segment words.

    Parameters
    ----------
    classes : dict
        Industry code (``C``, ``39``, ``397``, ``3973``) -> official name.
    mappings : dict
        Industry code -> ``{"segments": [...], "confidence": ..., "trade": bool}``.
    words : list of SegmentWords
    parents : dict
        Segment id -> parent segment id (None at the top), for ancestry.
    """

    classes: dict = field(default_factory=dict)
    mappings: dict = field(default_factory=dict)
    words: list = field(default_factory=list)
    parents: dict = field(default_factory=dict)

    def __post_init__(self):
        self._by_name = {normalize_name(n): c for c, n in self.classes.items()}
        self._automaton = None

    # -- industry classes -------------------------------------------------------------
    def industry_code(self, text):
        """The industry code a cell means: ``3973``, ``C3973``, ``3973 集成电路制造`` or the name.

        Returns None when the cell names no class this table knows.
        """
        text = str(text or "").strip()
        if not text:
            return None
        m = re.match(r"^([A-T])?\s*(\d{2,4})\b", text)
        if m and m[2] in self.classes:
            return m[2]
        if m and m[1] and not m[2]:
            return m[1]
        key = normalize_name(re.sub(r"^[A-T]?\d{0,4}\s*", "", text))
        return self._by_name.get(key) or self._by_name.get(normalize_name(text))

    def code_mapping(self, code):
        """The mapping of ``code`` or of the nearest class above it that has one: (code, mapping)."""
        while code:
            if code in self.mappings:
                return code, self.mappings[code]
            code = code[:-1] if len(code) > 2 else None
        return None, None

    def vocabulary(self):
        """Every segment and chain id the rules may name, as a sorted index. Inside
        :func:`classify` a segment is its position here (so sorting codes sorts ids)."""
        if not hasattr(self, "_vocabulary"):
            ids = set(self.parents) | {p for p in self.parents.values() if p} | {w.segment for w in self.words}
            for m in self.mappings.values():
                ids.update(m.get("segments", ()))
            ids |= {i.split(".", 1)[0] for i in ids}
            self._vocabulary = pd.Index(sorted(ids))
        return self._vocabulary

    def inner_segments(self):
        """Segments that have segments below them."""
        if not hasattr(self, "_inner"):
            self._inner = {p for p in self.parents.values() if p}
        return self._inner

    def chain_of(self, segment):
        return segment.split(".", 1)[0]

    def services(self):
        """Segments that are a trade or service themselves (``trade_counts``)."""
        if not hasattr(self, "_services"):
            self._services = {w.segment for w in self.words if w.trade_counts}
        return self._services

    def tables(self):
        """What :func:`classify` looks up per segment code (a position in :meth:`vocabulary`)."""
        if not hasattr(self, "_tables"):
            self._tables = _SegmentTables(self)
        return self._tables

    def related(self, a, b):
        """True if ``a`` and ``b`` are the same segment or one lies below the other."""
        return a == b or a.startswith(b + ".") or b.startswith(a + ".")

    # -- text -------------------------------------------------------------------------
    def automaton(self):
        """One automaton for every word of every segment, the activity words and clause ends."""
        if self._automaton is None:
            import ahocorasick_rs

            patterns, info = [], []  # info: (kind, segment index, implied activity)
            seen = {}

            def add(word, kind, seg):
                if (word, kind, seg) in seen:
                    return
                seen[(word, kind, seg)] = True
                patterns.append(word)
                info.append((kind, seg, clause_activity(word)))

            for k, sw in enumerate(self.words):
                for w in sw.keywords:
                    add(w, _KIND_SEGMENT, k)
                for w in sw.exclude:
                    add(w, _KIND_EXCLUDE, k)
                for w in sw.exact:
                    add(w, _KIND_EXACT, k)
            for words, kind in ((MAKING_WORDS, _KIND_MAKE), (TRADE_WORDS, _KIND_TRADE),
                                (SERVICE_WORDS, _KIND_SERVICE), (tuple(_CLAUSE_END), _KIND_END),
                                (tuple(_ITEM_END), _KIND_ITEM), (tuple(_OPEN), _KIND_OPEN),
                                (tuple(_CLOSE), _KIND_CLOSE)):
                for w in words:
                    add(w, kind, -1)
            # A word may be both a keyword of one segment and of another (or an activity
            # word): the automaton holds each string once, with every meaning.
            unique = list(dict.fromkeys(patterns))
            meanings = {p: [] for p in unique}
            for p, i in zip(patterns, info):
                meanings[p].append(i)
            self._automaton = (ahocorasick_rs.AhoCorasick(unique, matchkind=ahocorasick_rs.MatchKind.Standard),
                               unique, meanings)
        return self._automaton


class _SegmentTables:
    """Per segment code (a position in :meth:`Rules.vocabulary`): its chain, whether it is a
    service, above the leaves or a chain, its depth, its ancestors; and the code of each of
    ``rules.words``. Millions of memberships then carry small ints, never strings."""

    def __init__(self, rules):
        ids = list(rules.vocabulary())
        chains = sorted({rules.chain_of(i) for i in ids})
        number = {c: k for k, c in enumerate(chains)}
        self.size, self.chains = len(ids), len(chains)
        self.chain = np.array([number[rules.chain_of(i)] for i in ids], dtype=np.int64)
        self.service = np.array([i in rules.services() for i in ids], dtype=bool)
        self.inner = np.array([i in rules.inner_segments() for i in ids], dtype=bool)
        self.depth = np.array([i.count(".") for i in ids], dtype=np.int64)
        self.parent = np.array([ids.index(rules.parents[i]) if rules.parents.get(i) in ids else -1 for i in ids],
                               dtype=np.int64)
        self.related = np.array([[rules.related(a, b) for b in ids] for a in ids], dtype=bool).reshape(
            len(ids), len(ids))
        code = {i: k for k, i in enumerate(ids)}
        above = [[code[a] for a in _ancestors(i, rules) if a in code] for i in ids]
        self.ancestor_count = np.array([len(a) for a in above], dtype=np.int64)
        self.ancestor_start = np.cumsum(self.ancestor_count) - self.ancestor_count
        self.ancestors = np.array([a for each in above for a in each], dtype=np.int64)
        self.word = np.array([code[w.segment] for w in rules.words], dtype=np.int32)
        self.word_counts_trade = np.array([w.trade_counts for w in rules.words], dtype=bool)
        self.word_chain_level = np.array(["." not in w.segment for w in rules.words], dtype=bool)
        self.code = code

    def chain_keys(self, rows, segments):
        """One int per (row, chain of segment code), below ``(rows + 1) * (chains + 1)``, and
        whether each segment is a service. A set of keys is a boolean array indexed by key
        (see :meth:`key_set`)."""
        segments = np.asarray(segments, dtype=np.int64)
        return np.asarray(rows, dtype=np.int64) * (self.chains + 1) + self.chain[segments] + 1, self.service[segments]

    def key_set(self, n, *keys):
        """The (row, chain) keys of ``n`` rows given as a boolean array: ``s[key]`` tests one."""
        out = np.zeros((n + 1) * (self.chains + 1), dtype=bool)
        for k in keys:
            out[k] = True
        return out

    def keys(self, rows, segments):
        """One int per (row, segment code), for set tests on millions of pairs."""
        return np.asarray(rows, dtype=np.int64) * self.size + np.asarray(segments, dtype=np.int64)


def _ancestors(segment, rules):
    out, node = [], rules.parents.get(segment)
    while node:
        out.append(node)
        node = rules.parents.get(node)
    return out
