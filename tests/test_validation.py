"""Malformed inputs: each is reported with its location and a message that says what is wrong."""

from __future__ import annotations

import pytest

import chainkg
from helpers import write_data_dir

ENT_HEADER = "id,name,region,segments,flags,source\n"


def _case(files, **changes):
    out = dict(files)
    out.update(changes)
    return out


# (id, changes to the demo files, expected problem: (type, file, row, column, path, message part))
CASES = [
    ("yaml-syntax", {"chains/demo.yaml": "id: demo\nname: [unclosed\n"},
     ("yaml", "chains/demo.yaml", 3, 1, None, "invalid YAML")),
    ("duplicate-segment-id", {"chains/demo.yaml": """\
id: demo
name: 演示
segments:
  - {id: a, name: 甲, stage: upstream}
  - {id: b, name: 乙, stage: upstream}
  - id: m
    name: 材料
    stage: upstream
    children:
      - {id: wafer, name: 硅片}
      - {id: wafer, name: 晶圆}
"""}, ("schema", "chains/demo.yaml", None, None, "segments[2].children[1].id", "duplicate id 'wafer'")),
    ("part-of-cycle", {"chains/demo.yaml": """\
id: demo
name: 演示
segments:
  - {id: a, name: 甲, stage: upstream, parent: b}
  - {id: b, name: 乙, stage: upstream, parent: a}
"""}, ("cycle", "chains/demo.yaml", None, None, "segments[0].parent", "PART_OF cycle: demo.a -> demo.b -> demo.a")),
    ("bad-stage", {"chains/demo.yaml": "id: demo\nname: 演示\nsegments:\n  - {id: a, name: 甲, stage: sideways}\n"},
     ("schema", "chains/demo.yaml", None, None, "segments[0].stage", "stage must be one of")),
    ("supply-unknown-segment", {"chains/demo.yaml": "id: demo\nname: 演示\nsegments:\n  - {id: a, name: 甲, stage: upstream}\n"
                                                   "supplies:\n  - {from: a, to: nowhere}\n"},
     ("schema", "chains/demo.yaml", None, None, "supplies[0].to", "unknown segment 'nowhere'")),
    ("template-unknown-key", {"chains/demo.yaml": "id: demo\nname: 演示\nsegmants: []\nsegments:\n  - {id: a, name: 甲, stage: upstream}\n"},
     ("schema", "chains/demo.yaml", None, None, "segmants", "unknown key 'segmants'")),
    ("bad-chain-id", {"chains/demo.yaml": "id: Demo Chain\nname: 演示\nsegments:\n  - {id: a, name: 甲, stage: upstream}\n"},
     ("schema", "chains/demo.yaml", None, None, "id", "chain id must match")),
    ("missing-column", {"enterprises.csv": "id,region,segments,source\ne1,500155,demo.fab,test\n"},
     ("missing-column", "enterprises.csv", 1, None, None, "missing column 'name'")),
    ("unknown-segment", {"enterprises.csv": "企业名称,所属区县,产业链环节,来源\n甲,500155,demo.fab,test\n乙,500155,封装,test\n"},
     ("unknown-segment", "enterprises.csv", 3, "产业链环节", None,
      "unknown segment '封装' (did you mean 封装测试 demo.packaging")),
    ("duplicate-enterprise-id", {"enterprises.csv": ENT_HEADER + "e1,甲,500155,demo.fab,,test\ne1,乙,500155,demo.fab,,test\n"},
     ("duplicate-id", "enterprises.csv", 3, "id", None, "duplicate enterprise id 'e1' (first at row 2)")),
    ("unknown-region", {"enterprises.csv": ENT_HEADER + "e1,甲,梁平县,demo.fab,,test\n"},
     ("unknown-region", "enterprises.csv", 2, "region", None, "unknown region '梁平县' (did you mean 梁平区 500155")),
    ("bad-amount", {"projects.csv": "name,region,status,投资额,source\n丁,500155,签约,lots,test\n"},
     ("bad-value", "projects.csv", 2, "投资额", None, "not an amount: 'lots'")),
    ("unknown-status", {"projects.csv": "name,region,status,source\n丁,500155,maybe,test\n"},
     ("bad-value", "projects.csv", 2, "status", None, "unknown project status 'maybe'")),
    ("ragged-row", {"enterprises.csv": ENT_HEADER + "e1,甲,500155,demo.fab,,test\ne2,乙,500155\n"},
     ("read", "enterprises.csv", 3, None, None, "expected 6 fields, found 3")),
    ("undecodable", {"enterprises.csv": ENT_HEADER.encode() + b"e1,\xff\xfe\xff,500155,demo.fab,,test\n"},
     ("read", "enterprises.csv", None, None, None, "cannot decode: not UTF-8 or GB18030/GBK (bad byte at line 2")),
    ("unknown-source", {"enterprises.csv": ENT_HEADER + "e1,甲,500155,demo.fab,,a-blog\n"},
     ("unknown-source", "enterprises.csv", 2, "source", None, "unknown source 'a-blog'")),
    ("missing-source", {"enterprises.csv": ENT_HEADER + "e1,甲,500155,demo.fab,,\n"},
     ("missing-value", "enterprises.csv", 2, "source", None, "missing source")),
    ("unknown-parent-region", {"regions.csv": "id,name,level,parent,source\nCN,中国,country,,test\n500155,梁平区,district,509999,test\n"},
     ("unknown-region", "regions.csv", 3, "parent", None, "unknown parent region '509999'")),
    ("bad-region-level", {"regions.csv": "id,name,level,parent,source\nCN,中国,nation,,test\n500155,梁平区,district,CN,test\n"},
     ("bad-value", "regions.csv", 2, "level", None, "unknown region level 'nation'")),
    ("corrupt-xlsx", {"enterprises.csv": None, "enterprises.xlsx": b"PK\x03\x04 this is not a workbook"},
     ("read", "enterprises.xlsx", None, None, None, "cannot read XLSX file")),
    ("bad-count", {"presence.csv": "region,segment,enterprises,source\n500155,demo.apps,2.5,test\n"},
     ("bad-value", "presence.csv", 2, "enterprises", None, "not a whole number: '2.5'")),
    ("duplicate-presence", {"presence.csv": "region,segment,enterprises,source\n500155,demo.apps,,test\n"
                                            "梁平区,终端应用,2,test\n"},
     ("duplicate-id", "presence.csv", 3, "segment", None,
      "duplicate presence row for 500155 demo.apps from source 'test' (first at row 2)")),
    ("link-unknown-enterprise", {"links.csv": "supplier,customer,product,source\ne3,nobody,硅片,test\n"},
     ("unknown-enterprise", "links.csv", 2, "customer", None, "unknown enterprise 'nobody'")),
    ("empty-file", {"presence.csv": ""},
     ("read", "presence.csv", None, None, None, "empty file")),
    ("manifest-missing-file", {"chainkg.yaml": "name: demo\ntables: {projects: plans.xlsx}\n"},
     ("missing-file", "chainkg.yaml", None, None, "tables.projects", "table 'plans.xlsx' not found")),
    ("manifest-unknown-key", {"chainkg.yaml": "name: demo\ntabels: {}\n"},
     ("schema", "chainkg.yaml", None, None, "tabels", "unknown key 'tabels'")),
]


@pytest.mark.parametrize("changes, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_input_is_located(tmp_path, demo_files, changes, expected):
    files = {k: v for k, v in _case(demo_files, **changes).items() if v is not None}
    report = chainkg.validate(write_data_dir(tmp_path / "d", files))
    assert not report.valid
    type_, file, row, column, path, message = expected
    matching = [p for p in report.problems if message in p.message]
    assert matching, f"no problem says {message!r}: {report.lines()}"
    p = matching[0]
    assert (p.type, p.file, p.row, p.column, p.path) == (type_, file, row, column, path), str(p)
    with pytest.raises(chainkg.ValidationError) as err:
        chainkg.load(tmp_path / "d")
    assert err.value.report.count == report.count


def test_validation_collects_every_problem(tmp_path, demo_files):
    demo_files["enterprises.csv"] = (ENT_HEADER + "e1,甲,500155,封装,,test\ne1,乙,500155,demo.fab,,test\n"
                                     "e3,丙,nowhere,demo.fab,,test\n")
    report = chainkg.validate(write_data_dir(tmp_path / "d", demo_files))
    assert {p.type for p in report.problems} == {"unknown-segment", "duplicate-id", "unknown-region"}


def test_many_identical_problems_are_counted_not_listed(tmp_path, demo_files):
    rows = "".join(f"e{i},甲{i},500155,nope,,test\n" for i in range(120))
    demo_files["enterprises.csv"] = ENT_HEADER + rows
    report = chainkg.validate(write_data_dir(tmp_path / "d", demo_files))
    assert len(report.problems) == 50 and report.count == 120
    assert any("70 more unknown-segment problems" in line for line in report.lines())
