"""Target ranking: size from whatever the rows have, ties broken by size and flags (never
id), and candidates already engaged set apart."""

from __future__ import annotations

import chainkg
from chainkg.queries import rank_targets
from helpers import demo_data_files, write_data_dir


def test_a_candidate_engaged_under_a_former_name_is_set_apart():
    t = rank_targets(chainkg.load(), "大中型无人机", "梁平区")
    caihong = t[t["enterprise"] == "caihong-uav"].iloc[0]
    assert caihong["group"] == "already engaged" and caihong["rank"] is None
    assert "浙江南洋科技投资意向 (intent)" in caihong["engaged"] and "former name" in caihong["engaged"]
    assert "namesake" in caihong["engaged"]
    leads = t[t["group"] == "new lead"]
    assert list(leads["rank"]) == list(range(1, len(leads) + 1)) and (leads["engaged"] == "").all()


def _directory(tmp_path, rows):
    files = demo_data_files()
    files["enterprises.csv"] = "id,name,region,segments,flags,注册资本,source,as_of\n" + "".join(
        f"{r},test,2025\n" for r in rows)
    files.pop("projects.csv")
    return chainkg.load(write_data_dir(tmp_path / "d", files))


def test_size_from_registered_capital_and_ties_by_size_then_flags_never_id(tmp_path):
    graph = _directory(tmp_path, [
        "a1,甲材料,320200,demo.materials.wafer,,100万元人民币",
        "a2,乙材料,320200,demo.materials.wafer,,5000万元人民币",
        "a3,丙材料,320200,demo.materials.wafer,规上,",
        "a4,丁材料,320200,demo.materials.wafer,,",
    ])
    t = rank_targets(graph, "demo.materials.wafer", "500155", t_size=0.0)
    # with size weighted 0 every score but 丙's (a flag) is equal: size orders them, not the id
    assert list(t["name"]) == ["丙材料", "乙材料", "甲材料", "丁材料"]
    t = rank_targets(graph, "demo.materials.wafer", "500155")
    assert t.iloc[0]["name"] == "乙材料" and "registered capital 5,000万元" in t.iloc[0]["reasons"]
    assert t["score"].nunique() == len(t)  # every candidate separated
