"""A loaded ChainGraph as bytes, and back: the load cache's payload.

No pickle: the payload is a small JSON header (chains, meta, the tables' column
types) followed by Arrow IPC streams of the fact tables, all behind a SHA-256 of
itself. Reading one runs no code from it; a damaged or truncated one fails its
checksum and raises :class:`~chainkg.errors.CacheError`.

A table column must come back exactly as it was: numbers, booleans, nullable integers
and pandas strings go through Arrow as they are; ``object`` columns may hold only
``str``, ``None`` and ``NaN``, and which of the two missing values each row held is
kept. Anything else (another Python type, a date in the manifest) raises CacheError
when the snapshot is made, and the graph is simply not cached.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import struct

import numpy as np
import pandas as pd

from chainkg.errors import CacheError
from chainkg.graph.codes import RowHint
from chainkg.graph.model import Chain, ChainGraph, Segment
from chainkg.graph.schema import TABLE_COLUMNS

__all__ = ["encode_graph", "snapshot_parts", "decode_graph", "read_header", "SNAPSHOT_FORMAT"]

#: Bumped whenever the layout below changes: older snapshots are then not read.
SNAPSHOT_FORMAT = 1
MAGIC = b"chainkg-snapshot\n"
_DIGEST = 32  # SHA-256
_LENGTH = struct.Struct(">Q")


def encode_graph(graph, extra=None):
    """The bytes of a snapshot of ``graph``; ``extra`` (JSON data) goes into its header.

    :func:`snapshot_parts` gives the same bytes in pieces, without joining them.

    Raises
    ------
    CacheError
        When the graph holds something a snapshot cannot give back exactly.

    Examples
    --------
    >>> import chainkg
    >>> g = chainkg.load()
    >>> graph, extra = decode_graph(encode_graph(g, {"note": "demo"}))
    >>> graph.counts() == g.counts(), extra
    (True, {'note': 'demo'})
    """
    return b"".join(bytes(part) for part in snapshot_parts(graph, extra))


def snapshot_parts(graph, extra=None):
    """The snapshot of ``graph`` as a list of buffers to write one after the other."""
    import pyarrow as pa

    header = {"format": SNAPSHOT_FORMAT, "extra": extra or {}, "meta": graph.meta,
              "chains": [dataclasses.asdict(c) for c in graph.chains.values()], "tables": {}}
    _check_json(header["meta"], "meta")
    if _chains(header["chains"]) != list(graph.chains.values()):
        raise CacheError("the chain templates do not survive JSON")
    blobs = []
    for name in TABLE_COLUMNS:
        df = getattr(graph, name)
        if not all(isinstance(c, str) for c in df.columns) or df.columns.has_duplicates:
            raise CacheError(f"table {name!r} has column names a snapshot does not keep")
        arrays, columns = {}, []
        for i, c in enumerate(df.columns):
            series = df.iloc[:, i]
            col = {"name": c, "dtype": str(series.dtype)}
            if series.dtype == object:
                values, col["nulls"], nan_rows = _text_column(series, f"{name}.{c}")
                if nan_rows is not None:
                    arrays[f"nan{i}"] = pa.array(nan_rows)
            else:
                values = _typed_column(series, f"{name}.{c}")
            values, col["dict"] = _compact(values)
            arrays[f"c{i}"] = values
            columns.append(col)
        attrs = {}
        for key, value in df.attrs.items():
            if not isinstance(value, RowHint):
                raise CacheError(f"table {name!r} carries {key!r}, which a snapshot cannot keep")
            attrs[key] = _add(blobs, pa.table({"rows": pa.array(value.rows, pa.int64())}))
        header["tables"][name] = {"rows": len(df), "columns": columns, "attrs": attrs,
                                  "data": _add(blobs, pa.table(arrays) if arrays else pa.table({}))}
    header["blobs"] = [b.nbytes for b in blobs]
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    body = [_LENGTH.pack(len(head)), head, *blobs]
    digest = hashlib.sha256()
    for part in body:
        digest.update(part)
    return [MAGIC + digest.digest(), *body]


def read_header(f):
    """The header of the snapshot in the binary file ``f``, unchecked: for listing snapshots."""
    start = len(MAGIC) + _DIGEST
    lead = f.read(start + _LENGTH.size)
    if not lead.startswith(MAGIC) or len(lead) < start + _LENGTH.size:
        raise CacheError("not a chainkg snapshot")
    return _header(f.read(_LENGTH.unpack_from(lead, start)[0]))


def _header(data):
    try:
        return json.loads(bytes(data))
    except ValueError as err:
        raise CacheError(f"unreadable snapshot header: {err}") from err


def decode_graph(data):
    """The ChainGraph of snapshot bytes, and the header's ``extra``.

    Raises
    ------
    CacheError
        When the bytes are not a whole, unchanged snapshot of this format.
    """
    import pyarrow as pa

    start = len(MAGIC) + _DIGEST
    view = memoryview(data)
    if not data.startswith(MAGIC) or len(data) < start + _LENGTH.size:
        raise CacheError("not a chainkg snapshot")
    if hashlib.sha256(view[start:]).digest() != bytes(view[len(MAGIC):start]):
        raise CacheError("snapshot checksum mismatch (truncated or damaged)")
    length = _LENGTH.unpack_from(data, start)[0]
    header = _header(view[start + _LENGTH.size:start + _LENGTH.size + length])
    if not isinstance(header, dict) or header.get("format") != SNAPSHOT_FORMAT:
        got = header.get("format") if isinstance(header, dict) else None
        raise CacheError(f"snapshot format {got!r}, not {SNAPSHOT_FORMAT}")
    try:
        offset, blobs = start + _LENGTH.size + length, []
        for size in header["blobs"]:
            blobs.append(view[offset:offset + size])
            offset += size
        tables = {name: _table(t, blobs, pa) for name, t in header["tables"].items()}
        graph, extra = ChainGraph(_chains(header["chains"]), tables, header["meta"]), dict(header["extra"])
    except (pa.ArrowException, KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        raise CacheError(f"unreadable snapshot: {err}") from err
    return graph, extra


def _add(blobs, table):
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression=None)) as w:
        w.write_table(table)
    blobs.append(memoryview(sink.getvalue()))
    return len(blobs) - 1


def _read(blob, pa):
    return pa.ipc.open_stream(pa.py_buffer(blob)).read_all()


def _table(t, blobs, pa):
    data = _read(blobs[t["data"]], pa)
    out = {}
    for i, col in enumerate(t["columns"]):
        values = _one_array(data.column(f"c{i}"), pa)
        if col["dtype"] != "object":
            if col["dict"]:
                values = values.dictionary_decode()
            out[col["name"]] = pd.Series(_typed_values(values, col["dtype"]), copy=False)
            continue
        if col["dict"]:
            words = np.array([*values.dictionary.to_pylist(), None], dtype=object)
            codes = values.indices.fill_null(len(words) - 1).to_numpy()
            values = words[codes]
        else:
            values = values.to_numpy(zero_copy_only=False).astype(object, copy=False)
        if col["nulls"] == "nan":
            values[pd.isna(values)] = np.nan
        elif col["nulls"] == "mixed":
            values[data.column(f"nan{i}").to_numpy()] = np.nan
        out[col["name"]] = pd.Series(values, dtype=object, copy=False)
    df = pd.DataFrame(out, columns=[c["name"] for c in t["columns"]], copy=False) if out else \
        pd.DataFrame(index=range(t["rows"]))
    got = [str(d) for d in df.dtypes]
    if len(df) != t["rows"] or got != [c["dtype"] for c in t["columns"]]:
        raise ValueError(f"table does not match its header ({len(df)} rows, types {got})")
    for key, blob in t["attrs"].items():
        df.attrs[key] = RowHint(_read(blobs[blob], pa).column(0).to_numpy())
    return df


def _one_array(chunked, pa):
    if chunked.num_chunks == 1:
        return chunked.chunk(0)
    return pa.concat_arrays(chunked.chunks) if chunked.num_chunks else pa.array([], chunked.type)


def _typed_column(s, where):
    """Arrow values of a column that is not ``object``, checked to come back as its type."""
    import pyarrow as pa

    numeric = isinstance(s.dtype, np.dtype) and s.dtype.kind in "biuf"
    if not numeric and not hasattr(s.array, "__arrow_array__"):
        raise CacheError(f"column {where} ({s.dtype}) is of a type a snapshot does not keep")
    try:  # NaN stays a value in a float column, as pandas holds it
        values = pa.array(s.to_numpy(), from_pandas=False) if numeric else pa.array(s.array)
        if isinstance(values, pa.ChunkedArray):
            values = _one_array(values, pa)
        back = _typed_values(values.slice(0, 0), str(s.dtype))
    except (pa.ArrowException, TypeError, ValueError) as err:
        raise CacheError(f"column {where} ({s.dtype}) cannot be snapshotted: {err}") from err
    if str(back.dtype) != str(s.dtype):
        raise CacheError(f"column {where} ({s.dtype}) would come back as {back.dtype}")
    return values


def _typed_values(values, dtype):
    """The pandas array of type ``dtype`` (by name) holding Arrow ``values``."""
    from pandas.api.types import pandas_dtype
    from pandas.api.extensions import ExtensionDtype

    dtype = pandas_dtype(dtype)
    if isinstance(dtype, ExtensionDtype):
        return dtype.__from_arrow__(values)
    if values.null_count:
        raise ValueError(f"missing values in a {dtype} column")
    return values.to_numpy(zero_copy_only=False).astype(dtype, copy=False)


def _compact(values):
    """(values, whether dictionary-encoded): strings repeated often are kept once each."""
    import pyarrow as pa

    if not (pa.types.is_large_string(values.type) or pa.types.is_string(values.type)) or len(values) < 64:
        return values, False
    if len(values) > 40_000 and len(values.slice(0, 10_000).unique()) > 2_500:  # ids, names: all distinct
        return values, False
    encoded = values.dictionary_encode()
    if len(encoded.dictionary) > len(values) // 4:
        return values, False
    return encoded, True


def _text_column(s, where):
    """(Arrow strings, which missing value, NaN rows when both) of an ``object`` column."""
    import pyarrow as pa
    from pandas.api.types import infer_dtype

    values = s.to_numpy()
    kind = infer_dtype(values, skipna=True)
    if kind not in ("string", "empty"):
        raise CacheError(f"column {where} holds {kind} values, which a snapshot does not keep")
    missing = pd.isna(values)
    nulls, nan_rows = "none", None
    if missing.any():
        gone = values[missing]
        is_nan = ~np.asarray(gone == None, dtype=bool)  # noqa: E711  (element by element)
        if is_nan.any() and not all(type(v) is float for v in gone[is_nan]):
            raise CacheError(f"column {where} holds a missing value other than None or NaN")
        if is_nan.all():
            nulls = "nan"
        elif is_nan.any():
            nulls, nan_rows = "mixed", np.zeros(len(values), bool)
            nan_rows[np.flatnonzero(missing)[is_nan]] = True
    try:
        return pa.array(values, type=pa.large_string(), from_pandas=True), nulls, nan_rows
    except (pa.ArrowException, UnicodeError) as err:
        raise CacheError(f"column {where}: {err}") from err


def _chains(data):
    def build(cls, d):
        kwargs = {}
        for f in dataclasses.fields(cls):
            v = d[f.name]
            kwargs[f.name] = tuple(v) if str(f.type).startswith("tuple") else v
        return cls(**kwargs)

    chains = []
    for c in data:
        chain = build(Chain, c)
        chain.segments = [build(Segment, s) for s in c["segments"]]
        chain.supplies = [tuple(e) for e in c["supplies"]]
        chains.append(chain)
    return chains


def _check_json(value, what):
    try:
        same = json.loads(json.dumps(value, ensure_ascii=False)) == value
    except (TypeError, ValueError):
        same = False
    if not same:
        raise CacheError(f"the graph's {what} does not survive JSON")
