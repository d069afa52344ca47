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
