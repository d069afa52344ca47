"""Hostile inputs: data loss, paths leaving the data directory, escaping in every output.

``CASES`` run through the CLI (see ``BadInput`` in helpers.py); the other tests check the
library and the exporters directly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from chainkg.errors import ExportError
from chainkg.outdir import OUTPUT_MARKER, write_owned_dir
from helpers import BadInput, assert_case

MAPPING = """\
name: t
source: s1
as_of: "2025"
tables:
  - {file: e.csv, kind: enterprises, columns: {id: id, name: name, region: region, segments: segments}}
"""
MAPPED = {"m/mapping.yaml": MAPPING, "m/e.csv": "id,name,region,segments\nA1,某公司,500155,ic.design\n"}


def _earlier_output(files):
    """A maker of a directory as chainkg leaves one, plus ``files`` it did not write."""
    def make(path):
        path.mkdir()
        (path / "IMPORT.txt").write_text("an earlier bundle")
        (path / OUTPUT_MARKER).write_text(json.dumps({"written_by": "chainkg", "files": ["IMPORT.txt"]}))
        for name in files:
            (path / name).write_text("mine")
    return make


def _kept(*names):
    """A check that every file ``names`` (relative to the data directory) is still there."""
    def check(result, data):
        for name in names:
            assert (data / name).exists(), name
    return check


def _only_new_output(out):
    """A check that ``out`` holds a fresh output and nothing was left beside it."""
    def check(result, data):
        target = data / out
        assert (target / OUTPUT_MARKER).is_file() and not (target / "notes.txt").exists()
        assert sorted(p.name for p in target.parent.iterdir() if p.name.startswith(".")) == [], \
            list(target.parent.iterdir())
    return check


CASES = [
    # 1. --overwrite replaces only a bundle chainkg wrote, never the current directory.
    BadInput("neo4j-import-overwrite-cwd", {}, ("export", "neo4j-import", ".", "--overwrite"),
             "it is the current directory", "refusing to write into '.'", check=_kept("chainkg.yaml")),
    BadInput("neo4j-import-overwrite-parent-of-cwd", {}, ("export", "neo4j-import", "..", "--overwrite"),
             "it holds the current directory", "refusing to write into '..'"),
    BadInput("neo4j-import-overwrite-foreign-dir", {"out/mine.txt": "keep"},
             ("export", "neo4j-import", "{dir}/out", "--overwrite"),
             "is not empty and chainkg did not write it", "'", check=_kept("out/mine.txt")),
    BadInput("neo4j-import-overwrite-bundle-holding-other-files", {"out": _earlier_output(["notes.txt"])},
             ("export", "neo4j-import", "{dir}/out", "--overwrite"),
             "holds files chainkg did not write ('notes.txt')", "'", check=_kept("out/notes.txt")),
    BadInput("neo4j-import-overwrite-data-dir", {},
             ("export", "neo4j-import", "{dir}", "--overwrite"),
             "is not empty and chainkg did not write it", "'", check=_kept("chainkg.yaml")),
    BadInput("neo4j-import-overwrite-own-bundle", {"out": _earlier_output([])},
             ("export", "neo4j-import", "{dir}/out", "--overwrite"), exit_code=0,
             check=_only_new_output("out")),
    BadInput("neo4j-import-own-bundle-without-overwrite", {"out": _earlier_output([])},
             ("export", "neo4j-import", "{dir}/out"), "use --overwrite to replace it", "'"),
    # 2. import --force: the same rule, and nothing left behind.
    BadInput("import-table-force-cwd", MAPPED, ("import", "table", "{dir}/m/mapping.yaml", "-o", ".", "--force"),
             "it is the current directory", "refusing to write into '.'"),
    BadInput("import-table-force-foreign-dir", MAPPED,
             ("import", "table", "{dir}/m/mapping.yaml", "-o", "{dir}/chains", "--force"),
             "is not empty and chainkg did not write it", "'", check=_kept("chains/demo.yaml")),
    BadInput("import-table-force-own-import", {**MAPPED, "out": _earlier_output([])},
             ("import", "table", "{dir}/m/mapping.yaml", "-o", "{dir}/out", "--force"), exit_code=0,
             check=_only_new_output("out")),
    BadInput("import-table-force-own-import-holding-other-files", {**MAPPED, "out": _earlier_output(["x.csv"])},
             ("import", "table", "{dir}/m/mapping.yaml", "-o", "{dir}/out", "--force"),
             "holds files chainkg did not write ('x.csv')", "'", check=_kept("out/x.csv")),
]


# 3. Files a data directory names must resolve inside it (links followed).
OUTSIDE = "outside the data directory"
PRESENCE = "region,segment,enterprises,source\n500155,demo.design,,test\n"


def _link_out(target, text=PRESENCE):
    """A maker of a symbolic link to ``target``, a file it writes beside the data directory."""
    def make(path):
        data = next(p for p in path.parents if p.name == "data")
        outside = data.parent / "outside" / target
        outside.parent.mkdir(parents=True, exist_ok=True)
        outside.write_text(text, encoding="utf-8")
        path.symlink_to(outside)
    return make


def _manifest(extra):
    return "name: demo\nas_of: '2025-01'\nhome_region: '500155'\n" + extra


CKG_COMPANY = '{"name": "长电科技", "fullname": "江苏长电科技股份有限公司", "code": "600584"}\n'

CASES += [
    BadInput("manifest-table-parent-path", {"chainkg.yaml": _manifest("tables: {presence: ../elsewhere/presence.csv}\n"),
                                           "../elsewhere/presence.csv": PRESENCE},
             message=OUTSIDE, location="chainkg.yaml: tables.presence: '../elsewhere/presence.csv' resolves to"),
    BadInput("manifest-table-absolute-path", {"chainkg.yaml": _manifest("tables: {presence: /etc/passwd}\n")},
             message=OUTSIDE, location="chainkg.yaml: tables.presence: '/etc/passwd' resolves to"),
    BadInput("manifest-chain-parent-path", {"chainkg.yaml": _manifest("chains: [../demo.yaml]\n"),
                                           "../demo.yaml": "id: x\n"},
             message=OUTSIDE, location="chainkg.yaml: chains[0]: '../demo.yaml'"),
    BadInput("table-symlink-leaving-the-directory", {"presence.csv": _link_out("secret/presence.csv")},
             message=OUTSIDE, location="presence.csv: 'presence.csv' resolves to"),
    BadInput("manifest-table-symlink-leaving-the-directory",
             {"chainkg.yaml": _manifest("tables: {presence: p/presence.csv}\n"),
              "p/presence.csv": _link_out("secret/p.csv")},
             message=OUTSIDE, location="chainkg.yaml: tables.presence: 'p/presence.csv'"),
    BadInput("chain-template-symlink-leaving-the-directory", {"chains/other.yaml": _link_out("x/other.yaml")},
             message=OUTSIDE, location="chains/other.yaml: 'chains/other.yaml'"),
    BadInput("manifest-import-parent-path", {"chainkg.yaml": _manifest("imports: [{format: ckg, path: ../ckg}]\n"),
                                            "../ckg/company.json": CKG_COMPANY},
             message=OUTSIDE, location="chainkg.yaml: imports[0].path: '../ckg'"),
    BadInput("manifest-import-mapping-parent-path",
             {"chainkg.yaml": _manifest("imports: [{format: ckg, path: ckg, mapping: /etc/sw.yaml}]\n"),
              "ckg/company.json": CKG_COMPANY},
             message=OUTSIDE, location="chainkg.yaml: imports[0].mapping: '/etc/sw.yaml'"),
    BadInput("manifest-import-file-symlink-leaving-the-directory",
             {"chainkg.yaml": _manifest("imports: [{format: ckg, path: ckg}]\n"),
              "ckg/company.json": _link_out("x/company.json", CKG_COMPANY)},
             message=OUTSIDE, location="chainkg.yaml: imports[0].path: 'ckg/company.json'"),
    BadInput("manifest-table-outside-but-allowed",
             {"chainkg.yaml": _manifest("tables: {presence: ../elsewhere/presence.csv}\n"),
              "../elsewhere/presence.csv": PRESENCE},
             ("--allow-outside", "{dir}/../elsewhere", "validate"), exit_code=0,
             check=lambda result, data: "ok:" in result.output),
    BadInput("import-table-file-outside-the-mapping-directory",
             {"m/mapping.yaml": MAPPING.replace("file: e.csv", "file: ../e.csv"),
              "e.csv": MAPPED["m/e.csv"]},
             ("import", "table", "{dir}/m/mapping.yaml", "-o", "{tmp}/out"),
             message="outside the mapping file's directory", location="mapping.yaml: tables[0].file: '../e.csv'"),
    BadInput("import-table-file-symlink-outside-the-mapping-directory",
             {**MAPPED, "m/e.csv": _link_out("x/e.csv", MAPPED["m/e.csv"])},
             ("import", "table", "{dir}/m/mapping.yaml", "-o", "{tmp}/out"),
             message="outside the mapping file's directory", location="mapping.yaml: tables[0].file: 'e.csv'"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input(case, tmp_path, demo_files, monkeypatch):
    monkeypatch.chdir(tmp_path)  # "." is then the directory holding the case's data
    assert_case(case, tmp_path, demo_files)


# --- Replacing a directory chainkg owns ---------------------------------------------------

def _never(path):
    raise AssertionError("fill must not run for a refused directory")


@pytest.mark.parametrize("where, message", [("/", "filesystem root"), ("home", "it is the home directory"),
                                            ("home/..", "it holds the home directory")])
def test_root_and_home_are_refused(tmp_path, monkeypatch, where, message):
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("mine")
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    with pytest.raises(ExportError, match=message):
        write_owned_dir(where if where == "/" else tmp_path / where, _never, what="test", replace=True)
    assert (home / "notes.txt").read_text() == "mine"


def test_a_failed_replacement_keeps_the_earlier_directory(tmp_path):
    out = tmp_path / "out"
    write_owned_dir(out, lambda p: (p / "a.txt").write_text("first"), what="test")

    def fail(path):
        (path / "a.txt").write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(ExportError, match="No space left on device"):
        write_owned_dir(out, fail, what="test", replace=True)
    assert (out / "a.txt").read_text() == "first" and os.listdir(tmp_path) == ["out"]


def test_a_symlink_to_a_foreign_directory_is_refused(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("keep")
    (tmp_path / "link").symlink_to(tmp_path / "mine", target_is_directory=True)
    with pytest.raises(ExportError, match="chainkg did not write it"):
        write_owned_dir(tmp_path / "link", _never, what="test", replace=True)
    assert (tmp_path / "mine" / "keep.txt").exists()


def test_a_replaced_bundle_lists_its_files(tmp_path):
    from chainkg.graph.neo4j_bundle import write_import_bundle
    import chainkg

    out = tmp_path / "b"
    write_import_bundle(chainkg.load(), out, chains=["ic"])
    marker = json.loads((out / OUTPUT_MARKER).read_text(encoding="utf-8"))
    assert set(marker["files"]) == set(os.listdir(out)) - {OUTPUT_MARKER}
    write_import_bundle(chainkg.load(), out, chains=["ic"], overwrite=True)
    assert sorted(Path(tmp_path).iterdir()) == [out]
