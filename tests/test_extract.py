"""Chinese text: plus-lists, enumerations, industry mentions, company projects, presence rows."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.errors import ValidationError
from chainkg.loaders.datadir import embedded_data_dir
from chainkg.loaders.text import extract, extract_file, normalize_text
from chainkg.render import to_jsonable

ARTICLE = """梁平区着力构建“3+N”现代产业体系，做强集成电路、食品及农产品加工、低空经济三大主导产业。

在集成电路产业方面，梁平打造涵盖“设计＋材料＋设备＋封测＋模组＋显示＋线束＋终端应
用”的全产业链，重庆平伟实业股份有限公司光电检测芯片及模组项目总投资５亿元，９月试生产。

已形成稻、竹、柚、鸭、豆五大农产品加工集群，并形成茶、果、畜禽等精深加工产业集群。
与保定天航机械有限公司签约意向项目。积极发展量子计算产业。
"""


@pytest.fixture(scope="module")
def result():
    return extract(ARTICLE, chainkg.load(), source="article")


def mapped(result, kind):
    m = result.mentions
    return m.loc[(m["kind"] == kind) & (m["status"] == "mapped"), "segment"].tolist()


def test_normalize_joins_broken_words_and_full_width():
    assert normalize_text("终端应\n用，５亿元＋") == "终端应用,5亿元+"


def test_plus_list_across_a_line_break(result):
    assert mapped(result, "plus_list") == ["ic.design", "ic.materials", "ic.equipment", "ic.packaging",
                                           "ic.modules", "ic.display", "ic.harness", "ic.applications"]


def test_3_plus_n_is_not_a_segment_list(result):
    assert "3" not in set(result.mentions["item"])


def test_enumerations_use_their_head(result):
    segs = mapped(result, "enumeration")
    assert segs[:5] == ["food.primary.rice", "food.primary.bamboo", "food.primary.pomelo",
                        "food.primary.duck", "food.primary.beans"]  # 加工集群: processing, not farming
    assert "food.primary.meat" in segs  # 畜禽 … 加工


def test_unmapped_items_are_reported(result):
    m = result.mentions.set_index("item")
    assert m.loc["茶", "status"] == "unmapped"
    assert m.loc["量子计算", "status"] == "unmapped" and m.loc["量子计算", "kind"] == "industry"


def test_chain_mentions(result):
    m = result.mentions
    chains = m.loc[m["status"] == "chain", "chain"].tolist()
    assert {"ic", "food", "lowalt"} <= set(chains)


def test_company_projects(result):
    p = result.projects.set_index("enterprise")
    row = p.loc["重庆平伟实业股份有限公司"]
    assert row["project"] == "重庆平伟实业股份有限公司光电检测芯片及模组项目"
    assert row["investment_cny"] == 500_000_000 and row["status"] == "in_production"
    assert p.loc["保定天航机械有限公司", "status"] == "intent"


def test_presence_rows_cite_the_text(result):
    rows = result.presence("500155", "2025-10")
    assert len(rows) == 15 and set(rows["source"]) == {"article"}
    assert rows["note"].str.startswith("text: ").all()


@pytest.fixture
def datadir(tmp_path):
    root = tmp_path / "lp"
    shutil.copytree(embedded_data_dir(), root)
    return root


def test_write_presence_gbk_file(datadir, tmp_path):
    path = tmp_path / "梁平 产业.txt"
    path.write_bytes(ARTICLE.encode("gbk"))
    before = len(chainkg.load(datadir).presence)
    x = extract_file(path, write_presence_to=datadir, as_of="2025-10")
    g = chainkg.load(datadir)
    new = g.presence[g.presence["source"] == "梁平-产业"]
    assert len(new) == len(x.written) == 15 and len(g.presence) == before + 15
    assert set(new["region"]) == {"500155"}  # the directory's home region
    assert g.sources.set_index("id").loc["梁平-产业", "title"].startswith("梁平区着力构建")
    again = extract_file(path, write_presence_to=datadir, as_of="2025-10")
    assert len(again.written) == 0  # nothing repeated


def test_write_presence_failure_restores_files(datadir, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    original = (datadir / "presence.csv").read_bytes()
    (datadir / "sources.csv").write_text((datadir / "sources.csv").read_text(encoding="utf-8")
                                         .replace("lp-2025,", "lp-2025-renamed,"), encoding="utf-8")
    with pytest.raises(ValidationError):
        extract_file(path, write_presence_to=datadir)
    assert (datadir / "presence.csv").read_bytes() == original


def test_cli_json_equals_library(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    out = CliRunner().invoke(cli, ["extract", str(path), "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == to_jsonable(extract_file(path).to_dict())
