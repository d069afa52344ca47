"""Region inference: credit-code check digit, place names in full names and addresses, ambiguity."""

from __future__ import annotations

import pandas as pd
import pytest

from chainkg.loaders.regions_infer import divisions, infer_region, infer_regions
from chainkg.loaders.uscc import check_character, is_valid_credit_code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "914403001922038216",
                                  "91330100716105852F"])
def test_real_credit_codes_validate(code):
    assert is_valid_credit_code(code) and check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", ["91350100M000100Y44", "9135010OM000100Y43", "91350100M000100Y4", ""])
def test_bad_credit_codes_rejected(code):
    assert not is_valid_credit_code(code)


def test_credit_code_region_is_high_confidence():
    g = infer_region(credit_code="91350100M000100Y43", name="吉林化纤股份有限公司")
    assert (g.region, g.confidence, g.region_source) == ("350100", "high", "credit-code:350100")


def test_credit_code_with_wrong_check_digit_is_not_trusted():
    code = "91500155MA5U3B3X2" + "0"
    assert not is_valid_credit_code(code)
    g = infer_region(credit_code=code, name="重庆平伟实业股份有限公司")
    assert g.region == "500000" and g.region_source == "name:重庆"
    assert "fails the GB 32100 check" in g.note


def test_abolished_division_code_falls_back_to_its_ancestor():
    first17 = "91500228MA5U3B3X2"  # 500228 梁平县 became 500155 梁平区 in 2016
    g = infer_region(credit_code=first17 + check_character(first17))
    assert g.region == "500000" and g.confidence == "medium" and "500228" in g.note


@pytest.mark.parametrize("name,region,confidence", [
    ("重庆市涪陵榨菜集团股份有限公司", "500102", "medium"),
    ("山东潍坊润丰化工股份有限公司", "370700", "medium"),
    ("纽威数控装备（苏州）股份有限公司", "320500", "medium"),
    ("芯原微电子(上海)股份有限公司", "310000", "medium"),
    ("张家港海锅新能源装备股份有限公司", "320582", "medium"),
    ("广西壮族自治区南宁市某公司", "450100", "medium"),
    ("北川羌族自治县某公司", "510726", "medium"),
    ("吉林化纤股份有限公司", "220000", "low"),       # 吉林省 or 吉林市: the province contains both
])
def test_place_in_name(name, region, confidence):
    g = infer_region(name=name)
    assert (g.region, g.confidence) == (region, confidence)


@pytest.mark.parametrize("name,word", [
    ("中山公用事业集团股份有限公司", "中山"),   # 中山市 or 大连的中山区
    ("东方时尚驾驶学校股份有限公司", "东方"),   # 东方市, or a trade name
    ("南山铝业股份有限公司", "南山"),
    ("昆山国力电子科技股份有限公司", "昆山"),
])
def test_ambiguous_names_are_reported_not_guessed(name, word):
    g = infer_region(name=name)
    assert g.region is None and word in g.note


def test_no_place_no_region():
    assert infer_region(name="中国银行股份有限公司").region is None


def test_address_beats_name():
    g = infer_region(address="广东省中山市沙溪镇云汉路1号", name="吉林某公司")
    assert g.region == "442000" and g.region_source.startswith("address:")


def test_infer_regions_vectorised_once_per_value():
    df = pd.DataFrame({"name": ["湖南华联瓷业股份有限公司"] * 3 + ["中山公用事业集团股份有限公司"]})
    out = infer_regions(df, name="name")
    assert out["region"].tolist() == ["430000"] * 3 + [None]
    assert out.loc[3, "region_note"].startswith("ambiguous '中山'")


def test_division_table_is_current_and_one_name_per_municipality():
    d = divisions()
    assert d.name("500155") == "梁平区" and "500228" not in d
    assert d.lookup("重庆市") == {"500000"}
