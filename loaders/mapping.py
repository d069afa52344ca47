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
        columns: {企业ID: id, 公司: name, 城市: region, 信用代码: credit_code, 地址: address}
      - file: 企业环节.csv                  # an edge table: enterprise -> segment
        kind: memberships
        columns: {企业ID: enterprise, 环节: segment, 占比: share}
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
``name`` (see :mod:`~chainkg.loaders.regions_infer`). Problems found when the result is
loaded are reported at the row and column of the original file.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from chainkg.errors import DataError, ValidationError
from chainkg.graph.schema import TABLE_COLUMNS
from chainkg.graph.shapes import Any, Fields, MapOf, Text
from chainkg.loaders.importing import ImportResult, skipped_frame, summary_frame, write_data_dir
from chainkg.loaders.paths import DataPaths
from chainkg.loaders.regions_infer import divisions, infer_regions
from chainkg.loaders.report import Report
from chainkg.loaders.tables import read_table
from chainkg.loaders.yamlfile import read_yaml

__all__ = ["read_mapped_tables", "import_mapped_tables", "KINDS"]

#: Columns a mapping may name, per kind (beyond the kind's schema columns).
KINDS = {
    "enterprises": TABLE_COLUMNS["enterprises"] + ["segments"],
    "memberships": ["enterprise", "segment", "share"],
    "links": TABLE_COLUMNS["links"],
    "projects": TABLE_COLUMNS["projects"],
    "presence": TABLE_COLUMNS["presence"],
    "regions": [c for c in TABLE_COLUMNS["regions"] if c not in ("source", "as_of")],
}

#: The keys of a ``tables`` entry; column targets are checked per kind in :func:`_spec`.
TABLE_SHAPE = Fields({"file": Text(), "kind": Any(), "columns": MapOf(Text(), Any()),
                      "values": MapOf(Text(), MapOf(Text(), Text()))})


def _spec(mapping_path):
    report = Report()
    data = read_yaml(mapping_path, report, mapping_path.name)
    if not report.valid:
        p = report.problems[0]
        raise DataError(p.message, file=p.file, row=p.row, column=p.column)
    if not isinstance(data, dict) or not isinstance(data.get("tables"), list) or not data["tables"]:
        raise DataError("a mapping file needs 'tables': a list of {file, kind, columns}",
                        file=mapping_path.name)
    for key in ("source", "as_of"):
        if not data.get(key):
            raise DataError(f"missing {key!r}: every fact needs a source and an as-of date",
                            file=mapping_path.name)
    for i, t in enumerate(data["tables"]):
        where = f"tables[{i}]"
        if not isinstance(t, dict) or not t.get("file") or t.get("kind") not in KINDS:
            raise DataError(f"{where}: needs file and kind (one of {', '.join(KINDS)})",
                            file=mapping_path.name)
        problems = []
        TABLE_SHAPE.check(t, where, lambda path, message: problems.append(f"{path}: {message}"))
        if problems:
            raise DataError(problems[0], file=mapping_path.name)
        for header, column in (t.get("columns") or {}).items():
            if column not in KINDS[t["kind"]]:
                raise DataError(f"{where}.columns.{header}: {column!r} is not a column of "
                                f"{t['kind']} (one of {', '.join(KINDS[t['kind']])})",
                                file=mapping_path.name)
    return data


def _read(mapping_path, i, t, counts):
    """One mapped table: schema columns, values translated, with each row's origin."""
    tables_dir = DataPaths(mapping_path.parent, where="the mapping file's directory",
                           hint="keep the tables beside the mapping file")
    outside = tables_dir.outside(t["file"])
    if outside:
        raise DataError(f"tables[{i}].file: {outside}", file=mapping_path.name)
    path = tables_dir / t["file"]
    df, fmt = read_table(path)
    columns = {str(k): v for k, v in (t.get("columns") or {}).items()}
    missing = [h for h in columns if h not in df.columns]
    if missing:
        raise DataError(f"column {missing[0]!r} named in the mapping (tables[{i}].columns) is not in "
                        f"the file (its columns: {', '.join(df.columns)})", file=path.name, row=1)
    out = pd.DataFrame({col: df[h].astype(str).str.strip() for h, col in columns.items()})
    for col, table in (t.get("values") or {}).items():
        if col in out:
            table = {str(k): str(v) for k, v in table.items()}
            counts[f"{path.name}: {col} values translated"] += int(out[col].isin(table).sum())
            out[col] = out[col].map(lambda v: table.get(v, v))
    counts[f"{path.name} ({fmt}) rows read"] = len(out)
    origin = pd.DataFrame({"file": path.name, "row": range(2, len(out) + 2)})
    return out, origin, {col: h for h, col in columns.items()}


def _merge_memberships(enterprises, memberships, counts, skipped):
    """Fold an enterprise -> segment edge table into the enterprises' segments column."""
    if memberships is None:
        return enterprises
    ids = enterprises["id"] if "id" in enterprises else enterprises["name"]
    known = set(ids)
    unknown = ~memberships["enterprise"].isin(known)
    for _, row in memberships[unknown].iterrows():
        skipped.append((row["_file"], row["_row"], "enterprise not in the enterprise table",
                        row["enterprise"]))
    good = memberships[~unknown]
    # A bad segment in the folded column is reported at the membership row it came from.
    origins = {(e, seg): (f, r) for e, seg, f, r in
               zip(good["enterprise"], good["segment"], good["_file"], good["_row"])}
    enterprises.attrs["membership_origins"] = origins
    if "share" in good and (good["share"] != "").any():
        counts["membership shares read but not kept (the data directory has no share column)"] += \
            int((good["share"] != "").sum())
    joined = good.groupby("enterprise")["segment"].agg(lambda s: ";".join(dict.fromkeys(s)))
    extra = ids.map(joined).fillna("")
    current = enterprises["segments"] if "segments" in enterprises else pd.Series("", index=enterprises.index)
    enterprises["segments"] = (current + ";" + extra).str.strip(";")
    counts["enterprise-segment edges merged into enterprises"] = len(good)
    return enterprises


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
    spec = _spec(mapping_path)
    counts, skipped = Counter(), []
    frames, origins, headers = {}, {}, {}
    for i, t in enumerate(spec["tables"]):
        df, origin, header = _read(mapping_path, i, t, counts)
        kind = t["kind"]
        frames.setdefault(kind, []).append(df.assign(_file=origin["file"].values, _row=origin["row"].values))
        headers.setdefault(kind, {}).update(header)
    tables = {k: pd.concat(v, ignore_index=True).fillna("") for k, v in frames.items()}
    if "memberships" in tables and "enterprises" not in tables:
        raise DataError("a memberships table needs an enterprises table", file=mapping_path.name)
    inferred, membership_origins = pd.DataFrame(), {}
    if "enterprises" in tables:
        tables["enterprises"] = _merge_memberships(tables["enterprises"], tables.pop("memberships", None),
                                                   counts, skipped)
        membership_origins = tables["enterprises"].attrs.pop("membership_origins", {})
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
    result.membership_origins = membership_origins
    return result


def import_mapped_tables(mapping_path, out, *, home_region=None, force=False):
    """Read the tables of a mapping file and write them as a data directory at ``out``.

    Problems found when the written directory is loaded are reported at the file, row
    and original column where the bad value came from.

    Raises
    ------
    ValidationError
        When the mapped data does not load; nothing is written.
    """
    result = read_mapped_tables(mapping_path)
    try:
        return write_data_dir(result, out, home_region=home_region, force=force)
    except ValidationError as err:
        raise ValidationError(_relocate(err.report, result)) from err


def _membership_origin(result, problem, fallback):
    """(file, row, header) of the membership row whose segment ``problem`` names, else ``fallback``."""
    enterprises = result.data["enterprises"]
    key = enterprises["id" if "id" in enterprises else "name"].iloc[problem.row - 2]
    for (enterprise, segment), (file, row) in result.membership_origins.items():
        if enterprise == key and f"{segment!r}" in problem.message:
            return file, int(row), result.headers.get("memberships", {}).get("segment", "segment")
    return fallback


def _relocate(report, result):
    """Point problems in the written tables back at the original files, rows and headers."""
    out = Report()
    for p in report.problems:
        kind = (p.file or "").removesuffix(".csv")
        origin = result.origins.get(kind)
        if origin is not None and p.row and 2 <= p.row < len(origin) + 2:
            file, row = origin.loc[p.row - 2, "_file"], int(origin.loc[p.row - 2, "_row"])
            column = result.headers.get(kind, {}).get(p.column, p.column)
            if kind == "enterprises" and p.column == "segments":
                file, row, column = _membership_origin(result, p, (file, row, column))
            out.add(p.type, p.message, file=file, row=row, column=column)
        else:
            out.add(p.type, p.message, file=p.file, row=p.row, column=p.column, path=p.path)
    return out
