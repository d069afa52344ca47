"""What an import produced, and writing it out as a chainkg data directory.

Importers (:mod:`~chainkg.loaders.ckg`, :mod:`~chainkg.loaders.mapping`) turn data in
someone else's shape into schema tables and an :class:`ImportResult`: the tables, the
sources they cite, and a report of what was loaded, merged and skipped and why.
:func:`write_data_dir` writes a data directory (manifest, tables, ``sources.csv`` and,
when the import gives regions or inferred regions need them, ``regions.csv``) into a
temporary directory, loads it with :func:`chainkg.load` to prove it works, and only then
renames it into place, so a failed import leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import yaml


__all__ = ["ImportResult", "write_data_dir", "summary_frame", "skipped_frame", "inferred_regions",
           "inferred_regions_for"]

SUMMARY_COLUMNS = ["step", "count"]
SKIPPED_COLUMNS = ["file", "line", "reason", "value"]


def summary_frame(rows):
    """A summary table from (step, count) pairs."""
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def skipped_frame(rows):
    """A table of skipped input from (file, line, reason, value) tuples."""
    return pd.DataFrame(rows, columns=SKIPPED_COLUMNS)


@dataclass
class ImportResult:
    """Tables in chainkg's schema, the sources they cite and a report of the import.

    ``data`` maps table names (``enterprises``, ``projects``, ``links``, ``presence``,
    ``regions``) to DataFrames with schema headers. ``summary`` counts what was loaded,
    merged and skipped; ``skipped`` lists each skipped input with its reason;
    ``regions_inferred`` lists region inferences that were ambiguous or left out;
    ``renamed``, where an importer knows of renames, the companies kept under a new name
    (reported beside ``skipped``). ``memberships``, where an importer gives one, says per
    enterprise and segment how the membership was found (``method``, ``evidence``,
    ``confidence``); the data directory does not hold these yet. ``chains``, where the
    import defines chains of its own, maps each template's file in the directory
    (``ID.chain.yaml``, listed in the manifest's ``chains``) to the template (a dict);
    without one the directory uses the embedded templates.

    Examples
    --------
    >>> r = ImportResult("demo", as_of="2025", summary=summary_frame([("rows read", 3)]))
    >>> sorted(r.tables())
    ['regions_inferred', 'skipped', 'summary']
    """

    name: str
    description: str = ""
    as_of: str = ""
    data: dict = field(default_factory=dict)
    sources: list = field(default_factory=list)
    summary: pd.DataFrame = field(default_factory=lambda: summary_frame([]))
    skipped: pd.DataFrame = field(default_factory=lambda: skipped_frame([]))
    regions_inferred: pd.DataFrame = field(default_factory=pd.DataFrame)
    renamed: pd.DataFrame | None = None
    memberships: pd.DataFrame | None = None
    chains: dict = field(default_factory=dict)
    written_to: str | None = None

    def tables(self):
        renamed = {} if self.renamed is None else {"renamed": self.renamed}
        return {"summary": self.summary, "skipped": self.skipped, **renamed,
                "regions_inferred": self.regions_inferred}

    def to_dict(self):
        return {"name": self.name, "as_of": self.as_of, "written_to": self.written_to,
                **{k: v.to_dict("records") for k, v in self.tables().items()},
                "tables": {k: len(v) for k, v in self.data.items()}, "chains": sorted(self.chains)}


def inferred_regions(result, known):
    """Rows (dicts) of every region ``result`` cites that ``known`` (ids) lacks, with the
    ancestors it lacks too, from the division table and citing it."""
    wanted = set()
    for df in result.data.values():
        if "region" in df:
            wanted |= set(df["region"].dropna().astype(str)) - {""}
    return inferred_regions_for(wanted, known)


def inferred_regions_for(wanted, known):
    """Rows (dicts) of the regions ``wanted`` that ``known`` lacks, with their missing
    ancestors, from the division table and citing it."""
    from chainkg.loaders.regions_infer import DIVISIONS_SOURCE, divisions

    known, extra = set(known), []
    lacking = sorted(set(map(str, wanted)) - known - {""})
    table = divisions() if lacking else None  # its index is built only when needed
    for rid in lacking:
        for row in table.lineage(rid) if rid in table else []:
            if row["id"] not in known:
                known.add(row["id"])
                extra.append({**row, "source": DIVISIONS_SOURCE["id"], "as_of": DIVISIONS_SOURCE["as_of"]})
    return extra


def _regions_table(result):
    """The regions ``result`` gives, then every inferred region (and its ancestors) that
    they and the embedded regions lack, which a loaded directory adds to the embedded
    ones; (None, False) when there are none. The second value says whether the division
    table was used."""
    from chainkg.loaders.region_table import embedded_region_ids

    own = result.data.get("regions")
    known = set(embedded_region_ids()) | (set(own["id"]) if own is not None and "id" in own else set())
    extra = inferred_regions(result, known)
    parts = [df for df in (own, pd.DataFrame(extra) if extra else None) if df is not None and len(df)]
    if not parts:
        return None, False
    return pd.concat(parts, ignore_index=True).fillna(""), bool(extra)


def _sources_table(result, uses_divisions):
    from chainkg.loaders.datadir import embedded_data_dir
    from chainkg.loaders.regions_infer import DIVISIONS_SOURCE

    embedded = pd.read_csv(embedded_data_dir() / "sources.csv", dtype=str, keep_default_na=False)
    rows = list(result.sources) + ([DIVISIONS_SOURCE] if uses_divisions else [])
    # Embedded regions and chain templates cite these; keep them listed.
    rows += embedded[embedded["id"].isin(["admin-codes", "chainkg-template"])].to_dict("records")
    return pd.DataFrame(rows).drop_duplicates("id").fillna("")


def write_data_dir(result, out, *, home_region=None, force=False):
    """Write ``result`` as a data directory at ``out``, atomically, and check it loads.

    Parameters
    ----------
    result : ImportResult
    out : str or Path
        The directory to create.
    home_region : str, optional
        Written to the manifest as the default region of queries.
    force : bool
        Replace ``out`` when it holds an earlier import and nothing else (see
        :func:`chainkg.outdir.write_owned_dir`).

    Raises
    ------
    ExportError
        When ``out`` may not be replaced or cannot be written.
    ValidationError
        When the written directory does not load; nothing is left at ``out``.
    """
    from chainkg.loaders.datadir import MANIFEST_NAME, load

    from chainkg.outdir import write_owned_dir

    def fill(tmp):
        regions, uses_divisions = _regions_table(result)
        manifest = {"name": result.name, "description": result.description, "as_of": result.as_of}
        if home_region:
            manifest["home_region"] = str(home_region)
        if result.chains:  # files beside the tables: an output directory holds no subdirectory
            manifest["chains"] = sorted(result.chains)
        (tmp / MANIFEST_NAME).write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
        tables = {**result.data, "sources": _sources_table(result, uses_divisions)}
        if regions is not None:
            tables["regions"] = regions
        for name, df in tables.items():
            df.to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n")
        for name, template in result.chains.items():
            (tmp / name).write_text(yaml.safe_dump(template, allow_unicode=True, sort_keys=False),
                                    encoding="utf-8")
        load(tmp)

    write_owned_dir(out, fill, what="chainkg data directory (import)", replace=force, option="--force")
    result.written_to = str(out)
    return result
