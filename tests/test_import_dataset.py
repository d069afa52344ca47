"""A supply-chain dataset in its own shape (nodes, edges, providers, provision) through one mapping.

The dataset in tests/data/supplychain is illustrative: made up for these tests.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.errors import ValidationError
from chainkg.loaders.mapping import import_mapped_tables, read_mapped_tables
from chainkg.queries.gaps import GAP_NOTES

DATASET = Path(__file__).parent / "data" / "supplychain"


@pytest.fixture
def dataset(tmp_path):
    root = tmp_path / "supplychain"
    shutil.copytree(DATASET, root)
    return root


def _edit(root, name, old, new):
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_dataset_chain_and_facts_load(dataset, tmp_path):
    result = import_mapped_tables(dataset / "mapping.yaml", tmp_path / "out")
    assert list(result.chains) == ["chips.chain.yaml"]
    g = chainkg.load(tmp_path / "out")
    assert sorted(g.chains) == ["chips"]
    assert len(g.segments) == 24 and len(g.leaves("chips")) == 18
    assert len(g.chains["chips"].supplies) == 18
    assert g.segments["chips.n2"].parent == "chips.n1" and g.segments["chips.n2"].stage == "upstream"
    assert g.segments["chips.n22"].stage == "downstream"
    assert len(g.enterprises) == 18 and len(g.memberships) == 25
    assert set(g.enterprises["region"]) == {"USA", "JPN", "KOR", "NLD", "CN"}
    # Edge ends named by id (N9 -> chips.n16), local id (n8), full id, name and alias (EUV).
    supplies = set((a, b) for a, b, _ in g.chains["chips"].supplies)
    assert {("chips.n8", "chips.n16"), ("chips.n9", "chips.n16"), ("chips.n11", "chips.n16"),
            ("chips.n11", "chips.n17")} <= supplies


@pytest.fixture
def imported(dataset, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["import", "table", str(dataset / "mapping.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _gaps(data, region, *options):
    result = CliRunner().invoke(cli, ["--data", str(data), "gaps", "--region", region, "-f", "json", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_gaps_for_a_country(imported):
    report = _gaps(imported, "KOR")
    assert {k: report["completeness"][0][k] for k in ("present", "weak", "missing", "unknown")} == \
        {"present": 3, "weak": 1, "missing": 0, "unknown": 14}
    gaps = {row["segment"]: (row["status"], row["note"]) for row in report["gaps"]}
    assert gaps["chips.n4"] == ("weak", "confirmed: local share 8% below strong_share")
    assert gaps["chips.n16"][0] == "unknown" and "chips.n17" not in gaps  # 60%: present


def test_shares_known_absent_and_unknown_stay_distinct(imported):
    gaps = {row["segment"]: (row["status"], row["note"]) for row in _gaps(imported, "CN")["gaps"]}
    assert gaps["chips.n6"] == ("missing", GAP_NOTES["absent"])  # negligible only
    assert gaps["chips.n8"] == ("missing", GAP_NOTES["absent"])  # an explicit 0
    assert gaps["chips.n7"] == ("unknown", GAP_NOTES["unknown"])  # nobody listed
    assert gaps["chips.n16"][0] == "weak"  # 8% < strong_share
    assert "chips.n19" not in gaps  # 25%: present with one enterprise
    # A membership without a share counts by the count rule: one enterprise is weak.
    usa = {row["segment"]: row for row in _gaps(imported, "USA")["gaps"]}
    assert usa["chips.n9"]["status"] == "weak" and usa["chips.n9"]["note"] == GAP_NOTES["weak"]
    lower = {row["segment"]: row["status"] for row in _gaps(imported, "CN", "--strong-share", "0.06")["gaps"]}
    assert "chips.n16" not in lower and lower["chips.n4"] == lower["chips.n17"] == "weak"


def test_shares_are_read_as_fractions_or_percentages(imported):
    g = chainkg.load(imported)
    m = g.memberships.set_index(["enterprise", "segment"])
    assert m.loc[("P01", "chips.n2"), "share"] == pytest.approx(0.70)
    assert m.loc[("P15", "chips.n17"), "share"] == pytest.approx(0.05)
    assert m.loc[("P17", "chips.n8"), "share"] == 0 and bool(m.loc[("P17", "chips.n6"), "negligible"])
    assert pd.isna(m.loc[("P05", "chips.n9"), "share"])


@pytest.mark.parametrize("name,old,new,where,message", [
    ("provision.csv", "P01,N2,", "P01,N99,", "provision.csv:2:provided_id", "unknown segment 'N99'"),
    ("edges.csv", "N2,N4", "N2,N44", "edges.csv:2:output_node", "unknown segment 'N44' (did you mean"),
    ("edges.csv", "N3,N4", "Lithography tool,N4", "edges.csv:3:input_node",
     "did you mean Lithography tools chips.n11"),
    ("nodes.csv", "N1,Design,,design", "N1,Design,,plan", "nodes.csv:2:stage_name", "stage 'plan'"),
    ("nodes.csv", "N3,Core IP,N1", "N3,Core IP,N01", "nodes.csv:4:parent_node", "unknown parent node 'N01'"),
    ("nodes.csv", "N4,Chip design,N1", "N4,Chip design,N4", "nodes.csv:5:parent_node", "parent cycle"),
    ("nodes.csv", "N5,Materials", "N4,Materials", "nodes.csv:6:node_id", "duplicate node id 'N4'"),
    ("provision.csv", "P02,N3,45%", "P02,N3,45", "provision.csv:3:share_provided", "share '45' is more than 1"),
    ("provision.csv", "P02,N3,45%", "P02,N3,lots", "provision.csv:3:share_provided", "'lots'"),
    ("provision.csv", "P02,N3,45%,", "P02,N3,45%,yes", "provision.csv:3:negligible_market_share",
     "negligible, yet the row gives a share"),
    ("provision.csv", "P17,N6,,TRUE", "P17,N6,,maybe", "provision.csv:12:negligible_market_share",
     "negligible must be yes or no"),
    ("providers.csv", "P02,Birch Cores,USA", "P02,Birch Cores,Mars", "providers.csv:3:country",
     "unknown region 'Mars'"),
])
def test_each_error_names_file_row_and_column(dataset, tmp_path, name, old, new, where, message):
    _edit(dataset, name, old, new)
    with pytest.raises(ValidationError) as info:
        import_mapped_tables(dataset / "mapping.yaml", tmp_path / "out")
    lines = info.value.report.lines()
    assert any(line.startswith(f"{where}: ") and message in line for line in lines), lines
    assert not (tmp_path / "out").exists()


def test_every_problem_is_collected_at_once(dataset, tmp_path):
    _edit(dataset, "nodes.csv", "N1,Design,,design", "N1,Design,,plan")
    _edit(dataset, "edges.csv", "N2,N4", "N2,N44")
    with pytest.raises(ValidationError) as info:
        read_mapped_tables(dataset / "mapping.yaml")
    assert [p.location() for p in info.value.report.problems] == ["nodes.csv:2:stage_name",
                                                                  "edges.csv:2:output_node"]


def test_every_mapping_problem_is_collected_at_once(dataset):
    _edit(dataset, "mapping.yaml", "source: chips-demo\n", "")
    _edit(dataset, "mapping.yaml", "output_node: to", "output_node: into")
    _edit(dataset, "mapping.yaml", "chain: {id: chips,", "chain: {id: Chips,")
    with pytest.raises(ValidationError) as info:
        read_mapped_tables(dataset / "mapping.yaml")
    assert [p.path for p in info.value.report.problems] == ["source", "chain.id", "tables[1].columns.output_node"]


def test_readme_shows_the_mapping_file_as_it_is():
    from test_readme import readme_block

    shown = readme_block("# tests/data/supplychain/mapping.yaml", "yaml")[1:]
    assert "\n".join(shown) + "\n" == (DATASET / "mapping.yaml").read_text(encoding="utf-8")


def test_the_mapping_works_in_place_from_a_manifest(dataset):
    """imports: [{format: table, mapping: …}] reads the dataset as import table does, chain included."""
    (dataset / "chainkg.yaml").write_text("name: chips in place\nimports:\n"
                                          "  - {format: table, mapping: mapping.yaml}\n", encoding="utf-8")
    g = chainkg.load(dataset)
    assert "chips" in g.chains and len(g.leaves("chips")) == 18
    assert len(g.enterprises) == 18 and len(g.memberships) == 25
    assert g.region_name("KOR") == "South Korea"
    status = {row["segment"]: row["status"] for row in _gaps(dataset, "KOR")["gaps"]}
    assert status["chips.n4"] == "weak"


def test_a_bad_mapping_in_a_manifest_is_reported_where_it_is(dataset):
    (dataset / "chainkg.yaml").write_text("name: chips in place\nimports:\n"
                                          "  - {format: table, mapping: mapping.yaml}\n"
                                          "  - {format: table}\n", encoding="utf-8")
    _edit(dataset, "nodes.csv", "N1,Design,,design", "N1,Design,,plan")
    report = chainkg.validate(dataset)
    assert [p.location() for p in report.problems] == ["nodes.csv:2:stage_name", "chainkg.yaml: imports[1].mapping"]


def test_global_data_option_is_the_directory_the_import_builds_on(tmp_path):
    """--data names the directory whose chains and regions the mapped tables may name."""
    from helpers import DEMO_CHAIN, REGIONS, SOURCES, write_data_dir

    base = write_data_dir(tmp_path / "base", {"chainkg.yaml": "name: base\n", "chains/demo.yaml": DEMO_CHAIN,
                                              "regions.csv": REGIONS + "DEU,Germany,country,,test,2024\n",
                                              "sources.csv": SOURCES})
    mapped = write_data_dir(tmp_path / "m", {
        "m.yaml": "source: s\nas_of: '2025'\ntables:\n"
                  "  - {file: e.csv, kind: enterprises, columns: {id: id, name: name, land: region}}\n"
                  "  - {file: p.csv, kind: memberships, columns: {id: enterprise, seg: segment, share: share}}\n",
        "e.csv": "id,name,land\nd1,Wafer GmbH,DEU\n", "p.csv": "id,seg,share\nd1,硅片,30%\n"})
    without = CliRunner().invoke(cli, ["import", "table", str(mapped / "m.yaml"), "-o", str(tmp_path / "a")])
    assert without.exit_code == 1 and "e.csv:2:land: unknown region 'DEU'" in without.stderr
    result = CliRunner().invoke(cli, ["--data", str(base), "import", "table", str(mapped / "m.yaml"),
                                      "-o", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    g = chainkg.load(tmp_path / "b")
    assert sorted(g.chains) == ["demo"] and g.region_name("DEU") == "Germany"
    assert g.memberships[["enterprise", "segment", "share"]].values.tolist() == [["d1", "demo.materials.wafer", 0.3]]
    # With a chain of its own, the mapping's chain sits beside the base's.
    import_mapped_tables(DATASET / "mapping.yaml", tmp_path / "c", base=base)
    assert sorted(chainkg.load(tmp_path / "c").chains) == ["chips", "demo"]


def test_in_place_problems_found_at_load_are_located_in_the_original_files(dataset):
    (dataset / "chainkg.yaml").write_text("name: chips in place\nimports:\n"
                                          "  - {format: table, mapping: mapping.yaml}\n", encoding="utf-8")
    _edit(dataset, "provision.csv", "P01,N2,", "P01,N99,")
    _edit(dataset, "providers.csv", "P02,Birch Cores,USA", "P02,Birch Cores,Mars")
    report = chainkg.validate(dataset)
    assert sorted(p.location() for p in report.problems) == ["providers.csv:3:country", "provision.csv:2:provided_id"]
