"""What registry exports say about an enterprise, as chainkg's values.

Registry platforms (企查查, 天眼查, 国家企业信用信息公示系统) and a district's 四上企业名录
export 注册资本 with a unit and a currency (``5000万元人民币``, ``100万美元``), a
registration state (存续, 在业, 注销, 吊销, 迁出, …) and the 国标行业 as four columns, one per
level of GB/T 4754-2017. These functions turn whole columns into values at once.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["parse_capital", "registration_state", "most_specific", "ACTIVE_STATES", "INACTIVE_STATES",
           "CURRENCIES"]

#: Registration states of an enterprise that exists and may operate.
ACTIVE_STATES = ("存续", "在业", "开业", "正常", "在营", "登记成立", "确立", "active")
#: States of one that no longer operates here: kept as rows, left out of local counts.
INACTIVE_STATES = ("注销", "吊销", "迁出", "撤销", "停业", "歇业", "清算", "责令关闭", "已注销", "已吊销",
                   "吊销，未注销", "吊销,未注销", "deregistered", "revoked", "moved out")

#: Currency words as registries write them -> ISO 4217.
CURRENCIES = {"人民币": "CNY", "元": "CNY", "美元": "USD", "港元": "HKD", "港币": "HKD", "欧元": "EUR",
              "日元": "JPY", "英镑": "GBP", "新台币": "TWD", "澳门元": "MOP", "新加坡元": "SGD",
              "加元": "CAD", "澳元": "AUD", "瑞士法郎": "CHF", "韩元": "KRW"}
_CAPITAL = re.compile(r"^(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>亿|万)?\s*(?P<cur>(?:[\u4e00-\u9fff]+)?)$")
_UNIT = {"亿": 1e8, "万": 1e4, None: 1.0, "": 1.0}


def _capital_one(text):
    s = str(text).strip().replace(",", "").replace("，", "").replace(" ", "")
    if not s or s in ("-", "--", "—"):
        return None, None
    m = _CAPITAL.match(s)
    if not m:
        raise ValueError(text)
    cur = m["cur"] or "元"
    if cur.startswith("元") and len(cur) > 1:  # 万元人民币 -> unit 万, currency 元人民币
        cur = cur[1:]
    if cur not in CURRENCIES:
        raise ValueError(text)
    return round(float(m["num"]) * _UNIT[m["unit"]], 2), CURRENCIES[cur]


def parse_capital(values):
    """注册资本 cells as (amount, ISO currency) Series, and the cells that are not one.

    Each distinct cell is parsed once. Amounts are in the currency's own units.

    Returns
    -------
    (Series, Series, Series of bool)
        Amounts (float, NaN where empty or bad), currencies (None there) and a mask of
        the cells that are not a capital.

    Examples
    --------
    >>> a, c, bad = parse_capital(pd.Series(["5000万元人民币", "100万美元", "1.2亿元", "", "很多"]))
    >>> a.tolist()[:3], c.tolist()[:3], bad.tolist()
    ([50000000.0, 1000000.0, 120000000.0], ['CNY', 'USD', 'CNY'], [False, False, False, False, True])
    """
    codes, uniques = pd.factorize(values.astype(str))
    amounts, currencies, bad = [], [], []
    for u in uniques:
        try:
            amount, currency = _capital_one(u)
            bad.append(False)
        except ValueError:
            amount, currency = None, None
            bad.append(True)
        amounts.append(np.nan if amount is None else amount)
        currencies.append(currency)
    pick = np.append(np.arange(len(uniques)), -1)[codes] if len(uniques) else np.full(len(values), -1)
    amount_arr = np.append(np.asarray(amounts, dtype=float), np.nan)[pick]
    currency_arr = np.append(np.asarray(currencies, dtype=object), None)[pick]
    bad_arr = np.append(np.asarray(bad, dtype=bool), False)[pick]
    return (pd.Series(amount_arr, index=values.index), pd.Series(currency_arr, index=values.index, dtype=object),
            pd.Series(bad_arr, index=values.index))


_ACTIVE = {w.lower() for w in ACTIVE_STATES}
_INACTIVE = {w.lower() for w in INACTIVE_STATES}


def registration_state(values):
    """登记状态 cells as ``active``, ``inactive`` or None (empty), and a mask of unknown words.

    Examples
    --------
    >>> state, unknown = registration_state(pd.Series(["存续（在营、开业、在册）", "注销", "", "迁出", "???"]))
    >>> state.tolist(), unknown.tolist()
    (['active', 'inactive', None, 'inactive', None], [False, False, False, False, True])
    """
    def one(v):
        word = re.split(r"[（(]", str(v).strip(), maxsplit=1)[0].strip().lower()
        if not word:
            return None
        if word in _ACTIVE:
            return "active"
        if word in _INACTIVE or any(word.startswith(w) for w in _INACTIVE):
            return "inactive"
        return "?"

    codes, uniques = pd.factorize(values.astype(str))
    mapped = np.array([one(u) for u in uniques] + [None], dtype=object)
    state = pd.Series(mapped[codes], index=values.index, dtype=object)
    unknown = state == "?"
    return state.where(~unknown, None), unknown


def most_specific(columns):
    """For each row, the last non-empty cell of ``columns`` (coarse to fine: 门类, 大类, 中类, 小类).

    Examples
    --------
    >>> most_specific([pd.Series(["制造业", "批发业"]), pd.Series(["集成电路制造", ""])]).tolist()
    ['集成电路制造', '批发业']
    """
    out = pd.Series("", index=columns[0].index, dtype=object) if columns else pd.Series(dtype=object)
    for col in columns:
        text = col.astype(str).str.strip()
        out = out.where(text == "", text)
    return out


# --- On a table being loaded (loaders/facts.py) ----------------------------------------

_PLACE_COLUMNS = ("province", "city", "address")
_INDUSTRY_COLUMNS = ("industry_section", "industry_division", "industry_group", "industry_class", "industry")
#: Columns whose words classification reads.
CLASSIFIABLE_COLUMNS = ("scope", "products") + _INDUSTRY_COLUMNS


def optional(t, column):
    """A text column, or None in every row where the table does not have it."""
    if column not in t.header:
        return None
    values = t.col(column)
    return values.where(values != "", None)


def credit_ids(t):
    """Valid 统一社会信用代码 as ids ("" where none or invalid), or None without the column.

    An invalid code is not an error (registries hold typos and old registration numbers):
    the enterprise gets an id made from its name, and a warning says how many.
    """
    from chainkg.loaders.uscc import is_valid_credit_code

    if "credit_code" not in t.header:
        return None
    codes = t.col("credit_code").str.upper()
    distinct = {c: is_valid_credit_code(c) for c in codes.unique() if c}
    valid = codes.map(lambda c: distinct.get(c, False))
    bad = (codes != "") & ~valid
    if bad.any():
        first = bad.idxmax()
        t.report.warn("bad-value", f"{int(bad.sum())} credit codes fail the GB 32100 check (first "
                      f"{codes[first]!r}): not used as ids; those enterprises get ids made from their names",
                      file=t.file, row=int(first) + 2, column=t.header["credit_code"])
    return codes.where(valid, "")


def regions_of(t, regions):
    """Each enterprise's region, with how it was found: ``(region, region_source, region_confidence)``.

    A table with a region column and nothing else to go on is read as written. A registry
    export has 所属省份 / 所属城市 / 所属区县 / 注册地址: the region is inferred from them,
    province to district (a district name alone, 鼓楼区, may be ambiguous), else from the
    address, else from the credit code. Without province and city columns a region cell
    that names a known region wins; a row nothing tells is resolved as written (and
    reported when unknown).
    """
    from chainkg.loaders.facts import _confidence, resolve_values
    from chainkg.loaders.regions_infer import infer_regions

    if not any(c in t.header for c in _PLACE_COLUMNS) and "credit_code" not in t.header:
        return t.resolve("region", regions, "region"), t.col("region_source"), _confidence(t, "region_confidence")
    cell = t.col("region")
    province, city = t.col("province"), t.col("city")
    # Municipalities repeat themselves (重庆市 / 重庆市 / 梁平区): name each level once.
    place = province + city.where(city != province, "") + cell
    frame = pd.DataFrame({"place": place, "address": t.col("address"), "code": t.col("credit_code")})
    guess = infer_regions(frame, address="place")
    for column, kind in (("address", "address"), ("code", "credit_code")):
        rest = guess["region"].isna()
        if rest.any():  # only the rows the stronger evidence left open
            guess.loc[rest] = infer_regions(frame[rest], **{kind: column})
    if not ("province" in t.header or "city" in t.header):
        written, _ = resolve_values(cell, regions)
        known = written.notna() & (cell != "")
        guess.loc[known, ["region", "region_source", "region_confidence"]] = \
            pd.DataFrame({"region": written[known], "region_source": "", "region_confidence": ""})
    found = guess["region"].notna()
    region = guess["region"].astype(object).where(found, None)
    if (~found).any():  # as written: its own error when unknown
        region[~found] = t.resolve("region", regions, "region", rows=~found,
                                   missing="missing region (and no 所属省份, 所属城市, 注册地址 or credit "
                                           "code to infer it from)")[~found]
    source = guess["region_source"].where(found, t.col("region_source"))
    confidence = guess["region_confidence"].where(found, "")
    return region, source, confidence


def capital(t):
    """注册资本 as (amount, currency) columns; bad cells are located problems."""
    if "registered_capital" not in t.header:
        return None, None
    amount, currency, bad = parse_capital(t.col("registered_capital"))
    t.problems("bad-value", bad, "registered_capital",
               lambda v: f"not a registered capital: {v!r} (write 5000万元人民币, 100万美元 or 1.2亿元)")
    return amount, currency


def registration(t):
    """登记状态 as ``active`` / ``inactive`` (None where empty); unknown words are a warning."""
    if "registration" not in t.header:
        return None
    state, unknown = registration_state(t.col("registration"))
    if unknown.any():
        first = unknown.idxmax()
        t.report.warn("bad-value", f"{int(unknown.sum())} registration states not understood (first "
                      f"{t.col('registration')[first]!r}): counted as active; known: "
                      f"{', '.join(ACTIVE_STATES[:4] + INACTIVE_STATES[:4])}",
                      file=t.file, row=int(first) + 2, column=t.header["registration"])
    return state


def industry(t):
    """The most specific 国标行业 cell of each row (小类 before 中类 before 大类 before 门类)."""
    present = [t.col(c) for c in _INDUSTRY_COLUMNS if c in t.header]
    if not present:
        return None
    values = most_specific(present)
    return values.where(values != "", None)


def classified_memberships(enterprises, given_rows, rules):
    """Memberships of the enterprises that name no segment, classified from what the
    registry says; and each enterprise's ``classification`` (``given``, ``classified``,
    ``trade_only`` or ``unclassified``).

    Returns None when the table has nothing to classify from.
    """
    from chainkg.loaders.classify import classify

    columns = {"industry": enterprises["industry"], "scope": enterprises["scope"], "products": enterprises["products"]}
    if rules is None or all(v is None or v.isna().all() for v in columns.values()):
        return None
    given = np.zeros(len(enterprises), dtype=bool)
    given[given_rows] = True
    todo = np.flatnonzero(~given)
    records = pd.DataFrame({k: v.iloc[todo].reset_index(drop=True) for k, v in columns.items() if v is not None})
    found, outcome = classify(records, rules)
    rows = todo[found["row"].to_numpy(dtype=np.int64)]
    e = enterprises
    classified = pd.DataFrame({"enterprise": e["id"].to_numpy()[rows], "segment": found["segment"].to_numpy(),
                               "share": None, "source": e["source"].to_numpy()[rows],
                               "as_of": e["as_of"].to_numpy()[rows], "method": found["method"].to_numpy(),
                               "evidence": found["evidence"].to_numpy(), "confidence": found["confidence"].to_numpy()})
    classification = pd.Series("given", index=e.index, dtype=object)
    classification.iloc[todo] = outcome.to_numpy()
    return classified, classification
