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
business and an inferred region), and reports every row loaded, merged, renamed or
skipped. The chain templates' classification words (:mod:`chainkg.loaders.classify`)
read each company's products and business text: a segment they name below a Shenwan
segment replaces it (半导体材料 -> ``ic.materials`` -> ``ic.materials.photoresist``), one in a
chain Shenwan gives none counts only when principal (see :func:`_reconcile`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from chainkg.errors import DataError
from chainkg.loaders.classify import PRINCIPAL_CLAUSES, classify, load_rules, split_clauses
from chainkg.loaders.importing import ImportResult, skipped_frame, summary_frame, write_data_dir
from chainkg.loaders.industry_map import CONFIDENCE_ORDER, load_industry_mapping
from chainkg.loaders.regions_infer import infer_regions
from chainkg.loaders.report import Report

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
#: Fields of company.json that some copies fill with the business scope or main business.
SCOPE_FIELDS = ("business_scope", "scope", "main_business", "business", "经营范围", "主营业务")
#: A product is principal when it carries this share of its company's product weights.
PRINCIPAL_PRODUCT_SHARE = 0.3
#: What a membership says about how it was found (the loader's memberships lack these yet).
MEMBERSHIP_COLUMNS = ["segment", "method", "evidence", "confidence"]
RENAMED_COLUMNS = ["code", "name", "former_names", "decided_by", "lines"]


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


def _bare(short):
    """A short name without the exchange's markers (*ST, ST, 退, (退市), N, C, A/B)."""
    return _SHORT_NAME_NOISE.sub("", str(short).strip())


def _names_agree(short, full):
    """Whether a short name plausibly abbreviates a full name (most of its characters occur)."""
    short = _bare(short)
    if not short or not full:
        return True
    return sum(ch in full for ch in short) / len(short) >= 0.5


def _companies(root, skipped, counts, names_in_use):
    """One record per stock code, with swapped or wrong exchange/date fields repaired.

    A code with several full names that each fit their short name is a rename (青岛海尔 ->
    海尔智家): the current name is kept, the others become its ``aliases``, and the
    rename is listed (``renamed``). Which name is current: the one whose short name
    ``company_industry.json`` uses for the code (``names_in_use``: code -> names; the
    industry table is the dataset's latest classification), else the one listed later.
    """
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
        scope = next((str(obj[f]).strip() for f in SCOPE_FIELDS if str(obj.get(f) or "").strip()), "")
        by_code.setdefault(code, []).append({
            "line": line, "code": code[0], "exchange": code[1], "short": short,
            "fullname": fullname or short, "listed_on": "-".join(date.groups()) if date else "",
            "agrees": _names_agree(short, fullname), "scope": scope, "aliases": []})
    companies, renamed = {}, []
    for code, recs in by_code.items():
        good = [r for r in recs if r["agrees"]]
        names = {r["fullname"] for r in good}
        if not names:
            skipped += [("company.json", r["line"], "short name and full name disagree",
                         f"{r['short']} / {r['fullname']}") for r in recs]
            continue
        current, why = ((good[0], "") if len(names) == 1
                        else _current_name(good, names_in_use.get(code[0], ())))
        if current is None:
            skipped += [("company.json", r["line"], f"code {code[0]} given to several companies: "
                         f"{', '.join(sorted(names))}; {why}", f"{r['short']} / {r['fullname']}")
                        for r in recs]
            continue
        old = {}
        for r in good:
            if r["fullname"] != current["fullname"]:
                old.setdefault(r["fullname"], r)
        current = {**current, "aliases": [(r["fullname"], r["short"]) for r in old.values()]}
        if old:
            scope = current["scope"] or next((r["scope"] for r in old.values() if r["scope"]), "")
            current["scope"] = scope
            renamed.append({"code": f"{code[0]}.{code[1]}", "name": current["fullname"],
                            "former_names": "、".join(old), "decided_by": why,
                            "lines": ", ".join(str(r["line"]) for r in recs if r["agrees"])})
        companies[code[0]] = current
        counts["duplicate company rows merged"] += sum(r["fullname"] == current["fullname"] for r in recs) - 1
        if old:
            counts["company rows of a former name merged (renamed)"] += sum(
                r["fullname"] in old for r in recs)
        for r in recs:
            if not r["agrees"]:
                skipped.append(("company.json", r["line"], f"code {code[0]} belongs to "
                                f"{current['fullname']}, not to this row's full name", r["fullname"]))
    if renamed:
        counts["companies renamed (kept under the current name, former names as aliases)"] = len(renamed)
    return companies, renamed


def _current_name(records, names_in_use):
    """(the record of the current name, why) among one code's records, or (None, why not)."""
    by_name = {}
    for r in records:
        by_name.setdefault(r["fullname"], r)
    in_use = {_bare(n) for n in names_in_use}  # the industry table writes *ST新芯, 印纪退(退市)
    used = [r for r in by_name.values() if _bare(r["short"]) in in_use or r["fullname"] in names_in_use]
    if len(used) == 1:
        return used[0], f"company_industry.json names the code {used[0]['short']}"
    dates = sorted((r["listed_on"], r["line"]) for r in by_name.values())
    if all(d for d, _ in dates) and dates[-1][0] > dates[-2][0]:
        latest = next(r for r in by_name.values() if r["line"] == dates[-1][1])
        return latest, f"the later listing date ({latest['listed_on']})"
    return None, "which name is current cannot be told (company_industry.json names none or several, " \
                 "same listing date)"


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


def read_ckg(path, *, mapping=None, segments=None, as_of=None, chains=None):
    """Read a ChainKnowledgeGraph directory into enterprise rows and a report.

    Parameters
    ----------
    path : str or Path
        The dataset's ``data`` directory.
    mapping : IndustryMapping or str or Path, optional
        Industry → segment mapping (the embedded Shenwan 2021 one by default).
    segments : container of str, optional
        Known segment ids, to check the mapping against; words reach only these.
    as_of : str, optional
        The data's as-of date; by default the month of the latest listing date in it.
    chains : iterable of Chain, optional
        The chain templates whose classification words place products and business
        text below the Shenwan segments (the embedded ones by default).

    Returns
    -------
    ImportResult
        ``data["enterprises"]`` holds one row per company in a chain segment;
        ``memberships`` one row per (company, segment) with its ``method``,
        ``evidence`` and ``confidence``; ``renamed`` the codes kept under a new name.

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
    industry_rows = read_jsonl(root / "company_industry.json", skipped)
    names_in_use = {}
    for _, obj in industry_rows:
        norm = normalize_stock_code(obj.get("company_code", ""))
        if norm:
            names_in_use.setdefault(norm[0], set()).add(str(obj.get("company_name") or "").strip())
    companies, renamed = _companies(root, skipped, counts, names_in_use)
    industry_names, industry_codes = _industries(root, skipped, counts)
    products = _products(root, skipped, counts)
    by_short = {c["short"]: code for code, c in companies.items()}
    for code, c in companies.items():  # a former short name still finds its company
        for _, short in c["aliases"]:
            by_short.setdefault(short, code)

    shenwan = {}  # code -> {segment: (confidence, evidence)}
    industries = {}  # code -> [industry names]
    for line, obj in industry_rows:
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
        segs = shenwan.setdefault(code, {})
        for seg in rule.segments:
            if CONFIDENCE_ORDER[rule.confidence] >= CONFIDENCE_ORDER[segs.get(seg, ("low",))[0]] \
                    or seg not in segs:
                segs[seg] = (rule.confidence, f"申万 {iname} ({icode or rule.code})")
    counts["company_industry.json rows"] = len(industry_rows)
    counts["companies with an industry"] = len(industries)
    counts["companies merged from several industry rows"] = sum(len(v) > 1 for v in industries.values())

    words = _word_memberships(industries, companies, products, chains, segments)
    memberships = []
    for code in industries:
        memberships += [{"enterprise": code, **m} for m in _reconcile(shenwan.get(code, {}),
                                                                     words.get(code, []), counts)]
    members = pd.DataFrame(memberships, columns=["enterprise"] + MEMBERSHIP_COLUMNS)
    for method, n in members["method"].value_counts().sort_index().items():
        counts[f"memberships by {method}"] = int(n)

    records = []
    for code, found in members.groupby("enterprise", sort=False):
        c = companies[code]
        top = [p for _, p in sorted(_company_products(products, code, c), reverse=True)[:5]]
        business = f"申万行业: {'、'.join(dict.fromkeys(industries[code]))}"
        if top:
            business += f"; 主营产品: {'、'.join(top)}"
        if c["aliases"]:
            business += f"; 曾用名: {'、'.join(f'{full} ({short})' for full, short in c['aliases'])}"
        business += "; 环节依据: " + " | ".join(
            f"{m.segment} [{m.method}, {m.confidence}] {m.evidence}" for m in found.itertuples())
        records.append({
            "id": f"{code}.{c['exchange']}", "name": c["fullname"], "segments": ";".join(found["segment"]),
            "flags": "上市", "main_business": f"{c['short']} ({code}.{c['exchange']}, 上市 "
                                              f"{c['listed_on'] or '?'}); {business}",
            "confidence": max(found["confidence"], key=CONFIDENCE_ORDER.get), "listed_on": c["listed_on"]})
    counts["companies in a chain segment (loaded)"] = len(records)
    counts["companies in no chain segment (not loaded)"] = len(industries) - len(records)
    frame = pd.DataFrame(records, columns=["id", "name", "segments", "flags", "main_business",
                                           "confidence", "listed_on"])
    as_of = as_of or max((c["listed_on"][:7] for c in companies.values() if c["listed_on"]), default="")
    enterprises, inferred = _with_regions(frame, counts)
    enterprises = enterprises.assign(source=CKG_SOURCE_ID, as_of=as_of)
    members["enterprise"] = members["enterprise"].map(lambda k: f"{k}.{companies[k]['exchange']}")
    summary = summary_frame(list(counts.items()))
    return ImportResult(
        name="ChainKnowledgeGraph: A-share listed companies in chain segments",
        description=("Imported by chainkg from the ChainKnowledgeGraph dataset (A-share listed "
                     f"companies, Shenwan 2021 industries) through the industry mapping "
                     f"{mapping.file or mapping.source}, narrowed by the chain templates' words "
                     "for the companies' products; regions inferred from full names."),
        as_of=as_of, data={"enterprises": enterprises}, summary=summary,
        skipped=skipped_frame(skipped), regions_inferred=inferred,
        renamed=pd.DataFrame(renamed, columns=RENAMED_COLUMNS), memberships=members,
        sources=[{"id": CKG_SOURCE_ID,
                  "title": "ChainKnowledgeGraph (产业链知识图谱): A-share listed companies, Shenwan "
                           "2021 industries, products",
                  "publisher": "liuhuanyong/ChainKnowledgeGraph (GitHub)", "as_of": as_of,
                  "url": "https://github.com/liuhuanyong/ChainKnowledgeGraph",
                  "note": f"Segments through the industry mapping {mapping.source} "
                          f"({mapping.as_of}), below them by the chain templates' words for products; "
                          "regions inferred from the companies' full names."}])


def _company_products(products, code, company):
    """(weight, product) pairs of a company, by code, short name or a former short name."""
    keys = [code, company["short"], *(short for _, short in company["aliases"])]
    return [p for key in dict.fromkeys(keys) for p in products.get(key, [])]


def _principal_products(pairs):
    """The products that carry at least :data:`PRINCIPAL_PRODUCT_SHARE` of the weights, or
    the only product; none when several come without weights (which is main is unknown)."""
    total = sum(w for w, _ in pairs if w > 0)
    if total > 0:
        return [p for w, p in pairs if w / total >= PRINCIPAL_PRODUCT_SHARE]
    return [pairs[0][1]] if len(pairs) == 1 else []


def _word_memberships(codes, companies, products, chains, known):
    """Segments the chain templates' words find in each company's products and business text.

    Returns code -> list of dicts (``segment``, ``method``, ``evidence``, ``confidence``,
    ``principal``): principal when a principal product or the first clause of the
    business text says it (see :func:`_principal_products`).
    """
    codes = list(codes)
    texts = []
    for code in codes:
        c = companies[code]
        pairs = sorted(_company_products(products, code, c), reverse=True)
        clauses = split_clauses(c["scope"])
        texts.append(("、".join(dict.fromkeys(p for _, p in pairs)), c["scope"]))
        texts.append(("、".join(dict.fromkeys(_principal_products(pairs))),
                      "；".join(clauses[:PRINCIPAL_CLAUSES])))
    if not any(a or b for a, b in texts):
        return {}
    if chains is None:
        from chainkg.loaders.datadir import load

        chains = load().chains.values()
    chains = list(chains)
    segs = [s for ch in chains for s in ch.segments if known is None or s.id in known]
    # Problems could only be in the embedded industry-code file, which classify does not
    # use here (the dataset has no GB/T 4754 codes) and which its own tests check.
    rules = load_rules(segs, Report(), chains=chains)
    records = pd.DataFrame(texts, columns=["products", "scope"])
    found, _ = classify(records, rules)
    found = found[found["segment"].str.contains(".", regex=False)]
    principal = set(zip(found.loc[found["row"] % 2 == 1, "row"] // 2,
                        found.loc[found["row"] % 2 == 1, "segment"]))
    out = {}
    for m in found[found["row"] % 2 == 0].itertuples(index=False):
        k = m.row // 2
        out.setdefault(codes[k], []).append({
            "segment": m.segment, "method": m.method, "evidence": m.evidence, "confidence": m.confidence,
            "principal": (k, m.segment) in principal})
    return out


def _below(segment, ancestor):
    return segment.startswith(ancestor + ".")


def _reconcile(shenwan, words, counts):
    """A company's memberships from its Shenwan segments and the segments its words name.

    A word segment within (below or equal to) a Shenwan segment narrows or confirms it;
    one in a chain where Shenwan gives none counts only when principal (``low``: the
    Shenwan industry, assigned by revenue, puts the company elsewhere); one outside the
    Shenwan segment of its own chain is dropped.
    """
    out = []
    for seg, (conf, why) in shenwan.items():
        below = [w for w in words if _below(w["segment"], seg)]
        same = [w for w in words if w["segment"] == seg]
        if below:
            counts["Shenwan segments narrowed by products or business text"] += 1
            out += [{"segment": w["segment"], "method": f"shenwan+{w['method']}",
                     "evidence": f"{why} -> {seg}; {w['evidence']}",
                     "confidence": min(conf, w["confidence"], key=CONFIDENCE_ORDER.get)} for w in below]
        elif same:
            w = same[0]
            counts["Shenwan segments confirmed by products or business text"] += 1
            out.append({"segment": seg, "method": f"shenwan+{w['method']}", "evidence": f"{why}; {w['evidence']}",
                        "confidence": max(conf, w["confidence"], key=CONFIDENCE_ORDER.get)})
        else:
            out.append({"segment": seg, "method": "shenwan", "evidence": why, "confidence": conf})
    chains = {s.split(".", 1)[0] for s in shenwan}
    for w in words:
        if any(_below(w["segment"], s) or w["segment"] == s for s in shenwan):
            continue
        if w["segment"].split(".", 1)[0] in chains:
            counts["word matches outside the Shenwan segment of their chain (not kept)"] += 1
        elif not w["principal"]:
            counts["word matches in a chain Shenwan does not give, not principal (not kept)"] += 1
        else:
            counts["memberships from principal products or business text alone (low)"] += 1
            out.append({"segment": w["segment"], "method": w["method"], "evidence": w["evidence"],
                        "confidence": "low"})
    return list({m["segment"]: m for m in out}.values())


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
