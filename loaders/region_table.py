"""The region table of a data directory: the embedded regions, with the directory's own added.

A data directory's ``regions.csv``, and the regions its manifest's imports bring, join the
embedded ones (the 梁平 dataset's ``regions.csv``: 中国, its provinces and the cities and
districts the embedded data names), so ``--region 梁平区`` answers whatever a directory
adds. Regions a table cites that neither holds join from the division table
(``chainkg/data/divisions/divisions.csv``), with their ancestors, as before.

- A row whose id the embedded regions or the division table already hold must agree with
  them on ``name``, ``level`` and ``parent``. One that does is accepted: it stands for the
  embedded row (its source, as-of and English name kept), with an empty ``level``,
  ``parent`` or ``name_en`` taken from the embedded row. One that does not is a
  ``region-conflict`` at its file, row and column: an id means one region everywhere.
- A parent only the division table holds joins with its ancestors, so one row adds a
  county (``500229,城口县,district,500000``).
- ``level`` is one of :data:`~chainkg.graph.schema.REGION_LEVELS`. A ``country`` is the top
  of the hierarchy and has no parent: a foreign country is a row like
  ``USA,United States,country,``, beside ``CN`` 中国; its provinces, cities or parks hang
  on it as China's hang on ``CN``.

Examples
--------
>>> from chainkg.graph.resolve import RegionIndex
>>> from chainkg.loaders.facts import TableInput
>>> from chainkg.loaders.report import Report
>>> report = Report()
>>> own = pd.DataFrame({"id": ["USA", "500155", "500229"], "name": ["United States", "梁平县", "城口县"],
...                     "level": ["country", "district", "district"], "parent": ["", "", "500000"],
...                     "source": ["mine"] * 3})
>>> table = merge_regions(embedded_part(report), [TableInput("regions", "regions.csv", own, {}, report)],
...                       RegionIndex())
>>> sorted(set(table["id"]) & {"CN", "USA", "500155", "500229"})
['500155', '500229', 'CN', 'USA']
>>> print(report.problems[0])
regions.csv:3:name: region '500155' is 梁平区 in the embedded regions, not '梁平县': an id means one region (use another id, or put another spelling in name_en)
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from chainkg.graph.codes import found_in
from chainkg.graph.resolve import normalize_name
from chainkg.graph.schema import REGION_LEVELS, TABLE_COLUMNS

__all__ = ["merge_regions", "sources_cited", "embedded_part", "embedded_region_ids",
           "EMBEDDED_REGIONS_LABEL"]

#: How problems and the file list name the embedded region table.
EMBEDDED_REGIONS_LABEL = "(embedded) regions.csv"

#: The columns a directory's row must agree on with the embedded row of the same id.
AGREED = ("name", "level", "parent")


def _embedded_path():
    from chainkg.loaders.datadir import embedded_data_dir

    return embedded_data_dir() / "regions.csv"


def embedded_part(report):
    """The embedded region table as a part to merge (problems, if any, go to ``report``)."""
    from chainkg.loaders.facts import TableInput
    from chainkg.loaders.tables import read_table

    df, _ = read_table(_embedded_path(), report, file=EMBEDDED_REGIONS_LABEL, table="regions")
    return TableInput("regions", EMBEDDED_REGIONS_LABEL, df, {}, report)


@lru_cache(maxsize=1)
def embedded_region_ids():
    """The ids of the embedded regions (a frozenset)."""
    return frozenset(pd.read_csv(_embedded_path(), dtype=str, keep_default_na=False)["id"])


def merge_regions(base, parts, index):
    """The region table of ``base`` (the embedded part, or None) with ``parts`` added.

    Parameters
    ----------
    base : TableInput or None
        The embedded regions; None when the directory read is the embedded one.
    parts : list of TableInput
        The directory's own region table, then each import's, checked where they came from.
    index : RegionIndex
        Receives every region by id, name and English name.

    Returns
    -------
    DataFrame
        The regions, schema columns; problems are reported to each part's report.
    """
    parents = {}  # id -> parent of every row so far, for the hierarchy checks
    frames, earlier = [], []
    if base is not None:
        ids = base.ids(base.col("name"), "r")
        frames.append(_rows(base, ids, _cells(base, ids), index, parents))
    reference = _reference(frames[0] if frames else None)
    agreed = set()
    for t in parts:
        ids = t.ids(t.col("name"), "r", earlier)
        cells = _cells(t, ids, reference)
        joined = _division_parents(cells["parent"], ids, parents, reference)
        if joined is not None:
            frames.append(_rows_of(joined, index, parents))
        _warn_shared_names(t, ids, index, reference)
        frame = _rows(t, ids, cells, index, parents)
        agreed |= _check_agreement(t, frame, reference)
        frames.append(frame)
        earlier.append((t, ids))
    if base is not None and agreed:
        frames[0] = frames[0][~found_in(frames[0]["id"], agreed)]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


@lru_cache(maxsize=1)
def _division_rows():
    """The division table's rows by id (read as a plain table: indexing names for inference
    is not needed here)."""
    from importlib import resources

    path = resources.files("chainkg") / "data" / "divisions" / "divisions.csv"
    with resources.as_file(path) as f:
        return pd.read_csv(f, dtype=str, keep_default_na=False).set_index("id")


def _reference(embedded):
    """Name, level, parent, English name and where it is said, of every embedded and division id."""
    cols = ["name", "level", "parent", "name_en"]
    rows = []
    if embedded is not None:
        rows.append(embedded.set_index("id")[cols].fillna("").assign(where="the embedded regions"))
    d = _division_rows()
    rows.append(d[["name", "level", "parent"]].assign(name_en="", where="the division table"))
    ref = pd.concat(rows)
    return ref[~ref.index.duplicated(keep="first")]


def _division_parents(parent, ids, parents, reference):
    """A frame of the parents named that only the division table holds, with their missing
    ancestors; None when there are none."""
    from chainkg.loaders.importing import inferred_regions_for

    named = set(parent) - {""} - set(parents) - set(ids)
    wanted = {p for p in named if reference["where"].get(p) == "the division table"}
    extra = inferred_regions_for(wanted, set(parents) | set(ids)) if wanted else []
    return pd.DataFrame(extra) if extra else None


def _rows_of(rows, index, parents):
    """A region frame of trusted rows (from the division table), indexed."""
    for rid, name, level, parent in zip(rows["id"], rows["name"], rows["level"], rows["parent"]):
        index.add(rid, [name], level=level)
        parents[rid] = parent
    return pd.DataFrame({c: rows[c] if c in rows else None for c in TABLE_COLUMNS["regions"]})


def _cells(t, ids, fill=None):
    """The level, parent and English name of each row; ``fill`` (the reference of
    :func:`_reference`) gives rows whose id it holds their empty ones."""
    cells = {c: t.col(c) for c in ("level", "parent", "name_en")}
    if fill is not None:
        known = found_in(ids, fill.index)
        for column, values in cells.items():
            take = known & (values == "")
            if take.any():
                cells[column] = values.where(~take, ids.map(fill[column]))
    return cells


def _rows(t, ids, cells, index, parents):
    """The regions of one part, checked; ``parents`` gathers those of every part so far."""
    names, level, parent, name_en = t.col("name"), cells["level"], cells["parent"], cells["name_en"]
    t.problems("missing-value", names == "", "name", lambda v: "missing region name")
    t.problems("bad-value", (level != "") & ~level.isin(REGION_LEVELS), "level",
               lambda v: f"unknown region level {v!r} (one of {', '.join(REGION_LEVELS)})")
    t.problems("bad-value", (level == "country") & (parent != ""), "parent",
               lambda v: f"a country has no parent (countries are the top of the region hierarchy), "
                         f"not {v!r}")
    parents.update(zip(ids, parent))
    t.problems("unknown-region", (parent != "") & ~found_in(parent, list(parents)), "parent",
               lambda v: f"unknown parent region {v!r}")
    for idx, rid in ids.items():
        seen, node = set(), rid
        while node in parents and parents[node] and node not in seen:
            seen.add(node)
            node = parents[node]
        if node == rid and seen:
            t.problem("cycle", idx, "parent", f"region hierarchy cycle through {rid!r}")
    for rid, name, english, what in zip(ids, names, name_en, level):
        index.add(rid, [name, english], level=what)
    source, as_of = t.provenance(None)
    return pd.DataFrame({"id": ids, "name": names, "name_en": name_en, "level": level,
                         "parent": parent.where(parent != "", None), "source": source,
                         "as_of": as_of})[TABLE_COLUMNS["regions"]]


def _check_agreement(t, frame, reference):
    """Report each row that says otherwise than the embedded row of its id; return the ids
    of the rows that agree (they stand for the embedded rows)."""
    ids = frame["id"]
    known = found_in(ids, reference.index)
    if not known.any():
        return set()
    ref = reference.reindex(ids[known])
    ref.index = ids[known].index
    bad = pd.Series(False, index=ids.index)
    for column in AGREED:
        mine = frame.loc[known, column].fillna("").astype(str)
        theirs = ref[column].fillna("").astype(str)
        differs = (mine != "") & (mine != theirs)
        if column == "level":
            differs &= mine.isin(REGION_LEVELS)  # an unknown level is reported already
        for idx in differs[differs].index:
            t.problem("region-conflict", idx, column,
                      _conflict_message(column, ids[idx], mine[idx], ref.loc[idx], reference))
        bad |= differs.reindex(ids.index, fill_value=False)
    return set(ids[known & ~bad])


def _conflict_message(column, rid, mine, ref, reference):
    where = ref["where"]
    if column == "name":
        said = f"is {ref['name']} in {where}, not {mine!r}"
        fix = "use another id, or put another spelling in name_en"
    elif column == "level":
        said = f"is a {ref['level']} in {where}, not a {mine}"
        fix = "use another id"
    else:
        parent = ref["parent"]
        said = (f"has no parent in {where}, not {mine!r}" if not parent else
                f"lies in {reference['name'].get(parent, parent)} {parent} in {where}, not in {mine!r}")
        fix = "use another id, or leave parent empty to take the embedded one"
    return f"region {rid!r} {said}: an id means one region ({fix})"


def _warn_shared_names(t, ids, index, reference):
    """Warn of a new region named like an embedded one: that name then means two regions."""
    new = ~found_in(ids, reference.index)
    if not new.any():
        return
    names = t.col("name")
    for idx in ids[new].index:
        others = sorted(i for i in index.lookup(names[idx]) if i != ids[idx] and i in reference.index)
        if others and normalize_name(names[idx]) != normalize_name(ids[idx]):
            t.report.warn("shared-region-name",
                          f"region {ids[idx]!r} is named {names[idx]!r} like {', '.join(others)} in "
                          f"{reference['where'][others[0]]}: that name now means both, so tables and "
                          "--region must give the id", file=t.file, row=int(idx) + 2,
                          column=t.header.get("name", "name"))


def sources_cited(regions, sources):
    """``sources`` with the rows of the embedded sources (or the division table's) that
    ``regions`` cites and it lacks: the embedded regions cite them wherever they join."""
    from chainkg.loaders.datadir import embedded_data_dir
    from chainkg.loaders.regions_infer import DIVISIONS_SOURCE

    missing = set(regions["source"].dropna()) - set(sources["id"]) - {""}
    if not missing:
        return sources
    embedded = pd.read_csv(embedded_data_dir() / "sources.csv", dtype=str, keep_default_na=False)
    rows = pd.concat([embedded, pd.DataFrame([DIVISIONS_SOURCE])], ignore_index=True)
    rows = rows[found_in(rows["id"], missing)].drop_duplicates("id")
    if rows.empty:
        return sources
    rows = rows.reindex(columns=sources.columns)
    return pd.concat([sources, rows.astype(object).where(rows.notna(), None)], ignore_index=True)
