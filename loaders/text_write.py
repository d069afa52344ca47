"""Appending a text's facts to a data directory: presence, figures and projects.

Only facts at or above a confidence threshold are written, each citing the text as its
source (added to ``sources.csv`` with coverage ``mentions``: a text is positive evidence
only, never a census). What is not written is listed with the reason. Rows already there
for the same key and source are not repeated, and when the directory no longer loads
every file is restored.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

__all__ = ["write_facts"]

COVERAGE = "mentions"


def _append_rows(path, table, rows):
    """``rows`` (schema columns) appended to the table at ``path`` under its own headers."""
    from chainkg.loaders.tables import map_headers, read_table

    if path.exists():
        df, fmt = read_table(path)
        mapping, _ = map_headers(list(df.columns), table)
        header = {col: h for h, col in mapping.items()}
        encoding = "utf-8" if fmt == "csv utf-8" else "utf-8-sig"
    else:
        df, header, encoding = pd.DataFrame(), {}, "utf-8"
    new = rows.rename(columns=header)
    text = pd.concat([df, new], ignore_index=True).fillna("").to_csv(index=False, lineterminator="\n")
    return text.encode(encoding)


def _existing(path, table, columns):
    """The set of ``columns`` tuples already in the table at ``path``."""
    from chainkg.loaders.tables import map_headers, read_table

    if not path.exists():
        return set()
    old, _ = read_table(path)
    mapping, _ = map_headers(list(old.columns), table)
    by_col = {col: h for h, col in mapping.items()}
    if not all(c in by_col for c in columns):
        return set()
    return set(zip(*(old[by_col[c]].astype(str) for c in columns)))


def _note(fact):
    return f"text: {fact['sentence'][:100]}"


def _presence_rows(facts, region, source, as_of):
    seg = facts[facts["kind"] == "segment"].drop_duplicates("segment")
    return pd.DataFrame({"region": region, "segment": seg["segment"].values, "enterprises": "",
                         "note": [_note(f) for _, f in seg.iterrows()], "source": source, "as_of": as_of})


def _figure_rows(facts, region, source, as_of, skipped):
    rows = []
    fig = facts[facts["kind"] == "figure"].copy()
    fig["period"] = [p or as_of for p in fig["period"]]
    for (metric, period), group in fig.groupby(["metric", "period"], sort=False):
        values = set(group["value"].astype(str))
        first = group.iloc[0]
        if not period:
            skipped.append((first, "no period stated and no --as-of"))
        elif not re.match(r"\d{4}", period):
            skipped += [(f, f"the period {period!r} names no year") for _, f in group.iterrows()]
        elif len(values) > 1:
            skipped += [(f, f"the text gives {len(values)} values for {metric} in {period}")
                        for _, f in group.iterrows()]
        else:
            rows.append({"region": region, "metric": metric, "value": first["value"], "unit": first["unit"],
                         "period": period, "source": source,
                         "note": (first["note"] + "; " if first["note"] else "") + _note(first)})
    return pd.DataFrame(rows, columns=["region", "metric", "value", "unit", "period", "source", "note"])


def _project_rows(facts, region, graph, source, as_of):
    proj = facts[facts["kind"].isin(["project", "intention"])]
    names = dict(zip(graph.enterprises["name"], graph.enterprises["id"])) if len(graph.enterprises) else {}
    rows = []
    for _, f in proj.iterrows():
        name = f["project"] or f["enterprise"] + ("投资意向" if f["kind"] == "intention" else "项目")
        slug = re.sub(r"[^\w]+", "-", name).strip("-")
        said = [f"enterprise named in the text: {f['enterprise']}" if f["enterprise"] else "",
                f"stage {f['stage']}" + (f" in month {f['month']}" if pd.notna(f["month"]) else "")
                if f["stage"] else "", _note(f)]
        rows.append({"id": f"{source}-{slug}", "name": name, "enterprise": names.get(f["enterprise"], ""),
                     "region": region, "segment": f["segment"],
                     "investment_cny": "" if pd.isna(f["investment_cny"]) else int(f["investment_cny"]),
                     "status": f["status"],
                     "expected_output_cny": "" if pd.isna(f["expected_output_cny"]) else
                     int(f["expected_output_cny"]), "note": "; ".join(s for s in said if s),
                     "source": source, "as_of": as_of})
    return pd.DataFrame(rows).drop_duplicates("id") if rows else pd.DataFrame(
        columns=["id", "name", "region", "source"])


def write_facts(extraction, datadir, region, graph, *, as_of="", title="", threshold=0.8, allow_outside=()):
    """Append the extraction's facts at or above ``threshold`` to ``datadir``.

    Segment facts become presence rows (``presence.csv``), figures ``figures.csv`` rows,
    projects and intentions ``projects.csv`` rows (the company is linked only when the
    directory has an enterprise of exactly that name). Enterprises from lists are not
    written: a name alone gives no id or region. Sets ``extraction.written`` (table ->
    rows) and ``extraction.skipped`` (each fact not written, with the reason).

    Raises
    ------
    ValidationError
        When the directory does not load with the new rows (it is left as it was).
    DataError
        When a table to append to is not CSV.
    """
    from chainkg.errors import DataError, ValidationError
    from chainkg.loaders.datadir import validate
    from chainkg.loaders.tables import read_table
    from chainkg.render import write_atomic

    root, source = Path(datadir), extraction.source
    for table in ("presence", "figures", "projects", "sources"):
        if (root / f"{table}.xlsx").exists() or (root / f"{table}.parquet").exists():
            raise DataError(f"extracted rows can only be appended to {table}.csv", file=str(root))
    facts = extraction.facts
    skipped = [(f, f"confidence {f['confidence']} below {threshold}") for _, f in
               facts[facts["confidence"] < threshold].iterrows()]
    keep = facts[facts["confidence"] >= threshold]
    skipped += [(f, "a name alone gives no enterprise id or region") for _, f in
                keep[keep["kind"] == "enterprise"].iterrows()]
    tables = {
        "presence": (_presence_rows(keep, region, source, as_of), ("region", "segment", "source")),
        "figures": (_figure_rows(keep, region, source, as_of, skipped), ("region", "metric", "period", "source")),
        "projects": (_project_rows(keep, region, graph, source, as_of), ("id",)),
    }
    paths = {t: root / f"{t}.csv" for t in (*tables, "sources")}
    backups = {p: p.read_bytes() for p in paths.values() if p.exists()}
    written = {}
    try:
        for table, (rows, key) in tables.items():
            have = _existing(paths[table], table, key)
            rows = rows[[tuple(str(r[c]) for c in key) not in have for _, r in rows.iterrows()]] if len(rows) else rows
            if len(rows):
                write_atomic(paths[table], _append_rows(paths[table], table, rows))
            written[table] = rows.reset_index(drop=True)
        src, _ = read_table(paths["sources"]) if paths["sources"].exists() else (pd.DataFrame(columns=["id"]), "")
        if source not in set(src.iloc[:, 0].astype(str)):
            row = {"id": source, "title": title or source, "as_of": as_of,
                   "note": f"Text read by chainkg extract; coverage: {COVERAGE} (positive evidence only)"}
            if "coverage" in src.columns:
                row["coverage"] = COVERAGE
            write_atomic(paths["sources"], _append_rows(paths["sources"], "sources", pd.DataFrame([row])))
        report = validate(root, allow_outside=allow_outside)
        if not report.valid:
            raise ValidationError(report)
    except BaseException:
        for path in paths.values():
            if path in backups:
                write_atomic(path, backups[path])
            elif path.exists():
                path.unlink()
        raise
    extraction.written = written
    extraction.skipped = pd.DataFrame([{"kind": f["kind"], "text": f["text"], "confidence": f["confidence"],
                                        "reason": reason, "sentence": f["sentence"]} for f, reason in skipped],
                                      columns=["kind", "text", "confidence", "reason", "sentence"])
    return written
