"""Tables whose content would be lost or misread: each is reported with its location.

Where data would be lost or misread, ``chainkg validate`` fails with a located error;
where the file is usable as it is, it passes with a located warning on stderr, which
other commands mention.
"""

from __future__ import annotations


import openpyxl
import pytest

import chainkg
from chainkg.errors import DataError
from chainkg.loaders.tables import read_table
from helpers import BadInput, assert_case, build_case_dir, run_case, write_data_dir

HEADER = ("id", "name", "region", "segments", "flags", "output_cny", "source", "as_of")
ROWS = [("e1", "甲公司", "500155", "demo.fab", "规上", "1亿", "test", "2025"),
        ("e2", "乙公司", "500155", "封测;设计", "", "", "test", "2025"),
        ("e3", "丙公司", "320200", "demo.materials.wafer", "上市;专精特新", "5000000", "test", "2025")]


def workbook(*sheets):
    """A maker of an XLSX file from ``(title, rows)`` sheets; a cell ``=…`` is a formula
    written without a stored value, as openpyxl (and any program but Excel/WPS) writes it."""
    def make(path):
        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, rows in sheets:
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(list(row))
        book.save(path)
    return make


def xlsx_enterprises(*sheets):
    """Changes that replace enterprises.csv by a workbook."""
    return {"enterprises.csv": None, "enterprises.xlsx": workbook(*sheets)}


def csv_enterprises(header, *rows):
    return {"enterprises.csv": "".join(",".join(r) + "\n" for r in (header, *rows))}


def passes(id, changes, message, location, also=None):
    """A usable file: validation passes with this warning on stderr (and ``also(root)`` holds)."""
    def check(result, root):
        assert any(line.startswith(f"warning: {location}: ") and message in line
                   for line in result.stderr.splitlines()), result.stderr
        if also:
            also(root)
    return BadInput(id, changes, message=message, location=location, exit_code=0, check=check)


def enterprise_column(column, *values):
    """A check that the loaded enterprises hold exactly these values in ``column``."""
    def check(root):
        assert set(chainkg.load(root).enterprises[column]) == set(values)
    return check


def credit_code_as_number(code):
    """An 18-digit 统一社会信用代码 typed into a number cell: a float, as Excel keeps it."""
    header = ("统一社会信用代码", "企业名称", "所属区县", "产业链环节", "来源")
    return xlsx_enterprises(("企业", [header, (float(code), "甲公司", "500155", "demo.fab", "test")]))


CASES = [
    # 1. Sheets other than the first.
    BadInput("xlsx-table-goes-on-in-second-sheet",
             xlsx_enterprises(("Sheet1", [HEADER, *ROWS[:2]]), ("Sheet2", [HEADER, ROWS[2]])),
             message="sheet 'Sheet2' has the same headers as the first sheet 'Sheet1', but only the "
                     "first sheet is read: 1 row would be lost", location="enterprises.xlsx"),
    passes("xlsx-notes-sheet", xlsx_enterprises(("企业", [HEADER, *ROWS]),
                                                ("说明", [("数据来源：区经信委",), ("截至2025年",)])),
           "sheet '说明' (2 rows with data) is not read: only the first sheet '企业' is", "enterprises.xlsx"),
    # 2. Repeated headers, and two headers meaning one column.
    BadInput("csv-duplicate-header", csv_enterprises(("id", "name", "region", "segments", "name", "source"),
                                                     ("e1", "甲", "500155", "demo.fab", "乙", "test")),
             message="columns B and E are both headed 'name': rename or delete one",
             location="enterprises.csv:1:name"),
    BadInput("xlsx-duplicate-header",
             xlsx_enterprises(("企业", [HEADER + ("flags",), ROWS[0] + ("专精特新",)])),
             message="columns E and I are both headed 'flags': rename or delete one",
             location="enterprises.xlsx:1:flags"),
    BadInput("alias-headers-of-one-column",
             csv_enterprises(("id", "企业名称", "region", "segments", "name", "source"),
                             ("e1", "甲公司", "500155", "demo.fab", "甲", "test")),
             message="columns '企业名称' (B) and 'name' (E) both give the 'name' column: keep one, or map "
                     "one in the manifest's columns", location="enterprises.csv:1:name"),
    # 3. Headers that are not used.
    passes("misspelled-optional-header",
           csv_enterprises(("id", "name", "region", "segments", "output_cyn", "source"),
                           ("e1", "甲", "500155", "demo.fab", "1亿", "test")),
           "column 'output_cyn' is not used (did you mean 'output_cny'?)", "enterprises.csv:1:output_cyn"),
    passes("misspelled-chinese-header",
           csv_enterprises(("企业名称", "所属区县", "产业链环节", "企业标鉴", "来源"),
                           ("甲", "500155", "demo.fab", "专精特新", "test")),
           "column '企业标鉴' is not used (did you mean '企业标签'?)", "enterprises.csv:1:企业标鉴"),
    passes("registry-export-extra-columns",
           csv_enterprises(("企业名称", "所属区县", "产业链环节", "来源", "法定代表人", "企业类型"),
                           ("甲", "500155", "demo.fab", "test", "张三", "有限责任公司")),
           "2 columns not used: '法定代表人', '企业类型'", "enterprises.csv:1"),
    passes("column-without-header",
           csv_enterprises(("id", "name", "region", "segments", "source", ""),
                           ("e1", "甲", "500155", "demo.fab", "test", "1亿")),
           "column F has no header: its values are not read", "enterprises.csv:1:F"),
    # 4. Paths that are not files.
    BadInput("table-path-is-a-directory", {"enterprises.csv": lambda p: p.mkdir()},
             message="a directory, not a table file", location="enterprises.csv"),
    BadInput("manifest-table-is-a-directory",
             {"chainkg.yaml": "name: demo\ntables: {projects: plans}\n", "plans": lambda p: p.mkdir()},
             message="table 'plans': a directory, not a table file", location="chainkg.yaml: tables.projects"),
    BadInput("table-is-a-broken-symlink", {"enterprises.csv": lambda p: p.symlink_to("gone.csv")},
             message="broken symbolic link to 'gone.csv': the table it names is not there",
             location="enterprises.csv"),
    BadInput("regions-broken-symlink-not-replaced-by-embedded",
             {"regions.csv": lambda p: p.symlink_to("/nowhere/regions.csv")},
             message="broken symbolic link to '/nowhere/regions.csv'", location="regions.csv"),
    # 5. A UTF-8 byte-order mark in front of GBK text: decoded as GBK, ids kept, and said.
    passes("bom-on-gbk-csv",
           {"enterprises.csv": b"\xef\xbb\xbf" + "".join(",".join(r) + "\n" for r in (HEADER, *ROWS))
            .encode("gbk")},
           "the file starts with a UTF-8 byte-order mark but is not UTF-8: read as GBK/GB18030",
           "enterprises.csv", also=enterprise_column("id", "e1", "e2", "e3")),
    # 6. Formulas without a stored value.
    BadInput("xlsx-formula-without-value",
             xlsx_enterprises(("企业", [HEADER, ROWS[0], ROWS[1][:5] + ("=F2*2",) + ROWS[1][6:]])),
             message="formula '=F2*2' has no stored value; open and save the file in Excel/WPS",
             location="enterprises.xlsx:3:output_cny"),
    # 7. Ids and codes stored as numbers.
    BadInput("xlsx-credit-code-as-number", credit_code_as_number(915001234567890123),
             message="'915001234567890176' is stored as a number, which keeps only 15 digits: the code "
                     "cannot be trusted", location="enterprises.xlsx:2:统一社会信用代码"),
    passes("xlsx-region-code-as-number",
           xlsx_enterprises(("企业", [HEADER, *[r[:2] + (int(r[2]),) + r[3:] for r in ROWS]])),
           "3 cells stored as numbers (first '500155'): read as text", "enterprises.xlsx:2:region",
           also=enterprise_column("region", "500155", "320200")),
    BadInput("csv-credit-code-shortened-by-excel",
             csv_enterprises(("统一社会信用代码", "企业名称", "所属区县", "产业链环节", "来源"),
                             ("9.15001E+17", "甲公司", "500155", "demo.fab", "test")),
             message="'9.15001E+17' is a number in scientific notation: the digits of the code are lost",
             location="enterprises.csv:2:统一社会信用代码"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_table(case, tmp_path, demo_files):
    assert_case(case, tmp_path, demo_files)


def test_other_commands_mention_warnings(tmp_path, demo_files):
    case = next(c for c in CASES if c.id == "misspelled-optional-header")
    outcome, result, _ = run_case(BadInput("info", case.changes, args=("info",), exit_code=0), tmp_path,
                                  demo_files)
    assert outcome == "accepted", result.output
    assert result.stderr.splitlines() == [
        "warning: enterprises.csv:1:output_cyn: column 'output_cyn' is not used (did you mean "
        "'output_cny'?); run 'chainkg validate' for all"]


def test_warnings_keep_the_report_valid(tmp_path, demo_files):
    case = next(c for c in CASES if c.id == "registry-export-extra-columns")
    report = chainkg.validate(build_case_dir(case, tmp_path, demo_files))
    assert report.valid and report.problems == []
    [w] = report.warnings
    assert (w.type, w.file, w.row, w.column) == ("unused-column", "enterprises.csv", 1, None)
    assert report.to_dict()["warnings"][0]["message"] == w.message


def test_csv_ids_stay_text(tmp_path, demo_files):
    """Leading zeros and long digit strings in CSV come through as written."""
    demo_files["enterprises.csv"] = ("id,name,region,segments,source\n"
                                     "00123,甲,500155,demo.fab,test\n"
                                     "915001234567890123,乙,500155,demo.fab,test\n")
    graph = chainkg.load(write_data_dir(tmp_path / "d", demo_files))
    assert list(graph.enterprises["id"]) == ["00123", "915001234567890123"]


def test_read_table_without_a_report_raises_the_first_error(tmp_path):
    path = tmp_path / "t.xlsx"
    workbook(("s", [("a", "b", "a"), (1, "=A2+1", 3)]))(path)
    with pytest.raises(DataError) as err:
        read_table(path)
    assert str(err.value) == "t.xlsx:2:b: formula '=A2+1' has no stored value; open and save the file in Excel/WPS"


def test_xlsx_cells_read_as_pandas_did(tmp_path):
    """Whole numbers without .0, dates as datetimes print, empty cells empty."""
    import datetime

    path = tmp_path / "t.xlsx"
    workbook(("s", [("a", "b", "c", "d"), (5.0, 1.25, datetime.datetime(2025, 1, 2), None), ("x",)]))(path)
    df, fmt = read_table(path)
    assert fmt == "xlsx"
    assert df.to_dict("records") == [{"a": "5", "b": "1.25", "c": "2025-01-02 00:00:00", "d": ""},
                                     {"a": "x", "b": "", "c": "", "d": ""}]


def test_wide_table_is_read(tmp_path, demo_files):
    """A 3-row table with 8,000 columns validates, naming the unused ones once
    (its speed is measured by benchmarks/validate_errors.py)."""
    header = ("id", "name", "region", "segments", "source") + tuple(f"extra{i}" for i in range(8000))
    rows = [(f"e{i}", f"甲{i}", "500155", "demo.fab", "test") + ("x",) * 8000 for i in range(3)]
    root = build_case_dir(BadInput("wide", csv_enterprises(header, *rows)), tmp_path, demo_files)
    report = chainkg.validate(root)
    assert report.valid
    assert [w.message[:31] for w in report.warnings] == ["8000 columns not used: 'extra0'"]
