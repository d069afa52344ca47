"""Importing the ChainKnowledgeGraph dataset: its quirks, the report, and the data directory."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.errors import DataError, ExportError
from chainkg.loaders.ckg import import_ckg, read_ckg
from chainkg.loaders.industry_map import load_industry_mapping
from chainkg.queries.targets import rank_targets
from chainkg.render import to_jsonable

COMPANIES = [
    {"name": "长电科技", "fullname": "江苏长电科技股份有限公司", "code": "600584.SH",
     "location": "上海证券交易所", "time": "2003-06-03"},
    # exchange and listing date swapped
    {"name": "通富微电", "fullname": "通富微电子股份有限公司", "code": "002156",
     "location": "2007-08-16", "time": "深圳证券交易所"},
    {"name": "华天科技", "fullname": "天水华天科技股份有限公司", "code": "002185.SZ",
     "location": "深圳证券交易所", "time": "2007-11-20"},
    {"name": "华天科技", "fullname": "天水华天科技股份有限公司", "code": "002185",
     "location": "深圳证券交易所", "time": "2007-11-20"},  # the same company again
    {"name": "龙软科技", "fullname": "北京龙软科技股份有限公司", "code": "688078",
     "location": "上海证券交易所", "time": "2019-12-30"},
    {"name": "龙软科技", "fullname": "中国银行股份有限公司", "code": "688078",
     "location": "上海证券交易所", "time": "2006-07-05"},  # another company's full name
    {"name": "安井食品", "fullname": "福建安井食品股份有限公司", "code": "603345.SH",
     "location": "上海证券交易所", "time": "2017-02-22"},
    {"name": "中山公用", "fullname": "中山公用事业集团股份有限公司", "code": "000685.SZ",
     "location": "深交所", "time": "1997-01-23"},
    {"name": "中文传媒", "fullname": "中文天地出版传媒集团股份有限公司", "code": "600373.SH",
     "location": "上海证券交易所", "time": "2002-03-04"},
    {"name": "重庆某芯", "fullname": "重庆市梁平区某芯片股份有限公司", "code": "688999",
     "location": "上海证券交易所", "time": "2021-10-22"},
]
INDUSTRIES = [{"code": "270107", "name": "集成电路封测"}, {"code": "340406", "name": "预加工食品"},
              {"code": "720902", "name": "大众出版"}, {"code": "270104", "name": "数字芯片设计"}]


def _rel(code, icode, iname, name):
    return {"company_code": code, "industry_code": icode, "industry_name": iname,
            "company_name": name, "rel": "所属行业"}


COMPANY_INDUSTRY = [
    _rel("600584.SH", "270107", "集成电路封测", "长电科技"),
    _rel("002156", "279999", "集成电路封测", "通富微电"),  # code missing from industry.json
    _rel("002185.SZ", "270107", "集成电路封测", "华天科技"),
    _rel("603345.SH", "340406", "预加工食品", "安井食品"),
    _rel("000685.SZ", "340406", "预加工食品", "中山公用"),
    _rel("600373.SH", "720902", "大众出版", "中文传媒"),
    _rel("688999.SH", "270104", "数字芯片设计", "重庆某芯"),
    _rel("688999", "270107", "集成电路封测", "重庆某芯"),  # a second industry, merged
    _rel("999999.SZ", "270107", "集成电路封测", "不存在"),
]


def write_jsonl(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                            for r in rows), encoding="utf-8")


@pytest.fixture
def ckg_dir(tmp_path):
    root = tmp_path / "ckg"
    root.mkdir()
    write_jsonl(root / "company.json", COMPANIES + ["{not json"])
    write_jsonl(root / "industry.json", INDUSTRIES)
    write_jsonl(root / "industry_industry.json", [
        {"from_code": "270107", "from_industry": "集成电路封测", "rel": "上级行业",
         "to_code": "270100", "to_industry": "半导体"}])
    write_jsonl(root / "company_industry.json", COMPANY_INDUSTRY)
    write_jsonl(root / "product.json", [{"name": "集成电路"}, {"name": "速冻食品"}])
    return root  # company_product.json and product_product.json are absent, as in some copies


def counts(result):
    return dict(zip(result.summary["step"], result.summary["count"]))


def test_quirks_are_repaired_or_reported(ckg_dir):
    r = read_ckg(ckg_dir)
    c = counts(r)
    assert c["exchange and listing date swapped (repaired)"] == 1
    assert c["duplicate company rows merged"] == 1
    assert c["industry code not in industry.json, resolved by name"] == 1
    assert c["companies merged from several industry rows"] == 1
    assert c["companies in a chain segment (loaded)"] == 6
    assert c["companies in no chain segment (not loaded)"] == 1
    assert c["company_product.json absent"] == 1 and c["product_product.json absent"] == 1
    reasons = set(r.skipped["reason"])
    assert any(x.startswith("malformed JSON") for x in reasons)
    assert "company not in company.json" in reasons
    assert any("belongs to 北京龙软科技股份有限公司" in x for x in reasons)


def test_enterprise_rows(ckg_dir):
    e = read_ckg(ckg_dir).data["enterprises"].set_index("id")
    assert e.loc["002156.SZ", "segments"] == "ic.packaging"  # fell back to the industry name
    assert "2007-08-16" in e.loc["002156.SZ", "main_business"]  # the swapped date was kept
    assert e.loc["688999.SH", "segments"] == "ic.design.chip_design;ic.packaging"
    assert e.loc["688999.SH", "region"] == "500155"
    assert e.loc["600584.SH", ["region", "region_confidence"]].tolist() == ["320000", "medium"]
    assert e.loc["000685.SZ", ["region", "region_confidence"]].tolist() == ["CN", "low"]  # 中山: ambiguous
    assert (e["flags"] == "上市").all() and (e["source"] == "chainknowledgegraph").all()
    assert (e["as_of"] == "2021-10").all()


def test_written_directory_loads_and_companies_become_candidates(ckg_dir, tmp_path):
    out = tmp_path / "out"
    result = import_ckg(ckg_dir, out, home_region="500155")
    assert result.written_to == str(out)
    # every inferred region is among the embedded ones: no regions.csv needed
    assert sorted(p.name for p in out.iterdir()) == [".chainkg-output.json", "chainkg.yaml", "enterprises.csv",
                                                     "sources.csv"]
    g = chainkg.load(out)
    assert g.home_region == "500155" and len(g.enterprises) == 6
    assert g.region_name("620500") == "天水市"
    targets = rank_targets(g, "封测")
    assert "江苏长电科技股份有限公司" in set(targets["name"])
    assert "重庆市梁平区某芯片股份有限公司" not in set(targets["name"])  # it is local to 梁平
    assert set(g.enterprises["region_source"]) >= {"name:江苏", "none: an A-share listing places it in CN"}


def test_existing_output_is_kept_without_force(ckg_dir, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    for force in (False, True):  # a directory chainkg did not write is never replaced
        with pytest.raises(ExportError, match="chainkg did not write it"):
            import_ckg(ckg_dir, out, force=force)
    assert (out / "keep.txt").read_text() == "mine"
    (out / "keep.txt").unlink()
    import_ckg(ckg_dir, out)  # an empty directory is used
    with pytest.raises(ExportError, match="use --force"):
        import_ckg(ckg_dir, out)
    import_ckg(ckg_dir, out, force=True)
    assert (out / "enterprises.csv").exists() and sorted(tmp_path.iterdir()) == sorted([ckg_dir, out])


def test_failed_import_leaves_nothing(ckg_dir, tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("industries:\n  '270107': {name: 集成电路封测, segments: [ic.nowhere]}\n",
                       encoding="utf-8")
    with pytest.raises(DataError, match="unknown segment 'ic.nowhere'"):
        import_ckg(ckg_dir, tmp_path / "out", mapping=mapping)
    assert list(tmp_path.iterdir()) == [ckg_dir, mapping]


def test_missing_required_file(tmp_path):
    (tmp_path / "company.json").write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="company_industry.json"):
        read_ckg(tmp_path)


def test_company_product_fills_main_business(ckg_dir):
    write_jsonl(ckg_dir / "company_product.json", [
        {"company_name": "长电科技", "product_name": "封装测试服务", "rel": "主营产品", "rel_weight": 0.9}])
    e = read_ckg(ckg_dir).data["enterprises"].set_index("id")
    assert "主营产品: 封装测试服务" in e.loc["600584.SH", "main_business"]


def test_cli_json_equals_library(ckg_dir, tmp_path):
    out = tmp_path / "cli-out"
    result = CliRunner().invoke(cli, ["import", "ckg", str(ckg_dir), "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    expected = to_jsonable(import_ckg(ckg_dir, tmp_path / "lib-out").to_dict())
    got = json.loads(result.output)
    assert got["summary"] == expected["summary"] and got["skipped"] == expected["skipped"]
    assert got["written_to"] == str(out)


def test_cli_error_is_one_line(ckg_dir, tmp_path):
    import_ckg(ckg_dir, tmp_path / "out")
    result = CliRunner().invoke(cli, ["import", "ckg", str(ckg_dir), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert "--force" in result.output


def test_regions_written_when_needed(ckg_dir, tmp_path):
    with open(ckg_dir / "company.json", "a", encoding="utf-8") as f:
        f.write(json.dumps({"name": "维克液压", "fullname": "邵阳维克液压股份有限公司", "code": "301079",
                            "location": "深圳证券交易所", "time": "2021-10-19"}, ensure_ascii=False) + "\n")
    with open(ckg_dir / "company_industry.json", "a", encoding="utf-8") as f:
        f.write(json.dumps(_rel("301079.SZ", "270107", "集成电路封测", "维克液压"), ensure_ascii=False) + "\n")
    import_ckg(ckg_dir, tmp_path / "out")
    g = chainkg.load(tmp_path / "out")
    assert g.region_name("430500") == "邵阳市" and "430500" in g.region_descendants("430000")
    row = g.enterprises.set_index("id").loc["301079.SZ"]
    assert (row["region"], row["region_confidence"]) == ("430500", "low")  # 邵阳市 or 邵阳县
    assert "admin-divisions-2025" in set(g.sources["id"])


def append_jsonl(path, rows):
    with open(path, "a", encoding="utf-8") as f:
        f.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def _company(short, full, code, time="2011-04-21", location="上海证券交易所"):
    return {"name": short, "fullname": full, "code": code, "location": location, "time": time}


def add_listed(root, listed):
    """Append companies (short, full name, code, listing date, "industry-code name") to
    company.json, industry.json and company_industry.json."""
    industries = dict(str(i).split(" ", 1) for *_, i in listed)
    append_jsonl(root / "industry.json", [{"code": c, "name": n} for c, n in industries.items()])
    append_jsonl(root / "company.json", [
        _company(short, full, code, time, "上海证券交易所" if code.endswith("SH") else "深圳证券交易所")
        for short, full, code, time, _ in listed])
    append_jsonl(root / "company_industry.json", [_rel(code, *industry.split(" ", 1), short)
                                                  for short, _, code, _, industry in listed])


def _product(short, product, weight):
    return {"company_name": short, "product_name": product, "rel": "主营产品", "rel_weight": weight}


@pytest.fixture
def materials_dir(ckg_dir):
    """Semiconductor-materials makers under one Shenwan industry (半导体材料 -> ic.materials),
    a chemicals maker outside every mapped industry, and their products."""
    add_listed(ckg_dir, [
        ("南大光电", "江苏南大光电材料股份有限公司", "300346.SZ", "2012-08-07", "270103 半导体材料"),
        ("沪硅产业", "上海硅产业集团股份有限公司", "688126.SH", "2020-04-20", "270103 半导体材料"),
        ("某材料", "江苏某材料科技股份有限公司", "688900.SH", "2020-05-20", "270103 半导体材料"),  # no products
        ("某设备", "江苏某设备股份有限公司", "688901.SH", "2020-05-21", "270103 半导体材料"),
        ("昊华科技", "昊华化工科技集团股份有限公司", "600378.SH", "2001-01-11", "220305 氟化工"),  # in no chain
        ("某涂料", "浙江某涂料股份有限公司", "603900.SH", "2017-01-11", "220305 氟化工")])
    write_jsonl(ckg_dir / "company_product.json", [
        _product("南大光电", "光刻胶", 0.3), _product("南大光电", "电子特气", 0.5),
        _product("南大光电", "MO源", 0.2),
        _product("沪硅产业", "半导体硅片", 0.9), _product("沪硅产业", "硅外延片", 0.1),
        _product("某设备", "刻蚀设备", 1.0),  # equipment, not within the Shenwan segment: dropped
        _product("昊华科技", "电子特气", 0.6), _product("昊华科技", "氟材料", 0.4),
        _product("某涂料", "工业涂料", 0.95), _product("某涂料", "光刻胶", 0.05)])  # a side line
    return ckg_dir


def test_products_reach_leaves_below_the_shenwan_segment(materials_dir):
    r = read_ckg(materials_dir)
    e = r.data["enterprises"].set_index("id")
    assert e.loc["300346.SZ", "segments"] == "ic.materials.gases;ic.materials.photoresist"
    assert e.loc["688126.SH", "segments"] == "ic.materials.wafer"
    assert e.loc["688900.SH", "segments"] == "ic.materials"  # no words: Shenwan only
    assert e.loc["688901.SH", "segments"] == "ic.materials"  # 刻蚀设备 is not a material
    m = r.memberships.set_index(["enterprise", "segment"])
    leaf = m.loc[("688126.SH", "ic.materials.wafer")]
    assert (leaf["method"], leaf["confidence"]) == ("shenwan+product", "medium")
    assert leaf["evidence"] == "申万 半导体材料 (270103) -> ic.materials; 主营产品: 半导体硅片、硅外延片 (半导体硅片)"
    assert m.loc[("688900.SH", "ic.materials"), "method"] == "shenwan"
    assert m.loc[("600584.SH", "ic.packaging"), ["method", "confidence"]].tolist() == ["shenwan", "high"]
    # the evidence travels in main_business until memberships carry it
    assert ("环节依据: ic.materials.wafer [shenwan+product, medium] 申万 半导体材料 (270103) -> "
            "ic.materials; 主营产品: 半导体硅片" in e.loc["688126.SH", "main_business"])
    c = counts(r)
    assert c["Shenwan segments narrowed by products or business text"] == 2
    assert c["word matches outside the Shenwan segment of their chain (not kept)"] == 1


def test_principal_words_place_a_company_shenwan_puts_in_no_chain(materials_dir):
    r = read_ckg(materials_dir)
    e = r.data["enterprises"].set_index("id")
    # 电子特气 is 60% of 昊华科技's products: a member, low (its Shenwan industry is elsewhere)
    assert e.loc["600378.SH", ["segments", "confidence"]].tolist() == ["ic.materials.gases", "low"]
    m = r.memberships.set_index(["enterprise", "segment"]).loc[("600378.SH", "ic.materials.gases")]
    assert (m["method"], m["evidence"]) == ("product", "主营产品: 电子特气、氟材料 (电子特气)")
    assert "603900.SH" not in e.index  # photoresist is 5% of a paint maker's products
    c = counts(r)
    assert c["word matches in a chain Shenwan does not give, not principal (not kept)"] == 1
    assert c["memberships from principal products or business text alone (low)"] == 1


def test_business_text_in_company_json_is_read(ckg_dir):
    append_jsonl(ckg_dir / "industry.json", [{"code": "270103", "name": "半导体材料"}])
    append_jsonl(ckg_dir / "company.json", [
        {**_company("江丰电子", "宁波江丰电子材料股份有限公司", "300666", "2017-06-15", "深圳证券交易所"),
         "business_scope": "溅射靶材的研发、生产；电子材料销售"}])
    append_jsonl(ckg_dir / "company_industry.json", [_rel("300666", "270103", "半导体材料", "江丰电子")])
    m = read_ckg(ckg_dir).memberships.set_index(["enterprise", "segment"])
    assert m.loc[("300666.SZ", "ic.materials.targets"), "method"] == "shenwan+scope_text"


def test_words_reach_only_the_directorys_segments(materials_dir):
    chains = [c for c in chainkg.load().chains.values() if c.id == "ic"]
    kept = {s.id for s in chains[0].segments} - {"ic.materials.wafer"}
    mapping = load_industry_mapping().restricted_to(kept)
    e = read_ckg(materials_dir, mapping=mapping, chains=chains, segments=kept).data["enterprises"].set_index("id")
    assert e.loc["688126.SH", "segments"] == "ic.materials"


@pytest.fixture
def renamed_dir(ckg_dir):
    append_jsonl(ckg_dir / "industry.json", [{"code": "270504", "name": "消费电子零部件及组装"}])
    append_jsonl(ckg_dir / "company.json", [
        # a rename: company_industry.json names the code by its new short name
        _company("中茵股份", "中茵股份有限公司", "600745", "1996-08-28"),
        _company("闻泰科技", "闻泰科技股份有限公司", "600745", "1996-08-28"),
        # two names, neither named by the industry table, the same date: which is current is unknown
        _company("甲芯科技", "甲芯科技股份有限公司", "688902", "2020-06-01"),
        _company("乙芯科技", "乙芯科技股份有限公司", "688902", "2020-06-01"),
        # the industry table marks the current short name: *ST新芯
        _company("旧芯电子", "旧芯电子股份有限公司", "600904", "2001-01-01"),
        _company("新芯", "新芯电子股份有限公司", "600904", "2001-01-01"),
        # told apart by the listing date
        _company("旧封测", "旧封测科技股份有限公司", "688903", "2010-06-01"),
        _company("新封测", "新封测科技股份有限公司", "688903", "2020-06-01")])
    append_jsonl(ckg_dir / "company_industry.json", [
        _rel("600745.SH", "270504", "消费电子零部件及组装", "闻泰科技"),
        _rel("688902", "270107", "集成电路封测", "丙芯科技"),
        _rel("600904", "270107", "集成电路封测", "*ST新芯"),
        _rel("688903", "270107", "集成电路封测", "某封测")])
    write_jsonl(ckg_dir / "company_product.json", [_product("中茵股份", "智能手机", 1.0)])  # its old name
    return ckg_dir


def test_renamed_company_is_kept_under_its_current_name(renamed_dir):
    r = read_ckg(renamed_dir)
    e = r.data["enterprises"].set_index("id")
    row = e.loc["600745.SH"]
    assert row["name"] == "闻泰科技股份有限公司"
    assert "曾用名: 中茵股份有限公司 (中茵股份)" in row["main_business"]
    assert "主营产品: 智能手机" in row["main_business"]  # found under the former short name
    assert e.loc["688903.SH", "name"] == "新封测科技股份有限公司"
    assert e.loc["600904.SH", "name"] == "新芯电子股份有限公司"
    renamed = r.renamed.set_index("code")
    assert renamed.loc["600745.SH", ["name", "former_names"]].tolist() == ["闻泰科技股份有限公司", "中茵股份有限公司"]
    assert renamed.loc["600745.SH", "decided_by"] == "company_industry.json names the code 闻泰科技"
    assert renamed.loc["688903.SH", "decided_by"] == "the later listing date (2020-06-01)"
    assert "688902.SH" not in e.index and "688902.SH" not in renamed.index
    skipped = r.skipped[r.skipped["value"].str.contains("甲芯")]
    assert len(skipped) == 1 and "cannot be told" in skipped["reason"].iloc[0]
    assert not r.skipped["value"].str.contains("闻泰|中茵").any()
    c = counts(r)
    assert c["companies renamed (kept under the current name, former names as aliases)"] == 3
    assert c["company rows of a former name merged (renamed)"] == 3


def test_renamed_is_a_section_of_the_report(renamed_dir, tmp_path):
    result = CliRunner().invoke(cli, ["import", "ckg", str(renamed_dir), "-o", str(tmp_path / "o"),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert [r["code"] for r in got["renamed"]] == ["600745.SH", "600904.SH", "688903.SH"]
    assert chainkg.load(tmp_path / "o").enterprises.set_index("id").loc["600745.SH", "name"] == "闻泰科技股份有限公司"


def test_regions_of_ambiguous_place_words_prefer_the_higher_level(ckg_dir):
    add_listed(ckg_dir, [("双汇发展", "河南双汇投资发展股份有限公司", "000895.SZ", "1998-12-10", "340401 肉制品"),
                         ("西安饮食", "西安饮食股份有限公司", "000721.SZ", "1997-04-30", "460902 餐饮")])
    r = read_ckg(ckg_dir)
    e = r.data["enterprises"].set_index("id")
    assert e.loc["000895.SZ", ["region", "region_confidence"]].tolist() == ["410000", "low"]
    assert e.loc["000721.SZ", ["region", "region_confidence"]].tolist() == ["610100", "low"]
    assert e.loc["000685.SZ", "region"] == "CN"  # 中山 stays refused
    notes = r.regions_inferred.set_index("enterprise")["note"]
    assert notes["000721.SZ"].endswith("kept 西安市 610100, the city")
    assert counts(r)["regions not inferable (placed in CN, low)"] == 2  # 中山公用, 通富微电 (no place)
