"""The public ChainKnowledgeGraph dataset (A-share listed companies, Shenwan industries).

A directory of JSON Lines files, one object per line:

- ``company.json``: ``{name, fullname, code, location, time}``: short and full name,
  stock code, exchange (``location``) and listing date (``time``). In some rows the two
  are swapped, or hold the wrong field; some codes carry rows of other companies.
- ``industry.json``: ``{code, name}``, Shenwan 2021 industries (xx0000, xxxx00, xxxxxx).
- ``industry_industry.json``: ``{from_code, from_industry, rel: 上级行业, to_code, to_industry}``.
- ``company_industry.json``: ``{company_code, company_name, industry_code, industry_name}``;
  codes come with or without exchange suffix (``600373.SH``, ``301079``); some industry
  codes are missing from ``industry.json`` and are resolved by name.
- ``product.json``, and in some copies ``company_product.json`` and ``product_product.json``.

:func:`read_ckg` turns the companies that the industry mapping places in a chain into
rows of ``enterprises.csv`` (listed, with their Shenwan industries and products as main
business and an inferred region), and reports every row loaded, merged or skipped.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from chainkg.errors import DataError
from chainkg.loaders.importing import ImportResult, skipped_frame, summary_frame, write_data_dir
from chainkg.loaders.industry_map import CONFIDENCE_ORDER, load_industry_mapping
from chainkg.loaders.regions_infer import infer_regions

__all__ = ["read_ckg", "import_ckg", "read_jsonl", "normalize_stock_code", "CKG_SOURCE_ID"]

CKG_SOURCE_ID = "chainknowledgegraph"
REQUIRED_FILES = ("company.json", "company_industry.json")
OPTIONAL_FILES = ("industry.json", "industry_industry.json", "product.json", "company_product.json",
                  "product_product.json")
EXCHANGES = {"上海证券交易所": "SH", "深圳证券交易所": "SZ", "北京证券交易所": "BJ",
             "上交所": "SH", "深交所": "SZ", "北交所": "BJ"}
_CODE = re.compile(r"^(?:(SH|SZ|BJ)\.?)?(\d{6})(?:\.(SH|SZ|BJ))?$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})")
_SHORT_NAME_NOISE = re.compile(r"^\*?ST|[AB]$|\(退市\)|退$|^N|^C")


def read_jsonl(path, skipped):
    """The objects of a JSON Lines file; malformed lines are added to ``skipped``."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(f"not UTF-8 text (byte {err.start})", file=Path(path).name) from err
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            skipped.append((Path(path).name, number, f"malformed JSON: {err.msg}", line[:80]))
            continue
        if not isinstance(obj, dict):
            skipped.append((Path(path).name, number, "not a JSON object", line[:80]))
            continue
        out.append((number, obj))
    return out


def normalize_stock_code(code, exchange_hint=None):
    """``(6-digit code, exchange)`` from ``600373.SH``, ``301079``, ``SZ000001``; None if not a code.

    Examples
    --------
    >>> normalize_stock_code("600373.SH"), normalize_stock_code("301079")
    (('600373', 'SH'), ('301079', 'SZ'))
    >>> normalize_stock_code("688078", "上海证券交易所"), normalize_stock_code("n/a")
    (('688078', 'SH'), None)
    """
    m = _CODE.match(str(code).strip())
    if not m:
        return None
    digits, exchange = m[2], (m[1] or m[3] or "").upper()
    exchange = exchange or EXCHANGES.get(str(exchange_hint or "").strip(), "")
    if not exchange:  # by the exchanges' code ranges
        exchange = "SH" if digits[0] in "569" else "BJ" if digits[0] in "48" else "SZ"
    return digits, exchange


def _names_agree(short, full):
    """Whether a short name plausibly abbreviates a full name (most of its characters occur)."""
    short = _SHORT_NAME_NOISE.sub("", str(short).strip())
    if not short or not full:
        return True
    return sum(ch in full for ch in short) / len(short) >= 0.5


def _companies(root, skipped, counts):
    """One record per stock code, with swapped or wrong exchange/date fields repaired."""
    rows = read_jsonl(root / "company.json", skipped)
    counts["company.json rows"] = len(rows)
    by_code = {}
    for line, obj in rows:
        location, time = str(obj.get("location") or "").strip(), str(obj.get("time") or "").strip()
        if location not in EXCHANGES and time in EXCHANGES:
            location, time = time, location
            counts["exchange and listing date swapped (repaired)"] += 1
        elif location and location not in EXCHANGES:
            counts["exchange field holds something else (exchange taken from the code)"] += 1
            location = ""
        code = normalize_stock_code(obj.get("code", ""), location)
        if code is None:
            skipped.append(("company.json", line, "no 6-digit stock code", str(obj.get("code"))))
            continue
        date = _DATE.match(time)
        if time and not date:
            counts["listing date not a date (dropped)"] += 1
        fullname, short = str(obj.get("fullname") or "").strip(), str(obj.get("name") or "").strip()
        by_code.setdefault(code, []).append({
            "line": line, "code": code[0], "exchange": code[1], "short": short,
            "fullname": fullname or short, "listed_on": "-".join(date.groups()) if date else "",
            "agrees": _names_agree(short, fullname)})
    companies = {}
    for code, recs in by_code.items():
        good = [r for r in recs if r["agrees"]]
        names = {r["fullname"] for r in good}
        if len(names) == 1:
            companies[code[0]] = good[0]
            counts["duplicate company rows merged"] += sum(r["fullname"] in names for r in recs) - 1
            for r in recs:
                if not r["agrees"]:
                    skipped.append(("company.json", r["line"], f"code {code[0]} belongs to "
                                    f"{good[0]['fullname']}, not to this row's full name", r["fullname"]))
        else:
            why = ("short name and full name disagree" if not names
                   else f"code {code[0]} given to several companies: {', '.join(sorted(names))}")
            skipped += [("company.json", r["line"], why, f"{r['short']} / {r['fullname']}") for r in recs]
    return companies


def _industries(root, skipped, counts):
    path = root / "industry.json"
    if not path.exists():
        counts["industry.json absent: industries known by name only"] += 1
        return {}, {}
    rows = read_jsonl(path, skipped)
    by_code = {str(o.get("code", "")).strip(): str(o.get("name", "")).strip() for _, o in rows}
    return by_code, {name: code for code, name in by_code.items()}


def _products(root, skipped, counts):
    """Main products per company name or code, from company_product.json when present."""
    for name in ("product.json", "product_product.json"):
        if (root / name).exists():
            counts[f"{name} rows (kept out of the graph: no product table yet)"] = len(
                read_jsonl(root / name, skipped))
        else:
            counts[f"{name} absent"] += 1
    path = root / "company_product.json"
    if not path.exists():
        counts["company_product.json absent"] += 1
        return {}
    products = {}
    for line, obj in read_jsonl(path, skipped):
        company = obj.get("company_code") or obj.get("company_name") or obj.get("from_entity")
        product = obj.get("product_name") or obj.get("to_entity") or obj.get("product")
        if not company or not product:
            skipped.append(("company_product.json", line, "no company or product", json.dumps(obj)[:80]))
            continue
        code = normalize_stock_code(company)
        key = code[0] if code else str(company).strip()
        weight = pd.to_numeric(obj.get("rel_weight", obj.get("weight", 0)), errors="coerce")
        products.setdefault(key, []).append((0 if pd.isna(weight) else float(weight), str(product)))
    counts["company_product.json rows"] = sum(map(len, products.values()))
    return products


def read_ckg(path, *, mapping=None, segments=None, as_of=None):
    """Read a ChainKnowledgeGraph directory into enterprise rows and a report.

    Parameters
    ----------
    path : str or Path
        The dataset's ``data`` directory.
    mapping : IndustryMapping or str or Path, optional
        Industry → segment mapping (the embedded Shenwan 2021 one by default).
    segments : container of str, optional
        Known segment ids, to check the mapping against.
    as_of : str, optional
        The data's as-of date; by default the month of the latest listing date in it.

    Returns
    -------
    ImportResult
        ``data["enterprises"]`` holds one row per company in a chain segment.

    Raises
    ------
    DataError
        When the directory or a required file is missing or unreadable.
    """
    root = Path(path)
    if not root.is_dir():
        raise DataError("not a directory", file=str(root))
    for name in REQUIRED_FILES:
        if not (root / name).is_file():
            raise DataError(f"required file {name!r} not found (a ChainKnowledgeGraph 'data' "
                            f"directory has {', '.join(REQUIRED_FILES)})", file=str(root))
    if not hasattr(mapping, "rule"):
        mapping = load_industry_mapping(mapping, segments)
    skipped, counts = [], Counter()
    companies = _companies(root, skipped, counts)
    industry_names, industry_codes = _industries(root, skipped, counts)
    products = _products(root, skipped, counts)
    by_short = {c["short"]: code for code, c in companies.items()}

    memberships = {}  # code -> {segment: confidence}
    industries = {}  # code -> [industry names]
    rows = read_jsonl(root / "company_industry.json", skipped)
    for line, obj in rows:
        norm = normalize_stock_code(obj.get("company_code", ""))
        code = norm[0] if norm and norm[0] in companies else by_short.get(str(obj.get("company_name", "")))
        if code is None:
            skipped.append(("company_industry.json", line, "company not in company.json",
                            f"{obj.get('company_code')} {obj.get('company_name')}"))
            continue
        icode, iname = str(obj.get("industry_code", "")).strip(), str(obj.get("industry_name", "")).strip()
        if industry_names and icode not in industry_names:
            if iname in industry_codes:
                icode = industry_codes[iname]
                counts["industry code not in industry.json, resolved by name"] += 1
            else:
                counts["industry code and name not in industry.json (mapped by name if possible)"] += 1
        iname = industry_names.get(icode, iname)
        industries.setdefault(code, []).append(f"{iname} ({icode})" if icode else iname)
        rule = mapping.rule(icode, iname)
        if rule is None:
            continue
        segs = memberships.setdefault(code, {})
        for seg in rule.segments:
            if CONFIDENCE_ORDER[rule.confidence] >= CONFIDENCE_ORDER.get(segs.get(seg), -1):
                segs[seg] = rule.confidence
    counts["company_industry.json rows"] = len(rows)
    counts["companies with an industry"] = len(industries)
    counts["companies merged from several industry rows"] = sum(len(v) > 1 for v in industries.values())

    records = []
    for code, segs in memberships.items():
        c = companies[code]
        top = [p for _, p in sorted(products.get(code, products.get(c["short"], [])), reverse=True)[:5]]
        business = f"申万行业: {'、'.join(dict.fromkeys(industries[code]))}"
        if top:
            business += f"; 主营产品: {'、'.join(top)}"
        records.append({
            "id": f"{code}.{c['exchange']}", "name": c["fullname"], "segments": ";".join(segs),
            "flags": "上市", "main_business": f"{c['short']} ({code}.{c['exchange']}, 上市 "
                                              f"{c['listed_on'] or '?'}); {business}",
            "confidence": max(segs.values(), key=CONFIDENCE_ORDER.get), "listed_on": c["listed_on"]})
    counts["companies in a chain segment (loaded)"] = len(records)
    counts["companies in no chain segment (not loaded)"] = len(industries) - len(records)
    frame = pd.DataFrame(records, columns=["id", "name", "segments", "flags", "main_business",
                                           "confidence", "listed_on"])
    as_of = as_of or max((c["listed_on"][:7] for c in companies.values() if c["listed_on"]), default="")
    enterprises, inferred = _with_regions(frame, counts)
    enterprises = enterprises.assign(source=CKG_SOURCE_ID, as_of=as_of)
    summary = summary_frame(list(counts.items()))
    return ImportResult(
        name="ChainKnowledgeGraph: A-share listed companies in chain segments",
        description=("Imported by chainkg from the ChainKnowledgeGraph dataset (A-share listed "
                     f"companies, Shenwan 2021 industries) through the industry mapping "
                     f"{mapping.file or mapping.source}; regions inferred from full names."),
        as_of=as_of, data={"enterprises": enterprises}, summary=summary,
        skipped=skipped_frame(skipped), regions_inferred=inferred,
        sources=[{"id": CKG_SOURCE_ID,
                  "title": "ChainKnowledgeGraph (产业链知识图谱): A-share listed companies, Shenwan "
                           "2021 industries, products",
                  "publisher": "liuhuanyong/ChainKnowledgeGraph (GitHub)", "as_of": as_of,
                  "url": "https://github.com/liuhuanyong/ChainKnowledgeGraph",
                  "note": f"Segments through the industry mapping {mapping.source} "
                          f"({mapping.as_of}); regions inferred from the companies' full names."}])


def import_ckg(path, out, *, mapping=None, home_region=None, as_of=None, force=False):
    """Import a ChainKnowledgeGraph directory as a chainkg data directory at ``out``.

    The mapping is checked against the embedded chain templates, which the written
    directory uses. Returns the :class:`ImportResult` (its ``written_to`` set).
    """
    from chainkg.loaders.datadir import load

    segments = set(load().segments)
    result = read_ckg(path, mapping=mapping, segments=segments, as_of=as_of)
    return write_data_dir(result, out, home_region=home_region, force=force)


def _with_regions(frame, counts):
    """Add region columns inferred from full names; companies with none are placed in CN."""
    guess = infer_regions(frame, name="name")
    found = guess["region"].notna()
    for conf, n in guess.loc[found, "region_confidence"].value_counts().items():
        counts[f"regions inferred from the full name ({conf})"] = int(n)
    counts["regions not inferable (placed in CN, low)"] = int((~found).sum())
    out = frame.drop(columns="listed_on").assign(
        region=guess["region"].where(found, "CN"),
        region_source=guess["region_source"].where(found, "none: an A-share listing places it in CN"),
        region_confidence=guess["region_confidence"].where(found, "low"))
    noted = guess["region_note"] != ""
    inferred = pd.DataFrame({"enterprise": frame.loc[noted, "id"], "name": frame.loc[noted, "name"],
                             "region": out.loc[noted, "region"], "note": guess.loc[noted, "region_note"]})
    return out, inferred.reset_index(drop=True)
