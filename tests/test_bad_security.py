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
# Imported with the global --data of the case (the demo directory), whose chain the import builds on.
MAPPED = {"m/mapping.yaml": MAPPING, "m/e.csv": "id,name,region,segments\nA1,某公司,500155,demo.design\n"}


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


# 4, 6, 7. Names reach Markdown, spreadsheets and the terminal harmless.
DEMO_ENTERPRISES = (
    "id,name,region,segments,flags,output_cny,source,as_of\n"
    "e1,甲公司,500155,demo.fab,规上,1亿,test,2025\n"
    "e2,乙公司,500155,封测;设计,,,test,2025\n"
    "e3,{name},320200,demo.materials.wafer,上市;专精特新,5000000,test,2025\n"
)
TARGETS = ("targets", "--segment", "demo.materials.wafer")


def _named(name):
    """enterprises.csv with the candidate elsewhere (e3) named ``name`` (CSV-quoted)."""
    return {"enterprises.csv": DEMO_ENTERPRISES.format(name='"' + name.replace('"', '""') + '"')}


def _output_has(*present, absent=()):
    def check(result, data):
        for text in present:
            assert text in result.output, (text, result.output)
        for text in absent:
            assert text not in result.output, (text, result.output)
    return check


def _xlsx_cell(path, column, expected):
    """A check that the workbook's first sheet has ``expected`` in the column headed ``column``."""
    def check(result, data):
        import openpyxl

        sheet = openpyxl.load_workbook(data.parent / "scratch" / path).worksheets[0]
        header = [c.value for c in sheet[1]]
        assert sheet.cell(2, header.index(column) + 1).value == expected
    return check


CASES += [
    BadInput("md-html-in-a-name", _named("<script>alert(1)</script>"), (*TARGETS, "-f", "md"), exit_code=0,
             check=_output_has("&lt;script&gt;alert(1)&lt;/script&gt;", absent=["<script>"])),
    BadInput("md-table-metacharacters-in-a-name", _named("# a | b `c` [x](http://e)"), (*TARGETS, "-f", "md"),
             exit_code=0, check=_output_has("| \\# a \\| b \\`c\\` \\[x\\](http://e) |")),
    BadInput("csv-formula-after-a-list-separator", _named('a;=HYPERLINK("http://evil")'), (*TARGETS, "-f", "csv"),
             exit_code=0, check=_output_has('"\'a;=HYPERLINK(""http://evil"")"')),
    BadInput("csv-formula-after-a-comma", _named("a,@SUM(1)"), (*TARGETS, "-f", "csv"),
             exit_code=0, check=_output_has('"\'a,@SUM(1)"')),
    BadInput("xlsx-formula-after-a-list-separator", _named("a;=HYPERLINK(1)"), (*TARGETS, "-o", "{tmp}/t.xlsx"),
             exit_code=0, check=_xlsx_cell("t.xlsx", "name", "'a;=HYPERLINK(1)")),
    BadInput("xlsx-score-stays-a-number", _named("a;-1"), (*TARGETS, "-o", "{tmp}/t.xlsx"),
             exit_code=0, check=_xlsx_cell("t.xlsx", "score", 0.805)),
    BadInput("error-quoting-a-file-name-with-an-escape-sequence", {"chains/\x1b[2Jevil.yaml": "id: [unclosed\n"},
             ("info",), "\\x1b[2Jevil.yaml", "chains/\\x1b[2Jevil.yaml",
             check=_output_has(absent=["\x1b"])),
]


# 8. A full disk: one clean line and nothing left behind, for every output path.
# The command runs again in a process whose files may not grow past a few bytes
# (RLIMIT_FSIZE, with SIGXFSZ ignored so that writes fail with EFBIG as on a full disk).

def _on_a_full_disk(*args, limit=200, stdout=None):
    """A check: ``args`` fail with one line and leave nothing in ``{out}`` (a fresh directory)
    or in the temporary directory; ``{dir}`` is the data directory."""
    def check(result, data):
        import resource
        import signal
        import subprocess
        import sys

        out, tmp = data.parent / "full", data.parent / "full-tmp"
        out.mkdir()
        tmp.mkdir()

        def small_files():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        argv = [sys.executable, "-m", "chainkg", "--data", str(data),
                *(a.replace("{out}", str(out)).replace("{dir}", str(data)) for a in args)]
        with open(stdout or os.devnull, "w") as sink:
            run = subprocess.run(argv, preexec_fn=small_files, stdout=sink, stderr=subprocess.PIPE, text=True,
                                 env={**os.environ, "TMPDIR": str(tmp)}, timeout=120)
        lines = run.stderr.strip().splitlines()
        assert run.returncode == 1 and len(lines) == 1, run.stderr
        assert lines[0].startswith("Error: ") and ("File too large" in lines[0] or "No space" in lines[0]), lines
        assert list(out.iterdir()) == [] and list(tmp.iterdir()) == [], (list(out.iterdir()), list(tmp.iterdir()))
    return check


FULL_DISK = [
    ("xlsx", ("gaps", "-o", "{out}/g.xlsx")),
    ("csv", ("gaps", "-o", "{out}/g.csv")),
    ("md", ("gaps", "-o", "{out}/g.md")),
    ("json", ("gaps", "-o", "{out}/g.json")),
    ("graphml", ("export", "graphml", "-o", "{out}/g.graphml")),
    ("gexf", ("export", "gexf", "-o", "{out}/g.gexf")),
    ("node-link-json", ("export", "json", "-o", "{out}/g.json")),
    ("viz", ("viz", "-o", "{out}/v.html")),
    ("neo4j-dry-run", ("export", "neo4j", "--dry-run", "{out}/d.jsonl")),
    ("neo4j-import-bundle", ("export", "neo4j-import", "{out}/b")),
    ("import-table", ("import", "table", "{dir}/m/mapping.yaml", "-o", "{out}/i")),
]
CASES += [BadInput(f"full-disk-{name}", MAPPED, tuple(a.replace("{out}", "{tmp}") for a in args), exit_code=0,
                   check=_on_a_full_disk(*args))
          for name, args in FULL_DISK]
CASES += [BadInput("full-disk-standard-output", {}, ("info",), exit_code=0,
                   check=_on_a_full_disk("info", stdout="/dev/full"))]


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


# --- Every export format holds hostile names exactly ------------------------------------

HOSTILE = [
    'it\'s "quoted", with, commas',
    "<b>tags</b> & ampersands &amp; </script>",
    "emoji 🚀🏭 and 汉字",
    "  leading and trailing spaces  ",
    "semi;colons;=HYPERLINK(\"x\")",
    "长" * 5000,
]
LINES = "two\nlines\r\nand a CR\r alone"  # in free text, where the loader allows line breaks


@pytest.fixture(scope="module")
def hostile():
    import chainkg

    graph = chainkg.load()
    ents = graph.enterprises.copy()
    ents.loc[: len(HOSTILE) - 1, "name"] = HOSTILE
    ents.loc[0, "main_business"] = LINES
    return graph.replace(enterprises=ents)


def _names(g):
    return sorted(d["name"] for _, d in g.nodes(data=True) if d.get("kind") == "Enterprise")


def _read_graph_file(path, fmt):
    import networkx as nx

    from chainkg.graph.files import NODE_LINK_KEYS

    if fmt == "graphml":
        return nx.read_graphml(path, force_multigraph=True)
    if fmt == "gexf":
        return nx.read_gexf(path)
    return nx.node_link_graph(json.loads(Path(path).read_text(encoding="utf-8")), **NODE_LINK_KEYS)


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_graph_files_keep_hostile_names_exactly(tmp_path, hostile, fmt):
    from chainkg.graph.files import write_graph_file

    written = write_graph_file(hostile, tmp_path / f"g.{fmt}", fmt)
    got = _read_graph_file(tmp_path / f"g.{fmt}", fmt)
    assert _names(got) == _names(written) and set(HOSTILE) <= set(_names(got))
    first = next(d for _, d in got.nodes(data=True) if d.get("name") == HOSTILE[0])
    assert first["main_business"] == LINES


def test_neo4j_bundle_keeps_hostile_names_exactly(tmp_path, hostile):
    import csv

    from chainkg.graph.neo4j_bundle import write_import_bundle

    write_import_bundle(hostile, tmp_path / "b")
    with open(tmp_path / "b" / "nodes_Enterprise.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["name"] for r in rows) == sorted(hostile.enterprises["name"])
    assert next(r for r in rows if r["name"] == HOSTILE[0])["main_business"] == LINES


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_xml_exports_are_well_formed_with_control_characters(tmp_path, hostile, fmt):
    """The loaders refuse control characters in names; the exporters must not depend on it."""
    import xml.etree.ElementTree as ET

    from chainkg.graph.files import write_graph_file

    ents = hostile.enterprises.copy()
    ents.loc[0, "name"] = "NUL\x00 ESC\x1b[31m BEL\x07 end"
    ents.loc[1, "id"] = ents.loc[1, "id"] + "\x00"
    graph = hostile.replace(enterprises=ents)
    write_graph_file(graph, tmp_path / f"g.{fmt}", fmt)
    ET.parse(tmp_path / f"g.{fmt}")  # well-formed XML 1.0
    names = _names(_read_graph_file(tmp_path / f"g.{fmt}", fmt))
    assert "NUL\\x00 ESC\\x1b[31m BEL\\x07 end" in names


# --- What reaches a terminal, a spreadsheet or Markdown ----------------------------------

TERMINAL_HOSTILE = "red\x1b[31m C1\x9b2J bell\x07 rtl\u202eevil del\x7f"


def test_terminal_table_shows_control_characters_as_escapes():
    import pandas as pd

    from chainkg.render import render

    text = render(pd.DataFrame({"name\x1b[0m": [TERMINAL_HOSTILE, "two\nlines\ttab"]}), "table",
                  title="title\x1b]0;owned\x07")
    assert not any(ch in text for ch in "\x1b\x9b\x07\u202e\x7f\t")
    assert "red\\x1b[31m C1\\x9b2J bell\\x07 rtl\\u202eevil del\\x7f" in text and "two lines tab" in text
    assert text.startswith("title\\x1b]0;owned\\x07\n")


def test_terminal_table_of_a_query_with_a_hostile_name(hostile):
    from chainkg.queries import rank_targets
    from chainkg.render import render

    ents = hostile.enterprises.copy()
    segment = hostile.memberships["segment"].iloc[0]
    enterprise = hostile.memberships["enterprise"].iloc[0]
    ents.loc[ents["id"] == enterprise, "name"] = TERMINAL_HOSTILE
    ents.loc[ents["id"] == enterprise, "region"] = "320200"  # a candidate elsewhere
    text = render(rank_targets(hostile.replace(enterprises=ents), segment, top=50), "table")
    assert "red\\x1b[31m" in text and "\x1b" not in text and "\x9b" not in text


def test_json_escapes_c1_controls_and_keeps_the_value():
    import pandas as pd

    from chainkg.render import render

    text = render(pd.DataFrame({"name": [TERMINAL_HOSTILE]}), "json")
    assert not any(ch in text for ch in "\x1b\x9b\u202e\x7f")
    assert json.loads(text)[0]["name"] == TERMINAL_HOSTILE


def test_xlsx_numbers_stay_numbers_and_list_formulas_are_neutralised(tmp_path):
    import openpyxl
    import pandas as pd

    from chainkg.render import render

    df = pd.DataFrame({"delta": [-5.0, 2.5], "text": ["-5", "x\n+1+cmd|' /C calc'!A0"],
                       "nul": ["a\x00b", "tab\tok"]})
    (tmp_path / "t.xlsx").write_bytes(render(df, "xlsx"))
    rows = list(openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[0].values)
    assert rows[1] == (-5, "-5", "a\\x00b") and isinstance(rows[1][0], (int, float))
    assert rows[2] == (2.5, "'x\n+1+cmd|' /C calc'!A0", "tab\tok")


@pytest.mark.parametrize("cell, neutral", [
    ("=1+1", True), ("a;=HYPERLINK(1)", True), ("a,+1", True), ("a\n@SUM(1)", True), ("a\r\n-2+3", True),
    ("\tx", True), ("x;\t", True), ("-5", False), ("+3.5", False), ("a-b", False), ("2025-01", False),
    ("ic.design;ic.fab", False), ("上市;专精特新", False)])
def test_formula_neutralising(cell, neutral):
    from chainkg.render import neutralize_formula

    assert neutralize_formula(cell) == ("'" + cell if neutral else cell)
