"""Chinese text: segment mentions, projects, lists, figures, each with its sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

import chainkg
from chainkg.errors import DataError
from chainkg.loaders.text import decode_text, extract, normalize_text

TEXT = (Path(__file__).parent / "data" / "extract_liangping_style.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def x():
    return extract(TEXT, chainkg.load(), source="t", year="2025")


def test_normalize_joins_broken_words_and_full_width():
    assert normalize_text("终端应\n用，５亿元＋") == "终端应用,5亿元+"


def test_no_segment_from_slogans_or_substrings(x):
    texts = set(x.of_kind("segment")["text"])
    assert not texts & {"先", "链", "湿", "营", "平", "梁平", "一企一策", "点对点"}


def test_plus_list_and_enumeration(x):
    segs = set(x.of_kind("segment")["segment"])
    assert {"ic.design", "ic.packaging", "ic.applications"} <= segs
    assert all(s.startswith(("ic.", "food.")) for s in segs)


def test_projects_with_figures(x):
    p = x.of_kind("project").set_index("text")
    pw = p.loc["重庆平伟实业股份有限公司光电检测芯片及模组项目"]
    assert pw["investment_cny"] == 500_000_000 and pw["stage"] == "中试投产" and pw["month"] == 9
    p626 = p.loc["“626”特种飞行器智能工厂项目"]
    assert p626["investment_cny"] == 5_000_000_000 and p626["expected_output_cny"] == 20_000_000_000
    assert {"纵横股份", "香港户外家具"} <= set(p.index)


def test_intentions_and_figures(x):
    assert {"保定天航机械", "浙江南洋科技", "陕西长岭电子"} == set(x.of_kind("intention")["enterprise"])
    f = x.of_kind("figure").set_index("metric")
    assert f.loc["signed_projects", "value"] == 57 and f.loc["landed_rate", "value"] == 0.842
    assert f.loc["signed_projects", "period"] == "2025-01/2025-10"
    assert f.loc["industrial_enterprises_above_size", "value"] == 127


def test_offsets_point_at_the_sentence(x):
    row = x.facts.iloc[0]
    assert "设计" in TEXT[row["start"]:row["end"]]


@pytest.mark.parametrize("raw", [b"", b"\x00\x01\x02binary", "中文".encode("utf-16"), "café x".encode("latin-1")])
def test_bad_text_input(raw):
    with pytest.raises(DataError):
        decode_text(raw, "a.txt")


def test_processing_clusters_are_processing_not_farming():
    from chainkg.loaders.text_segments import SegmentNames, segment_mentions

    found = segment_mentions("已形成稻、竹、柚、鸭、豆等加工产业集群。", SegmentNames(chainkg.load()))
    assert [f["segment"] for f in found] == ["food.primary.rice", "food.primary.bamboo", "food.primary.pomelo",
                                             "food.primary.duck", "food.primary.beans"]


@pytest.mark.parametrize("sentence, segment", [
    ("华屹半导体靶材生产线项目总投资3.5亿元,7月开工。", "ic.materials.targets"),
    ("云溪味道中央厨房预制菜产业园项目总投资8亿元,于5月开工。", "food.deep.prepared_dishes"),
])
def test_project_segment_from_the_end_of_its_name(sentence, segment):
    from chainkg.loaders.text_projects import projects_in
    from chainkg.loaders.text_segments import SegmentNames

    (row,) = projects_in(sentence, SegmentNames(chainkg.load()))
    assert row["segment"] == segment


def test_write_appends_cited_rows_that_validate_once(tmp_path):
    import shutil

    from click.testing import CliRunner

    from chainkg.cli import cli
    from chainkg.loaders.datadir import embedded_data_dir

    data = tmp_path / "d"
    shutil.copytree(embedded_data_dir(), data)
    text = tmp_path / "article.txt"
    text.write_text(TEXT, encoding="utf-8")
    before = {p.name: p.read_text(encoding="utf-8") for p in data.glob("*.csv")}
    args = ["extract", str(text), "--write", str(data), "--region", "梁平区"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    after = {p.name: p.read_text(encoding="utf-8") for p in data.glob("*.csv")}
    added = after["presence.csv"][len(before["presence.csv"]):]
    assert "food.primary.pomelo" in added and "food.farming" not in added and "article" in added
    assert "the period '1-10月' names no year" in first.output  # no figure written without its year
    assert after["figures.csv"] == before["figures.csv"]
    assert CliRunner().invoke(cli, ["--data", str(data), "validate"]).exit_code == 0
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert {p.name: p.read_text(encoding="utf-8") for p in data.glob("*.csv")} == after
