"""Classifying enterprises into chain segments from what registry records say.

A registry export (企查查, 天眼查, a 四上企业名录) names no segments. What it does say —
the 国标行业 (GB/T 4754-2017 industry class), the 经营范围 (business scope) and sometimes
the 主营产品 (main products) — is matched against rules that are data:

- industry classes mapped to segments: ``chainkg/data/classify/gbt4754-2017.yaml``;
- per-segment ``keywords``, ``exclude`` words and ``exact`` one-character words in the
  chain templates (next to ``aliases``).

The scope is read clause by clause (clauses end at ；, ; or 。). A clause counts for a
segment by what it does with the matched words: a making clause (制造, 生产, 加工, 研发,
设计, 封装, 测试, 种植, 养殖, …) makes a member; a trade clause (销售, 批发, 零售, 进出口,
代理, …) or a service clause (技术服务, 培训, 租赁, …) does not, except for segments that
*are* a trade or service (``trade_counts: true``: retail, catering, cold chain, drone
operations). An enterprise whose only matches are trade clauses is ``trade_only``.

The registry assigns the industry class by the main activity, so where it names a class
outside every chain, a scope match counts only when it is principal: in one of the first
:data:`PRINCIPAL_CLAUSES` clauses, or confirmed by the main products. Where the class and
the scope point to different chains, both memberships are kept at low confidence.

All text of a batch is matched in one pass of an Aho–Corasick automaton
(``ahocorasick_rs``, leftmost-longest), so the cost is linear in the text; the rest is
vectorised over the matches.
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

__all__ = ["Rules", "SegmentWords", "load_rules", "embedded_codes_path", "classify", "split_clauses", "clause_activity", "MAKING_WORDS", "TRADE_WORDS",
           "SERVICE_WORDS", "PRINCIPAL_CLAUSES", "normalize_scope", "MEMBERSHIP_COLUMNS"]

#: Words that make a clause a making clause (the enterprise makes, grows or develops).
MAKING_WORDS = ("制造", "生产", "加工", "研发", "研制", "设计", "封装", "测试", "种植", "养殖", "培育",
                "育种", "繁育", "饲养", "屠宰", "组装", "装配", "制备", "开发", "栽培", "酿造", "焙烤",
                "烘焙", "腌制", "冷冻", "速冻", "分切", "精制", "提炼", "成型", "改装", "总装", "试制")
#: Words of trade-only clauses.
TRADE_WORDS = ("销售", "批发", "零售", "进出口", "代理", "经销", "贸易", "采购", "经营", "售卖", "供应链管理")
#: Words of service clauses (they make no member of a making segment).
SERVICE_WORDS = ("服务", "咨询", "培训", "租赁", "维修", "维护", "检测", "运营", "运输", "配送", "仓储",
                 "安装", "展览", "推广", "转让", "交流", "体验", "表演", "管理", "中介", "保养")

#: A scope match under an industry class outside every chain counts only in these first clauses.
PRINCIPAL_CLAUSES = 2

MEMBERSHIP_COLUMNS = ["row", "segment", "method", "evidence", "confidence"]

_CLAUSE_END = "；;。\n"
#: Inside a clause, items of an enumeration ("稻谷、柚子种植"); the last word of an item is its head.
_ITEM_END = "、，,/"
(_KIND_SEGMENT, _KIND_EXCLUDE, _KIND_EXACT, _KIND_MAKE, _KIND_TRADE, _KIND_SERVICE, _KIND_END,
 _KIND_ITEM) = range(8)
# Section headings and licensing boilerplate end a clause and say nothing about the enterprise.
_SECTION = re.compile(r"(?:一般经营项目|许可经营项目|一般项目|许可项目|经营范围)(?:是)?\s*[:：]|"
                      r"[（(][^（()）]*(?:依法须经批准|凭营业执照|许可证件|审批结果|专项规定|国家禁止|"
                      r"不得从事|需许可|经相关部门批准)[^（()）]*[)）]")


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


def split_clauses(scope):
    """The clauses of a business scope, without boilerplate.

    Examples
    --------
    >>> split_clauses("一般项目：集成电路设计；电子元器件销售（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）")
    ['集成电路设计', '电子元器件销售']
    """
    clauses = (c.strip(" ，,、。") for c in re.split(f"[{_CLAUSE_END}]", normalize_scope(scope)))
    return [c for c in clauses if c]


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

    def inner_segments(self):
        """Segments that have segments below them."""
        if not hasattr(self, "_inner"):
            self._inner = {p for p in self.parents.values() if p}
        return self._inner

    def chain_of(self, segment):
        return segment.split(".", 1)[0]

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
                                (tuple(_ITEM_END), _KIND_ITEM)):
                for w in words:
                    add(w, kind, -1)
            # A word may be both a keyword of one segment and of another (or an activity
            # word): the automaton holds each string once, with every meaning.
            unique = list(dict.fromkeys(patterns))
            meanings = {p: [] for p in unique}
            for p, i in zip(patterns, info):
                meanings[p].append(i)
            self._automaton = (ahocorasick_rs.AhoCorasick(unique, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest),
                               unique, meanings)
        return self._automaton


_ACTIVITY_RANK = {"none": 0, "trade": 1, "service": 2, "make": 3}
_RANK_NAME = {v: k for k, v in _ACTIVITY_RANK.items()}


def _text_matches(texts, rules):
    """Segment matches in ``texts`` (a list of str): a DataFrame with one row per
    (text, clause, segment): ``text``, ``clause``, ``segment`` (index into rules.words),
    ``activity`` of the clause, ``word`` matched, ``clause_text``.
    """
    automaton, patterns, meanings = rules.automaton()
    big = "\x00".join(texts)
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) + 1 for t in texts], out=starts[1:])
    found = automaton.find_matches_as_indexes(big)
    columns = ["text", "clause", "segment", "activity", "word", "start", "end"]
    if not found:
        return pd.DataFrame(columns=columns)
    m = np.asarray(found, dtype=np.int64)
    pid, start, end = m[:, 0], m[:, 1], m[:, 2]
    text_no = np.searchsorted(starts, start, side="right") - 1
    # Expand patterns to their meanings (a word can mean several things).
    rows, kinds, segs, implied = [], [], [], []
    for p in np.unique(pid):
        for kind, seg, act in meanings[patterns[p]]:
            sel = np.flatnonzero(pid == p)
            rows.append(sel)
            kinds.append(np.full(len(sel), kind))
            segs.append(np.full(len(sel), seg))
            implied.append(np.full(len(sel), _ACTIVITY_RANK[act]))
    rows = np.concatenate(rows)
    df = pd.DataFrame({"m": rows, "kind": np.concatenate(kinds), "segment": np.concatenate(segs),
                       "implied": np.concatenate(implied)})
    df["text"] = text_no[df["m"]]
    df["start"] = start[df["m"]] - starts[df["text"]]
    df["end"] = end[df["m"]] - starts[df["text"]]
    df = df.sort_values(["text", "start", "kind"], kind="stable").reset_index(drop=True)
    # Clause number: clause ends seen before the match within its text.
    is_end = (df["kind"] == _KIND_END).astype(np.int64)
    df["clause"] = is_end.groupby(df["text"]).cumsum() - is_end
    is_item = ((df["kind"] == _KIND_END) | (df["kind"] == _KIND_ITEM)).astype(np.int64)
    df["item"] = is_item.groupby(df["text"]).cumsum() - is_item
    df = df[(df["kind"] != _KIND_END) & (df["kind"] != _KIND_ITEM)]
    # A clause's activity: its strongest activity word, or one implied by a matched keyword.
    rank = np.select([df["kind"] == _KIND_MAKE, df["kind"] == _KIND_SERVICE, df["kind"] == _KIND_TRADE],
                     [3, 2, 1], default=df["implied"].where(df["kind"] == _KIND_SEGMENT, 0))
    df["rank"] = rank
    activity = df.groupby(["text", "clause"])["rank"].max().rename("activity")
    # A clause containing no making word but a service word is a service, even when it trades.
    words = df[df["kind"].isin([_KIND_SEGMENT, _KIND_EXACT])]
    if words.empty:
        return pd.DataFrame(columns=columns)
    excluded = df[df["kind"] == _KIND_EXCLUDE][["text", "clause", "segment"]].drop_duplicates()
    words = words.merge(excluded.assign(_x=True), on=["text", "clause", "segment"], how="left")
    words = words[words["_x"].isna()].drop(columns="_x")
    exact = (words["kind"] == _KIND_EXACT).to_numpy()
    if exact.any():  # one-character words count only as a whole enumeration item
        keep = np.ones(len(words), dtype=bool)
        keep[exact] = [_whole_item(texts[t], s, e)
                       for t, s, e in words.loc[exact, ["text", "start", "end"]].itertuples(index=False)]
        words = words[keep]
    # Chinese noun phrases are head-final: in "无人机锂电池" the product is a battery. Of the
    # words matched in one item of a clause, the one ending last names what the item is.
    last = words.groupby(["text", "item"])["end"].transform("max")
    words = words[words["end"] == last]
    words = words.join(activity, on=["text", "clause"])
    words["activity"] = words["activity"].map(_RANK_NAME)
    words["word"] = [big[s + starts[t]:e + starts[t]] for t, s, e in words[["text", "start", "end"]].itertuples(index=False)]
    return words[columns].reset_index(drop=True)


def _whole_item(text, start, end):
    before = text[start - 1] if start > 0 else "、"
    after = text[end] if end < len(text) else "、"
    return before in "、，,；;：:（(\x00 " and after in "、，,；;）)。\x00 等"


def _clause_texts(texts, frame):
    """The clause each match lies in, quoted for evidence."""
    out = []
    for t, c in frame[["text", "clause"]].itertuples(index=False):
        parts = re.split(f"[{_CLAUSE_END}]", texts[t])
        out.append(parts[c].strip(" ，,、。") if c < len(parts) else "")
    return out


def classify(records, rules):
    """Classify registry records into segments.

    Parameters
    ----------
    records : DataFrame
        One row per enterprise, with any of the text columns ``industry`` (a GB/T 4754
        code or class name), ``scope`` (经营范围) and ``products`` (主营产品).
    rules : Rules

    Returns
    -------
    memberships : DataFrame
        :data:`MEMBERSHIP_COLUMNS`: ``row`` (position in ``records``), ``segment``,
        ``method`` (``industry_code``, ``scope_text``, ``product``, or two joined by
        ``+`` when they agree), ``evidence`` (the code or the words, quoted from the
        row) and ``confidence`` (high, medium, low).
    outcome : Series
        Per row: ``classified``, ``trade_only`` or ``unclassified``.

    Examples
    --------
    >>> rules = Rules(classes={"3973": "集成电路制造", "5176": "电子元器件批发"},
    ...               mappings={"3973": {"segments": ["ic.fab"], "confidence": "medium"},
    ...                         "5176": {"segments": ["ic"], "trade": True}},
    ...               words=[SegmentWords("ic.design", keywords=("集成电路设计", "芯片设计"))],
    ...               parents={"ic.fab": None, "ic.design": None})
    >>> records = pd.DataFrame({"industry": ["", "集成电路制造", "5176"],
    ...                         "scope": ["一般项目：集成电路设计；软件开发", "", "集成电路销售；技术服务"]})
    >>> m, outcome = classify(records, rules)
    >>> m[["row", "segment", "method", "confidence"]].values.tolist()
    [[0, 'ic.design', 'scope_text', 'medium'], [1, 'ic.fab', 'industry_code', 'medium']]
    >>> outcome.tolist()
    ['classified', 'classified', 'trade_only']
    """
    n = len(records)
    col = {c: records[c].fillna("").astype(str).str.strip().to_numpy(dtype=object) if c in records
           else np.full(n, "", dtype=object) for c in ("industry", "scope", "products")}
    seg_ids = np.array([w.segment for w in rules.words] + [""], dtype=object)
    trade_counts = np.array([w.trade_counts for w in rules.words] + [False])

    # Industry classes: one lookup per distinct cell.
    codes, uniques = pd.factorize(pd.Series(col["industry"]))
    code_of = [rules.industry_code(u) for u in uniques]
    row_code = np.array([code_of[c] if c >= 0 else None for c in codes], dtype=object)
    code_rows = []
    code_trade = np.zeros(n, dtype=bool)
    known_elsewhere = np.zeros(n, dtype=bool)  # a class outside every chain
    for k, code in enumerate(code_of):
        if code is None:
            continue
        where = np.flatnonzero(codes == k)
        mapped_code, mapping = rules.code_mapping(code)
        if mapping is None:
            known_elsewhere[where] = True
            continue
        evidence = f"国标行业 {mapped_code} {rules.classes.get(mapped_code, '')}".strip()
        if mapping.get("trade"):
            code_trade[where] = True
            continue
        for seg in mapping.get("segments", ()):
            code_rows.append(pd.DataFrame({"row": where, "segment": seg, "method": "industry_code",
                                           "evidence": evidence,
                                           "confidence": mapping.get("confidence", "medium")}))
    by_code = pd.concat(code_rows, ignore_index=True) if code_rows else pd.DataFrame(columns=MEMBERSHIP_COLUMNS)

    # Scope and products: matched once per distinct text.
    text_rows, trade_rows = [], []
    for column, method in (("scope", "scope_text"), ("products", "product")):
        tcodes, tuniques = pd.factorize(pd.Series(col[column]))
        texts = [normalize_scope(u) for u in tuniques]
        if not texts:
            continue
        matches = _text_matches(texts, rules)
        if matches.empty:
            continue
        if method == "product":
            matches["activity"] = "make"  # a main product is what the enterprise makes
        counts = trade_counts[matches["segment"].to_numpy()]
        chain_level = np.char.find(seg_ids[matches["segment"].to_numpy()].astype(str), ".") < 0
        member = ((matches["activity"] == "make") | counts) & ~chain_level
        quoted = _clause_texts(texts, matches)
        matches = matches.assign(quoted=quoted, member=member.to_numpy())
        # Spread back from distinct texts to rows.
        row_lists = pd.Series(np.arange(n)).groupby(tcodes).agg(list)
        matches = matches[matches["text"].isin(row_lists.index)]
        matches = matches.assign(row=matches["text"].map(row_lists)).explode("row")
        matches["row"] = matches["row"].astype(np.int64)
        matches["segment"] = seg_ids[matches["segment"].to_numpy()]
        matches["method"] = method
        trade_rows.append(matches.loc[~matches["member"] & (matches["activity"] == "trade"), "row"])
        text_rows.append(matches[matches["member"]])
    text = pd.concat(text_rows, ignore_index=True) if text_rows else pd.DataFrame(
        columns=["row", "segment", "clause", "word", "quoted", "method"])

    if not text.empty:
        # Under a class outside every chain, a scope match must be principal.
        principal = (text["method"] == "product") | (text["clause"] < PRINCIPAL_CLAUSES)
        confirmed = text[text["method"] == "product"][["row", "segment"]].drop_duplicates().assign(_p=True)
        text = text.merge(confirmed, on=["row", "segment"], how="left")
        keep = ~known_elsewhere[text["row"].to_numpy()] | principal.to_numpy() | text["_p"].notna().to_numpy()
        dropped = text.loc[~keep, "row"]
        text = text[keep].drop(columns="_p")
        # A trade-coded enterprise's main products are what it sells.
        text = text[~(code_trade[text["row"].to_numpy()] & (text["method"] == "product"))]
        text["evidence"] = np.where(text["method"] == "product", "主营产品: " + text["quoted"].astype(str),
                                    "经营范围: " + text["quoted"].astype(str)) + " (" + text["word"].astype(str) + ")"
        text = (text.sort_values(["row", "segment", "method", "clause"], kind="stable")
                .groupby(["row", "segment"], sort=False)
                .agg(method=("method", lambda m: "+".join(sorted(set(m), key=["scope_text", "product"].index))),
                     evidence=("evidence", lambda e: "; ".join(dict.fromkeys(e))),
                     clause=("clause", "min"),
                     activity=("activity", lambda a: max(a, key=_ACTIVITY_RANK.__getitem__))).reset_index())
        text = _drop_own_sales(text, rules)
        # Prefer the most specific segment a row's text names: drop ancestors of named leaves.
        text = _drop_ancestors(text)
    else:
        dropped = pd.Series(dtype=np.int64)

    memberships = _combine(by_code, text, rules)
    # A trade-coded enterprise that also makes something: the registry disagrees with itself.
    memberships.loc[code_trade[memberships["row"].to_numpy(dtype=np.int64)], "confidence"] = "low"
    outcome = np.full(n, "unclassified", dtype=object)
    trade_only = np.zeros(n, dtype=bool)
    for r in trade_rows:
        trade_only[r.to_numpy()] = True
    trade_only |= code_trade
    outcome[trade_only] = "trade_only"
    outcome[memberships["row"].to_numpy(dtype=np.int64)] = "classified"
    return memberships.reset_index(drop=True), pd.Series(outcome, index=records.index, name="outcome")


def _drop_own_sales(frame, rules):
    """A maker selling what it makes is not a sales channel: drop a trade or service
    segment reached only through trade clauses when the row makes something in that chain."""
    if frame.empty:
        return frame
    counts = {w.segment for w in rules.words if w.trade_counts}
    chain = frame["segment"].str.split(".").str[0]
    is_trade_seg = frame["segment"].isin(counts)
    makers = set(zip(frame.loc[~is_trade_seg, "row"], chain[~is_trade_seg]))
    own_sales = is_trade_seg & (frame["activity"] == "trade") & pd.Series(
        [(r, c) in makers for r, c in zip(frame["row"], chain)], index=frame.index)
    return frame[~own_sales]


def _drop_ancestors(frame):
    """Within each row, drop a segment when a segment below it is also named."""
    if frame.empty:
        return frame
    keep = []
    for _, group in frame.groupby("row", sort=False):
        segs = list(group["segment"])
        keep += [not any(o != s and o.startswith(s + ".") for o in segs) for s in segs]
    return frame[np.array(keep)]


def _combine(by_code, text, rules):
    """Industry-class and text memberships of each row, reconciled.

    A text segment the class agrees with (the same, above or below it) is confirmed
    (``high``). Under a class of another chain both are kept, ``low``. Under a class of
    the same chain, a principal text segment is kept beside the class's, a side clause
    is dropped. A class alone makes a member unless it names only a chain or fits its
    class loosely (``low``). A segment above the leaves is dropped where the row names
    another segment of the chain: "somewhere in food" says less than "rice processing".
    """
    rows = []
    code_groups = {r: list(g.itertuples(index=False)) for r, g in by_code.groupby("row")} if len(by_code) else {}
    text_groups = {r: list(g.itertuples(index=False)) for r, g in text.groupby("row")} if len(text) else {}
    for row in sorted(set(code_groups) | set(text_groups)):
        codes, texts = code_groups.get(row, []), text_groups.get(row, [])
        code_chains = {rules.chain_of(c.segment) for c in codes}
        text_chains = {rules.chain_of(t.segment) for t in texts}
        confirmed = set()
        kept = []
        for t in texts:
            principal = t.clause < PRINCIPAL_CLAUSES or "product" in t.method
            agree = [c for c in codes if rules.related(c.segment, t.segment)]
            if agree:
                confirmed.update(c.segment for c in agree)
                deeper = max([t.segment] + [c.segment for c in agree], key=lambda x: x.count("."))
                loose = all("." not in c.segment or c.confidence == "low" for c in agree)
                kept.append((row, deeper, "industry_code+" + t.method, agree[0].evidence + "; " + t.evidence,
                             "medium" if loose else "high"))
            elif codes and rules.chain_of(t.segment) not in code_chains:
                kept.append((row, t.segment, t.method, t.evidence, "low"))
            elif codes and not principal:
                continue  # a side clause the registry's class does not bear out
            else:
                kept.append((row, t.segment, t.method, t.evidence, "medium" if principal else "low"))
        for c in codes:
            if c.segment in confirmed or "." not in c.segment:
                continue  # a class naming only the chain supports text; alone it names no segment
            chain = rules.chain_of(c.segment)
            if chain not in text_chains and texts:
                kept.append((row, c.segment, c.method, c.evidence, "low"))
            elif c.confidence != "low":
                kept.append((row, c.segment, c.method, c.evidence, c.confidence))
        rows += _most_specific_per_chain(kept, rules)
    out = pd.DataFrame(rows, columns=MEMBERSHIP_COLUMNS)
    return out.drop_duplicates(["row", "segment"])


def _most_specific_per_chain(kept, rules):
    """Drop a membership above the leaves where the row has another in the same chain."""
    inner = rules.inner_segments()
    chains = [rules.chain_of(k[1]) for k in kept]
    return [k for k, chain in zip(kept, chains)
            if k[1] not in inner or sum(c == chain for c in chains) == 1]
