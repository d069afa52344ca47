"""Loading data directories: every table format and encoding, and the model they build."""

from __future__ import annotations

import pandas as pd
import pytest

import chainkg
from helpers import write_data_dir


def test_demo_dir_loads(demo_dir):
    g = chainkg.load(demo_dir)
    assert sorted(g.chains) == ["demo"]
    assert g.leaves("demo") == ["demo.materials.wafer", "demo.materials.gas", "demo.design",
                                "demo.fab", "demo.packaging", "demo.apps"]
    assert set(g.memberships["segment"]) == {"demo.fab", "demo.packaging", "demo.design",
                                             "demo.materials.wafer"}
    p = g.projects.iloc[0]
    assert p["status"] == "signed" and p["investment_cny"] == 250_000_000
    assert p["segment"] == "demo.materials.gas" and p["region"] == "500155"
    assert g.enterprises.set_index("id").loc["e1", "output_cny"] == 100_000_000
    assert g.enterprises.set_index("id").loc["e3", "flags"] == "listed;srdi"
    assert pd.isna(g.presence.iloc[0]["enterprises"])


def test_every_fact_has_source_and_as_of(demo_dir):
    g = chainkg.load(demo_dir)
    for name in ("enterprises", "memberships", "presence"):
        df = getattr(g, name)
        assert (df["source"] != "").all(), name
    assert (g.enterprises["as_of"] == "2025").all()


def test_supply_edges_on_parents_apply_to_leaves(demo_dir):
    g = chainkg.load(demo_dir)
    sg = g.supply_graph("demo")
    assert sg.has_edge("demo.materials.wafer", "demo.fab")
    assert sg.has_edge("demo.materials.gas", "demo.fab")
    assert not sg.has_edge("demo.materials", "demo.fab")  # parents are not in the leaf graph


def test_gbk_csv_with_chinese_headers(tmp_path, demo_files):
    text = ("企业名称,统一社会信用代码,所属区县,产业链环节,企业标签,来源\n"
            "甲公司,e1,梁平区,制造,规上,test\n"
            "乙公司,e2,500155,封测,高新技术,test\n")
    demo_files["enterprises.csv"] = text.encode("gbk")
    g = chainkg.load(write_data_dir(tmp_path / "d", demo_files))
    assert list(g.enterprises["name"]) == ["甲公司", "乙公司"]
    assert list(g.enterprises["region"]) == ["500155", "500155"]
    assert list(g.memberships["segment"]) == ["demo.fab", "demo.packaging"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path, demo_files, encoding):
    text = "名称,行政区划代码,级别,上级,来源\n中国,CN,country,,test\n重庆市,500000,province,CN,test\n" \
           "梁平区,500155,district,500000,test\n江苏省,320000,province,CN,test\n无锡市,320200,city,320000,test\n"
    demo_files["regions.csv"] = text.encode(encoding)
    g = chainkg.load(write_data_dir(tmp_path / "d", demo_files))
    assert g.region_name("500155") == "梁平区"
    # the directory's rows stand for the embedded ones, whose other districts of 重庆 join them
    assert {"500000", "500155"} < g.region_descendants("500000")
    assert g.regions.set_index("id").at["500155", "source"] == "test"


def test_xlsx_and_parquet_tables(tmp_path, demo_files):
    root = write_data_dir(tmp_path / "d", demo_files)
    ent = pd.read_csv(root / "enterprises.csv", dtype=str, keep_default_na=False)
    (root / "enterprises.csv").unlink()
    ent.rename(columns={"name": "企业名称"}).to_excel(root / "enterprises.xlsx", index=False)
    pres = pd.read_csv(root / "presence.csv", dtype=str, keep_default_na=False)
    (root / "presence.csv").unlink()
    pres.to_parquet(root / "presence.parquet")
    g = chainkg.load(root)
    assert len(g.enterprises) == 3 and len(g.presence) == 1
    assert "xlsx" in " ".join(chainkg.validate(root).files)


def test_manifest_column_mapping(tmp_path, demo_files):
    demo_files["chainkg.yaml"] += "columns:\n  enterprises: {公司: name, 地点: region, 业务环节: segments}\n"
    demo_files["enterprises.csv"] = "公司,地点,业务环节,source\n甲公司,500155,demo.fab,test\n"
    g = chainkg.load(write_data_dir(tmp_path / "d", demo_files))
    assert g.memberships["segment"].tolist() == ["demo.fab"]


def test_flat_template_with_parent(tmp_path, demo_files):
    demo_files["chains/demo.yaml"] = """\
id: demo
name: 演示链
segments:
  - {id: up, name: 上游, stage: upstream}
  - {id: up.a, name: 甲, parent: up}
  - {id: down, name: 下游, stage: downstream}
supplies:
  - {from: up, to: down}
"""
    demo_files["enterprises.csv"] = "name,region,segments,source\n甲公司,500155,甲,test\n"
    demo_files.pop("projects.csv"), demo_files.pop("presence.csv")
    g = chainkg.load(write_data_dir(tmp_path / "d", demo_files))
    assert g.segments["demo.up.a"].parent == "demo.up"
    assert g.segments["demo.up.a"].stage == "upstream"


def test_embedded_dataset_loads():
    g = chainkg.load()
    assert {"ic", "food", "lowalt"} <= set(g.chains)
    assert g.region_name("500155") == "梁平区"
    assert chainkg.validate().valid


def test_to_networkx_typed_and_filtered(demo_dir):
    g = chainkg.load(demo_dir)
    full = g.to_networkx()
    kinds = {d["kind"] for _, d in full.nodes(data=True)}
    assert kinds == {"Chain", "Segment", "Region", "Enterprise", "Project", "Source"}
    types = {d["type"] for *_, d in full.edges(data=True)}
    assert {"PART_OF", "SUPPLIES", "OPERATES_IN", "LOCATED_IN", "TARGETS", "HAS_PRESENCE"} <= types
    local = g.to_networkx(regions=["梁平区"])
    ents = {d["id"] for _, d in local.nodes(data=True) if d["kind"] == "Enterprise"}
    assert ents == {"e1", "e2"}


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_csv_reader_edges(tmp_path, bom):
    """The reader maps the file into memory: a BOM, a header without a line break, quoted
    line breaks, a whitespace-only file and a ragged row each read as from bytes."""
    from chainkg.errors import DataError
    from chainkg.loaders.tables import _read_csv

    path = tmp_path / "t.csv"
    path.write_bytes(bom + "名称,备注".encode())
    header, df, encoding = _read_csv(path)
    assert header == ["名称", "备注"] and len(df) == 0 and encoding == ("utf-8-sig" if bom else "utf-8")
    path.write_bytes(bom + '名称,备注\n甲,"第一行\n第二行"\n乙,\n'.encode())
    header, df, _ = _read_csv(path)
    assert header == ["名称", "备注"] and df[1].tolist() == ["第一行\n第二行", ""]
    path.write_bytes(bom + b" \n\t\n")
    with pytest.raises(DataError, match="empty file"):
        _read_csv(path)
    path.write_bytes(bom + "名称,备注\n甲,1\n乙,2,3\n".encode())
    with pytest.raises(DataError, match="expected 2 fields, found 3") as err:
        _read_csv(path)
    assert err.value.row == 3
    path.write_bytes(b"")
    with pytest.raises(DataError, match="empty file"):
        _read_csv(path)


def test_csv_reader_many_reads(tmp_path):
    """The mapped file is never closed under Arrow's reading threads: 300 reads in a row
    (closing it by hand failed about one read in twelve, "exported pointers exist")."""
    from chainkg.loaders.tables import _read_csv

    path = tmp_path / "t.csv"
    path.write_text("id,name\n" + "".join(f"e{i},企业{i}\n" for i in range(20_000)), encoding="utf-8")
    for _ in range(300):
        header, df, _ = _read_csv(path)
        assert header == ["id", "name"] and len(df) == 20_000


def test_parquet_columns_as_text(tmp_path):
    """A Parquet table reads as the text of each value, "" where null, whatever the column's
    type: text (with nulls and a dictionary-encoded one), integers, floats with NaN, booleans
    and timestamps."""
    import numpy as np

    from chainkg.loaders.tables import _read_raw

    df = pd.DataFrame({"名称": pd.Series(["甲", None, "丙"], dtype="str"), "code": [500155, 320200, 1],
                       "output": [1.5, np.nan, 3.0], "flag": [True, False, True],
                       "when": pd.to_datetime(["2025-01-02", None, "2024-12-31"]),
                       "kind": pd.Categorical(["a", None, "a"])})
    df.to_parquet(tmp_path / "t.parquet")
    header, columns, text, fmt = _read_raw(tmp_path / "t.parquet", None, "t.parquet")
    assert header == list(df.columns) and columns is None and fmt == "parquet"
    back = pd.read_parquet(tmp_path / "t.parquet")
    expected = back.set_axis(range(len(header)), axis=1).astype(object).where(back.notna().to_numpy(), "") \
        .astype(str)  # str() of every value, "" where null
    pd.testing.assert_frame_equal(text, expected)
    assert text[0].tolist() == ["甲", "", "丙"] and text[2].tolist() == ["1.5", "", "3.0"]
