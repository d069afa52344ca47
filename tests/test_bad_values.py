"""Bad cell values: numbers, dates and text that must be located problems, not silently accepted.

Every case runs through the CLI (``chainkg --data DIR validate`` unless it says otherwise)
and names the file, row and column of the bad cell.
"""

from __future__ import annotations

import datetime

import pytest

import chainkg
from chainkg.loaders.values import text_problem
from helpers import BadInput, assert_case

ENT = "id,name,region,segments,output_cny,employees,main_business,source,as_of\n"
PRJ = "name,enterprise,region,segment,investment_cny,status,signed_on,started_on,production_on,note,source,as_of\n"
PRESENCE = "region,segment,enterprises,note,source\n"
LINKS = "supplier,customer,product,weight,source\n"
FIGURES = "region,metric,value,unit,period,note,source\n"


def ent(output="", employees="", name="甲公司", main_business="", id_="e9"):
    return ENT + f"{id_},{name},500155,demo.fab,{output},{employees},{main_business},test,2025\n"


def prj(investment="", status="签约", signed="", started="", production="", name="丁项目", note="", as_of=""):
    return PRJ + f"{name},,500155,demo.fab,{investment},{status},{signed},{started},{production},{note},test,{as_of}\n"


def loaded(table, column, expected):
    """A check that the directory loads and ``table.column`` holds ``expected`` (in row order)."""
    def check(result, root):
        values = getattr(chainkg.load(root), table)[column].tolist()
        assert values[-len(expected):] == expected, values
    return check


def xlsx(headers, *rows):
    """A maker of a real workbook with typed cells (dates as date cells)."""
    def make(path):
        import openpyxl

        wb = openpyxl.Workbook()
        wb.active.append(headers)
        for row in rows:
            wb.active.append(row)
        wb.save(path)
    return make


AMOUNT_HINT = "write decimals after a point, commas only between thousands"
FAR_FUTURE = "2099-01-01"

CASES = [
    # --- numbers: one parser for every numeric column --------------------------------------
    BadInput("investment-inf", {"projects.csv": prj("inf")},
             message="not a finite number: 'inf'", location="projects.csv:2:investment_cny"),
    BadInput("investment-overflow", {"projects.csv": prj("1e400")},
             message="number too large: '1e400'", location="projects.csv:2:investment_cny"),
    BadInput("investment-nan", {"projects.csv": prj("NaN")},
             message="not a finite number: 'NaN'", location="projects.csv:2:investment_cny"),
    BadInput("investment-negative", {"projects.csv": prj("-5亿")},
             message="negative amount: '-5亿'", location="projects.csv:2:investment_cny"),
    BadInput("investment-overflow-by-header-unit",
             {"projects.csv": "name,region,status,投资额(亿元),source\n丁,500155,签约,1e307,test\n"},
             message="number too large: '1e307'", location="projects.csv:2:投资额(亿元)"),
    BadInput("investment-implausible", {"projects.csv": prj("1e20")},
             message="amount '1e20' is more than 100万亿元", location="projects.csv:2:investment_cny"),
    BadInput("investment-inf-export-dry-run", {"projects.csv": prj("inf")},
             args=("export", "neo4j", "--dry-run", "{tmp}/out.jsonl"),
             message="not a finite number: 'inf'", location="projects.csv:2:investment_cny"),
    BadInput("investment-overflow-export-dry-run", {"projects.csv": prj("1e400")},
             args=("export", "neo4j", "--dry-run", "{tmp}/out.jsonl"),
             message="number too large: '1e400'", location="projects.csv:2:investment_cny"),
    BadInput("output-european-decimal", {"enterprises.csv": ent('"1.234,5"')},
             message=f"ambiguous number '1.234,5': {AMOUNT_HINT}", location="enterprises.csv:2:output_cny"),
    BadInput("output-blank-thousands", {"enterprises.csv": ent('"1 234,5"')},
             message=f"ambiguous number '1 234,5': {AMOUNT_HINT}", location="enterprises.csv:2:output_cny"),
    BadInput("output-decimal-comma", {"enterprises.csv": ent('"1,5"')},
             message="ambiguous number '1,5'", location="enterprises.csv:2:output_cny"),
    BadInput("output-infinity-word", {"enterprises.csv": ent("Infinity")},
             message="not a finite number: 'Infinity'", location="enterprises.csv:2:output_cny"),
    BadInput("employees-negative", {"enterprises.csv": ent(employees="-3")},
             message="negative count: '-3'", location="enterprises.csv:2:employees"),
    BadInput("employees-fraction", {"enterprises.csv": ent(employees="2.5")},
             message="not a whole number: '2.5'", location="enterprises.csv:2:employees"),
    BadInput("employees-overflow", {"enterprises.csv": ent(employees="99999999999999999999")},
             message="count '99999999999999999999' is more than 10亿", location="enterprises.csv:2:employees"),
    BadInput("employees-european-thousands", {"enterprises.csv": ent(employees="1.234")},
             message="not a whole number: '1.234'", location="enterprises.csv:2:employees"),
    BadInput("presence-count-inf", {"presence.csv": PRESENCE + "500155,demo.apps,inf,,test\n"},
             message="not a finite number: 'inf'", location="presence.csv:2:enterprises"),
    BadInput("presence-count-negative", {"presence.csv": PRESENCE + "500155,demo.apps,-1,,test\n"},
             message="negative count: '-1'", location="presence.csv:2:enterprises"),
    BadInput("link-weight-negative", {"links.csv": LINKS + "e3,e1,硅片,-1,test\n"},
             message="negative weight: '-1'", location="links.csv:2:weight"),
    BadInput("link-weight-nan", {"links.csv": LINKS + "e3,e1,硅片,nan,test\n"},
             message="not a finite number: 'nan'", location="links.csv:2:weight"),
    BadInput("figure-value-overflow", {"figures.csv": FIGURES + "500155,output,1e999,CNY,2025,,test\n"},
             message="number too large: '1e999'", location="figures.csv:2:value"),
    BadInput("figure-value-ambiguous", {"figures.csv": FIGURES + '500155,output,"12,34",CNY,2025,,test\n'},
             message="ambiguous number '12,34'", location="figures.csv:2:value"),
    BadInput("thousands-separators-as-chinese-spreadsheets-write-them",
             {"projects.csv": PRJ + "丁,,500155,demo.fab,\"1,234.5\",签约,,,,,test,\n"
                                    "戊,,500155,demo.fab,\"1,234.5万\",签约,,,,,test,\n"
                                    "己,,500155,demo.fab,１，２３４,签约,,,,,test,\n"},
             exit_code=0, check=loaded("projects", "investment_cny", [1234.5, 12345000.0, 1234.0])),

    # --- dates: every date column --------------------------------------------------------
    BadInput("signed-month-13", {"projects.csv": prj(signed="2025-13-01")},
             message="no such date: '2025-13-01' (month 13)", location="projects.csv:2:signed_on"),
    BadInput("signed-february-30", {"projects.csv": prj(signed="2025-02-30")},
             message="no such date: '2025-02-30' (2025-02 has 28 days)", location="projects.csv:2:signed_on"),
    BadInput("signed-next-year-in-words", {"projects.csv": prj(signed="明年")},
             message="not a date: '明年'", location="projects.csv:2:signed_on"),
    BadInput("signed-after-today", {"projects.csv": prj(signed=FAR_FUTURE)},
             message=f"date in the future: '{FAR_FUTURE}'", location="projects.csv:2:signed_on"),
    BadInput("signed-after-manifest-as-of", {"projects.csv": prj(signed="2025-03-01")},
             message="date '2025-03-01' is after the data's as_of '2025-01'", location="projects.csv:2:signed_on"),
    BadInput("signed-after-row-as-of", {"projects.csv": prj(signed="2025年7月1日", as_of="2025-06")},
             message="date '2025年7月1日' is after the data's as_of '2025-06'", location="projects.csv:2:signed_on"),
    BadInput("started-in-future-though-producing",
             {"projects.csv": prj(status="投产", started=FAR_FUTURE)},
             message=f"date in the future: '{FAR_FUTURE}'", location="projects.csv:2:started_on"),
    BadInput("production-date-impossible", {"projects.csv": prj(status="在建", production="2025-04-31")},
             message="no such date: '2025-04-31'", location="projects.csv:2:production_on"),
    BadInput("expected-production-date-may-be-ahead",
             {"projects.csv": prj(status="在建", started="2024-12", production=FAR_FUTURE)},
             exit_code=0, check=loaded("projects", "production_on", [FAR_FUTURE])),
    BadInput("enterprise-as-of-impossible", {"enterprises.csv": ENT + "e9,甲,500155,demo.fab,,,,test,2025-13\n"},
             message="no such date: '2025-13' (month 13)", location="enterprises.csv:2:as_of"),
    BadInput("region-as-of-future",
             {"regions.csv": "id,name,level,parent,source,as_of\nCN,中国,country,,test,2099\n"
                             "500155,梁平区,district,CN,test,2024\n"},
             message="date in the future: '2099'", location="regions.csv:2:as_of"),
    BadInput("source-published-impossible",
             {"sources.csv": "id,title,published,as_of\ntest,Test fixture,2025-02-29,2025\n"},
             message="no such date: '2025-02-29'", location="sources.csv:2:published"),
    BadInput("presence-as-of-in-words",
             {"presence.csv": "region,segment,source,as_of\n500155,demo.apps,test,去年\n"},
             message="not a date: '去年'", location="presence.csv:2:as_of"),
    BadInput("figure-period-backwards", {"figures.csv": FIGURES + "500155,output,1,CNY,2025-10/2025-01,,test\n"},
             message="period ends before it starts: '2025-10/2025-01'", location="figures.csv:2:period"),
    BadInput("excel-date-number", {"projects.csv": prj(signed="45809")},
             message="not a date: '45809' (a spreadsheet's date number? format the cell as a date)",
             location="projects.csv:2:signed_on"),
    BadInput("dates-as-chinese-spreadsheets-write-them",
             {"chainkg.yaml": "name: demo\nas_of: '2025-10'\nhome_region: '500155'\n",
              "projects.csv": PRJ + "甲,,500155,,,签约,2025/6/1,,,,test,\n乙,,500155,,,签约,2025年6月1日,,,,test,\n"
                                    "丙,,500155,,,签约,2025.06,,,,test,\n丁,,500155,,,签约,2025年6月,,,,test,\n"
                                    "戊,,500155,,,签约,2025-06-01,,,,test,2025年1-10月\n"},
             exit_code=0, check=loaded("projects", "signed_on",
                                       ["2025-06-01", "2025-06-01", "2025-06", "2025-06", "2025-06-01"])),
    BadInput("xlsx-date-cells",
             {"chainkg.yaml": "name: demo\nas_of: '2025-10'\nhome_region: '500155'\n", "projects.csv": None,
              "projects.xlsx": xlsx(["name", "region", "status", "signed_on", "started_on", "source"],
                                    ["甲", "500155", "在建", datetime.date(2025, 6, 1),
                                     datetime.datetime(2025, 7, 2, 9, 30), "test"])},
             exit_code=0, check=loaded("projects", "started_on", ["2025-07-02"])),
    BadInput("xlsx-date-cell-in-the-future",
             {"projects.csv": None,
              "projects.xlsx": xlsx(["name", "region", "status", "signed_on", "source"],
                                    ["甲", "500155", "签约", datetime.date(2099, 1, 1), "test"])},
             message="date in the future: '2099-01-01 00:00:00'", location="projects.xlsx:2:signed_on"),

    # --- text: control characters in every short text field ------------------------------
    BadInput("enterprise-name-nul", {"enterprises.csv": ent(name="甲\x00公司")},
             message=r"control character U+0000 in '甲\x00公司'", location="enterprises.csv:2:name"),
    BadInput("enterprise-id-ansi-escape", {"enterprises.csv": ent(id_="e\x1b[31m9")},
             message=r"control character U+001B in 'e\x1b[31m9'", location="enterprises.csv:2:id"),
    BadInput("enterprise-name-tab", {"enterprises.csv": ent(name="甲\t公司")},
             message=r"control character U+0009 in '甲\t公司'", location="enterprises.csv:2:name"),
    BadInput("enterprise-name-replacement-character", {"enterprises.csv": ent(name="甲\ufffd公司")},
             message="replacement character U+FFFD", location="enterprises.csv:2:name"),
    BadInput("main-business-bell", {"enterprises.csv": ent(main_business="制造\x07")},
             message=r"control character U+0007 in '制造\x07'", location="enterprises.csv:2:main_business"),
    BadInput("project-name-c1", {"projects.csv": prj(name="丁\x85项目")},
             message=r"control character U+0085 in '丁\x85项目'", location="projects.csv:2:name"),
    BadInput("project-status-del", {"projects.csv": prj(status="签约\x7f")},
             message=r"control character U+007F in '签约\x7f'", location="projects.csv:2:status"),
    BadInput("project-note-escape", {"projects.csv": prj(note="\x1b[2J")},
             message=r"control character U+001B in '\x1b[2J'", location="projects.csv:2:note"),
    BadInput("region-name-nul",
             {"regions.csv": "id,name,level,parent,source\nCN,中\x00国,country,,test\n500155,梁平区,district,CN,test\n"},
             message=r"control character U+0000 in '中\x00国'", location="regions.csv:2:name"),
    BadInput("presence-segment-escape", {"presence.csv": PRESENCE + "500155,demo.apps\x1b,,,test\n"},
             message=r"control character U+001B in 'demo.apps\x1b'", location="presence.csv:2:segment"),
    BadInput("link-product-nul", {"links.csv": LINKS + "e3,e1,硅\x00片,1,test\n"},
             message=r"control character U+0000 in '硅\x00片'", location="links.csv:2:product"),
    BadInput("source-publisher-escape", {"sources.csv": "id,title,publisher\ntest,Test,某\x1b局\n"},
             message=r"control character U+001B in '某\x1b局'", location="sources.csv:2:publisher"),
    BadInput("figure-metric-vertical-tab", {"figures.csv": FIGURES + "500155,out\x0bput,1,CNY,2025,,test\n"},
             message=r"control character U+000B in 'out\x0bput'", location="figures.csv:2:metric"),
    BadInput("free-text-keeps-tab-and-newline",
             {"projects.csv": prj(note='"第一行\n第二行\t备注"'), "enterprises.csv": ent(main_business='"制造；\r\n销售"')},
             exit_code=0, check=loaded("projects", "note", ["第一行\n第二行\t备注"])),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_value(case, tmp_path, demo_files):
    assert_case(case, tmp_path, demo_files)


def test_escape_sequences_are_not_printed_raw(tmp_path, demo_files):
    """A message shows the cell with its escapes spelled out, so a terminal does not run them."""
    from helpers import run_case

    case = BadInput("escape", {"projects.csv": prj(name="\x1b]0;pwned\x07丁")})
    outcome, result, _ = run_case(case, tmp_path, demo_files)
    assert outcome == "error" and "\x1b" not in result.output and r"\x1b]0;pwned\x07" in result.output


def test_lone_surrogates_and_replacement_characters_are_named():
    """No reader hands the loaders a lone surrogate (tables are UTF-8 throughout); the rule names one."""
    assert text_problem("甲\udcff公司") == r"undecodable byte (lone surrogate U+DCFF) in '甲\udcff公司'"
    assert text_problem("甲\ufffd", free=True).startswith("replacement character U+FFFD")


def test_capped_report_lists_fifty_with_suggestions_and_counts_the_rest(tmp_path, demo_files):
    from helpers import write_data_dir

    demo_files["enterprises.csv"] = "id,name,region,segments,source\n" + "".join(
        f"e{i},企业{i},500155,封装{i},test\n" for i in range(300))
    report = chainkg.validate(write_data_dir(tmp_path / "d", demo_files))
    listed = [p for p in report.problems if p.type == "unknown-segment"]
    assert len(listed) == 50 and [p.row for p in listed] == list(range(2, 52))
    assert all("(did you mean 封装测试 demo.packaging" in p.message for p in listed), listed[0].message
    assert report.count == 300
    assert "enterprises.csv: 250 more unknown-segment problems in column 'segments' not listed" in report.lines()


def test_problems_not_listed_without_a_column_name_none():
    from chainkg.loaders.report import Report

    report = Report()
    for i in range(60):
        report.add("schema", f"bad entry {i}", file="mapping.yaml", path=f"tables[{i}]")
    lines = report.lines()
    assert not any("column None" in line for line in lines), lines[-1]
    assert lines[-1].startswith("mapping.yaml: ") and lines[-1].endswith("more schema problems not listed")
