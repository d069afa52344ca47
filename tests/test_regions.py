"""A data directory's regions join the embedded ones; foreign countries are regions."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.loaders.mapping import import_mapped_tables
from chainkg.loaders.regions_infer import infer_region
from chainkg.queries import compare, gaps
from helpers import write_data_dir

#: The directory's own regions: a county the embedded regions lack (its province is
#: embedded), two foreign countries and a state of one of them. 梁平区 is not among them.
OWN_REGIONS = """\
id,name,name_en,level,parent,source,as_of
500229,城口县,Chengkou County,district,500000,test,2025
USA,美国,United States,country,,test,2025
US-AZ,亚利桑那州,Arizona,province,USA,test,2025
DEU,德国,Germany,country,,test,2025
"""

#: Three fabs in the United States (by id, Chinese name, English name and a state), one
#: wafer maker in Germany, and the local ones.
FOREIGN_ENTERPRISES = """\
e4,英特尔,US-AZ,demo.fab,上市,,test,2025
e5,美光科技,美国,demo.fab,,,test,2025
e6,格芯,United States,demo.fab;demo.design,,,test,2025
e7,世创,DEU,demo.materials.wafer,,,test,2025
e8,城口某电子公司,城口县,demo.apps,,,test,2025
"""


@pytest.fixture
def foreign_dir(tmp_path, demo_files):
    demo_files["regions.csv"] = OWN_REGIONS
    demo_files["enterprises.csv"] += FOREIGN_ENTERPRISES
    return write_data_dir(tmp_path / "foreign", demo_files)


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_own_regions_join_the_embedded_ones(foreign_dir):
    g = chainkg.load(foreign_dir)
    assert {"USA", "US-AZ", "DEU", "500229"} <= set(g.regions["id"])
    assert {"CN", "500000", "500155"} <= set(g.regions["id"])  # embedded, not in the directory's file
    assert g.resolve_region("梁平区") == "500155"
    assert g.region_descendants("500000") >= {"500155", "500229"}
    assert g.region_descendants("USA") == {"USA", "US-AZ"}
    assert [g.resolve_region(n) for n in ("美国", "United States", "usa", "Germany")] == ["USA"] * 3 + ["DEU"]
    e = g.enterprises.set_index("id")["region"]
    assert e[["e4", "e5", "e6", "e7", "e8"]].tolist() == ["US-AZ", "USA", "USA", "DEU", "500229"]
    assert len(g.regions) == len(set(g.regions["id"]))


def test_region_of_the_embedded_data_still_answers(foreign_dir):
    result = invoke("--data", foreign_dir, "gaps", "--region", "梁平区", "-f", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)["completeness"]
    assert [(r["region"], r["region_name"]) for r in summary] == [("500155", "梁平区")]


def test_foreign_country_in_gaps_and_compare(foreign_dir):
    g = chainkg.load(foreign_dir)
    result = invoke("--data", foreign_dir, "gaps", "--region", "USA", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    statuses = {r["segment"]: r["status"] for r in data["gaps"]}
    assert "demo.fab" not in statuses  # three fabs: present
    assert statuses["demo.design"] == "weak"  # one
    assert json.loads(result.output) == json.loads(invoke("--data", foreign_dir, "gaps", "--region",
                                                          "United States", "-f", "json").output)
    direct = gaps(g, "USA")
    assert direct.completeness["region"].tolist() == ["USA"]
    summary = compare(g, ["USA", "DEU", "梁平区"]).summary.set_index("region")
    assert summary.loc[["USA", "DEU", "500155"], "enterprises"].tolist() == [3, 1, 2]
    assert summary.loc["USA", "present"] == 1 and summary.loc["DEU", "weak"] == 1


@pytest.mark.parametrize("row, column, message", [
    ("500155,梁平县,,district,500000", "name", "region '500155' is 梁平区 in the embedded regions, not '梁平县'"),
    ("500155,梁平区,,city,500000", "level", "region '500155' is a district in the embedded regions, not a city"),
    ("500155,梁平区,,district,510000", "parent",
     "region '500155' lies in 重庆市 500000 in the embedded regions, not in '510000'"),
    ("CN,China,,country,", "name", "region 'CN' is 中国 in the embedded regions, not 'China'"),
    ("500230,丰都县,,city,500000", "level", "region '500230' is a district in the division table, not a city"),
])
def test_conflicting_id_is_located(tmp_path, demo_files, row, column, message):
    demo_files["regions.csv"] = OWN_REGIONS + row + ",test,2025\n"
    report = chainkg.validate(write_data_dir(tmp_path / "d", demo_files))
    assert [(p.type, p.file, p.row, p.column) for p in report.problems] == \
        [("region-conflict", "regions.csv", 6, column)], report.lines()
    assert message in report.problems[0].message
    result = invoke("--data", tmp_path / "d", "validate")
    assert result.exit_code != 0 and f"regions.csv:6:{column}: {message}" in result.output


def test_agreeing_rows_are_accepted_and_completed(tmp_path, demo_files):
    """The fixture's own CN, 重庆市 and 梁平区 agree with the embedded rows; an empty parent,
    level or English name is taken from them, the directory's source kept."""
    demo_files["regions.csv"] = OWN_REGIONS + "CN,中国,,country,,test,2025\n500155,梁平区,,,,test,2025\n"
    g = chainkg.load(write_data_dir(tmp_path / "d", demo_files))
    row = g.regions.set_index("id").loc["500155"]
    assert (row["parent"], row["level"], row["name_en"], row["source"]) == \
        ("500000", "district", "Liangping District", "test")
    assert g.resolve_region("Liangping District") == "500155"
    assert (g.regions["id"] == "CN").sum() == 1


def test_a_parent_only_the_division_table_has_joins(tmp_path, demo_files):
    demo_files["regions.csv"] = "id,name,level,parent,source\n130101,某新区,district,130100,test\n"
    g = chainkg.load(write_data_dir(tmp_path / "d", demo_files))
    assert g.region_name("130100") == "石家庄市"
    assert "130101" in g.region_descendants("130000")


def test_a_country_has_no_parent(tmp_path, demo_files):
    demo_files["regions.csv"] = "id,name,level,parent,source\nUSA,美国,country,CN,test\n"
    report = chainkg.validate(write_data_dir(tmp_path / "d", demo_files))
    assert [(p.type, p.row, p.column) for p in report.problems] == [("bad-value", 2, "parent")]
    assert "a country has no parent" in report.problems[0].message


def test_new_region_named_like_an_embedded_one_is_warned(tmp_path, demo_files):
    demo_files["regions.csv"] = "id,name,level,parent,source\nlp,梁平区,district,500000,test\n"
    report = chainkg.validate(write_data_dir(tmp_path / "d", demo_files))
    assert report.valid
    [w] = [w for w in report.warnings if w.type == "shared-region-name"]
    assert (w.file, w.row, w.column) == ("regions.csv", 2, "name") and "500155" in w.message


def test_unknown_foreign_region_is_told_how_to_add_it(foreign_dir):
    result = invoke("--data", foreign_dir, "gaps", "--region", "Japan")
    assert result.exit_code == 1
    assert "unknown region 'Japan': none of the" in result.output
    assert "countries: 中国 CN, 德国 DEU, 美国 USA" in result.output
    assert "USA,United States,country," in result.output and "Fujian" not in result.output
    # a near miss is still suggested
    assert "(did you mean United States USA?)" in invoke("--data", foreign_dir, "gaps", "--region",
                                                         "United State").output
    embedded = invoke("gaps", "--region", "USA").output
    assert "Wuhan" not in embedded and "regions.csv" in embedded


def test_inference_from_chinese_names_ignores_foreign_countries(tmp_path, demo_files):
    assert infer_region(address="美国加利福尼亚州圣克拉拉").region is None
    assert infer_region(name="美光科技有限公司").region is None
    # a registry-style table (an address column): the region cell names the country
    demo_files["regions.csv"] = OWN_REGIONS
    demo_files["enterprises.csv"] = ("id,name,region,注册地址,segments,source\n"
                                     "e1,美光科技,美国,美国爱达荷州博伊西,demo.fab,test\n"
                                     "e2,某电子,,重庆市梁平区某路1号,demo.fab,test\n")
    g = chainkg.load(write_data_dir(tmp_path / "d", demo_files))
    assert g.enterprises.set_index("id")["region"].to_dict() == {"e1": "USA", "e2": "500155"}


MAPPING = """\
name: 海外供应商
source: providers-2025
as_of: "2025-06"
tables:
  - file: countries.csv
    kind: regions
    columns: {code: id, country: name, english: name_en, type: level, within: parent}
    values:
      level: {国家: country, 州: province}
  - file: providers.csv
    kind: enterprises
    columns: {pid: id, provider: name, country: region, segment: segments}
"""


@pytest.fixture
def provider_dir(tmp_path):
    return write_data_dir(tmp_path / "providers", {
        "mapping.yaml": MAPPING,
        "countries.csv": "code,country,english,type,within\nUSA,美国,United States,国家,\n"
                         "JPN,日本,Japan,国家,\nUS-OR,俄勒冈州,Oregon,州,USA\n",
        "providers.csv": "pid,provider,country,segment\np1,英特尔,US-OR,ic.fabrication\n"
                         "p2,东京电子,日本,ic.equipment\np3,应用材料,United States,ic.equipment\n"
                         "p4,重庆平伟,梁平区,ic.packaging\n",
    })


def test_mapping_with_a_regions_table(provider_dir, tmp_path):
    out = tmp_path / "out"
    result = invoke("import", "table", provider_dir / "mapping.yaml", "-o", out)
    assert result.exit_code == 0, result.output
    g = chainkg.load(out)
    assert g.region_descendants("USA") == {"USA", "US-OR"}
    assert g.enterprises.set_index("id")["region"].to_dict() == \
        {"p1": "US-OR", "p2": "JPN", "p3": "USA", "p4": "500155"}
    summary = compare(g, ["USA", "JPN"], chains=["ic"]).summary.set_index("region")
    assert summary.loc[["USA", "JPN"], "enterprises"].tolist() == [2, 1]
    gaps = invoke("--data", out, "gaps", "--region", "日本", "--chain", "ic", "-f", "json")
    assert gaps.exit_code == 0 and json.loads(gaps.output)["completeness"][0]["region"] == "JPN"


def test_mapped_region_conflict_is_located_in_the_original_file(provider_dir, tmp_path):
    with open(provider_dir / "countries.csv", "a", encoding="utf-8") as f:
        f.write("500155,梁平县,,district,500000\n")
    with pytest.raises(chainkg.ValidationError) as err:
        import_mapped_tables(provider_dir / "mapping.yaml", tmp_path / "out")
    [p] = err.value.report.problems
    assert (p.type, p.file, p.row, p.column) == ("region-conflict", "countries.csv", 5, "country")
    assert not (tmp_path / "out").exists()
