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
the scope point to different chains, both memberships are kept at low confidence. Where
the scope contradicts a class within its chain (a restaurant class on a seasoning factory,
集成电路制造 on a firm that only sells chips), the class is dropped.

A main product is named by its last word ("无人机毫米波避障雷达" is a radar), and an item
that says it is sold or served ("火锅底料零售") is not made. A service segment (cold store,
catering) named only in a side clause of a maker is ancillary, and the main products of a
row whose principal clause is a service are what it serves, unless its scope makes
something in that chain.

Every rule reads only the row itself, so rows are classified in chunks of
:data:`CHUNK_ROWS`, side by side in threads. All text of a chunk is matched in one pass of
an Aho–Corasick automaton (``ahocorasick_rs``, overlapping matches), so the cost is linear
in the text; the rest is vectorised over the matches. The rules and the automaton are in
:mod:`chainkg.loaders.classify_rules`.
"""


from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from chainkg.loaders.classify_rules import (_KIND_CLOSE, _KIND_END, _KIND_EXACT, _KIND_EXCLUDE, _KIND_ITEM,
                                            _KIND_MAKE, _KIND_OPEN, _KIND_SEGMENT, _KIND_SERVICE, _KIND_TRADE,
                                            MAKING_WORDS, SERVICE_WORDS, TRADE_WORDS, Rules, SegmentWords,
                                            clause_activity, embedded_codes_path, load_rules, normalize_scope,
                                            split_clauses)

__all__ = ["Rules", "SegmentWords", "load_rules", "embedded_codes_path", "classify", "split_clauses",
           "clause_activity", "MAKING_WORDS", "TRADE_WORDS", "SERVICE_WORDS", "PRINCIPAL_CLAUSES", "normalize_scope",
           "MEMBERSHIP_COLUMNS", "METHODS", "CONFIDENCES"]

#: A scope match under an industry class outside every chain counts only in these first clauses.
PRINCIPAL_CLAUSES = 1

MEMBERSHIP_COLUMNS = ["row", "segment", "method", "evidence", "confidence"]

_ACTIVITY_RANK = {"none": 0, "trade": 1, "service": 2, "make": 3}
_MAKE = _ACTIVITY_RANK["make"]
_TRADE = _ACTIVITY_RANK["trade"]
_SERVICE = _ACTIVITY_RANK["service"]
#: Model numbers, sizes and brackets after a product's head word say nothing about what it is.
_SPEC = re.compile(r"[（(][^）)]*[）)]|[\s\dA-Za-z.\-+×*%/]+")
#: Words after a product's head word that name a form or a part of the same thing, not another
#: product: "飞控系统", "通信模块", "铝合金锻件", "杂交水稻种子", "闪存晶圆".
_FORM_WORDS = ("系统", "模块", "模组", "单元", "平台", "设备", "装置", "总成", "产品", "系列", "制品", "整机",
               "方案", "计算机", "控制器", "晶圆", "芯片", "显示屏", "种子", "种苗", "授权", "原型机", "样机", "件", "板",
               "材")
#: A tail longer than this names another thing ("飞行计划审批与监视系统" is software, not a drone).
_FORM_TAIL = 5


#: How a membership was found, in sort order (a scope match sorts after a product match).
METHODS = ("industry_code", "industry_code+product", "industry_code+scope_text", "industry_code+scope_text+product",
           "product", "scope_text", "scope_text+product")
_METHOD = {m: i for i, m in enumerate(METHODS)}
_BY_CODE = _METHOD["industry_code"]
_PRODUCT, _SCOPE, _SCOPE_PRODUCT = _METHOD["product"], _METHOD["scope_text"], _METHOD["scope_text+product"]
_BY_PRODUCT = [k for k, m in enumerate(METHODS) if "product" in m]
#: The method of a text match the industry class agrees with.
_WITH_CODE = np.array([_METHOD.get("industry_code+" + m, -1) for m in METHODS], dtype=np.int64)
CONFIDENCES = ("high", "medium", "low")
_HIGH, _MEDIUM, _LOW = range(3)


class _Strings:
    """Evidence text interned: each distinct string once, memberships hold its number."""

    def __init__(self):
        self.values, self._ids = [], {}

    def ids(self, texts):
        out = np.empty(len(texts), dtype=np.int64)
        for k, t in enumerate(texts):
            i = self._ids.get(t)
            if i is None:
                i = self._ids[t] = len(self.values)
                self.values.append(t)
            out[k] = i
        return out

    def join(self, a, b, sep="; "):
        """The numbers of ``a[i] + sep + b[i]``, each distinct pair joined once."""
        n = len(self.values)
        inverse, pairs = pd.factorize(np.asarray(a, dtype=np.int64) * n + np.asarray(b, dtype=np.int64))
        joined = self.ids([self.values[p // n] + sep + self.values[p % n] for p in pairs.tolist()])
        return joined[inverse]

    def column(self, ids):
        return pd.Categorical.from_codes(ids, categories=pd.Index(self.values, dtype=object))


def _spread(groups, counts):
    """Indexes that repeat each group ``counts`` times: for ``i`` in groups, ``0..counts[i]-1``."""
    sizes = counts[groups]
    if (sizes == 1).all():  # the common case for clauses: nothing to repeat
        return groups, np.zeros(len(groups), dtype=np.int64)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.repeat(groups, sizes), np.arange(sizes.sum()) - starts


def _text_matches(texts, rules):
    """Every segment word in ``texts`` (a list of str), one row per match that counts:
    ``text``, ``clause``, ``segment`` (index into ``rules.words``), ``activity`` (the
    clause's, ranked as in ``_ACTIVITY_RANK``), ``word``, ``quote_start`` and
    ``quote_end``, where the match's clause lies in its text, and ``end`` and ``item_end``,
    where the word and its enumeration item end.

    What brackets hold qualifies the item before them: their activity words say nothing
    of the clause ("（委托加工）"), their separators split no item, and their segment words
    count only where the item names nothing outside them ("小龙虾（即热预制菜）").
    """
    automaton, patterns, meanings = rules.automaton()
    columns = ["text", "clause", "segment", "activity", "word", "quote_start", "quote_end", "end", "item_end"]
    big = "\x00".join(texts)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) + 1 for t in texts], out=offsets[1:])
    found = automaton.find_matches_as_indexes(big, overlapping=True)
    if not found:
        return pd.DataFrame(columns=columns)
    m = np.asarray(found, dtype=np.int64)
    # Each pattern has one or more meanings (a word may be a keyword of two segments).
    flat = [(p, kind, seg, _ACTIVITY_RANK[act]) for p, pattern in enumerate(patterns)
            for kind, seg, act in meanings[pattern]]
    meaning = np.array(flat, dtype=np.int64)
    per_pattern = np.bincount(meaning[:, 0], minlength=len(patterns))
    first = np.cumsum(per_pattern) - per_pattern
    match, k = _spread(np.arange(len(m)), per_pattern[m[:, 0]])
    which = first[m[match, 0]] + k
    text = np.searchsorted(offsets, m[match, 1], side="right") - 1
    df = pd.DataFrame({"text": text, "start": m[match, 1] - offsets[text], "end": m[match, 2] - offsets[text],
                       "kind": meaning[which, 1], "segment": meaning[which, 2], "implied": meaning[which, 3],
                       "pattern": m[match, 0]})
    df = df.sort_values(["text", "start", "kind"], kind="stable", ignore_index=True)
    # Clauses and items: the separators before a match within its text.
    by_text = df["text"]
    bracket = (df["kind"] == _KIND_OPEN).to_numpy().astype(np.int64) - (df["kind"] == _KIND_CLOSE).to_numpy()
    inside = (pd.Series(bracket).groupby(by_text).cumsum() > 0).to_numpy() | (bracket != 0)
    is_end = (df["kind"] == _KIND_END).to_numpy()
    is_sep = is_end | ((df["kind"] == _KIND_ITEM).to_numpy() & ~inside)
    df["clause"] = pd.Series(is_end.astype(np.int64)).groupby(by_text).cumsum() - is_end
    df["item"] = pd.Series(is_sep.astype(np.int64)).groupby(by_text).cumsum() - is_sep
    lengths = np.diff(offsets) - 1
    df["quote_start"] = pd.Series(np.where(is_end, df["end"], np.nan)).groupby(by_text).ffill().fillna(0)
    df["quote_end"] = pd.Series(np.where(is_end, df["start"], np.nan)).groupby(by_text).bfill()
    df["quote_end"] = df["quote_end"].fillna(pd.Series(lengths[df["text"]]))
    df["item_end"] = pd.Series(np.where(is_sep, df["start"], np.nan)).groupby(by_text).bfill()
    df["item_end"] = df["item_end"].fillna(pd.Series(lengths[df["text"]]))
    df["inside"] = inside
    kind = df["kind"].to_numpy()
    df = df[~is_sep & (bracket == 0) & ~(inside & ((kind == _KIND_MAKE) | (kind == _KIND_TRADE) | (kind == _KIND_SERVICE)))]
    kind = df["kind"].to_numpy()
    # A clause does what its strongest activity word says, or what a matched keyword implies.
    df["rank"] = np.select([kind == _KIND_MAKE, kind == _KIND_SERVICE, kind == _KIND_TRADE],
                           [_MAKE, _SERVICE, _TRADE],
                           default=np.where(kind == _KIND_SEGMENT, df["implied"], 0))
    activity = df.groupby(["text", "clause"])["rank"].max().rename("activity")
    words = df[(kind == _KIND_SEGMENT) | (kind == _KIND_EXACT)]
    excluded = df.loc[kind == _KIND_EXCLUDE, ["text", "clause", "segment"]].drop_duplicates()
    if len(excluded):
        words = words.merge(excluded.assign(_x=True), on=["text", "clause", "segment"], how="left")
        words = words[words["_x"].isna()].drop(columns="_x")
    exact = (words["kind"] == _KIND_EXACT).to_numpy()
    if exact.any():  # one-character words count only as a whole enumeration item
        keep = np.ones(len(words), dtype=bool)
        keep[exact] = [_whole_item(texts[t], s, e)
                       for t, s, e in words.loc[exact, ["text", "start", "end"]].itertuples(index=False)]
        words = words[keep]
    if words["inside"].any():  # a bracketed word counts where its item names nothing outside
        named_outside = ~words.groupby(["text", "item"])["inside"].transform("min")
        words = words[~(words["inside"] & named_outside)]
    if words.empty:
        return pd.DataFrame(columns=columns)
    # Chinese noun phrases are head-final: in "无人机锂电池" the product is a battery. Of the
    # words matched in one item of a clause, the one ending last names what the item is.
    words = words[words["end"] == words.groupby(["text", "item"])["end"].transform("max")]
    words = words[words["start"] == words.groupby(["text", "item"])["start"].transform("min")]
    words = words.join(activity, on=["text", "clause"])
    words["word"] = np.asarray(patterns, dtype=object)[words["pattern"].to_numpy()]
    words[["quote_start", "quote_end", "item_end"]] = words[["quote_start", "quote_end", "item_end"]].astype(np.int64)
    return words[columns].reset_index(drop=True)


def _names_the_item(texts, matches, rules):
    """True where a product item is what its matched word names. Chinese noun phrases are
    head-final: in "无人机毫米波避障雷达" or "预制菜包装托盒" the word only says what the
    product is for, and the product is something else (a radar, a tray). Words that follow
    and name an activity ("研发与试制", "配送") or a form ("系统", "锻件") keep the match; a
    service segment is named by its object ("冷链配送服务", "无人机巡检") and keeps it too."""
    keep = rules.tables().word_counts_trade[matches["segment"].to_numpy()].copy()
    for k, (t, e, i) in enumerate(matches[["text", "end", "item_end"]].itertuples(index=False)):
        if not keep[k]:
            tail = _SPEC.sub("", texts[t][e:i])
            keep[k] = len(tail) < 2 or clause_activity(tail) != "none" or \
                (len(tail) <= _FORM_TAIL and any(tail.endswith(w) for w in _FORM_WORDS))
    return keep


def _whole_item(text, start, end):
    before = text[start - 1] if start > 0 else "、"
    after = text[end] if end < len(text) else "、"
    return before in "、，,；;：:（(\x00 " and after in "、，,；;）)。\x00 等"


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
    # Text stays in Arrow strings: as Python objects a million scopes would take gigabytes.
    col = {c: (records[c].astype("string[pyarrow]").fillna("") if c in records
               else pd.Series("", index=records.index, dtype="string[pyarrow]")).reset_index(drop=True)
           for c in ("industry", "scope", "products")}
    rules.tables(), rules.automaton()  # built once, before the chunks share them
    # Every step reads only the row itself, so chunks of rows are classified apart: memory
    # grows with the chunk, and the chunks run side by side (the heavy steps are numpy,
    # Arrow and Aho–Corasick calls that release the GIL).
    bounds = [(lo, min(lo + CHUNK_ROWS, n)) for lo in range(0, n, CHUNK_ROWS)]
    with ThreadPoolExecutor(max_workers=_workers(len(bounds))) as pool:
        chunks = list(pool.map(lambda b: _classify_rows({c: v.iloc[b[0]:b[1]] for c, v in col.items()}, rules),
                               bounds))
    strings = _Strings()
    found = _Table.concat([f.assign(row=f["row"] + lo, evidence=strings.ids(own.values)[f["evidence"]])
                           for (f, _, own), (lo, _) in zip(chunks, bounds)], MEMBERSHIP_COLUMNS) \
        if chunks else _empty("segment", "method", "evidence", "confidence")
    outcome = np.concatenate([o for _, o, _ in chunks]) if chunks else np.array([], dtype=object)
    memberships = pd.DataFrame({
        "row": found["row"].astype(np.int64),
        "segment": pd.Categorical.from_codes(found["segment"], categories=rules.vocabulary().astype(object)),
        "method": pd.Categorical.from_codes(found["method"], categories=pd.Index(METHODS, dtype=object)),
        "evidence": strings.column(found["evidence"]),
        "confidence": pd.Categorical.from_codes(found["confidence"], categories=pd.Index(CONFIDENCES, dtype=object))})
    return memberships, pd.Series(outcome, index=records.index, name="outcome")


def _workers(chunks):
    """Threads for ``chunks`` chunks: one per core this process may use, at most 4."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(chunks, cores, 4))


def _classify_rows(col, rules):
    """:func:`classify` on one chunk of rows: the memberships (rows counted from the
    chunk's first, evidence numbered in the chunk's own strings), the outcome per row and
    those strings."""
    t = rules.tables()
    n = len(col["scope"])
    strings = _Strings()
    by_code, code_trade, code_elsewhere = _by_industry(col["industry"], rules, strings)
    text, trade_only, (makes, sells) = _by_text(col, rules, n, strings)
    if len(text):
        # Under a class outside every chain, a scope match must be principal. A trade-coded
        # enterprise's main products are the goods it sells, unless its scope makes something
        # in their chain (a 食品生产 licence); a service it lists ("飞防作业服务") is one it
        # provides. Both tests read only the row itself, so they filter in one pass.
        key, service = t.chain_keys(text["row"], text["segment"])
        principal_or_coded = ~code_elsewhere[text["row"]] | text["principal"]
        sold = code_trade[text["row"]] & (text["method"] == _PRODUCT) & ~service & ~makes[key]
        text = text.take(principal_or_coded & ~sold)
        text = _drop_own_sales(text, t, makes)
        text = _drop_what_is_served(text, t, makes)
        text = _drop_ancestors(text, t)
        text = _drop_siblings_of_products(text, t)
    by_code = _drop_contradicted_classes(by_code, text, t, makes, sells)
    found = _combine(by_code, text, t, strings)
    # A trade-coded enterprise that also makes something: the registry disagrees with itself.
    confidence = found["confidence"].copy()
    confidence[code_trade[found["row"]]] = _LOW
    outcome = np.full(n, "unclassified", dtype=object)
    outcome[trade_only | code_trade] = "trade_only"
    outcome[found["row"]] = "classified"
    return found.assign(confidence=confidence), outcome, strings


class _Table(dict):
    """Columns of equal length by name, each a numpy array: what the steps of
    :func:`classify` pass on (millions of rows of small ints, so no DataFrame blocks)."""

    def __len__(self):
        return len(next(iter(self.values()))) if dict.__len__(self) else 0

    def take(self, which):
        which = np.asarray(which)
        if which.dtype == bool:  # find the kept rows once, not once per column
            which = np.flatnonzero(which)
        return _Table({k: v.take(which) for k, v in self.items()})

    def assign(self, **columns):
        return _Table({**self, **{k: np.broadcast_to(v, len(self)) if np.ndim(v) == 0 else v
                                  for k, v in columns.items()}})

    @staticmethod
    def concat(tables, columns):
        return _Table({c: np.concatenate([tb[c] for tb in tables]) for c in columns})


def _empty(*columns):
    """A table with no rows: ``row`` and int ``columns``."""
    return _Table({c: np.array([], dtype=np.int64) for c in ("row", *columns)})


def _by_industry(cells, rules, strings):
    """Memberships an industry class gives (``row``, ``segment``, ``evidence`` and
    ``confidence``, sorted by row), and masks of trade classes and classes outside every chain."""
    t = rules.tables()
    codes, uniques = pd.factorize(cells)  # few distinct classes: read each once
    segments, evidence, confidence = [[] for _ in uniques], np.zeros(len(uniques), dtype=np.int64), \
        np.zeros(len(uniques), dtype=np.int64)
    trade, elsewhere = np.zeros(len(uniques) + 1, dtype=bool), np.zeros(len(uniques) + 1, dtype=bool)
    for k, cell in enumerate(uniques):
        code = rules.industry_code(cell)
        if code is None:
            continue
        mapped, mapping = rules.code_mapping(code)
        if mapping is None:
            elsewhere[k] = True
        elif mapping.get("trade"):
            trade[k] = True
        else:
            segments[k] = [t.code[s] for s in mapping.get("segments", ())]
            evidence[k] = strings.ids([f"国标行业 {mapped} {rules.classes.get(mapped, '')}".strip()])[0]
            confidence[k] = CONFIDENCES.index(mapping.get("confidence", "medium"))
    count = np.array([len(s) for s in segments] + [0], dtype=np.int64)
    flat = np.array([s for each in segments for s in each], dtype=np.int64)
    row, k = _spread(np.arange(len(codes)), count[codes])
    which = codes[row]
    start = np.cumsum(count) - count
    by_code = _Table(row=row, segment=flat[start[which] + k] if len(flat) else which,
                     evidence=evidence[which], confidence=confidence[which])
    return by_code, trade[codes], elsewhere[codes]


#: Records classified at a time: memory grows with the chunk, not with the table.
CHUNK_ROWS = 200_000


def _by_text(col, rules, n, strings):
    """Memberships the scope and main products give, one row per (row, segment).

    Columns (all ints): ``row``, ``segment``, ``method``, ``evidence``, ``principal`` (a main
    product, or a scope clause among the first :data:`PRINCIPAL_CLAUSES`), ``activity``.
    Also a mask of rows whose matches are all in trade clauses, the (row, chain) pairs
    whose scope makes something in the chain, a segment or only the chain ("食品生产"), and
    the (row, chain) pairs with trade matches (both as :meth:`_SegmentTables.chain_keys`).
    """
    t = rules.tables()
    parts, trade_only, makes, sells = [], np.zeros(n, dtype=bool), [], []
    for column, label in (("scope", "经营范围"), ("products", "主营产品")):
        found = _batch_matches(col[column], column == "scope", label, rules, strings)
        if found is None:
            continue
        part, made, sold = found
        parts.append(part)
        makes.append(t.chain_keys(made["row"], made["segment"])[0])
        sells.append(t.chain_keys(sold["row"], sold["segment"])[0])
        trade_only[sold["row"]] = True
    makes, sells = t.key_set(n, *makes), t.key_set(n, *sells)
    both = _Table.concat(parts, parts[0].keys()) if parts else _empty()
    return _one_per_segment(both, t, strings), trade_only, (makes, sells)


def _batch_matches(cells, scope, label, rules, strings):
    """The segment words in a batch of scope or main-products cells: the memberships
    (``row`` within the batch, ``segment``, ``method``, ``evidence``, ``activity``,
    ``clause``), and the (``row``, ``segment``) of making clauses and of trade-only matches.
    None when nothing matched."""
    t = rules.tables()
    rows, clause, codes, texts = _pieces(cells, scope)
    matches = _text_matches(texts, rules) if texts else pd.DataFrame()
    if matches.empty:
        return None
    if not scope:
        # A main product is what the enterprise makes, unless the item says it is sold
        # ("预包装火锅底料零售") or served ("无人机编队表演").
        act = matches["activity"].to_numpy()
        matches["activity"] = np.where((act == _TRADE) | (act == _SERVICE), act, _MAKE)
        matches = matches[_names_the_item(texts, matches, rules)]
    seg = matches["segment"].to_numpy()
    making = matches["activity"].to_numpy() == _MAKE
    member = (making | t.word_counts_trade[seg]) & ~t.word_chain_level[seg]
    trade = ~member & (matches["activity"].to_numpy() == _TRADE)
    maker = making & scope
    # Quote each distinct piece once per segment, then spread to where it occurs. The
    # matches are sorted by piece.
    matches["member"], matches["maker"] = member, maker
    matches = matches[member | trade | maker].drop_duplicates(["text", "segment", "member", "maker"])
    quote = [texts[i][a:b].strip(" ，,、。") for i, a, b in
             matches[["text", "quote_start", "quote_end"]].itertuples(index=False)]
    evidence = strings.ids([f"{label}: {q} ({w})" for q, w in zip(quote, matches["word"])])
    per_piece = np.bincount(matches["text"].to_numpy(), minlength=len(texts))
    occurrence, k = _spread(np.arange(len(codes)), per_piece[codes])
    m = (np.cumsum(per_piece) - per_piece)[codes[occurrence]] + k  # the match of each occurrence
    row = rows[occurrence]
    segment = t.word[matches["segment"].to_numpy()][m]
    member, maker = matches["member"].to_numpy()[m], matches["maker"].to_numpy()[m]
    sold = ~member & ~maker
    m, occurrence = m[member], occurrence[member]
    # Small ints: a batch holds millions of matches.
    part = _Table(row=row[member], segment=segment[member],
                  method=np.full(len(m), _SCOPE if scope else _PRODUCT, dtype=np.int8),
                  evidence=evidence.astype(np.int32)[m], activity=matches["activity"].to_numpy(dtype=np.int8)[m],
                  clause=clause[occurrence] + matches["clause"].to_numpy(dtype=np.int32)[m])
    return part, _Table(row=row[maker], segment=segment[maker]), _Table(row=row[sold], segment=segment[sold])


def _one_per_segment(both, t, strings):
    """One row per (row, segment) of the scope and product matches, sorted: the strongest
    activity, principal if any match is, and the first clause of each method that says it,
    scope and product evidence side by side."""
    if not len(both):
        return _empty("segment", "method", "evidence", "activity").assign(principal=np.array([], dtype=bool))
    key = t.keys(both["row"], both["segment"])
    # Each part is in record order and, within a record, in clause order: a stable sort by
    # (row, segment, method) keeps the clauses in order.
    order = np.argsort(key * len(METHODS) + both["method"], kind="stable")
    key, method, clause = key[order], both["method"][order], both["clause"][order]
    evidence, activity = both["evidence"][order], both["activity"][order]
    principal = ((method == _PRODUCT) | (clause < PRINCIPAL_CLAUSES)).astype(np.int8)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    # The first clause of each method: at most one scope and one product match per segment.
    firsts = np.flatnonzero(np.r_[True, (key[1:] != key[:-1]) | (method[1:] != method[:-1])])
    last = firsts[np.searchsorted(firsts, np.r_[starts[1:], len(key)], side="left") - 1]
    both_kinds = last != starts
    evidence_out = evidence[starts]
    if both_kinds.any():
        evidence_out[both_kinds] = strings.join(evidence[starts[both_kinds]], evidence[last[both_kinds]])
    return _Table(row=key[starts] // t.size, segment=key[starts] % t.size,
                  method=np.where(both_kinds, _SCOPE_PRODUCT, method[starts]), evidence=evidence_out,
                  activity=np.maximum.reduceat(activity, starts),
                  principal=np.maximum.reduceat(principal, starts).astype(bool))


def _pieces(cells, scope):
    """The distinct pieces of text to match, and where each occurs.

    A business scope is cut into its clauses: registries write them from a catalogue of
    standard items, so a million scopes hold far fewer distinct clauses, and each is read
    (its boilerplate dropped, :func:`split_clauses`) and matched once. A main-products cell
    is matched whole.

    Returns
    -------
    rows, clause, codes : arrays, one entry per occurrence, in record order
        The record, the clause's number within the record's scope, and the piece.
    texts : list of str
        The distinct pieces.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    # Arrow kernels, not Python strings: a million scopes are six million clauses.
    text = pa.array(cells, from_pandas=True)
    if scope:  # cut at the usual clause end; the rest are read per distinct piece
        parts = pc.split_pattern(text, "；")
        parts = parts.combine_chunks() if isinstance(parts, pa.ChunkedArray) else parts
        rows = pc.list_parent_indices(parts).to_numpy()
        text = pc.list_flatten(parts)
    else:
        rows = np.arange(len(text))
    raw = pc.dictionary_encode(text)
    raw = raw.combine_chunks() if isinstance(raw, pa.ChunkedArray) else raw
    index = raw.indices.to_numpy(zero_copy_only=False)
    # Each distinct raw piece is zero, one or more pieces (boilerplate, headings mid-clause).
    read = [split_clauses(p) if scope else [p.strip(" ，,、。")] * bool(p.strip(" ，,、。"))
            for p in raw.dictionary.to_pylist()]
    texts = list(dict.fromkeys(p for ps in read for p in ps))
    number = {p: k for k, p in enumerate(texts)}
    flat = np.array([number[p] for ps in read for p in ps], dtype=np.int32)
    count = np.array([len(ps) for ps in read], dtype=np.int64)
    clause = np.zeros(len(index), dtype=np.int64)
    if (count == 1).all():  # each raw piece is one piece: the clauses are numbered as cut
        rows, codes = rows.astype(np.int32), flat[index]
        if scope:
            first = parts.offsets.to_numpy()
            clause = np.arange(len(rows)) - (first[rows] - first[0])
    else:
        start = np.cumsum(count) - count
        occurrence, k = _spread(np.arange(len(index)), count[index])
        rows, codes = rows[occurrence].astype(np.int32), flat[start[index[occurrence]] + k]
        clause = np.zeros(len(rows), dtype=np.int64)
        if scope:  # number the clauses of each record, counting only non-empty ones
            starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            clause = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))
    return rows, clause.astype(np.int32), codes, texts


def _drop_own_sales(frame, t, makes):
    """A maker selling what it makes is not a sales channel: drop a trade or service
    segment reached only through trade clauses when the row makes something in that chain.
    Nor is a maker's own cold store, canteen or delivery a service business: a service
    segment named only in a side clause of the scope (not principal, not a main product)
    is ancillary to what the row makes in that chain."""
    key, is_trade_seg = t.chain_keys(frame["row"], frame["segment"])
    makers = makes.copy()
    makers[key[~is_trade_seg]] = True
    ancillary = (frame["activity"] == _TRADE) | ~frame["principal"]
    return frame.take(~(is_trade_seg & ancillary & makers[key]))


def _drop_contradicted_classes(by_code, text, t, makes, sells):
    """Industry classes the scope contradicts: the registry keeps a class from the founding
    application, the scope is kept up to date. A service class (正餐服务, 超级市场零售) on a
    row whose scope serves nothing in that chain but makes something there ("调味品生产") is
    a factory; a making class (集成电路制造) on a row whose scope only sells in that chain
    ("集成电路销售", no making clause) is a distributor, and on a row that only serves in
    that chain ("餐饮服务") a restaurant."""
    if not len(by_code):
        return by_code
    text_key, is_service_text = t.chain_keys(text["row"], text["segment"])
    serves = np.zeros_like(makes)
    serves[text_key[is_service_text]] = True
    made = makes.copy()
    made[text_key[~is_service_text]] = True
    key, service_class = t.chain_keys(by_code["row"], by_code["segment"])
    factory = service_class & made[key] & ~serves[key]
    distributor = ~service_class & sells[key] & ~made[key] & ~serves[key]
    server = ~service_class & serves[key] & ~made[key]  # 肉制品加工 on a restaurant
    return by_code.take(~(factory | distributor | server))


def _drop_what_is_served(frame, t, makes):
    """A restaurant's, shop's or operator's main products are what it serves or sells: where
    the scope's principal clause makes the row a member of a service segment and no scope
    clause makes anything in that chain (a 食品生产 licence would), a making segment of that
    chain named only by the main products ("烤鸭" in a roast-duck restaurant, "植保无人机" at
    a spraying operator) is dropped."""
    key, is_service = t.chain_keys(frame["row"], frame["segment"])
    method = frame["method"]
    served = is_service & ((method == _SCOPE) | (method == _SCOPE_PRODUCT)) & frame["principal"]
    servers = np.zeros_like(makes)
    servers[key[served]] = True
    return frame.take(~(~is_service & (method == _PRODUCT) & servers[key] & ~makes[key]))


def _drop_siblings_of_products(frame, t):
    """A scope clause is a catalogue item ("集成电路设计" for every design house); where the
    main products name a sibling of its segment ("IP授权", "DRC/LVS软件"), the products
    say which of the kind the row is, and the scope's segment is dropped."""
    seg, method = frame["segment"], frame["method"]
    by_product = np.isin(method, _BY_PRODUCT)
    has_parent = t.parent[seg] >= 0
    named = t.keys(frame["row"][by_product & has_parent], t.parent[seg[by_product & has_parent]])
    sibling_named = _among(t.keys(frame["row"], np.where(has_parent, t.parent[seg], 0)), named) & has_parent
    return frame.take(~(sibling_named & (method == _SCOPE)))


def _drop_ancestors(frame, t):
    """Within each row, drop a segment when a segment below it is also named."""
    segment = frame["segment"]
    named, k = _spread(np.arange(len(frame)), t.ancestor_count[segment])
    above = t.keys(frame["row"][named], t.ancestors[t.ancestor_start[segment[named]] + k])
    return frame.take(~_among(t.keys(frame["row"], segment), above))


def _combine(by_code, text, t, strings):
    """Industry-class and text memberships of each row, reconciled.

    A text segment the class agrees with (the same, above or below it) is confirmed
    (``high``; ``medium`` when the class fits loosely or names only the chain). Under a
    class of another chain both are kept, ``low``. Under a class of the same chain, a
    principal text segment is kept beside the class's and a side clause is dropped. A
    class alone makes a member unless it names only a chain or fits loosely (``low``).
    A segment above the leaves is dropped where the row names another segment of the
    chain: "somewhere in food" says less than "rice processing".
    """
    codes = by_code
    n = int(max(text["row"].max(initial=-1), codes["row"].max(initial=-1))) + 1
    # Each text membership beside each class membership of its row (classes are sorted by row).
    per_row = np.bincount(codes["row"], minlength=n)
    lo = (np.cumsum(per_row) - per_row)[text["row"]]
    index, k = _spread(np.arange(len(text)), per_row[text["row"]])
    of_code = lo[index] + k
    related = t.related[text["segment"][index], codes["segment"][of_code]]
    index, of_code = index[related], of_code[related]
    rows, segment, segment_code = text["row"][index], text["segment"][index], codes["segment"][of_code]
    tight = (t.depth[segment_code] > 0) & (codes["confidence"][of_code] != _LOW)
    deeper = np.where(t.depth[segment_code] > t.depth[segment], segment_code, segment)
    side = ~text["principal"][index] & (segment != segment_code) & (deeper == segment)
    # One agreement per text membership (``index`` is sorted): its first tight one, or its first.
    pick = np.flatnonzero(np.r_[True, index[1:] != index[:-1]]) if len(index) else index
    tight_at = np.flatnonzero(tight)
    if len(tight_at):
        first_tight = tight_at[np.searchsorted(tight_at, pick).clip(max=len(tight_at) - 1)]
        run_end = np.r_[pick[1:], len(index)]
        pick = np.where((first_tight >= pick) & (first_tight < run_end), first_tight, pick)
    agreed = _Table(row=rows[pick], segment=deeper[pick], method=_WITH_CODE[text["method"][index[pick]]],
                    evidence=strings.join(codes["evidence"][of_code[pick]], text["evidence"][index[pick]]),
                    confidence=np.where(tight[pick], _HIGH, _MEDIUM))
    # A class above the leaves agrees with every leaf below it: it bears out the principal
    # clause ("豆类种植" under 012 豆类、油料和薯类种植), not a side clause beside it ("蔬菜种植").
    text_key, _ = t.chain_keys(text["row"], text["segment"])
    principal_in_chain = t.key_set(n, text_key[text["principal"]])
    agreed = agreed.take(~(side[pick] & principal_in_chain[t.chain_keys(agreed["row"], agreed["segment"])[0]]))
    confirmed = t.keys(rows, segment_code)

    has_code = np.zeros(n + 1, dtype=bool)
    has_code[codes["row"]] = True
    in_code_chain = t.key_set(n, t.chain_keys(codes["row"], codes["segment"])[0])
    alone = np.ones(len(text), dtype=bool)
    alone[index] = False
    alone = text.take(alone)
    coded = has_code[alone["row"]]
    same_chain = in_code_chain[t.chain_keys(alone["row"], alone["segment"])[0]]
    principal = alone["principal"]
    confidence = np.where(coded & ~same_chain, _LOW, np.where(principal, _MEDIUM, _LOW))
    # A side clause the registry's class does not bear out is dropped, in its chain or in
    # another (通信设备制造 beside the avionics a 航空相关设备制造 class names).
    from_text = alone.assign(confidence=confidence).take(~(coded & ~principal))

    has_text = np.zeros(n + 1, dtype=bool)
    has_text[text["row"]] = True
    in_text_chain = t.key_set(n, text_key)
    c = codes.take(~_among(t.keys(codes["row"], codes["segment"]), confirmed) & (t.depth[codes["segment"]] > 0))
    other_chain = has_text[c["row"]] & ~in_text_chain[t.chain_keys(c["row"], c["segment"])[0]]
    c = c.assign(confidence=np.where(other_chain, _LOW, c["confidence"]), method=_BY_CODE)
    # A class whose sibling the products or the first clause name: the class is coarse
    # (蔬菜加工 on a bamboo-shoot cannery), the text says which of the kind it is.
    principal = text["principal"]
    sibling_named = _among(t.keys(c["row"], t.parent[c["segment"]]),
                            t.keys(text["row"][principal], t.parent[text["segment"][principal]]))
    # A class that is not high, where the products or the first clause name another segment
    # of its chain: the text says what the row makes (物联网模组 under 通信终端设备制造).
    principal_in_chain = t.key_set(n, t.chain_keys(text["row"][principal], text["segment"][principal])[0])
    beside = principal_in_chain[t.chain_keys(c["row"], c["segment"])[0]] & (c["confidence"] != _HIGH)
    c = c.take((other_chain | (c["confidence"] != _LOW)) & ~(sibling_named & (t.parent[c["segment"]] >= 0))
               & ~beside)

    out = _Table.concat([agreed, from_text, c], MEMBERSHIP_COLUMNS)
    # Sorted by (row, segment), the first of each pair: agreed before text alone before class alone.
    key = t.keys(out["row"], out["segment"])
    order = np.argsort(key, kind="stable")
    out = out.take(order[np.r_[True, key[order][1:] != key[order][:-1]]] if len(order) else order)
    # The most specific per chain: drop a segment above the leaves beside a leaf or a deeper
    # segment of its chain. Two segments above the leaves at one depth say as little as each
    # other ("a drone" and "aircraft parts"), so neither yields. Segment ids sort by chain,
    # so each (row, chain) is a run.
    inner, depth = t.inner[out["segment"]], t.depth[out["segment"]]
    says_more = _run_max(t.chain_keys(out["row"], out["segment"])[0], np.where(inner, depth, 99))
    by_product = np.isin(out["method"], _BY_PRODUCT)  # a main product says what it is
    return out.take(~(inner & (says_more > depth) & ~by_product))


def _run_max(keys, values):
    """For each element, the maximum of ``values`` over its run of equal ``keys``."""
    if not len(keys):
        return values
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return np.repeat(np.maximum.reduceat(values, starts), np.diff(np.r_[starts, len(keys)]))


def _among(keys, of):
    """``np.isin(keys, of)`` for int keys, by sorting (millions of keys)."""
    if not len(of):
        return np.zeros(len(keys), dtype=bool)
    of = np.sort(of)
    return of[np.searchsorted(of, keys).clip(max=len(of) - 1)] == keys
