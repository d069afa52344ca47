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
