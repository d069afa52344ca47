"""Reading tables: CSV in any encoding Excel in China writes, XLSX and Parquet.

Every cell is read as text first, so that a bad value can be reported with its row and
column instead of silently becoming NaN. Headers may be Chinese (企业名称, 所属区县,
产业链环节, …) or mapped in the manifest; money columns may carry a unit in the header
(``投资额(亿元)``) or in the cell (``5亿``).
"""

from __future__ import annotations

import csv
import functools
import io
import mmap
import os
import re
from pathlib import Path

import pandas as pd

from chainkg.errors import DataError
from chainkg.graph.resolve import normalize_name
from chainkg.loaders.report import Report
from chainkg.loaders.xlsx import cell_text, column_letter, read_xlsx
from chainkg.loaders.values import UNITS as _UNITS
from chainkg.loaders.values import parse_amount  # noqa: F401  (part of this module's API)

__all__ = ["read_table", "HEADER_ALIASES", "ID_COLUMNS", "map_headers", "header_columns",
           "parse_amount", "TABLE_SUFFIXES"]

TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")

#: Header spellings understood without a manifest mapping, per table.
HEADER_ALIASES = {
    "sources": {
        "id": ("id", "来源编号", "编号"), "title": ("title", "标题", "名称"),
        "publisher": ("publisher", "发布机构", "发布者"), "published": ("published", "发布日期"),
        "as_of": ("as_of", "截至", "数据期间"), "url": ("url", "链接", "网址"), "note": ("note", "备注"),
        "coverage": ("coverage", "覆盖", "覆盖范围", "证据类型"),
        "census_regions": ("census_regions", "普查地区", "名录地区"),
        "census_chains": ("census_chains", "普查产业链", "名录产业链"),
    },
    "regions": {
        "id": ("id", "code", "行政区划代码", "区划代码", "代码", "编码"), "name": ("name", "名称", "地区", "地区名称"),
        "name_en": ("name_en", "英文名"), "level": ("level", "级别", "层级"),
        "parent": ("parent", "上级", "上级代码", "上级行政区划代码"),
    },
    "enterprises": {
        "id": ("id", "企业编号", "编号"),
        "name": ("name", "企业名称", "公司名称", "企业", "名称"),
        "region": ("region", "所属区县", "所在地区", "所属地区", "地区", "区县", "注册地", "所在地"),
        "segments": ("segments", "segment", "产业链环节", "环节", "所属环节", "细分环节", "细分领域"),
        "flags": ("flags", "企业标签", "标签", "资质"), "output_cny": ("output_cny", "产值", "营业收入", "营收"),
        "employees": ("employees", "从业人员", "员工人数", "职工人数", "参保人数"),
        "main_business": ("main_business", "主营业务"), "confidence": ("confidence", "置信度"),
        # How the region was found when the source gave none (see loaders/regions_infer.py).
        "region_source": ("region_source", "地区依据"), "region_confidence": ("region_confidence", "地区置信度"),
        # What registry exports (企查查, 天眼查, 四上企业名录) say; see loaders/registry.py.
        "credit_code": ("credit_code", "统一社会信用代码", "信用代码", "社会信用代码"),
        "province": ("province", "所属省份", "省份"), "city": ("city", "所属城市", "城市"),
        "address": ("address", "注册地址", "地址", "住所", "企业地址", "通信地址"),
        "industry_section": ("国标行业门类", "行业门类"), "industry_division": ("国标行业大类", "行业大类"),
        "industry_group": ("国标行业中类", "行业中类"), "industry_class": ("国标行业小类", "行业小类"),
        "industry": ("industry", "所属行业", "国标行业", "行业", "行业分类", "国民经济行业", "行业代码"),
        "scope": ("scope", "经营范围"), "products": ("products", "主营产品", "主要产品"),
        "registered_capital": ("registered_capital", "注册资本"), "registration": ("registration", "登记状态",
                                                                                  "经营状态", "企业状态"),
    },
    "projects": {
        "id": ("id", "项目编号", "编号"), "name": ("name", "项目名称", "项目"),
        "enterprise": ("enterprise", "企业", "企业名称", "投资方", "签约企业", "投资主体"),
        "region": ("region", "所属区县", "地区", "区县", "所在地区"),
        "segment": ("segment", "产业链环节", "环节", "所属环节"),
        "investment_cny": ("investment_cny", "投资额", "总投资", "计划总投资", "协议投资额", "合同投资额"),
        "status": ("status", "状态", "项目状态", "进展"), "signed_on": ("signed_on", "签约日期", "签约时间"),
        "started_on": ("started_on", "开工日期", "开工时间"), "production_on": ("production_on", "投产日期", "投产时间"),
        "expected_output_cny": ("expected_output_cny", "预计产值", "达产产值", "预计年产值"), "note": ("note", "备注"),
    },
    "presence": {
        "region": ("region", "地区", "区县", "所属区县"), "segment": ("segment", "产业链环节", "环节"),
        "enterprises": ("enterprises", "企业数", "企业数量", "企业个数"), "note": ("note", "备注"),
    },
    "links": {
        "supplier": ("supplier", "供应商", "供方"), "customer": ("customer", "客户", "采购方", "需方"),
        "product": ("product", "产品"), "weight": ("weight", "权重"),
    },
    "memberships": {
        "enterprise": ("enterprise", "企业", "企业名称", "企业编号", "统一社会信用代码"),
        "segment": ("segment", "产业链环节", "环节"), "share": ("share", "份额", "市场份额", "占比"),
        "negligible": ("negligible", "份额可忽略", "可忽略"),
    },
    "overrides": {
        "enterprise": ("enterprise", "企业", "企业名称", "id", "统一社会信用代码"),
        "segment": ("segment", "产业链环节", "环节"), "note": ("note", "备注", "说明"),
    },
    "figures": {
        "region": ("region", "地区"), "metric": ("metric", "指标"), "value": ("value", "数值", "值"),
        "unit": ("unit", "单位"), "period": ("period", "期间", "统计期"), "note": ("note", "备注"),
    },
}
_COMMON = {"source": ("source", "来源", "数据来源", "出处"), "as_of": ("as_of", "截至", "数据日期", "统计时间", "时点")}

_UNIT_IN_HEADER = re.compile(r"^(?P<name>.*?)[\s]*[（(](?P<unit>亿元|万元|元|亿|万)[)）]$")


@functools.lru_cache(maxsize=None)
def _header_lookup(table):
    """Normalised header spelling -> schema column, for one table."""
    known = {**HEADER_ALIASES.get(table, {}), **_COMMON}
    return {normalize_name(w): col for col, words in known.items() for w in words}


def header_columns(headers, table, manifest_map=None):
    """What each header stands for: ``[(header, schema column or None, scale or None)]``.

    A header named in the manifest's ``columns`` means what the manifest says;
    otherwise a known spelling (Chinese or English, any case or width) means its column,
    and a unit in the header (``投资额(亿元)``) gives the column's scale. Two headers
    may stand for one column; :func:`map_headers` keeps the first.
    """
    lookup = _header_lookup(table)
    manifest_map = {str(k): v for k, v in (manifest_map or {}).items()}
    out = []
    for h in headers:
        if h in manifest_map:
            out.append((h, manifest_map[h], None))
            continue
        key, scale = h, None
        m = _UNIT_IN_HEADER.match(str(h).strip())
        if m:
            key, scale = m["name"], _UNITS[m["unit"]]
        col = lookup.get(normalize_name(key))
        out.append((h, col, scale if col else None))
    return out


def map_headers(headers, table, manifest_map=None):
    """Map a file's headers onto the schema's column names.

    Returns
    -------
    mapping : dict
        Original header -> schema column, for every header understood.
    scales : dict
        Schema column -> multiplier, for money headers with a unit (``投资额(亿元)``).
    """
    mapping, scales = {}, {}
    taken = set()  # a set, not mapping.values(): linear in the number of headers
    for h, col, scale in header_columns(headers, table, manifest_map):
        if col and col not in taken:
            mapping[h] = col
            taken.add(col)
            if scale:
                scales[col] = scale
    return mapping, scales


#: Columns that hold ids and codes (credit codes, region codes, enterprise refs): text, never numbers.
ID_COLUMNS = frozenset({"id", "region", "parent", "enterprise", "supplier", "customer", "credit_code"})

_BOM = b"\xef\xbb\xbf"
_NOT_SPACE = re.compile(rb"\S")
#: Bytes of CSV each of Arrow's reading threads parses at a time. Arrow's 1 MB default cuts
#: a 1 GB table into 1,029 chunks per column, each a step of Python in every column pass
#: after it; 16 MB cuts it into 65, and reads its 10M rows in 1.6 s instead of 2.9 s.
_CSV_BLOCK = 16 << 20
_BOM_ON_GBK = "gb18030 after a UTF-8 BOM"
#: How a spreadsheet writes a long number it shortened: 9.15001E+17.
_SHORTENED_NUMBER = r"[-+]?\d(?:\.\d+)?[eE]\+\d+"
#: Headers close enough to a known one to suggest it (output_cyn -> output_cny, 企业标鉴 -> 企业标签).
_SUGGEST_CUTOFF = 0.75
_UNUSED_LISTED = 10


def _decode(path, raw):
    """Decode CSV bytes: UTF-8 (with or without BOM), else GB18030 (a superset of GBK).

    The BOM is dropped before GB18030 is tried: some programs put one before GBK text,
    and decoded as GB18030 it would mangle the first header (the id column would be lost).
    """
    bom = raw.startswith(_BOM)
    body = raw[len(_BOM):] if bom else raw
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as err:
        not_utf8 = err
    try:
        return body.decode("gb18030"), _BOM_ON_GBK if bom else "gb18030"
    except UnicodeDecodeError:
        line = body[: not_utf8.start].count(b"\n") + 1
        raise DataError(f"cannot decode: not UTF-8 or GB18030/GBK (bad byte at line {line}, "
                        f"offset {not_utf8.start + (len(_BOM) if bom else 0)}); save the file as "
                        "UTF-8 CSV", file=path.name) from not_utf8


def _read_csv(path):
    """``(header, frame, encoding)``: Arrow's multithreaded reader, every column as text.

    UTF-8 bytes go to Arrow as they are (it checks them), straight from the file mapped
    into memory: a 1 GB table is never copied into a bytes object first. GB18030/GBK
    text is decoded first. Arrow stops at the first malformed row; the csv module then
    finds its line. The frame's columns are numbered; the header, with any duplicates,
    is returned apart.
    """
    raw = _mapped(path)
    start = len(_BOM) if raw[:len(_BOM)] == _BOM else 0
    if _NOT_SPACE.search(raw, start) is None:  # stops at the first byte that is not a space
        raise DataError("empty file: expected a header row", file=path.name)
    encoding = "utf-8-sig" if start else "utf-8"
    try:
        header_line = raw[start:raw.find(b"\n", start) + 1 or len(raw)].decode("utf-8")
        return (*_arrow_csv(path, memoryview(raw)[start:], raw.find(b'"', start) >= 0, header_line,
                            lambda: _decode(path, bytes(raw))[0]), encoding)
    except (UnicodeDecodeError, _NotUtf8):
        text, encoding = _decode(path, bytes(raw))
    data = text.encode("utf-8")
    return (*_arrow_csv(path, data, b'"' in data, text[: text.find("\n") + 1 or None], lambda: text), encoding)


def _mapped(path):
    """The file's bytes, mapped read-only (b"" for an empty file, which cannot be mapped).

    The mapping is not closed by hand: it ends when the last view of it goes, and Arrow's
    reading threads may hold one for a moment after the read has returned."""
    with open(path, "rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if os.fstat(f.fileno()).st_size else b""


class _NotUtf8(Exception):
    pass


def _arrow_csv(path, data, quoted, header_line, text_for_errors):
    """Parse ``data`` (bytes, or a view of a mapped file); ``quoted``: it holds a double quote."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    header = [h.strip() for h in next(csv.reader(io.StringIO(header_line)))]
    names = [str(i) for i in range(len(header))]  # Arrow needs unique names; headers may repeat
    if not header_line.endswith("\n"):  # a header alone, with no line break: Arrow cannot skip it
        data = (header_line + "\n").encode("utf-8")
    # Read as large_string, the type of pandas' str columns: a column read as string would be
    # copied into it by to_pandas (2.3 s of 5 for the 10M-row enterprise table).
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=_CSV_BLOCK),
            parse_options=pacsv.ParseOptions(newlines_in_values=quoted),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                                 strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
    except pa.ArrowInvalid as err:
        if "UTF8" in str(err) or "utf8" in str(err).lower():
            raise _NotUtf8() from err
        _locate_csv_error(path, text_for_errors())
        raise DataError(f"malformed CSV: {err}", file=path.name) from err
    df = table.to_pandas()
    df.columns = range(len(header))
    return header, df


def _parquet_text(df):
    """Every column of a Parquet table as text under numbered columns, "" where null.

    Text columns stay as they are (the round trip through Python objects took 1.5 s for a
    million rows); other columns become the ``str`` of each value."""
    return pd.DataFrame({i: col.fillna("") if isinstance(col.dtype, pd.StringDtype)
                         else col.astype(object).where(col.notna(), "").astype(str)
                         for i, (_, col) in enumerate(df.items())}, index=df.index)


def _locate_csv_error(path, text):
    """Find the first ragged or unparsable row with the csv module, for an exact location."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
        for row in reader:
            if row and len(row) != len(header):
                raise DataError(f"malformed CSV: expected {len(header)} fields, found {len(row)}",
                                file=path.name, row=reader.line_num)
    except csv.Error as err:
        raise DataError(f"malformed CSV: {err}", file=path.name, row=reader.line_num) from err


def _read_raw(path, report, file):
    """``(header, columns, frame, format)``: the file's header row and its data.

    XLSX gives ``columns``, each column's cell values as openpyxl read them; CSV and
    Parquet give ``frame``, text under numbered columns. The other one is None.
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            header, df, encoding = _read_csv(path)
            if encoding == _BOM_ON_GBK:
                report.warn("encoding", "the file starts with a UTF-8 byte-order mark but is not "
                            "UTF-8: read as GBK/GB18030; check its Chinese text and save it as UTF-8",
                            file=file)
            return header, None, df, f"csv {encoding}"
        if suffix in (".xlsx", ".xlsm"):
            return (*read_xlsx(path, report, file), None, "xlsx")
        if suffix == ".parquet":
            df = pd.read_parquet(path)
            header = [str(c).strip() for c in df.columns]
            return header, None, _parquet_text(df), "parquet"
    except DataError:
        raise
    except FileNotFoundError as err:
        raise DataError("file not found", file=str(path)) from err
    except IsADirectoryError as err:
        raise DataError("a directory, not a table file", file=file) from err
    except Exception as err:  # openpyxl/pyarrow raise many types for a corrupt file
        raise DataError(f"cannot read {suffix[1:].upper()} file: {err}", file=path.name) from err
    raise DataError(f"unsupported table format {suffix!r} (use .csv, .xlsx or .parquet)", file=path.name)


def read_table(path, report=None, *, file=None, table=None, columns=None):
    """Read a CSV, XLSX or Parquet file into a DataFrame of strings.

    Parameters
    ----------
    path : str or Path
    report : Report, optional
        Where problems that do not stop the reading go (duplicate headers, formulas
        without a value, ids stored as numbers, other sheets, a BOM on GBK text), as
        errors or warnings. Without one, the first of them, even a warning, is raised:
        a caller that cannot show a warning must not pass over what it says.
    file : str, optional
        The name problems are located at (the file's name by default).
    table : str, optional
        The table the file holds (``enterprises``, …): its headers are then checked
        against the known ones (two meaning one column, unused ones), and its id and
        code columns for numbers.
    columns : dict, optional
        The manifest's header mapping for ``table``.

    Returns
    -------
    (DataFrame, str)
        The table with its original headers (the first of any repeated one) and every
        cell as a string ("" when empty), and a description of the format
        ("csv utf-8-sig", "csv gb18030", "xlsx", "parquet").

    Raises
    ------
    DataError
        When the file cannot be read, naming the file (and the row where known); without
        a report, also for the first problem found while reading.
    """
    path = Path(path)
    file = file or path.name
    found = report if report is not None else Report()
    header, cells, df, fmt = _read_raw(path, found, file)

    def has_data(i):
        return any(v not in (None, "") for v in cells[i]) if cells is not None else (df[i] != "").any()

    keep, id_headers = _check_headers(header, has_data, found, file, table, columns)
    if cells is not None:
        for i in keep:
            if header[i] in id_headers:
                _report_numeric_ids(cells[i], header[i], found, file)
        df = pd.DataFrame({header[i]: [cell_text(v) for v in cells[i]] for i in keep},
                          index=pd.RangeIndex(len(cells[0]) if cells else 0))
    else:
        df = df[keep].set_axis([header[i] for i in keep], axis=1)
    for h in id_headers:
        _report_shortened_numbers(df[h], h, found, file)
    if report is None and (found.problems or found.warnings):
        p = (found.problems or found.warnings)[0]
        raise DataError(p.message, file=p.file, row=p.row, column=p.column)
    return df, fmt


def _check_headers(header, has_data, report, file, table, manifest_map):
    """Report repeated, clashing, empty and unused headers: ``(positions kept, id headers)``.

    Each header is looked at once (dicts, not list searches): a registry export may have
    thousands of columns.
    """
    keep, position = [], {}
    for i, h in enumerate(header):
        if h == "":
            if has_data(i):
                report.warn("unused-column", f"column {column_letter(i)} has no header: its values "
                            "are not read", file=file, row=1, column=column_letter(i))
        elif h in position:
            report.add("duplicate-column", f"columns {column_letter(position[h])} and "
                       f"{column_letter(i)} are both headed {h!r}: rename or delete one",
                       file=file, row=1, column=h)
        else:
            position[h] = i
            keep.append(i)
    if table is None:
        return keep, set()
    owner, unused = {}, []  # schema column -> the header that gives it
    for h, col, _ in header_columns([header[i] for i in keep], table, manifest_map):
        if col is None:
            unused.append(h)
        elif col in owner:
            first = owner[col]
            report.add("duplicate-column", f"columns {first!r} ({column_letter(position[first])}) and "
                       f"{h!r} ({column_letter(position[h])}) both give the {col!r} column: keep one, "
                       "or map one in the manifest's columns", file=file, row=1, column=h)
        else:
            owner[col] = h
    _report_unused(unused, table, set(owner), report, file)
    return keep, {h for col, h in owner.items() if col in ID_COLUMNS}


def _report_unused(headers, table, present, report, file):
    """Warn of headers that are not read: each near-miss of a missing column on its own, with
    the known header it resembles; the rest (a registry export's extra columns) in one line."""
    import difflib

    spellings = {}  # normalised spelling -> spelling, of the columns the file lacks
    for col, words in {**HEADER_ALIASES.get(table, {}), **_COMMON}.items():
        if col not in present:
            for w in words:
                spellings.setdefault(normalize_name(w), w)
    extra = []
    for h in headers:
        near = difflib.get_close_matches(normalize_name(h), list(spellings), n=1, cutoff=_SUGGEST_CUTOFF)
        if near:
            report.warn("unused-column", f"column {h!r} is not used (did you mean "
                        f"{spellings[near[0]]!r}?)", file=file, row=1, column=h)
        else:
            extra.append(h)
    if extra:
        shown = ", ".join(repr(h) for h in extra[:_UNUSED_LISTED])
        if len(extra) > _UNUSED_LISTED:
            shown += f" and {len(extra) - _UNUSED_LISTED} more"
        report.warn("unused-column", f"{len(extra)} column{'s' if len(extra) > 1 else ''} not used: "
                    f"{shown} (map a column in the manifest's columns to use it)", file=file, row=1)


def _report_numeric_ids(values, header, report, file):
    """Ids and codes stored as numbers: an error where digits are lost, else one warning."""
    intact = []
    for r, v in enumerate(values):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            text = cell_text(v)
            if sum(ch.isdigit() for ch in text) > 15:  # a spreadsheet number keeps 15 digits
                report.add("numeric-id", f"{text!r} is stored as a number, which keeps only 15 "
                           "digits: the code cannot be trusted; format the column as text (文本) and "
                           "enter it again", file=file, row=r + 2, column=header)
            else:
                intact.append((r, text))
    if intact:
        r, text = intact[0]
        report.warn("numeric-id", f"{len(intact)} cell{'s' if len(intact) > 1 else ''} stored as "
                    f"numbers (first {text!r}): read as text, but a number loses leading zeros; "
                    "format the column as text (文本)", file=file, row=r + 2, column=header)


def _report_shortened_numbers(values, header, report, file):
    """Ids a spreadsheet wrote in scientific notation (9.15001E+17): their digits are gone."""
    shortened = values.str.fullmatch(_SHORTENED_NUMBER)
    for idx in shortened[shortened].index:
        report.add("numeric-id", f"{values[idx]!r} is a number in scientific notation: the digits "
                   "of the code are lost (a spreadsheet shortened it); format the column as text "
                   "(文本) and enter it again", file=file, row=int(idx) + 2, column=header)
