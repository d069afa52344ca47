"""Datasets a data directory's manifest imports: their rows join the directory's own.

::

    # chainkg.yaml
    imports:
      - {format: ckg, path: ckg/data, mapping: my_mapping.yaml}   # mapping optional
      - {format: table, mapping: supply/mapping.yaml}              # a table mapping file

An import is read as ``chainkg import`` reads it (``ckg``: :func:`~chainkg.loaders.ckg.read_ckg`
through ``mapping``, or through the embedded Shenwan mapping cut down to the directory's
segments). Its enterprises join the directory's; the sources it cites join ``sources``
when the directory has that table; the regions it inferred that the directory's and the
embedded regions lack join them, with their parents, from the division table. All are then checked like the
directory's own rows, with problems located at the import (``ckg/data (ckg import)``,
rows counted in its enterprise table): an id in both is a duplicate.

A ``table`` import reads a mapping file (:func:`~chainkg.loaders.mapping.read_mapped_tables`)
as ``chainkg import table`` does: its enterprises, memberships and regions join the
directory's, and a chain it defines joins the directory's chains (an id in both is a
duplicate); problems in its rows are located at its original files, rows and headers
(``provision.csv:2:provided_id``). Its other kinds (links, projects, presence) are not read in place: import
the mapping with ``chainkg import table`` for them.
"""

from __future__ import annotations

import pandas as pd

from chainkg.errors import DataError
from chainkg.graph.codes import found_in
from chainkg.graph.shapes import Text
from chainkg.loaders.facts import TableInput
from chainkg.loaders.importing import inferred_regions
from chainkg.loaders.report import Report

__all__ = ["read_imports", "IMPORT_FORMATS"]

IMPORT_FORMATS = ("ckg", "table")
#: The tables a ``table`` import adds to the directory's.
TABLE_IMPORT_KINDS = ("enterprises", "memberships", "regions")
IMPORT_KEYS = ("format", "path", "mapping", "as_of")


def read_imports(paths, manifest, chains, raw, report, *, progress=None, relocations=None):
    """The tables {name: [(file, DataFrame)]} the manifest's ``imports`` add to a directory.

    Parameters
    ----------
    paths : DataPaths
        The data directory; import paths are relative to it and must resolve inside it
        (or inside a directory the user allowed), as must the files they hold.
    manifest : dict
    chains : list of Chain
        The directory's chains: a mapping must name their segments. A chain a ``table``
        import defines is appended to it.
    raw : dict
        The directory's own tables {name: (file, DataFrame)}; sources and regions in them
        are not added again.
    report : Report
        Receives a problem for each bad entry, at its YAML path (``imports[0].format``).
    progress : callable, optional
        Called with each import's label before it is read.
    relocations : dict, optional
        Receives {label: (ImportResult, table name)} of each table a ``table`` import
        adds, for :func:`~chainkg.loaders.mapping.relocate` to point the problems found
        in it back at the original files.
    """
    from chainkg.loaders.datadir import MANIFEST_NAME, embedded_data_dir
    from chainkg.loaders.region_table import embedded_region_ids
    from chainkg.loaders.regions_infer import DIVISIONS_SOURCE

    entries = manifest.get("imports")
    if entries is None:
        return {}
    if not isinstance(entries, list):
        report.add("schema", "imports must be a list of {format, path, mapping}", file=MANIFEST_NAME,
                   path="imports")
        return {}
    known = {name: _own_ids(raw, name, manifest) for name in ("sources", "regions")}
    if paths.root != embedded_data_dir():  # the embedded regions are the directory's too
        known["regions"] |= embedded_region_ids()
    out = {}
    for i, entry in enumerate(entries):
        read = _read_entry(paths, entry, f"imports[{i}]", chains, report, progress)
        if read is None:
            continue
        label, result = read
        _add_chains(chains, result, label, report)
        tables = {k: result.data[k] for k in TABLE_IMPORT_KINDS if k in result.data and k != "regions"}
        if "enterprises" not in tables:
            continue
        report.files.append(f"{label[:-1]}, {len(tables['enterprises'])} enterprises)")
        own = result.data.get("regions")
        own = own[~found_in(own["id"], known["regions"])] if own is not None else pd.DataFrame(columns=["id"])
        added = pd.DataFrame(inferred_regions(result, known["regions"] | set(own["id"])))
        parts = [df for df in (own, added) if len(df)]
        tables["regions"] = pd.concat(parts, ignore_index=True) if parts else added
        if "sources" in raw:  # without it no source is checked, and adding one would start that
            cited = result.sources + ([DIVISIONS_SOURCE] if len(tables.get("regions", ())) else [])
            tables["sources"] = pd.DataFrame([s for s in cited if s["id"] not in known["sources"]])
        for name, df in tables.items():
            if len(df):
                part = label
                if entry.get("format") == "table" and name in result.origins:
                    part = f"{label[:-1]}: {name})"
                    if relocations is not None:
                        relocations[part] = (result, name)
                out.setdefault(name, []).append((part, df.fillna("").astype(str)))
                if name in known:
                    known[name].update(df["id"])
    return out


def _add_chains(chains, result, label, report):
    """Append the chains ``result`` defines to ``chains``; one with an id already there is reported."""
    from chainkg.loaders.template import parse_chain_template

    for name, template in result.chains.items():
        chain = parse_chain_template(template, report, file=f"{label}: {name}")
        if chain is None:
            continue
        if chain.id in {c.id for c in chains}:
            report.add("duplicate-id", f"duplicate chain id {chain.id!r}", file=label, path="chain.id")
        else:
            chains.append(chain)


def _own_ids(raw, name, manifest):
    """The ids in the directory's own ``name`` table."""
    if name not in raw:
        return set()
    t = TableInput(name, *raw[name], manifest, Report())
    return set(t.col("id")) if "id" in t.header else set()


def _outside(paths, entry):
    """The message for the first path of ``entry`` (or file in its directory) that leaves the
    allowed directories, with the key it is at; None when all stay inside."""
    for key in ("path", "mapping"):
        message = entry.get(key) and paths.outside(entry[key])
        if message:
            return message, key
    directory = paths / entry["path"] if entry.get("path") else None
    for f in sorted(directory.iterdir()) if directory and directory.is_dir() else ():
        message = paths.outside(f"{entry['path']}/{f.name}")
        if message:
            return message, "path"
    return None


def _read_table_entry(root, entry, report, problem, start, progress):
    """(label, ImportResult) of a ``table`` import, or None when it has problems (reported)."""
    from chainkg.errors import ValidationError
    from chainkg.loaders.mapping import read_mapped_tables

    mapping = entry.get("mapping")
    if not mapping:
        problem("schema", "missing mapping: the table mapping file, relative to this directory", "mapping")
    elif not (root / str(mapping)).is_file():
        problem("missing-file", f"mapping {mapping!r} not found", "mapping")
    if report.count > start:
        return None
    label = f"{mapping} (table import)"
    if progress:
        progress(label)
    try:
        return label, read_mapped_tables(root / str(mapping))
    except ValidationError as err:
        for p in err.report.problems:
            report.add(p.type, p.message, file=p.file, row=p.row, column=p.column, path=p.path)
        return None
    except DataError as err:
        problem("read", str(err), "mapping")
        return None


def _read_entry(paths, entry, where, chains, report, progress):
    """(label, ImportResult) of one ``imports`` entry, or None when it has problems (reported).

    The directory's own chain templates give the words that place products below the
    Shenwan segments."""
    from chainkg.loaders.ckg import read_ckg
    from chainkg.loaders.datadir import MANIFEST_NAME
    from chainkg.loaders.industry_map import load_industry_mapping

    def problem(type, message, key=None):
        report.add(type, message, file=MANIFEST_NAME, path=f"{where}.{key}" if key else where)

    segments = {s.id for c in chains for s in c.segments}

    if not isinstance(entry, dict):
        problem("schema", "an import must be a mapping: {format: ckg, path: DIR, mapping: FILE}")
        return None
    start = report.count
    for key in sorted(set(entry) - set(IMPORT_KEYS), key=str):
        problem("schema", f"unknown key {key!r} (allowed: {', '.join(IMPORT_KEYS)})", key)
    typed = report.count
    for key in ("path", "mapping", "as_of"):
        if key in entry:
            Text().check(entry[key], key, lambda key, message: problem("schema", message, key))
    if report.count > typed:  # a list or mapping where a name belongs: nothing more to check
        return None
    if entry.get("format") not in IMPORT_FORMATS:
        problem("schema", f"unknown import format {entry.get('format')!r} "
                f"(known: {', '.join(IMPORT_FORMATS)})", "format")
    outside = _outside(paths, entry)
    if outside:
        problem("outside-path", *outside)
        return None
    root = paths.root
    path, mapping = root / str(entry.get("path") or ""), entry.get("mapping")
    if entry.get("format") == "table":
        return _read_table_entry(root, entry, report, problem, start, progress)
    if not entry.get("path"):
        problem("schema", "missing path: the dataset's directory, relative to this one", "path")
    elif not path.is_dir():
        problem("missing-file", f"directory {entry['path']!r} not found", "path")
    if mapping and not (root / str(mapping)).is_file():
        problem("missing-file", f"mapping {mapping!r} not found", "mapping")
    if report.count > start:
        return None
    label = f"{entry['path']} ({entry['format']} import)"
    if progress:
        progress(label)
    try:
        mapping = load_industry_mapping(root / str(mapping), segments) if mapping \
            else load_industry_mapping().restricted_to(segments)
    except DataError as err:
        problem("schema", str(err), "mapping")
        return None
    try:
        return label, read_ckg(path, mapping=mapping, segments=segments, chains=chains,
                               as_of=str(entry["as_of"]) if entry.get("as_of") else None)
    except DataError as err:
        inside = f"{err.file}: " if err.file not in (None, str(path)) else ""
        problem("read", f"{inside}{err.message}", "path")
        return None
