"""Normalising fact tables: headers mapped, references resolved, values checked.

Each table arrives as text cells under its original headers. References (regions,
segments, enterprises, sources) are resolved once per distinct value and mapped back,
so a million-row table costs a few vectorised passes. Every problem names the file,
the row (header = row 1) and the original column header.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np
import pandas as pd

from chainkg.errors import AmbiguousReferenceError, ChainKGError, UnknownReferenceError
from chainkg.graph.codes import RowHint, decode, found_in, first_ints, has_duplicates, split_lists, stripped
from chainkg.graph.model import segment_index
from chainkg.graph.resolve import NameIndex, RegionIndex
from chainkg.graph.schema import (DEFAULT_COVERAGE, PROJECT_STATUSES, REQUIRED_COLUMNS, TABLE_COLUMNS,
                                  normalize_coverage, normalize_flag, normalize_project_status)
from chainkg.loaders import values as value_rules
from chainkg.loaders import registry
from chainkg.loaders.tables import map_headers

__all__ = ["normalize_tables", "TableInput"]

LIST_SEPARATORS = ";；,，、|"
CONFIDENCE = ("high", "medium", "low")


class TableInput:
    """One raw table under its original headers, with helpers that report problems."""

    def __init__(self, name, file, df, manifest, report):
        self.name, self.file, self.report = name, file, report
        columns_map = (manifest.get("columns") or {}).get(name) or {}
        mapping, self.scales = map_headers(list(df.columns), name, columns_map)
        self.header = {col: h for h, col in mapping.items()}  # schema column -> original header
        self.df = df
        self._cols, self._periods = {}, {}
        self.defaults = {**{k: v for k, v in manifest.items() if k in ("source", "as_of")},
                         **((manifest.get("defaults") or {}))}
        self.ok = True
        missing = [c for c in REQUIRED_COLUMNS[name] if c not in self.header
                   and not (c in ("source", "as_of") and self.defaults.get(c))]
        for col in missing:
            words = ", ".join(_header_words(name, col))
            report.add("missing-column", f"missing column {col!r} (accepted headers: {words}; "
                       "or map one in the manifest's columns)", file=file, row=1)
            self.ok = False
        if self.ok:
            value_rules.check_text(self)

    def col(self, name):
        """The column as stripped text ("" where absent or empty), or the default."""
        if name not in self._cols:
            if name in self.header:
                self._cols[name] = stripped(self.df[self.header[name]].astype(str))
            else:
                self._cols[name] = pd.Series(str(self.defaults.get(name, "") or ""), index=self.df.index,
                                             dtype=object)
        return self._cols[name]

    def problem(self, type, index, column, message):
        self.report.add(type, message, file=self.file, row=int(index) + 2,
                        column=self.header.get(column, column))

    def problems(self, type, mask, column, message_for):
        """Report a problem for each row where ``mask`` holds; message_for(value) -> str."""
        values = self.col(column)
        self.problems_at(type, values[np.asarray(mask, dtype=bool)], column, message_for)

    def problems_at(self, type, cells, column, message_for):
        """Report a problem for each cell of ``cells`` (a Series indexed by row), in row order."""
        self.report.add_rows(type, cells.index.to_numpy() + 2, cells.to_numpy(dtype=object), message_for,
                             file=self.file, column=self.header.get(column, column))

    # Cell values by the shared rules of loaders/values.py.
    def amounts(self, column):
        return value_rules.read_amounts(self, column)

    def counts(self, column):
        return value_rules.read_counts(self, column)

    def numbers(self, column, allow_negative=False):
        return value_rules.read_numbers(self, column) if allow_negative else value_rules.read_weights(self, column)

    def dates(self, column, may_be_future=None):
        return value_rules.read_dates(self, column, may_be_future)

    def periods(self, column):
        """The column's dates as a frame of iso, first and last day, parsed (and reported) once."""
        if column not in self._periods:
            self._periods[column] = value_rules.read_periods(self, column)
        return self._periods[column]

    def resolve(self, column, index, kind, required=True, rows=None, missing=None):
        """Map each value of ``column`` through ``index`` (a NameIndex); report unknowns.

        ``rows`` (a boolean mask) limits it to those rows; the others resolve to None.
        ``missing`` replaces the message for an empty required cell.
        """
        values = self.col(column)
        if rows is not None:
            rows = np.asarray(rows, dtype=bool)
            values = values.where(rows, "")
        resolved, errors = resolve_values(values, index)
        if errors:
            self.problems(f"unknown-{kind}", found_in(values, errors), column,
                          reference_message(index, errors))
        if required:
            empty = (values == "") if rows is None else (values == "") & rows
            self.problems("missing-value", empty, column, lambda v: missing or f"missing {kind}")
        return resolved

    def provenance(self, sources):
        """``source`` and ``as_of`` columns, checking sources against the sources table."""
        source = self.col("source")
        self.problems("missing-value", source == "", "source",
                      lambda v: "missing source: every fact needs one")
        if sources is not None:
            unknown = (source != "") & ~found_in(source, sources)
            self.problems("unknown-source", unknown, "source",
                          lambda v: f"unknown source {v!r} (not in sources table)")
        return source, self.dates("as_of")

    def ids(self, names, prefix, earlier=(), given=None):
        """The id column, or stable ids made from names when the table has none; no duplicates.

        ``earlier`` lists ``(TableInput, ids)`` of parts of the same table read before
        this one (an import's rows after the directory's own): an id used there is a
        duplicate too, reported here.
        """
        if "id" in self.header:
            ids = self.col("id")
            self.problems("missing-value", ids == "", "id", lambda v: "missing id")
        else:
            ids = names.map(lambda n: f"{prefix}-{hashlib.sha1(n.encode()).hexdigest()[:10]}")
            if given is not None:  # registry exports: the credit code where there is a valid one
                ids = given.where(given != "", ids)
        dup = (ids.duplicated(keep="first") & (ids != "")) if has_duplicates(ids) \
            else pd.Series(False, index=ids.index)
        if dup.any():
            self._duplicates(ids, names, dup, ids[~dup], "row ")
        for other, other_ids in earlier:
            again = found_in(ids, other_ids) & (ids != "") & ~dup
            if again.any():
                self._duplicates(ids, names, again, other_ids, f"{other.file} row ")
            dup |= again
        return ids

    def _duplicates(self, ids, names, dup, first, where):
        """Report each row where ``dup`` holds, naming the row of its id in ``first``."""
        first = first[~first.duplicated(keep="first")]
        first_row = pd.Series(first.index, index=first.values)
        codes = self.col("credit_code").str.upper() if "credit_code" in self.header else None
        for idx in dup[dup].index:
            if "id" in self.header:
                column, what = "id", f"duplicate {self.name[:-1]} id {ids[idx]!r}"
            elif codes is not None and codes[idx] == ids[idx]:
                column, what = "credit_code", f"duplicate credit code {ids[idx]!r}"
            else:
                column, what = "name", f"duplicate {self.name[:-1]} name {names[idx]!r} (add an id column)"
            self.problem("duplicate-id", idx, column, f"{what} (first at {where}{first_row[ids[idx]] + 2})")


def resolve_values(values, index):
    """Resolve each distinct value once: (resolved Series with None where not, {value: error})."""
    if hasattr(index, "resolve_many"):
        resolved, errors = index.resolve_many(values)
        return pd.Series(resolved, index=values.index, dtype=object), errors
    codes, good, errors = resolve_codes(values, index)
    return decode(codes, good).set_axis(values.index), errors


def resolve_codes(values, index):
    """(code of each value, what each distinct value resolves to or None, {value: error})
    through a NameIndex; code -1 is a missing value."""
    codes, uniques = pd.factorize(values)
    good, errors = [], {}
    for v in np.asarray(uniques, dtype=object):
        try:
            good.append(index.resolve(v, suggest=False) if v != "" else None)
        except ChainKGError as err:
            good.append(None)
            errors[v] = err
    return codes, good, errors


def reference_message(index, errors):
    """message_for(value) of unresolved values; suggestions are found only for those listed."""
    def message(value):
        error = errors[value]
        if isinstance(error, UnknownReferenceError) and hasattr(index, "unknown"):
            error = index.unknown(value)
        return str(error)
    return message


class EnterpriseIndex:
    """Enterprises by id or exact name, for tables that refer to them (links, projects).

    Resolves whole columns at once: ids through Arrow's hash kernel over the id column
    (no Python object per enterprise, since it may hold millions), names through an
    index built only when some value is not an id; unknown values get no suggestions.
    """

    def __init__(self, ids, names):
        self._ids = ids
        self._names = names
        self._by_name = None

    def _name_index(self):
        if self._by_name is None:
            names = pd.Series(np.asarray(pd.Series(self._names, dtype=object).to_numpy(dtype=object)),
                              dtype=object)
            ids = np.asarray(pd.Series(self._ids, dtype=object).to_numpy(dtype=object))
            first = ~names.duplicated(keep="first").to_numpy()
            shared = names.duplicated(keep=False).to_numpy()
            self._by_name = (pd.Index(names[first].to_numpy(), dtype=object), ids[first],
                             pd.Series(ids[shared]).groupby(names[shared].to_numpy()).agg(list).to_dict()
                             if shared.any() else {})
        return self._by_name

    def resolve_many(self, values):
        """(ids as an object array with None where unresolved, {value: error}) for ``values``."""
        codes, uniques = pd.factorize(pd.Series(values, dtype="str"))
        uniques = pd.Series(uniques, dtype="str")
        text = uniques.to_numpy(dtype=object)
        out = np.where(found_in(uniques, self._ids), text, None)  # an id resolves to itself
        rest = np.flatnonzero(pd.isna(out) & (text != ""))
        errors = {}
        if len(rest):
            found = np.full(len(rest), None, dtype=object)
            if len(self._ids):
                index, first_ids, shared = self._name_index()
                at = index.get_indexer(text[rest])
                found = np.where(at >= 0, np.append(first_ids, None)[at], None)
            else:
                shared = {}
            for k, value in enumerate(text[rest]):
                if value in shared:
                    errors[value] = AmbiguousReferenceError("enterprise", value, sorted(shared[value]))
                    found[k] = None
                elif found[k] is None:
                    errors[value] = UnknownReferenceError("enterprise", value)
            out[rest] = found
        return np.append(out, None)[codes], errors  # code -1: a missing value


def _header_words(table, col):
    from chainkg.loaders.tables import _COMMON, HEADER_ALIASES

    return {**HEADER_ALIASES.get(table, {}), **_COMMON}.get(col, (col,))


def _frame(table, /, **columns):
    """A frame of the schema's columns for ``table``; a column not given, or given as None,
    is None everywhere.

    Such columns are many in a table of millions of rows (a plain enterprise table has no
    address, scope or capital): each is an object Series over a zero-filled array (numpy
    reads the zeros as None), never filled value by value nor scanned for a dtype to infer.

    The frame takes the columns as they are (``copy=False``): pandas would otherwise stack
    every object column into one new block, 1 GB at 10,000,000 enterprises. The columns
    given are the caller's new arrays, and copy-on-write keeps later edits apart."""
    given = [v for v in columns.values() if v is not None and not isinstance(v, str)]
    index = next((v.index for v in given if isinstance(v, pd.Series)), None)
    if index is None:
        index = pd.RangeIndex(len(given[0]) if given else 0)
    data = {}
    for col in TABLE_COLUMNS[table]:
        value = columns.get(col)
        data[col] = value if value is not None else pd.Series(
            np.empty(len(index), dtype=object), index=index, dtype=object, copy=False)  # pandas 3 would copy it
    return pd.DataFrame(data, copy=False)


def normalize_tables(raw, chains, manifest, report, *, imported=None, industry_codes=None,
                     embedded_regions=None):
    """Turn raw tables {name: (file, DataFrame)} into schema tables, reporting problems.

    ``imported`` adds parts to the ``sources``, ``regions``, ``enterprises`` and ``memberships`` tables:
    {name: [(file, DataFrame)]} under schema headers, with their own source and as_of
    (the manifest's column mappings and defaults are for the directory's own files).
    Each part is checked where it came from; an id already used by an earlier part is
    a duplicate. ``industry_codes`` is the directory's own GB/T 4754 file (classes and
    their segments) for classifying registry rows; the embedded one by default.
    ``embedded_regions`` (file, DataFrame) is the embedded region table, which the
    directory's own regions join (see :mod:`~chainkg.loaders.region_table`).
    """
    inputs = {name: [TableInput(name, file, df, manifest, report)] for name, (file, df) in raw.items()}
    for name, parts in (imported or {}).items():
        if name not in ("sources", "regions", "enterprises", "memberships"):
            raise ValueError(f"cannot import rows into the {name!r} table")
        inputs.setdefault(name, []).extend(TableInput(name, file, df, {}, report) for file, df in parts)
    inputs = {name: [t for t in parts if t.ok] for name, parts in inputs.items()}
    inputs = {name: parts for name, parts in inputs.items() if parts}
    out = {}

    sources = None
    if "sources" in inputs:
        out["sources"] = _each_part(inputs["sources"], lambda t, earlier: _frame(
            "sources", id=t.ids(t.col("title"), "src", earlier),
            **{c: t.dates(c) if c in value_rules.DATE_COLUMNS else t.col(c)
               for c in TABLE_COLUMNS["sources"][1:] if c != "coverage"}, coverage=_coverage(t)))
        sources = set(out["sources"]["id"])

    regions = RegionIndex()
    base = TableInput("regions", *embedded_regions, {}, report) if embedded_regions else None
    if "regions" in inputs or (base is not None and base.ok):
        from chainkg.loaders.region_table import merge_regions

        out["regions"] = merge_regions(base if base is not None and base.ok else None,
                                       inputs.get("regions", []), regions)

    segments = segment_index(s for c in chains for s in c.segments)
    if "sources" in out:
        out["sources"] = _census_scopes(inputs["sources"], out["sources"], regions, chains)

    @functools.cache
    def rules():  # read once, and only for a table with something to classify
        from chainkg.loaders.classify import load_rules

        return load_rules([s for c in chains for s in c.segments], report, chains=chains, path=industry_codes,
                          name=industry_codes and industry_codes.name)

    if industry_codes:  # a user's file is checked even when nothing needs classifying
        rules()

    enterprise_names = EnterpriseIndex([], [])
    if "enterprises" in inputs:
        out["enterprises"], out["memberships"] = _each_part(
            inputs["enterprises"], lambda t, earlier: _enterprises(t, regions, segments, sources, earlier,
                                                                   rules() if _classifiable(t) else None))
        _add_inferred_regions(out, regions)
        enterprise_names = EnterpriseIndex(out["enterprises"]["id"], out["enterprises"]["name"])
    if "memberships" in inputs and "enterprises" in out:
        from chainkg.loaders.memberships import read_memberships

        given = [read_memberships(t, enterprise_names, segments, sources, _frame) for t in inputs["memberships"]]
        out["memberships"] = pd.concat([out["memberships"], *given], ignore_index=True)
    if "overrides" in inputs and "enterprises" in out:
        out["memberships"], out["enterprises"] = _overrides(inputs["overrides"][0], out, segments,
                                                            enterprise_names)
    if "projects" in inputs:
        out["projects"] = _projects(inputs["projects"][0], regions, segments, enterprise_names, sources)
    if "presence" in inputs:
        t = inputs["presence"][0]
        source, as_of = t.provenance(sources)
        out["presence"] = _frame("presence", region=t.resolve("region", regions, "region"),
                                 segment=t.resolve("segment", segments, "segment"),
                                 enterprises=t.counts("enterprises"),
                                 note=t.col("note"), source=source, as_of=as_of)
        # One source states one fact per region and segment; a repeat would count twice.
        key = out["presence"][["region", "segment", "source"]]
        repeated = key.duplicated(keep="first") & key.notna().all(axis=1)
        first = {tuple(k): i for i, k in zip(key.index[::-1], key.values[::-1].tolist())} if repeated.any() else {}
        for idx in repeated[repeated].index:
            t.problem("duplicate-id", idx, "segment",
                      f"duplicate presence row for {key.at[idx, 'region']} {key.at[idx, 'segment']} "
                      f"from source {key.at[idx, 'source']!r} (first at row {first[tuple(key.loc[idx])] + 2})")
    if "links" in inputs:
        t = inputs["links"][0]
        source, as_of = t.provenance(sources)
        weight = t.numbers("weight")
        out["links"] = _frame("links", supplier=t.resolve("supplier", enterprise_names, "enterprise"),
                              customer=t.resolve("customer", enterprise_names, "enterprise"),
                              product=t.col("product"), weight=weight.fillna(1.0),
                              source=source, as_of=as_of)
    if "figures" in inputs:
        t = inputs["figures"][0]
        source, _ = t.provenance(sources)
        out["figures"] = _frame("figures", region=t.resolve("region", regions, "region"),
                                metric=t.col("metric"), value=t.numbers("value", allow_negative=True),
                                unit=t.col("unit"),
                                period=t.dates("period"), note=t.col("note"), source=source)
    if "sources" in out and "regions" in out:
        from chainkg.loaders.region_table import sources_cited

        out["sources"] = sources_cited(out["regions"], out["sources"])
    return out


def _classifiable(t):
    """Whether a table says what its enterprises do in words classification reads."""
    return any(c in t.header for c in registry.CLASSIFIABLE_COLUMNS)


def _add_inferred_regions(out, regions):
    """Regions inferred for enterprises that the region table lacks join it, with their
    ancestors, from the division table (and citing it)."""
    from chainkg.loaders.importing import inferred_regions_for

    known = set(out["regions"]["id"]) if "regions" in out else set()
    extra = inferred_regions_for(out["enterprises"]["region"].dropna().unique(), known)
    if not extra:
        return
    rows = pd.DataFrame(extra)
    out["regions"] = pd.concat([out.get("regions", _frame("regions")), _frame("regions", **{
        c: rows[c] if c in rows else None for c in TABLE_COLUMNS["regions"]})], ignore_index=True)
    for rid, name in zip(rows["id"], rows["name"]):
        regions.add(rid, [name])


def _each_part(parts, normalize):
    """Normalise each part of a table with ``normalize(t, earlier)`` and concatenate.

    ``normalize`` returns a frame, or a tuple of frames with the ids in the first;
    ``earlier`` lists ``(part, ids)`` of the parts before. Returns the same shape.
    """
    results, earlier = [], []
    for t in parts:
        result = normalize(t, earlier)
        results.append(result if isinstance(result, tuple) else (result,))
        earlier.append((t, results[-1][0]["id"]))
    joined = results[0] if len(results) == 1 else tuple(  # one part: no copy of a million rows
        pd.concat(frames, ignore_index=True) for frames in zip(*results))
    return joined if len(joined) > 1 else joined[0]


def _coverage(t):
    """The coverage column: census or mentions (the default where empty)."""
    values = t.col("coverage")
    canon = values.map(normalize_coverage)
    t.problems("bad-value", canon.isna(), "coverage",
               lambda v: f"unknown coverage {v!r} (census/普查 or mentions/提及; empty means mentions)")
    return canon.fillna(DEFAULT_COVERAGE)


def _census_scopes(parts, frame, regions, chains):
    """``census_regions`` and ``census_chains`` as ;-joined ids, each reference checked."""
    chain_index = NameIndex("chain")
    for c in chains:
        chain_index.add(c.id, [c.name, c.name_en])
    columns = {"census_regions": (regions, "region"), "census_chains": (chain_index, "chain")}
    out = {c: [] for c in columns}
    for t in parts:
        for column, (index, kind) in columns.items():
            _, tokens = _split_list(t, column)
            ids, errors = resolve_values(tokens, index)
            if errors:
                t.problems_at(f"unknown-{kind}", tokens[found_in(tokens, errors)], column,
                              reference_message(index, errors))
            joined = ids.dropna().groupby(level=0).agg(lambda v: ";".join(dict.fromkeys(v)))
            out[column].append(joined.reindex(t.df.index).fillna(""))
    return frame.assign(**{c: pd.concat(v, ignore_index=True).to_numpy() for c, v in out.items()})


def _split_list(t, column):
    """Explode a ;-separated column: (row position of each token, the tokens as a Series
    indexed by row label)."""
    values = t.col(column)
    rows, tokens = split_lists(values, LIST_SEPARATORS)
    return rows, tokens.set_axis(values.index[rows])


def _confidence(t, column):
    if column not in t.header and not t.defaults.get(column):
        return t.col(column)  # absent: empty everywhere, nothing to check
    values = t.col(column).str.lower()
    t.problems("bad-value", (values != "") & ~values.isin(CONFIDENCE), column,
               lambda v: f"{column} must be high, medium or low, got {v!r}")
    return values


def _flags(t):
    """The flags column as sorted canonical ids joined by ';', checking every word.

    A column holds few distinct cells ("规上;高新技术"): each is read once and its
    reading given to every row that holds it."""
    values = t.col("flags")
    cell, cells = pd.factorize(values)
    rows, tokens = split_lists(pd.Series(cells, dtype="str"), LIST_SEPARATORS)  # rows: distinct cells
    codes, words = pd.factorize(tokens)
    canon = [normalize_flag(w) for w in np.asarray(words, dtype=object)]
    unknown = [k for k, c in enumerate(canon) if c is None]
    if unknown:  # registries tag enterprises with many labels (瞪羚企业, A级纳税人): not flags chainkg uses
        tagged = np.zeros(len(cells) + 1, dtype=bool)  # the last: a missing cell
        tagged[rows[np.isin(codes, unknown)]] = True
        first = int(np.flatnonzero(tagged[cell])[0])
        in_cell = np.flatnonzero(rows == cell[first])
        word = words[codes[in_cell[np.isin(codes[in_cell], unknown)][0]]]
        t.report.warn("unused-value", f"{len(unknown)} tags are not flags chainkg uses (first {word!r}): left out "
                      "of flags; known: 规上, 专精特新, 小巨人, 高新技术, 上市, 科技型中小企业",
                      file=t.file, row=int(values.index[first]) + 2, column=t.header.get("flags"))
    names = sorted({c for c in canon if c})
    bit_of = np.array([1 << names.index(c) if c else 0 for c in canon] + [0], dtype=np.int64)
    bits = np.zeros(len(cells) + 1, dtype=np.int64)  # the last: a missing cell
    np.bitwise_or.at(bits, rows, bit_of[codes])
    patterns = np.array([";".join(f for i, f in enumerate(names) if b >> i & 1)
                         for b in range(1 << len(names))], dtype=object)
    return pd.Series(patterns[bits[cell]], index=values.index, dtype=object)


def _enterprises(t, regions, segments, sources, earlier=(), rules=None):
    names = t.col("name")
    t.problems("missing-value", names == "", "name", lambda v: "missing enterprise name")
    credit = registry.credit_ids(t)
    # Without an id column, ids are valid credit codes, else made from the name (and the
    # region, where the table gives one); with one, names only label duplicates.
    key = names if "id" in t.header or "credit_code" in t.header else names + "|" + t.col("region")
    ids = t.ids(key, "e", earlier, given=credit)
    region, region_source, region_confidence = registry.regions_of(t, regions)
    source, as_of = t.provenance(sources)

    flag_col = _flags(t)
    confidence = _confidence(t, "confidence")
    capital, currency = registry.capital(t)
    registration = registry.registration(t)

    enterprises = _frame(
        "enterprises", id=ids, name=names, region=region,
        flags=flag_col,
        output_cny=t.amounts("output_cny"), employees=t.counts("employees"),
        main_business=t.col("main_business"), confidence=confidence,
        region_source=region_source, region_confidence=region_confidence, source=source,
        as_of=as_of, credit_code=t.col("credit_code").where(t.col("credit_code") != "", None),
        address=registry.optional(t, "address"), industry=registry.industry(t),
        scope=registry.optional(t, "scope"), products=registry.optional(t, "products"),
        registered_capital=capital, capital_currency=currency, registration=registration)

    token_rows, tokens = _split_list(t, "segments")
    codes, resolved, errors = resolve_codes(tokens, segments)
    if errors:
        t.problems_at("unknown-segment", tokens[found_in(tokens, errors)], "segments",
                      reference_message(segments, errors))
    position = {}  # each segment named, once
    seg = np.array([position.setdefault(r, len(position)) if r is not None else -1 for r in resolved] + [-1])[codes]
    named = list(position)
    ok = seg >= 0
    rows = token_rows[ok]
    # A row naming a segment twice ("封测;封装测试") gives one membership.
    first = first_ints(rows * max(len(named), 1) + seg[ok])
    rows, kept = rows[first], np.flatnonzero(ok)[first]  # kept: the tokens kept, by position
    memberships = _frame("memberships", enterprise=ids.array.take(rows), segment=decode(seg[kept], named).array,
                         share=None, source=source.array.take(rows), as_of=as_of.array.take(rows),
                         method="given", evidence=tokens.array.take(kept),
                         confidence=confidence.array.take(rows))
    classified = registry.classified_memberships(enterprises, rows, rules)
    if classified is not None:
        memberships = pd.concat([memberships, classified[0]], ignore_index=True)
        enterprises["classification"] = classified[1]
    else:
        memberships.attrs["enterprise_rows"] = RowHint(rows)  # a hint for the queries; checked before use
    return enterprises, memberships


#: Words in an overrides row's segment cell that mean "in no segment".
NO_SEGMENT = ("", "无", "none", "-")


def _overrides(t, out, segments, enterprise_names):
    """A planner's corrections: for each enterprise named in ``overrides.csv``, its rows
    replace every classified membership (an empty segment, or 无, means none). Segments
    a table gives are facts, not classifications, and stay; such a row is a warning."""
    ents, mem = out["enterprises"], out["memberships"]
    enterprise = t.resolve("enterprise", enterprise_names, "enterprise")
    none = t.col("segment").str.lower().isin(NO_SEGMENT)
    segment = t.resolve("segment", segments, "segment", required=False, rows=~none)
    given = set(mem.loc[mem["method"] == "given", "enterprise"])
    stated = pd.Series(found_in(enterprise, given), index=enterprise.index)
    if stated.any():
        first = stated.idxmax()
        t.report.warn("overridden-given", f"{int(stated.sum())} overrides name enterprises whose segments the "
                      f"enterprise table gives (first {enterprise[first]!r}): a given segment is a fact and stays",
                      file=t.file, row=int(first) + 2, column=t.header.get("enterprise"))
    use = enterprise.notna() & ~stated
    chosen = set(enterprise[use])
    info = ents.set_index("id")[["source", "as_of"]]
    rows = use & segment.notna()
    note = t.col("note")
    manual = _frame("memberships", enterprise=enterprise[rows].to_numpy(), segment=segment[rows].to_numpy(),
                    share=None, source=info["source"].reindex(enterprise[rows]).to_numpy(),
                    as_of=info["as_of"].reindex(enterprise[rows]).to_numpy(), method="manual",
                    evidence=[f"{t.file} row {i + 2}" + (f": {n}" if n else "") for i, n in note[rows].items()],
                    confidence="high")
    kept = mem[~found_in(mem["enterprise"], chosen)]
    ents = ents.assign(classification=ents["classification"].where(~found_in(ents["id"], chosen), "manual"))
    return pd.concat([kept, manual], ignore_index=True), ents


def _projects(t, regions, segments, enterprises, sources):
    names = t.col("name")
    t.problems("missing-value", names == "", "name", lambda v: "missing project name")
    ids = t.ids(names, "p")
    status_raw = t.col("status")
    status = status_raw.map(lambda v: normalize_project_status(v) if v else None)
    t.problems("bad-value", status.isna(), "status",
               lambda v: f"unknown project status {v!r} (use 意向/签约/落地/在建/投产 or "
                         "intent/signed/landed/under_construction/in_production)")
    # A project's company need not be in the enterprise table: keep its name as written.
    company = t.col("enterprise")
    known, _ = enterprises.resolve_many(company)
    company = pd.Series(np.where(pd.isna(known), company.where(company != "", None), known),
                        index=company.index, dtype=object)
    source, as_of = t.provenance(sources)
    return _frame("projects", id=ids, name=names, enterprise=company,
                  region=t.resolve("region", regions, "region"),
                  segment=t.resolve("segment", segments, "segment", required=False),
                  investment_cny=t.amounts("investment_cny"), status=status,
                  **_project_dates(t, status), expected_output_cny=t.amounts("expected_output_cny"),
                  note=t.col("note"),
                  source=source, as_of=as_of)


#: The status from which each project date is a fact (None: always); before it, an expected date.
_DATE_HAPPENED_FROM = {"signed_on": None, "started_on": "under_construction",
                       "production_on": "in_production"}


def _project_dates(t, status):
    """Project dates in ISO spelling.

    A date the status says has passed (the signing; the start once under construction;
    production once in production) may be neither after the row's as_of nor after today.
    An expected date (投产 of a project still being built) may lie ahead.
    """
    stage = status.map({s: i for i, s in enumerate(PROJECT_STATUSES)}).astype(float)
    as_of, as_of_last = t.col("as_of"), t.periods("as_of")["last"]
    default = _quiet_period(t.defaults.get("as_of"))
    if default is not None:  # an empty as_of cell stands for the data's as_of
        as_of_last = as_of_last.fillna(pd.Timestamp(default.last))
        as_of = as_of.where(as_of != "", str(t.defaults["as_of"]))
    today = pd.Timestamp.today().normalize()
    out = {}
    for column, since in _DATE_HAPPENED_FROM.items():
        happened = stage >= PROJECT_STATUSES.index(since) if since else pd.Series(True, index=stage.index)
        out[column] = t.dates(column, may_be_future=~happened)
        first = t.periods(column)["first"]
        late = (happened & (first > as_of_last) & (first <= today)).to_numpy()
        cells = pd.Series(list(zip(t.col(column)[late], as_of[late])), index=t.df.index[late],
                          dtype=object)
        t.problems_at("bad-value", cells, column,
                      lambda c: f"date {c[0]!r} is after the data's as_of {c[1]!r}")
    return out


def _quiet_period(text):
    """The period ``text`` names, or None (a bad manifest value is reported where it is read)."""
    try:
        return value_rules.parse_date(text) if text else None
    except ValueError:
        return None


def read_table_for(graph, name, path, defaults=None):
    """Read one extra ``enterprises`` or ``projects`` table against an existing graph.

    References are resolved against the graph's regions, segments and enterprises.

    Returns
    -------
    dict of DataFrame
        ``{"enterprises": …, "memberships": …}`` or ``{"projects": …}``.

    Raises
    ------
    ValidationError
        Listing every problem in the file.
    """
    from pathlib import Path

    from chainkg.errors import DataError, ValidationError
    from chainkg.loaders.report import Report
    from chainkg.loaders.tables import read_table

    report = Report()
    path = Path(path)
    try:
        df, _ = read_table(path, report, table=name)
    except DataError as err:
        report.add("read", err.message, file=path.name, row=err.row, column=err.column)
        raise ValidationError(report) from err
    t = TableInput(name, path.name, df, {"defaults": dict(defaults or {})}, report)
    out = {}
    if t.ok:
        enterprises = EnterpriseIndex(graph.enterprises["id"], graph.enterprises["name"])
        if name == "projects":
            out["projects"] = _projects(t, graph.region_index, graph.segment_index, enterprises, None)
        elif name == "enterprises":
            out["enterprises"], out["memberships"] = _enterprises(t, graph.region_index,
                                                                  graph.segment_index, None)
        else:
            raise ValueError(f"cannot read an extra {name!r} table")
    if not report.valid:
        raise ValidationError(report)
    return out
