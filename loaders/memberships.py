"""A data directory's ``memberships.csv``: which enterprise provides which segment, how much.

::

    enterprise,segment,share,negligible,source
    P01,chips.n2,70%,,chips-demo
    P17,chips.n6,,yes,chips-demo
    P17,chips.n8,0,,chips-demo

One row per enterprise and segment, beside (not instead of) the ``segments`` column of
``enterprises.csv``. ``enterprise`` is an id or name of the enterprise table, ``segment``
an id, name or alias. ``share`` is the enterprise's share of the segment's supply, as a
fraction from 0 to 1 (``0.35``) or a percentage (``35%``); an empty cell means the share
is not known, and ``0`` that it is known to be zero. ``negligible`` (yes/no, true/false,
1/0, 是/否) says the source lists the enterprise with a negligible share, too small to
state. How gap statuses use them is in :mod:`chainkg.queries.status`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainkg.graph.codes import found_in
from chainkg.loaders.values import parse_number

__all__ = ["parse_share", "parse_negligible", "read_memberships"]

_YES = ("yes", "y", "true", "t", "1", "是", "√", "x")
_NO = ("no", "n", "false", "f", "0", "否", "")


def parse_share(text):
    """A share from ``0.35`` or ``35%``; None for an empty cell.

    Raises
    ------
    ValueError
        For anything else, or a share outside 0-1 (0%-100%).

    Examples
    --------
    >>> parse_share("35%"), parse_share("0.35"), parse_share("0"), parse_share("")
    (0.35, 0.35, 0.0, None)
    >>> parse_share("35")
    Traceback (most recent call last):
    ...
    ValueError: share '35' is more than 1: write a fraction (0.35) or a percentage (35%)
    """
    s = str(text).strip()
    percent = s.endswith(("%", "％"))
    number = parse_number(s[:-1] if percent else s, what="a share")
    if number is None:
        if percent:
            raise ValueError(f"share {text!r} has no number before the %")
        return None
    share = number / 100 if percent else number
    if share < 0:
        raise ValueError(f"negative share {text!r}")
    if share > 1:
        hint = "" if percent else ": write a fraction (0.35) or a percentage (35%)"
        raise ValueError(f"share {text!r} is more than {'100%' if percent else '1'}{hint}")
    return share


def parse_negligible(text):
    """Whether a ``negligible`` cell says yes.

    Examples
    --------
    >>> parse_negligible("TRUE"), parse_negligible(""), parse_negligible("否")
    (True, False, False)
    """
    s = str(text).strip().lower()
    if s in _YES:
        return True
    if s in _NO:
        return False
    raise ValueError(f"negligible must be yes or no (true/false, 1/0, 是/否), got {text!r}")


def _cells(t, column, parse):
    """The column parsed once per distinct value; bad cells reported and left None."""
    values = t.col(column)
    good, errors = {}, {}
    for v in pd.unique(values):
        try:
            good[v] = parse(v)
        except ValueError as err:
            errors[v] = str(err)
    t.problems_at("bad-value", values[found_in(values, errors)], column, errors.__getitem__)
    return values.map(lambda v: good.get(v))


def read_memberships(t, enterprise_names, segments, sources, frame):
    """The rows of a memberships table (a TableInput) as schema memberships.

    ``frame(table, **columns)`` builds the schema frame; rows with an unknown enterprise
    or segment are reported and left out.
    """
    enterprise = t.resolve("enterprise", enterprise_names, "enterprise")
    segment = t.resolve("segment", segments, "segment")
    share = _cells(t, "share", parse_share)
    negligible = _cells(t, "negligible", parse_negligible)
    both = (negligible == True) & share.notna() & (share.fillna(0) > 0)  # noqa: E712 (None stays out)
    t.problems("bad-value", both, "negligible",
               lambda v: "negligible, yet the row gives a share above 0: give one or the other")
    source, as_of = t.provenance(sources)
    keep = (enterprise.notna() & segment.notna()).to_numpy()
    return frame("memberships", enterprise=enterprise[keep].to_numpy(), segment=segment[keep].to_numpy(),
                 share=share[keep].astype(float).to_numpy(),
                 negligible=np.asarray(negligible[keep].fillna(False), dtype=bool),
                 source=source[keep].to_numpy(), as_of=as_of[keep].to_numpy(), method="given",
                 evidence=[f"{t.file} row {i + 2}" for i in np.flatnonzero(keep)],
                 confidence="high")
