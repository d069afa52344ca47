"""Bad registry exports and overrides: each a located problem."""

from __future__ import annotations

import pytest

from helpers import BadInput, assert_case

def _warns(message, location):
    def check(result, root):
        assert any(line.startswith(f"warning: {location}") and message in line for line in result.stderr.splitlines()), \
            result.stderr
    return check


CASES = [
    BadInput("tags-that-are-no-flag", {"enterprises.csv": "id,name,region,segments,flags,source\n"
                                       "e1,甲,500155,demo.fab,瞪羚企业;专精特新“小巨人”,test\n"},
             exit_code=0, check=_warns("1 tags are not flags chainkg uses (first '瞪羚企业')", "enterprises.csv:2:flags")),
    BadInput("override-unknown-enterprise", {"overrides.csv": "企业,环节\n没有这家公司,ic.design\n"},
             message="unknown enterprise '没有这家公司'", location="overrides.csv:2:企业"),
    BadInput("override-unknown-segment", {"overrides.csv": "enterprise,segment\n甲公司,ic.nowhere\n"},
             message="unknown segment 'ic.nowhere'", location="overrides.csv:2:segment"),
    BadInput("bad-registered-capital",
             {"enterprises.csv": "企业名称,所属区县,注册资本,经营范围,来源\n甲,500155,很多钱,集成电路设计,test\n"},
             message="not a registered capital: '很多钱'", location="enterprises.csv:2:注册资本"),
    BadInput("duplicate-registry-names",
             {"enterprises.csv": "企业名称,统一社会信用代码,所属区县,经营范围,来源\n甲,,500155,集成电路设计,test\n"
                                 "甲,,500155,集成电路制造,test\n"},
             message="duplicate enterprise name '甲'", location="enterprises.csv:3:企业名称"),
    BadInput("industry-code-not-a-class",
             {"industry_codes.yaml": "classes: {'3973': 集成电路制造}\nmappings: {'3974': {segments: [demo.fab]}}\n"},
             message="unknown industry code '3974': not under classes (did you mean '3973'?)",
             location="industry_codes.yaml: mappings.3974"),
    BadInput("industry-code-not-gbt4754", {"industry_codes.yaml": "classes: {'X9': 其他}\n"},
             message="not a GB/T 4754 code 'X9'", location="industry_codes.yaml: classes.X9"),
    BadInput("industry-code-unknown-segment",
             {"industry_codes.yaml": "classes: {'3973': 集成电路制造}\nmappings: {'3973': {segments: [demo.nowhere]}}\n"},
             message="unknown segment 'demo.nowhere'", location="industry_codes.yaml: mappings.3973.segments[0]"),
    BadInput("industry-codes-file-missing",
             {"chainkg.yaml": "name: demo\nas_of: '2025-01'\nindustry_codes: codes/gbt.yaml\n"},
             message="not a file: 'codes/gbt.yaml'", location="chainkg.yaml: industry_codes"),
]


def test_a_directorys_industry_codes_classify_its_rows(tmp_path, demo_files):
    """industry_codes.yaml in the data directory replaces the embedded class table."""
    from helpers import write_data_dir

    import chainkg
    from chainkg.queries import classification

    demo_files["industry_codes.yaml"] = "classes: {'3973': 集成电路制造}\nmappings: {'3973': {segments: [demo.fab]}}\n"
    demo_files["enterprises.csv"] = "企业名称,所属区县,国标行业小类,经营范围,来源\n甲,500155,3973,软件开发,test\n"
    rows = classification(chainkg.load(write_data_dir(tmp_path / "d", demo_files)))
    assert rows[["name", "segment", "method", "evidence"]].values.tolist() == [
        ["甲", "demo.fab", "industry_code", "国标行业 3973 集成电路制造"]]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(tmp_path, demo_files, case):
    assert_case(case, tmp_path, demo_files)
