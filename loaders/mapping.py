"""Node and edge tables in any shape, mapped onto chainkg's kinds by a mapping file.

A mapping file (YAML) names each table (CSV in any encoding Excel writes, or XLSX),
the kind of rows it holds, which column means what, and which values mean which::

    name: 某供应链数据库
    source: scdb-2025                      # the source id every row cites
    title: 某供应链数据库导出                 # its title in sources.csv
    as_of: "2025-06"
    tables:
      - file: 企业.xlsx
        kind: enterprises                  # enterprises | memberships | links | projects | presence | regions
                                           # | segments | supplies (a chain: loaders/mapped_chain.py)
        columns: {企业ID: id, 公司: name, 城市: region, 信用代码: credit_code, 地址: address}
      - file: 企业环节.csv                  # an edge table: enterprise -> segment
        kind: memberships
        columns: {企业ID: enterprise, 环节: segment, 占比: share}   # also negligible (yes/no)
        values:
          segment: {晶圆代工: ic.fabrication.foundry}
      - file: 供货.csv
        kind: links
        columns: {供方: supplier, 需方: customer, 产品: product}
      - file: 项目.csv
        kind: projects
        columns: {项目: name, 企业: enterprise, 区县: region, 金额: investment_cny, 进展: status}
        values:
          status: {洽谈中: intent, 已开工: under_construction}
      - file: 国家.csv                      # regions beyond the embedded ones: foreign countries
        kind: regions
        columns: {代码: id, 国家: name, 英文名: name_en, 级别: level, 上级: parent}
        values:
          level: {国家: country}

Table files must lie in the mapping file's directory or below it (links followed).
A ``regions`` table joins the embedded regions as a data directory's ``regions.csv`` does
(see :mod:`~chainkg.loaders.region_table`): a foreign country is a row with level
``country`` and no parent, and enterprises name it by id or name. Enterprises without a
region get one inferred from ``credit_code``, ``address`` or
``name`` (see :mod:`~chainkg.loaders.regions_infer`). A ``memberships`` table becomes the
directory's ``memberships.csv``, shares and all (see :mod:`~chainkg.loaders.memberships`);
rows naming an enterprise the enterprise table lacks are skipped and listed. A ``chain``
with ``segments`` and ``supplies`` tables is described in :mod:`~chainkg.loaders.mapped_chain`.

Every problem of the mapping file (at its YAML path) and of the tables (at file, row and
original header) is collected before anything is written; so are the problems found when
the result is loaded, located back at the row and column of the original file.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from chainkg.errors import DataError, ValidationError
from chainkg.graph.codes import found_in
from chainkg.graph.schema import TABLE_COLUMNS
from chainkg.graph.shapes import Any, Fields, MapOf, Text
from chainkg.loaders.importing import ImportResult, skipped_frame, summary_frame, write_data_dir
from chainkg.loaders.mapped_chain import SEGMENT_COLUMNS, SUPPLY_COLUMNS, mapped_chain
from chainkg.loaders.paths import DataPaths
from chainkg.loaders.regions_infer import divisions, infer_regions
from chainkg.loaders.report import Report
from chainkg.loaders.tables import read_table
from chainkg.loaders.template import ID_PATTERN
from chainkg.loaders.yamlfile import read_yaml

__all__ = ["read_mapped_tables", "import_mapped_tables", "relocate", "mapped_files", "KINDS"]

#: Columns a mapping may name, per kind (beyond the kind's schema columns).
KINDS = {
    "enterprises": TABLE_COLUMNS["enterprises"] + ["segments"],
    "memberships": ["enterprise", "segment", "share", "negligible"],
    "links": TABLE_COLUMNS["links"],
    "projects": TABLE_COLUMNS["projects"],
    "presence": TABLE_COLUMNS["presence"],
    "regions": [c for c in TABLE_COLUMNS["regions"] if c not in ("source", "as_of")],
    "segments": SEGMENT_COLUMNS,
    "supplies": SUPPLY_COLUMNS,
}

#: The keys of a ``tables`` entry; column targets are checked per kind in :func:`_spec`.
TABLE_SHAPE = Fields({"file": Text(), "kind": Any(), "columns": MapOf(Text(), Any()),
                      "values": MapOf(Text(), MapOf(Text(), Text()))})


CHAIN_SHAPE = Fields({"id": Text(), "name": Text(), "name_en": Text(), "description": Text()}, what="chain key")
SPEC_SHAPE = Fields({"name": Text(), "description": Text(), "source": Text(), "title": Text(), "as_of": Text(),
                     "chain": CHAIN_SHAPE, "tables": Any()}, what="mapping key")


def _spec(mapping_path, report):
    """The mapping file's contents, with every problem in it added to ``report``."""
    file = mapping_path.name
    data = read_yaml(mapping_path, report, file)
    if not report.valid:
        return None

    def problem(path, message):
        report.add("schema", message, file=file, path=path or None)

    if not isinstance(data, dict) or not isinstance(data.get("tables"), list) or not data["tables"]:
        problem("tables", "a mapping file needs 'tables': a list of {file, kind, columns}")
        return None
    SPEC_SHAPE.check(data, "", problem)
    for key in ("source", "as_of"):
        if not data.get(key):
            problem(key, f"missing {key!r}: every fact needs a source and an as-of date")
    kinds = [t.get("kind") if isinstance(t, dict) else None for t in data["tables"]]
    chain = data.get("chain")
    if ("segments" in kinds or "supplies" in kinds) and not isinstance(chain, dict):
        problem("chain", "segments and supplies tables make a chain: name it with chain: {id, name}")
    if isinstance(chain, dict):
        if "segments" not in kinds:
            problem("chain", "a chain needs a segments table (kind: segments)")
        if not ID_PATTERN.match(str(chain.get("id") or "")):
            problem("chain.id", f"chain id must match [a-z0-9_]+, got {chain.get('id')!r}")
        if not chain.get("name"):
            problem("chain.name", "missing chain name")
    for i, t in enumerate(data["tables"]):
        where = f"tables[{i}]"
        if not isinstance(t, dict) or not t.get("file") or t.get("kind") not in KINDS:
            problem(where, f"needs file and kind (one of {', '.join(KINDS)})")
            continue
        TABLE_SHAPE.check(t, where, problem)
        for header, column in (t.get("columns") or {}).items() if isinstance(t.get("columns"), dict) else ():
            if column not in KINDS[t["kind"]]:
                problem(f"{where}.columns.{header}", f"{column!r} is not a column of {t['kind']} "
                                                     f"(one of {', '.join(KINDS[t['kind']])})")
    return data


def mapped_files(mapping_path):
    """The table files a mapping file names that exist beside it (what reading it opens)."""
    mapping_path = Path(mapping_path)
    spec = _spec(mapping_path, Report())
    tables_dir = DataPaths(mapping_path.parent)
    return [tables_dir / t["file"] for t in (spec or {}).get("tables", ())
            if isinstance(t, dict) and isinstance(t.get("file"), str) and not tables_dir.outside(t["file"])
            and (tables_dir / t["file"]).is_file()]


def _read(mapping_path, i, t, counts, report):
    """One mapped table: schema columns, values translated, with each row's origin; None
    (with the problem reported) when the file cannot be read as the mapping says."""
    tables_dir = DataPaths(mapping_path.parent, where="the mapping file's directory",
                           hint="keep the tables beside the mapping file")
    outside = tables_dir.outside(t["file"])
    if outside:
        report.add("outside-path", outside, file=mapping_path.name, path=f"tables[{i}].file")
        return None
    path = tables_dir / t["file"]
    try:
        df, fmt = read_table(path)
    except DataError as err:
        report.add("read", err.message, file=err.file or path.name, row=err.row, column=err.column)
        return None
    columns = {str(k): v for k, v in (t.get("columns") or {}).items()}
    missing = [h for h in columns if h not in df.columns]
    for header in missing:
        report.add("missing-column", f"column {header!r} named in the mapping (tables[{i}].columns) is not "
                   f"in the file (its columns: {', '.join(map(str, df.columns))})", file=path.name, row=1)
    if missing:
        return None
    out = pd.DataFrame({col: df[h].astype(str).str.strip() for h, col in columns.items()})
    for col, table in (t.get("values") or {}).items():
        if col in out:
            table = {str(k): str(v) for k, v in table.items()}
            counts[f"{path.name}: {col} values translated"] += int(out[col].isin(table).sum())
            out[col] = out[col].map(lambda v: table.get(v, v))
    counts[f"{path.name} ({fmt}) rows read"] = len(out)
    origin = pd.DataFrame({"file": path.name, "row": range(2, len(out) + 2)})
    return out, origin, {col: h for h, col in columns.items()}


def _memberships(enterprises, memberships, skipped):
    """The rows of an enterprise -> segment edge table whose enterprise is in the enterprise table."""
    ids = enterprises["id"] if "id" in enterprises else enterprises["name"]
    unknown = ~found_in(memberships["enterprise"], ids)
    for _, row in memberships[unknown].iterrows():
        skipped.append((row["_file"], row["_row"], "enterprise not in the enterprise table",
                        row["enterprise"]))
    return memberships[~unknown].reset_index(drop=True)


def _region_codes(df):
    """Region cells that name a division (江苏省南通市, 南通市) become its code; others stay."""
    given = df["region"] != ""
    as_code = infer_regions(df.loc[given].assign(_r=df.loc[given, "region"]), address="_r")
    df.loc[given, "region"] = as_code["region"].where(as_code["region"].notna(), df.loc[given, "region"])
    return given


def _regions(enterprises, counts):
    """Region cells as division codes; missing regions inferred from code, address or name."""
    if "region" not in enterprises:
        enterprises["region"] = ""
    table = divisions()
    given = _region_codes(enterprises)
    enterprises.loc[given & enterprises["region"].map(lambda r: r in table), "region_source"] = "table"
    evidence = {k: k for k in ("credit_code", "address", "name") if k in enterprises}
    guess = infer_regions(enterprises.loc[~given], **evidence)
    found = guess["region"].notna()
    for col in ("region", "region_source", "region_confidence"):
        enterprises.loc[guess.index[found], col] = guess.loc[found, col]
    counts["enterprise regions given"] = int(given.sum())
    counts["enterprise regions inferred"] = int(found.sum())
    counts["enterprise regions not inferable"] = int((~found).sum())
    noted = guess["region_note"] != ""
    return pd.DataFrame({"enterprise": enterprises.loc[guess.index[noted], "name"],
                         "region": guess.loc[noted, "region"], "note": guess.loc[noted, "region_note"]})


def read_mapped_tables(mapping_path):
    """Read every table a mapping file names into schema tables and a report.

    Returns
    -------
    ImportResult
        ``data`` holds the schema tables; ``origins`` (an attribute) maps each table to the
        (file, row) of every row and ``headers`` to its original column headers.
    """
    mapping_path = Path(mapping_path)
    report = Report()
    spec = _spec(mapping_path, report)
    if spec is None or not report.valid:
        raise ValidationError(report)
    counts, skipped = Counter(), []
    frames, origins, headers = {}, {}, {}
    for i, t in enumerate(spec["tables"]):
        read = _read(mapping_path, i, t, counts, report)
        if read is None:
            continue
        df, origin, header = read
        kind = t["kind"]
        frames.setdefault(kind, []).append(df.assign(_file=origin["file"].values, _row=origin["row"].values))
        headers.setdefault(kind, {}).update(header)
    tables = {k: pd.concat(v, ignore_index=True).fillna("") for k, v in frames.items()}
    if "memberships" in tables and "enterprises" not in tables:
        report.add("schema", "a memberships table needs an enterprises table", file=mapping_path.name,
                   path="tables")
    chains = {}
    if "segments" in tables and isinstance(spec.get("chain"), dict):
        template = mapped_chain(spec["chain"], (tables.pop("segments"), headers.get("segments", {})),
                                (tables.pop("supplies"), headers.get("supplies", {})) if "supplies" in tables
                                else None, report, source=spec["source"], as_of=str(spec["as_of"]))
        if template is not None:
            chains[f"{template['id']}.chain.yaml"] = template
            counts[f"chain {template['id']}: segments"] = len(template["segments"])
            counts[f"chain {template['id']}: supply edges"] = len(template["supplies"])
    if not report.valid:
        raise ValidationError(report)
    inferred = pd.DataFrame()
    if "enterprises" in tables:
        if "memberships" in tables:
            tables["memberships"] = _memberships(tables["enterprises"], tables["memberships"], skipped)
            counts["memberships (enterprise -> segment rows)"] = len(tables["memberships"])
        inferred = _regions(tables["enterprises"], counts)
    for kind in ("projects", "presence"):
        if kind in tables and "region" in tables[kind]:
            _region_codes(tables[kind])
    data = {}
    for kind, df in tables.items():
        origins[kind] = df[["_file", "_row"]].reset_index(drop=True)
        keep = [c for c in TABLE_COLUMNS[kind] + ["segments"] if c in df and c not in ("source", "as_of")]
        data[kind] = df[keep].assign(source=spec["source"], as_of=str(spec["as_of"])).fillna("")
    result = ImportResult(
        name=str(spec.get("name") or mapping_path.stem), description=str(spec.get("description") or ""),
        as_of=str(spec["as_of"]), data=data, summary=summary_frame(list(counts.items())),
        skipped=skipped_frame(skipped), regions_inferred=inferred.reset_index(drop=True),
        sources=[{"id": spec["source"], "title": spec.get("title") or spec.get("name") or spec["source"],
                  "as_of": str(spec["as_of"]), "note": f"Imported through {mapping_path.name}"}])
    result.origins, result.headers = origins, headers
    result.chains = chains
    return result


def import_mapped_tables(mapping_path, out, *, home_region=None, force=False, base=None):
    """Read the tables of a mapping file and write them as a data directory at ``out``.

    Problems found when the written directory is loaded are reported at the file, row
    and original column where the bad value came from.

    Parameters
    ----------
    base : str or Path, optional
        A data directory the import builds on: ``out`` gets its chain templates (beside
        a chain the mapping defines) and its own regions, with the sources they cite, so
        the mapped tables may name their segments and regions. By default the embedded
        templates (unless the mapping defines a chain) and regions.

    Raises
    ------
    ValidationError
        When the mapped data does not load; nothing is written.
    """
    result = read_mapped_tables(mapping_path)
    if base is not None:
        _build_on(result, base)
    try:
        return write_data_dir(result, out, home_region=home_region, force=force)
    except ValidationError as err:
        raise ValidationError(_relocate(err.report, result)) from err


def _build_on(result, base):
    """Add the chain templates, own regions and their sources of the data directory ``base``."""
    from chainkg.loaders.datadir import chain_template_files, load
    from chainkg.loaders.region_table import embedded_region_ids

    graph = load(base)
    chains = {}
    for path, name in chain_template_files(base):
        template = read_yaml(path, Report(), name)  # loaded above: it is a good template
        chains[f"{template['id']}.chain.yaml"] = template
    clash = sorted(set(chains) & set(result.chains))
    if clash:
        raise DataError(f"the mapping's chain {clash[0].split('.')[0]!r} is also a chain of {str(base)!r}",
                        file=Path(base).name)
    result.chains = {**chains, **result.chains}
    own = graph.regions[~found_in(graph.regions["id"], embedded_region_ids())]
    if len(own):
        mapped = result.data.get("regions")
        own = own[~found_in(own["id"], mapped["id"])] if mapped is not None else own
        # after the mapped rows, whose row numbers locate problems in the original files
        result.data["regions"] = pd.concat([mapped, own.fillna("").astype(str)], ignore_index=True) \
            if mapped is not None else own.fillna("").astype(str).reset_index(drop=True)
    cited = set(own["source"]) | {c.source for c in graph.chains.values()}
    listed = {s["id"] for s in result.sources}
    rows = graph.sources[found_in(graph.sources["id"], cited - listed)]
    result.sources += rows.fillna("").astype(str).to_dict("records")
    result.summary = summary_frame(list(zip(result.summary["step"], result.summary["count"])) + [
        (f"built on {base}: chain templates", len(chains)), (f"built on {base}: own regions", len(own))])


def _relocate(report, result):
    """Point problems in the written tables back at the original files, rows and headers."""
    return relocate(report, {f"{kind}.csv": (result, kind) for kind in result.origins})


def relocate(report, tables):
    """Point the problems of ``report`` at mapped tables back at the original files, rows and
    headers, in place; ``tables`` maps the label a table was checked under to its
    (ImportResult, kind). Returns ``report``."""
    from chainkg.loaders.report import Problem

    moved = []
    for p in report.problems:
        result, kind = tables.get(p.file, (None, None))
        origin = result.origins.get(kind) if result is not None else None
        if origin is not None and p.row and 2 <= p.row < len(origin) + 2:
            file, row = origin.loc[p.row - 2, "_file"], int(origin.loc[p.row - 2, "_row"])
            column = result.headers.get(kind, {}).get(p.column, p.column)
            p = Problem(p.type, p.message, file, row, column)
        moved.append(p)
    report.problems = moved
    return report
