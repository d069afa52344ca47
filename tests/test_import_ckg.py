"""Importing the ChainKnowledgeGraph dataset: its quirks, the report, and the data directory."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.errors import DataError, ExportError
from chainkg.loaders.ckg import import_ckg, read_ckg
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
