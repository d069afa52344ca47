"""Reading tables: CSV in any encoding Excel in China writes, XLSX and Parquet.

Every cell is read as text first, so that a bad value can be reported with its row and
column instead of silently becoming NaN. Headers may be Chinese (企业名称, 所属区县,
产业链环节, …) or mapped in the manifest; money columns may carry a unit in the header
(``投资额(亿元)``) or in the cell (``5亿``).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from chainkg.errors import DataError
from chainkg.graph.resolve import normalize_name
from chainkg.loaders.values import UNITS as _UNITS
from chainkg.loaders.values import parse_amount  # noqa: F401  (part of this module's API)

__all__ = ["read_table", "HEADER_ALIASES", "map_headers", "parse_amount", "TABLE_SUFFIXES"]

TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")

#: Header spellings understood without a manifest mapping, per table.
HEADER_ALIASES = {
    "sources": {
        "id": ("id", "来源编号", "编号"), "title": ("title", "标题", "名称"),
        "publisher": ("publisher", "发布机构", "发布者"), "published": ("published", "发布日期"),
        "as_of": ("as_of", "截至", "数据期间"), "url": ("url", "链接", "网址"), "note": ("note", "备注"),
    },
    "regions": {
        "id": ("id", "code", "行政区划代码", "区划代码", "代码", "编码"), "name": ("name", "名称", "地区", "地区名称"),
        "name_en": ("name_en", "英文名"), "level": ("level", "级别", "层级"),
        "parent": ("parent", "上级", "上级代码", "上级行政区划代码"),
    },
    "enterprises": {
        "id": ("id", "统一社会信用代码", "信用代码", "社会信用代码", "企业编号", "编号"),
        "name": ("name", "企业名称", "公司名称", "企业", "名称"),
        "region": ("region", "所属区县", "所在地区", "所属地区", "地区", "区县", "注册地", "所在地"),
        "segments": ("segments", "segment", "产业链环节", "环节", "所属环节", "细分环节", "细分领域"),
        "flags": ("flags", "企业标签", "标签", "资质"), "output_cny": ("output_cny", "产值", "营业收入", "营收"),
        "employees": ("employees", "从业人员", "员工人数", "职工人数"),
        "main_business": ("main_business", "主营业务", "经营范围"), "confidence": ("confidence", "置信度"),
        # How the region was found when the source gave none (see loaders/regions_infer.py).
        "region_source": ("region_source", "地区依据"), "region_confidence": ("region_confidence", "地区置信度"),
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
    "figures": {
        "region": ("region", "地区"), "metric": ("metric", "指标"), "value": ("value", "数值", "值"),
        "unit": ("unit", "单位"), "period": ("period", "期间", "统计期"), "note": ("note", "备注"),
    },
}
_COMMON = {"source": ("source", "来源", "数据来源", "出处"), "as_of": ("as_of", "截至", "数据日期", "统计时间", "时点")}

_UNIT_IN_HEADER = re.compile(r"^(?P<name>.*?)[\s]*[（(](?P<unit>亿元|万元|元|亿|万)[)）]$")


def map_headers(headers, table, manifest_map=None):
    """Map a file's headers onto the schema's column names.

    Returns
    -------
    mapping : dict
        Original header -> schema column, for every header understood.
    scales : dict
        Schema column -> multiplier, for money headers with a unit (``投资额(亿元)``).
    """
    known = {**HEADER_ALIASES.get(table, {}), **_COMMON}
    lookup = {normalize_name(w): col for col, words in known.items() for w in words}
    manifest_map = {str(k): v for k, v in (manifest_map or {}).items()}
    mapping, scales = {}, {}
    for h in headers:
        if h in manifest_map:
            mapping[h] = manifest_map[h]
            continue
        key, scale = h, None
        m = _UNIT_IN_HEADER.match(str(h).strip())
        if m:
            key, scale = m["name"], _UNITS[m["unit"]]
        col = lookup.get(normalize_name(key))
        if col and col not in mapping.values():
            mapping[h] = col
            if scale:
                scales[col] = scale
    return mapping, scales


def _decode(path, raw):
    """Decode CSV bytes: UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataError(f"cannot decode: not UTF-8 or GB18030/GBK (bad byte at line {line}, "
                        f"offset {err.start}); save the file as UTF-8 CSV", file=path.name) from err


def _read_csv(path):
    """Parse with Arrow's multithreaded reader, every column as text.

    UTF-8 bytes go to Arrow as they are (it checks them); GB18030/GBK text is decoded
    first. Arrow stops at the first malformed row; the csv module then finds its line.
    """
    raw = path.read_bytes()
    if not raw or raw.isspace():  # isspace reads without copying a large file
        raise DataError("empty file: expected a header row", file=path.name)
    bom = raw.startswith(b"\xef\xbb\xbf")
    data = raw[3:] if bom else raw
    try:
        header_line = data[: data.find(b"\n") + 1 or None].decode("utf-8")
        encoding = "utf-8-sig" if bom else "utf-8"
        return _arrow_csv(path, data, header_line, lambda: _decode(path, raw)[0]), encoding
    except (UnicodeDecodeError, _NotUtf8):
        text, encoding = _decode(path, raw)
        data = text.encode("utf-8")
        return _arrow_csv(path, data, text[: text.find("\n") + 1 or None], lambda: text), encoding


class _NotUtf8(Exception):
    pass


def _arrow_csv(path, data, header_line, text_for_errors):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    header = [h.strip() for h in next(csv.reader(io.StringIO(header_line)))]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise DataError(f"duplicate column header {dupes[0]!r}", file=path.name, row=1, column=dupes[0])
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=b'"' in data),
            convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                 strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
    except pa.ArrowInvalid as err:
        if "UTF8" in str(err) or "utf8" in str(err).lower():
            raise _NotUtf8() from err
        _locate_csv_error(path, text_for_errors())
        raise DataError(f"malformed CSV: {err}", file=path.name) from err
    return table.to_pandas()


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


def read_table(path):
    """Read a CSV, XLSX or Parquet file into a DataFrame of strings.

    Returns
    -------
    (DataFrame, str)
        The table with its original headers and every cell as a string ("" when empty),
        and a description of the format ("csv utf-8-sig", "csv gb18030", "xlsx", "parquet").

    Raises
    ------
    DataError
        When the file cannot be read, naming the file (and the row where known).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            df, encoding = _read_csv(path)
            fmt = f"csv {encoding}"
        elif suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, dtype=str, keep_default_na=False, na_filter=False,
                               engine="openpyxl")
            fmt = "xlsx"
        elif suffix == ".parquet":
            df = pd.read_parquet(path)
            fmt = "parquet"
        else:
            raise DataError(f"unsupported table format {suffix!r} (use .csv, .xlsx or .parquet)",
                            file=path.name)
    except DataError:
        raise
    except FileNotFoundError as err:
        raise DataError("file not found", file=str(path)) from err
    except Exception as err:  # openpyxl/pyarrow raise many types for a corrupt file
        raise DataError(f"cannot read {suffix[1:].upper()} file: {err}", file=path.name) from err
    df.columns = [str(c).strip() for c in df.columns]
    dupes = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    if dupes:
        raise DataError(f"duplicate column header {dupes[0]!r}", file=path.name, row=1,
                        column=dupes[0])
    if not fmt.startswith("csv"):
        df = df.astype(object).where(df.notna(), "").astype(str)
    return df, fmt
