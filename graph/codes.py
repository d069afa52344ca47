"""Integer codes for string columns: fast lookups of millions of ids.

Arrow's hash kernels do the lookups, so no Python loop touches a row.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["RowHint", "as_series", "codes_of", "decode", "found_in", "first_ints", "has_duplicates", "mapped",
           "rows_match", "split_lists", "string_buffers", "string_bytes", "stripped", "to_float", "unique_ints"]


def _arrow(values):
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    if isinstance(values, (set, frozenset, dict, type({}.keys()))):  # a dict: its keys
        values = list(values)
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


def found_in(values, universe):
    """Whether each value occurs in ``universe`` (False for nulls): ``values.isin(universe)``
    for text, as a bool array. pandas' ``isin`` on Arrow strings makes a Python scalar of
    every value of the universe (about 7 µs each: seconds for a million ids); here the
    hash table is built of the smaller side, so a few thousand values looked up in ten
    million ids hash the values and probe the ids. ``universe`` may be a list, a set, an
    array or a Series.

    Examples
    --------
    >>> found_in(["b", "x", None], ["a", "b", "c", "d", "e", "f", "g", "h", "i"]).tolist()
    [True, False, False]
    """
    v, u = _arrow(values), _arrow(universe)
    if 4 * len(v) >= len(u):
        return codes_of(v, u) >= 0
    # Each distinct value once (index_in finds only the first of repeated values).
    encoded = pc.dictionary_encode(v)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    at = pc.fill_null(pc.index_in(u, value_set=encoded.dictionary), -1).to_numpy(zero_copy_only=False)
    hit = np.zeros(len(encoded.dictionary) + 1, dtype=bool)  # the last: a null
    hit[at[at >= 0]] = True
    return hit[pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)]


def as_series(arrow_array, index=None):
    """Wrap an Arrow string array as a pandas Series without copying."""
    import pandas as pd

    return pd.Series(pd.array(arrow_array.cast(pa.large_string()), dtype="str"), index=index)


def string_buffers(chunk):
    """(offsets, bytes) of an Arrow string array, as numpy views without a copy: string k
    is ``bytes[offsets[k]:offsets[k + 1]]``."""
    offsets_buf, data_buf = chunk.buffers()[1:3]
    wide = chunk.type in (pa.large_string(), pa.large_utf8())
    if offsets_buf is None or len(chunk) == 0:
        return np.zeros(len(chunk) + 1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    offsets = np.frombuffer(offsets_buf, dtype=np.int64 if wide else np.int32)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    return offsets[chunk.offset:chunk.offset + len(chunk) + 1], data


def string_bytes(chunk):
    """The bytes of all the strings of an Arrow string array, end to end, without a copy."""
    offsets, data = string_buffers(chunk)
    return data[offsets[0]:offsets[-1]]


def _may_have_edge_space(chunk):
    """Whether some string may start or end with whitespace: its first and last characters
    are looked at as bytes, and any below U+0021 or in U+0080 … U+3FFF (where every
    Unicode space is; CJK ideographs are above) counts. An empty string makes its
    neighbours' bytes be looked at; that can only turn a no into a yes (valid UTF-8 never
    ends in a lead byte), which costs a strip that changes nothing, so empty strings are not
    filtered out first."""
    offsets, data = string_buffers(chunk)
    if not len(data):
        return False
    start, end = np.minimum(offsets[:-1], len(data) - 1), offsets[1:]
    first, last = data[start], data[end - 1]
    if ((first <= 0x20) | ((first - np.uint8(0x80)) <= 0x63) | (last <= 0x20)).any():  # 0x80 … 0xE3
        return True
    # The last character's first byte, if it has two bytes or three.
    lead2, lead3 = data[np.maximum(end - 2, 0)], data[np.maximum(end - 3, 0)]
    return bool((((lead2 - np.uint8(0xC2)) <= 0x1D) | ((lead3 - np.uint8(0xE0)) <= 0x03)).any())


def stripped(series):
    """``series.str.strip()`` of a text Series, skipped where no cell can need it.

    Examples
    --------
    >>> import pandas as pd
    >>> stripped(pd.Series(["a ", "　b"], dtype="str")).tolist(), stripped(pd.Series(["梁平"], dtype="str")).tolist()
    (['a', 'b'], ['梁平'])
    """
    arr = _arrow(series)
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    text = pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
    if not text or any(_may_have_edge_space(c) for c in chunks):
        return series.str.strip()
    return series


def _holds_any(arr, characters):
    """Whether any string of ``arr`` holds any of ``characters``: a byte search of the
    strings' buffers end to end (in UTF-8 a character's bytes match only where it is)."""
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    for chunk in chunks:
        text = string_bytes(chunk).tobytes()
        if any(c.encode() in text for c in characters):
            return True
    return False


def split_lists(values, separators):
    """Split each string at any of the ``separators`` characters.

    A long column usually repeats a few lists ("规上;高新技术"): each distinct cell is split
    once and its tokens are spread to the rows that hold it.

    Returns
    -------
    (ndarray, Series)
        The row position of each token, and the stripped, non-empty tokens.

    Examples
    --------
    >>> rows, tokens = split_lists(["a;b", "", " c ", "d、e"], ";、")
    >>> rows.tolist(), tokens.tolist()
    ([0, 0, 2, 3, 3], ['a', 'b', 'c', 'd', 'e'])
    >>> rows, tokens = split_lists(["x;y", "z", "x;y"] * 400, ";")
    >>> rows[:5].tolist(), tokens[:5].tolist()
    ([0, 0, 1, 2, 2], ['x', 'y', 'z', 'x', 'y'])
    """
    arr = _arrow(values)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if len(arr) >= 1000:
        encoded = pc.dictionary_encode(arr)
        if 2 * len(encoded.dictionary) < len(arr):
            return _spread(encoded, *_split(encoded.dictionary, separators))
    rows, tokens = _split(arr, separators)
    return rows, as_series(tokens)


def _split(arr, separators):
    """(row of each token, the tokens as an Arrow array) of :func:`split_lists`."""
    first, rest = separators[0], separators[1:]
    if rest and _holds_any(arr, rest):  # splitting at one literal character is several times faster than a regex
        arr = pc.replace_substring_regex(arr, "[" + re.escape(rest) + "]", first)
    lists = pc.split_pattern(arr, first)
    tokens = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    keep = pc.not_equal(tokens, "")
    return pc.filter(pc.list_parent_indices(lists), keep).to_numpy(zero_copy_only=False), pc.filter(tokens, keep)


def _spread(encoded, cell_of_token, tokens):
    """The tokens of each distinct cell (``cell_of_token``, ascending) given to every row of
    the dictionary-encoded column that holds that cell."""
    cell = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    per_cell = np.bincount(cell_of_token, minlength=len(encoded.dictionary))
    first_token = np.concatenate(([0], np.cumsum(per_cell)[:-1]))
    per_row = np.where(cell >= 0, per_cell[cell], 0)
    rows = np.repeat(np.arange(len(cell)), per_row)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    at = np.repeat(first_token[np.maximum(cell, 0)], per_row) + within
    return rows, as_series(pc.take(tokens, pa.array(at)))


def decode(codes, values):
    """``values[codes]`` as an Arrow-backed string Series; code -1 and None give nulls.

    Examples
    --------
    >>> decode(np.array([1, -1, 0]), ["x", "y"]).tolist()
    ['y', nan, 'x']
    """
    codes = np.asarray(codes)
    dictionary = pa.array(list(values), type=pa.large_string())
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    return as_series(pa.DictionaryArray.from_arrays(indices, dictionary).dictionary_decode())


def mapped(values, mapping):
    """``values.map(mapping)`` for text: each distinct value looked up once, as a str Series
    on the index of ``values`` (null where ``mapping`` has no entry or gives None).

    Examples
    --------
    >>> mapped(["a", "c", "b", "a"], {"a": "甲", "b": None}).tolist()
    ['甲', nan, nan, '甲']
    """
    import pandas as pd

    keys = list(mapping)
    out = decode(codes_of(values, keys), [mapping[k] for k in keys])
    if isinstance(values, pd.Series):
        out.index = values.index
    return out


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


def has_duplicates(values):
    """Whether any value occurs twice (a sort, which is faster here than hashing).

    Examples
    --------
    >>> has_duplicates(["b", "a", "b"]), has_duplicates(["a", "b"])
    (True, False)
    """
    arr = _arrow(values)
    if len(arr) < 2:
        return False
    ordered = pc.take(arr, pc.sort_indices(arr))
    return bool(pc.any(pc.equal(ordered.slice(1), ordered.slice(0, len(arr) - 1))).as_py())


def unique_ints(values):
    """The distinct values of an integer array, sorted.

    Examples
    --------
    >>> unique_ints(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    values = np.asarray(values)
    if len(values) == 0:
        return np.sort(values)
    if values.dtype.kind in "iu" and values.min() >= 0 and values.max() < 2**32:
        ordered = np.sort(values.astype(np.uint32)).astype(values.dtype)  # 32-bit keys sort 3x faster
    else:
        ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def first_ints(values):
    """Where each value of an integer array occurs for the first time (a stable sort, many
    times faster than hashing ten million keys).

    Examples
    --------
    >>> first_ints(np.array([3, 1, 3, 2, 1])).tolist()
    [True, True, False, True, False]
    """
    values = np.asarray(values)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.empty(len(values), dtype=bool)
    first[order] = np.concatenate(([True], ordered[1:] != ordered[:-1]))[:len(values)]
    return first


def rows_match(universe, rows, values):
    """Whether ``universe[rows]`` equals ``values`` everywhere.

    Examples
    --------
    >>> rows_match(["a", "b"], np.array([1, 0]), ["b", "a"]), rows_match(["a"], np.array([0]), ["b"])
    (True, False)
    """
    taken = pc.take(_arrow(universe), pa.array(np.asarray(rows, dtype=np.int64)))
    return bool(pc.all(pc.equal(taken, _arrow(values))).as_py() is not False)


class RowHint:
    """Row positions carried in ``DataFrame.attrs``.

    It compares by identity, so pandas can compare and merge the attrs of frames it
    concatenates (an array there would make the comparison ambiguous).
    """

    __slots__ = ("rows",)

    def __init__(self, rows):
        self.rows = np.asarray(rows, dtype=np.int64)
