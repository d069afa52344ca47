"""A manifest that imports a ChainKnowledgeGraph directory next to the directory's own tables."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.loaders.ckg import read_ckg
from chainkg.queries.targets import rank_targets
from chainkg.render import to_jsonable
from helpers import DEMO_CHAIN, REGIONS, SOURCES, write_data_dir
from test_import_ckg import ckg_dir  # noqa: F401  (the fixture: a ckg directory with its quirks)

MAPPING = """\
industries:
  '270107': {name: 集成电路封测, segments: [demo.packaging], confidence: high}
  '270104': {name: 数字芯片设计, segments: [demo.design]}
"""
IMPORTS = "imports:\n  - {format: ckg, path: ckg, mapping: sw.yaml}\n"
OWN = "id,name,region,segments,source\ne1,甲公司,500155,demo.fab,test\n"


@pytest.fixture
def files():
    """A planner's directory: own chain, regions, sources and enterprises, importing ../ckg."""
    return {"chainkg.yaml": "name: demo\nhome_region: '500155'\n" + IMPORTS, "chains/demo.yaml": DEMO_CHAIN,
            "regions.csv": REGIONS, "sources.csv": SOURCES, "enterprises.csv": OWN, "sw.yaml": MAPPING}


def write(ckg_dir, files, **changes):
    """The directory beside ``ckg_dir``, so that the import's path is ``ckg``."""
    return write_data_dir(ckg_dir.parent, {**files, **changes})


def test_imported_companies_load_and_become_candidates(ckg_dir, files):
    g = chainkg.load(write(ckg_dir, files))
    e = g.enterprises.set_index("id")
    assert sorted(e.index) == ["002156.SZ", "002185.SZ", "600584.SH", "688999.SH", "e1"]
    expected = read_ckg(ckg_dir, mapping=ckg_dir.parent / "sw.yaml").data["enterprises"].set_index("id")
    assert e.loc["600584.SH", "main_business"] == expected.loc["600584.SH", "main_business"]
    assert (e.loc["600584.SH", "region"], e.loc["e1", "source"]) == ("320000", "test")
    names = set(rank_targets(g, "封测")["name"])
    assert {"江苏长电科技股份有限公司", "天水华天科技股份有限公司"} <= names
    assert "重庆市梁平区某芯片股份有限公司" not in names  # local to the home region 梁平
    # 天水 is not in the directory's regions.csv: it and its province are embedded regions,
    # whose source joins the directory's
    assert g.region_name("620500") == "天水市" and "620500" in g.region_descendants("620000")
    assert {"test", "chainknowledgegraph", "admin-codes"} <= set(g.sources["id"])


def test_without_sources_table_nothing_is_checked_against_one(ckg_dir, files):
    del files["sources.csv"]
    g = chainkg.load(write(ckg_dir, files))
    assert len(g.enterprises) == 5 and "620500" in set(g.regions["id"])


def test_embedded_mapping_is_cut_to_the_directorys_segments(ckg_dir, files):
    manifest = "name: demo\nhome_region: '500155'\nimports: [{format: ckg, path: ckg}]\n"
    g = chainkg.load(write(ckg_dir, files, **{"chainkg.yaml": manifest}))
    assert list(g.enterprises["id"]) == ["e1"]  # it names no demo segment
    # with the embedded chains, regions and sources, as `chainkg import ckg` writes them
    plain = write_data_dir(ckg_dir.parent / "plain", {"chainkg.yaml": manifest.replace("ckg}", "../ckg}")})
    g = chainkg.load(plain, allow_outside=[ckg_dir])  # ../ckg is elsewhere: the user allows it
    assert len(g.enterprises) == 6 and "江苏长电科技股份有限公司" in set(rank_targets(g, "封测")["name"])


BAD_ENTRIES = [
    ("unknown-format", "imports:\n  - {format: xls, path: ckg}\n",
     ("schema", "imports[0].format", "unknown import format 'xls' (known: ckg, table)")),
    ("no-path", "imports:\n  - {format: ckg}\n", ("schema", "imports[0].path", "missing path")),
    ("path-not-found", "imports:\n  - {format: ckg, path: nowhere}\n",
     ("missing-file", "imports[0].path", "directory 'nowhere' not found")),
    ("not-a-ckg-directory", "imports:\n  - {format: ckg, path: chains}\n",
     ("read", "imports[0].path", "required file 'company.json' not found")),
    ("mapping-not-found", "imports:\n  - {format: ckg, path: ckg, mapping: nope.yaml}\n",
     ("missing-file", "imports[0].mapping", "mapping 'nope.yaml' not found")),
    ("mapping-unknown-segment", "imports:\n  - {format: ckg, path: ckg, mapping: bad.yaml}\n",
     ("schema", "imports[0].mapping", "bad.yaml: industries.270107.segments: unknown segment 'demo.nowhere'")),
    ("unknown-key", "imports:\n  - {format: ckg, path: ckg, mapings: sw.yaml}\n",
     ("schema", "imports[0].mapings", "unknown key 'mapings'")),
    ("not-a-list", "imports: {format: ckg, path: ckg}\n", ("schema", "imports", "must be a list")),
    ("entry-not-a-mapping", "imports: [ckg]\n", ("schema", "imports[0]", "must be a mapping")),
]


@pytest.mark.parametrize("imports, expected", [c[1:] for c in BAD_ENTRIES], ids=[c[0] for c in BAD_ENTRIES])
def test_bad_entry_is_located_in_the_manifest(ckg_dir, files, imports, expected):
    root = write(ckg_dir, files, **{"chainkg.yaml": "name: demo\n" + imports,
                                    "bad.yaml": MAPPING.replace("demo.packaging", "demo.nowhere")})
    report = chainkg.validate(root)
    assert [(p.type, p.file, p.path) for p in report.problems] == [(expected[0], "chainkg.yaml", expected[1])]
    assert expected[2] in report.problems[0].message


def test_duplicate_id_between_own_table_and_import(ckg_dir, files):
    root = write(ckg_dir, files, **{"enterprises.csv": OWN + "600584.SH,长电科技,320000,封测,test\n"})
    [problem] = chainkg.validate(root).problems
    assert (problem.type, problem.file, problem.row, problem.column) == \
        ("duplicate-id", "ckg (ckg import)", 2, "id")
    assert problem.message == "duplicate enterprise id '600584.SH' (first at enterprises.csv row 3)"


def test_cli_validate_locates_problems_and_json_equals_library(ckg_dir, files):
    root = write(ckg_dir, files, **{"chainkg.yaml": "name: demo\nimports:\n  - {format: xls, path: ckg}\n"})
    result = CliRunner().invoke(cli, ["--data", str(root), "validate"])
    assert result.exit_code == 1
    assert "chainkg.yaml: imports[0].format: unknown import format 'xls' (known: ckg, table)" in result.output
    result = CliRunner().invoke(cli, ["--data", str(root), "validate", "--format", "json"])
    assert json.loads(result.output) == to_jsonable(chainkg.validate(root).to_dict())

    root = write(ckg_dir, files, **{"enterprises.csv": OWN + "600584.SH,长电科技,320000,封测,test\n"})
    result = CliRunner().invoke(cli, ["--data", str(root), "validate"])
    assert "ckg (ckg import):2:id: duplicate enterprise id '600584.SH'" in result.output
    result = CliRunner().invoke(cli, ["--data", str(root), "validate", "--format", "json"])
    assert json.loads(result.output) == to_jsonable(chainkg.validate(root).to_dict())


def test_cli_validate_lists_the_import(ckg_dir, files):
    result = CliRunner().invoke(cli, ["--data", str(write(ckg_dir, files)), "validate"])
    assert result.exit_code == 0, result.output
    assert "ckg (ckg import, 4 enterprises)" in result.output
