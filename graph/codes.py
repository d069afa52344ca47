"""Integer codes for string columns: fast lookups of millions of ids.

Arrow's hash kernels do the lookups, so no Python loop touches a row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["codes_of", "split_lists", "to_float"]


def _arrow(values):
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    arr = np.asarray(values, dtype=object) if not hasattr(values, "array") else values
    try:
        return pa.array(arr, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in arr], type=pa.string())


def codes_of(values, universe):
    """Position of each value in ``universe`` (-1 where absent or null).

    Examples
    --------
    >>> codes_of(["b", "x", "a"], ["a", "b"]).tolist()
    [1, -1, 0]
    """
    idx = pc.fill_null(pc.index_in(_arrow(values), value_set=_arrow(universe)), -1)
    return idx.to_numpy(zero_copy_only=False).astype(np.int64)


def split_lists(values, pattern):
    """Split each string by a regex: (row positions, stripped non-empty tokens).

    Examples
    --------
    >>> rows, tokens = split_lists(["a;b", "", " c "], "[;]")
    >>> rows.tolist(), tokens.tolist()
    ([0, 0, 2], ['a', 'b', 'c'])
    """
    lists = pc.split_pattern_regex(_arrow(values), pattern=pattern)
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    tokens = pc.utf8_trim_whitespace(pc.list_flatten(lists)).to_numpy(zero_copy_only=False)
    keep = tokens != ""
    return parents[keep], tokens[keep].astype(object)


def to_float(values):
    """Parse text as numbers: a float array, NaN where empty or not a number.

    Examples
    --------
    >>> to_float(["1.5", "", "x", "-2"]).tolist()
    [1.5, nan, nan, -2.0]
    """
    arr = _arrow(values)
    arr = pc.if_else(pc.equal(pc.utf8_trim_whitespace(arr), ""), pa.scalar(None, arr.type), arr)
    try:
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # some cell is not a plain number
        import pandas as pd

        return pd.to_numeric(pd.Series(arr.to_pandas()), errors="coerce").to_numpy(dtype=float)
