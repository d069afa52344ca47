"""Bad manifests, chain templates and settings: each a located problem, never a traceback or silence.

``chainkg validate`` lists each at ``file: YAML path`` (``chainkg.yaml: settings.w_closure``)
and exits 1; other commands fail with the same problem on one line; settings given on the
command line that do not fit are usage errors (exit 2).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

import chainkg
from chainkg.errors import DataError
from chainkg.loaders.report import Report
from chainkg.loaders.yamlfile import read_yaml
from chainkg.queries.settings import settings_for
from helpers import DEMO_CHAIN, BadInput, assert_case

MANIFEST = "name: demo\nas_of: '2025-01'\nhome_region: '500155'\n"
SUPPLY = "{from: fab, to: packaging}"
GAS = "{id: gas, name: 电子特气}"


def manifest(extra):
    return {"chainkg.yaml": MANIFEST + extra}


def chain(old, new):
    """The demo template with one piece of text replaced."""
    assert old in DEMO_CHAIN
    return {"chains/demo.yaml": DEMO_CHAIN.replace(old, new, 1)}


def nested_segments(depth):
    """A template whose one segment has ``depth`` levels of children, in block style."""
    lines = ["id: demo", "name: 演示", "segments:"]
    for i in range(depth):
        pad = "  " * i
        lines += [f"{pad}  - id: s{i}", f"{pad}    name: 环节{i}", f"{pad}    stage: upstream",
                  f"{pad}    children:"]
    lines.append("  " * depth + "  - {id: leaf, name: 末端}")
    return "\n".join(lines) + "\n"


def flat_segments(depth):
    """A template of ``depth`` segments listed flat, each the parent of the next."""
    rows = ["  - {id: s0, name: 环节0, stage: upstream}"]
    rows += [f"  - {{id: s{i}, name: 环节{i}, parent: s{i - 1}}}" for i in range(1, depth)]
    return "id: demo\nname: 演示\nsegments:\n" + "\n".join(rows) + "\n"


FLOW_10000 = ("id: demo\nname: 演示\nsegments:\n  - " + "{id: s, name: n, children: [" * 10_000
              + "{id: leaf, name: leaf}" + "]}" * 10_000 + "\n")

# About 600 bytes standing for 10^9 segments when expanded.
BILLION_LAUGHS = """\
id: demo
name: 演示
segments:
  - id: a
    name: 甲
    stage: upstream
    children:
      - &s0 {id: x, name: x}
      - &s1 [*s0, *s0, *s0, *s0, *s0, *s0, *s0, *s0, *s0, *s0]
      - &s2 [*s1, *s1, *s1, *s1, *s1, *s1, *s1, *s1, *s1, *s1]
      - &s3 [*s2, *s2, *s2, *s2, *s2, *s2, *s2, *s2, *s2, *s2]
      - &s4 [*s3, *s3, *s3, *s3, *s3, *s3, *s3, *s3, *s3, *s3]
      - &s5 [*s4, *s4, *s4, *s4, *s4, *s4, *s4, *s4, *s4, *s4]
      - &s6 [*s5, *s5, *s5, *s5, *s5, *s5, *s5, *s5, *s5, *s5]
      - &s7 [*s6, *s6, *s6, *s6, *s6, *s6, *s6, *s6, *s6, *s6]
      - &s8 [*s7, *s7, *s7, *s7, *s7, *s7, *s7, *s7, *s7, *s7]
      - [*s8, *s8, *s8, *s8, *s8, *s8, *s8, *s8, *s8, *s8]
"""

INDUSTRY_MAPPING = """\
source: sw
as_of: "2025"
industries:
  "270107": {name: 集成电路封测, segments: [demo.packaging]}
  "270107": {name: 重复, segments: [demo.fab]}
"""

TABLE_MAPPING = """\
source: scdb
as_of: "2025"
source: again
tables:
  - {file: e.csv, kind: enterprises, columns: {公司: name}}
"""


CASES = [
    # --- 1. every manifest key given the wrong type, at every level
    BadInput("manifest-not-a-mapping", {"chainkg.yaml": "- name: demo\n"},
             message="must be a mapping, got a list [{'name': 'demo'}]", location="chainkg.yaml"),
    BadInput("columns-as-list", manifest("columns: [公司, name]\n"),
             message="must be a mapping, got a list ['公司', 'name']", location="chainkg.yaml: columns"),
    BadInput("columns-table-as-list", manifest("columns: {enterprises: [公司]}\n"),
             message="must be a mapping, got a list ['公司']", location="chainkg.yaml: columns.enterprises"),
    BadInput("tables-as-list", manifest("tables: [enterprises.csv]\n"),
             message="must be a mapping, got a list ['enterprises.csv']", location="chainkg.yaml: tables"),
    BadInput("tables-file-as-mapping", manifest("tables: {enterprises: {file: e.csv}}\n"),
             message="must be text, got a mapping {'file': 'e.csv'}",
             location="chainkg.yaml: tables.enterprises"),
    BadInput("chains-as-mapping", manifest("chains: {ic: chains/demo.yaml}\n"),
             message="must be a list, got a mapping", location="chainkg.yaml: chains"),
    BadInput("chains-item-as-list", manifest("chains: [chains/demo.yaml, [x.yaml]]\n"),
             message="must be text, got a list ['x.yaml']", location="chainkg.yaml: chains[1]"),
    BadInput("defaults-as-list", manifest("defaults: [test]\n"),
             message="must be a mapping, got a list ['test']", location="chainkg.yaml: defaults"),
    BadInput("defaults-value-as-list", manifest("defaults: {source: [test]}\n"),
             message="must be text, got a list ['test']", location="chainkg.yaml: defaults.source"),
    BadInput("settings-as-list", manifest("settings: [w_closure]\n"),
             message="must be a mapping, got a list ['w_closure']", location="chainkg.yaml: settings"),
    BadInput("imports-path-as-list", manifest("imports: [{format: ckg, path: [ckg]}]\n"),
             message="must be text, got a list ['ckg']", location="chainkg.yaml: imports[0].path"),
    # --- 7. scalar fields given a list or a mapping
    BadInput("name-as-list", {"chainkg.yaml": "name: [demo]\nhome_region: '500155'\n"},
             message="must be text, got a list ['demo']", location="chainkg.yaml: name"),
    BadInput("description-as-mapping", manifest("description: {zh: 演示}\n"),
             message="must be text, got a mapping {'zh': '演示'}", location="chainkg.yaml: description"),
    BadInput("as-of-as-list", {"chainkg.yaml": "name: demo\nas_of: [2025]\n"},
             message="must be text, got a list [2025]", location="chainkg.yaml: as_of"),
    BadInput("source-as-mapping", manifest("source: {id: test}\n"),
             message="must be text, got a mapping {'id': 'test'}", location="chainkg.yaml: source"),
    BadInput("home-region-as-list", {"chainkg.yaml": "name: demo\nhome_region: ['500155']\n"},
             message="must be text, got a list ['500155']", location="chainkg.yaml: home_region"),
    # --- 5. unknown keys anywhere in the manifest, with the closest known one
    BadInput("unknown-table-kind", manifest("tables: {enterprize: enterprises.csv}\n"),
             message="unknown table 'enterprize' (did you mean 'enterprises'?)",
             location="chainkg.yaml: tables.enterprize"),
    BadInput("unknown-columns-table", manifest("columns: {projcts: {项目: name}}\n"),
             message="unknown table 'projcts' (did you mean 'projects'?)", location="chainkg.yaml: columns.projcts"),
    BadInput("unknown-column-target", manifest("columns: {enterprises: {公司: nmae}}\n"),
             message="unknown enterprises column 'nmae' (did you mean 'name'?)",
             location="chainkg.yaml: columns.enterprises.公司"),
    BadInput("column-of-another-table", manifest("columns: {regions: {地区: investment_cny}}\n"),
             message="unknown regions column 'investment_cny' (one of id, name, name_en, level, parent, "
                     "source, as_of)", location="chainkg.yaml: columns.regions.地区"),
    BadInput("unknown-default-column", manifest("defaults: {sourse: test}\n"),
             message="unknown column 'sourse' (did you mean 'source'?)", location="chainkg.yaml: defaults.sourse"),
    BadInput("unknown-setting", manifest("settings: {w_closur: 0.3}\n"),
             message="unknown setting 'w_closur' (did you mean 'w_closure'?)",
             location="chainkg.yaml: settings.w_closur"),
    BadInput("unknown-top-level-key", manifest("setings: {}\n"),
             message="unknown key 'setings' (did you mean 'settings'?)", location="chainkg.yaml: setings"),
    # --- 8. a home region that does not exist, found by validate and by queries alike
    BadInput("unknown-home-region", {"chainkg.yaml": "name: demo\nhome_region: 梁平\n"},
             message="unknown region '梁平' (did you mean 梁平区 500155?)", location="chainkg.yaml: home_region"),
    BadInput("unknown-home-region-gaps", {"chainkg.yaml": "name: demo\nhome_region: '500154'\n"},
             args=("gaps",), message="unknown region '500154' (did you mean 黔江区 500114, 梁平区 500155", location="chainkg.yaml: home_region"),
    # --- 2 and 9. settings of the wrong type or out of range
    BadInput("weight-as-text", manifest("settings: {w_closure: abc}\n"),
             message="must be a number, got 'abc'", location="chainkg.yaml: settings.w_closure"),
    BadInput("weight-as-text-gaps", manifest("settings: {w_closure: abc}\n"), args=("gaps",),
             message="must be a number, got 'abc'", location="chainkg.yaml: settings.w_closure"),
    BadInput("decay-as-text-targets", manifest("settings: {decay: x}\n"), args=("targets", "--segment", "fab"),
             message="must be a number, got 'x'", location="chainkg.yaml: settings.decay"),
    BadInput("region-groups-as-integer", manifest("settings: {region_groups: {成渝: 500000}}\n"),
             message="must be a list, got 500000", location="chainkg.yaml: settings.region_groups.成渝"),
    BadInput("region-groups-as-list", manifest("settings: {region_groups: [500000]}\n"), args=("gaps",),
             message="must be a mapping, got a list [500000]", location="chainkg.yaml: settings.region_groups"),
    BadInput("region-group-member-as-list", manifest("settings: {region_groups: {成渝: [[500000]]}}\n"),
             message="must be text, got a list [500000]", location="chainkg.yaml: settings.region_groups.成渝[0]"),
    BadInput("preferred-origins-as-text", manifest("settings: {preferred_origins: 长三角}\n"),
             message="must be a list, got '长三角'", location="chainkg.yaml: settings.preferred_origins"),
    BadInput("preferred-origin-unknown", manifest("settings: {preferred_origins: [京津冀]}\n"),
             message="unknown region group '京津冀' (known: 长三角, 珠三角)",
             location="chainkg.yaml: settings.preferred_origins[0]"),
    BadInput("weight-negative", manifest("settings: {t_size: -0.2}\n"),
             message="must be >= 0, got -0.2", location="chainkg.yaml: settings.t_size"),
    BadInput("weight-nan", manifest("settings: {w_demand: .nan}\n"),
             message="must be a finite number, got nan", location="chainkg.yaml: settings.w_demand"),
    BadInput("weight-inf", manifest("settings: {w_demand: .inf}\n"),
             message="must be a finite number, got inf", location="chainkg.yaml: settings.w_demand"),
    BadInput("strong-min-zero", manifest("settings: {strong_min: 0}\n"),
             message="must be >= 1, got 0", location="chainkg.yaml: settings.strong_min"),
    BadInput("strong-min-fraction", manifest("settings: {strong_min: 2.5}\n"),
             message="must be a whole number, got 2.5", location="chainkg.yaml: settings.strong_min"),
    BadInput("decay-zero", manifest("settings: {decay: 0}\n"),
             message="must be in (0, 1], got 0", location="chainkg.yaml: settings.decay"),
    BadInput("decay-above-one", manifest("settings: {decay: 1.5}\n"),
             message="must be in (0, 1], got 1.5", location="chainkg.yaml: settings.decay"),
    # --- 2. settings on the command line: usage errors
    BadInput("cli-weight-text", args=("gaps", "--weight", "closure=abc"), exit_code=2,
             message="Invalid value for --weight: 'closure=abc' is not TERM=NUMBER"),
    BadInput("cli-weight-nan", args=("gaps", "--weight", "closure=nan"), exit_code=2,
             message="Invalid value for --weight: 'closure=nan': must be a finite number, got nan"),
    BadInput("cli-weight-negative", args=("targets", "--segment", "fab", "--weight", "fit=-1"), exit_code=2,
             message="Invalid value for --weight: 'fit=-1': must be >= 0, got -1.0"),
    BadInput("cli-decay-text", args=("gaps", "--decay", "x"), exit_code=2,
             message="Invalid value for '--decay': 'x' is not a valid float."),
    BadInput("cli-decay-nan", args=("gaps", "--decay", "nan"), exit_code=2,
             message="Invalid value for '--decay': must be a finite number, got nan"),
    BadInput("cli-decay-zero", args=("gaps", "--decay", "0"), exit_code=2,
             message="Invalid value for '--decay': must be in (0, 1], got 0.0"),
    # --- 3. nesting, recursive aliases and alias bombs: refused fast, with the place
    BadInput("segments-300-deep", {"chains/demo.yaml": nested_segments(300)},
             message="nested deeper than 100 levels",
             location="chains/demo.yaml:200:103: segments[0].children[0].children[0]…"),
    BadInput("segments-10000-deep", {"chains/demo.yaml": FLOW_10000},
             message="nested deeper than 100 levels",
             location="chains/demo.yaml:4:1377: segments[0].children[0].children[0]…"),
    BadInput("recursive-alias", {"chains/demo.yaml": "id: demo\nname: 演示\nsegments: &a [*a]\n"},
             message="alias *a refers to a node that contains it", location="chains/demo.yaml:3:15: segments[0]"),
    BadInput("recursive-alias-in-children", chain(GAS, "&g {id: gas, name: 电子特气, children: [*g]}"),
             message="alias *g refers to a node that contains it",
             location="chains/demo.yaml:13:45: segments[0].children[1].children[0]"),
    BadInput("billion-laughs", {"chains/demo.yaml": BILLION_LAUGHS},
             message="aliases expand to more than 10,000 nodes", location="chains/demo.yaml:12:14: segments[0].children[4]"),
    BadInput("segments-33-levels", {"chains/demo.yaml": nested_segments(33)},
             message="segments nested deeper than 32 levels",
             location="chains/demo.yaml: segments[0]" + ".children[0]" * 32),
    BadInput("flat-segments-40-levels", {"chains/demo.yaml": flat_segments(40)},
             message="segments nested deeper than 32 levels", location="chains/demo.yaml: segments[32]"),
    # --- 6. duplicate keys, in every YAML file chainkg reads
    BadInput("duplicate-manifest-key", {"chainkg.yaml": MANIFEST + "name: demo2\n"},
             message="duplicate key 'name' at lines 1 and 4", location="chainkg.yaml:4: name"),
    BadInput("duplicate-settings-key", manifest("settings:\n  decay: 0.5\n  decay: 0.9\n"),
             message="duplicate key 'decay' at lines 5 and 6", location="chainkg.yaml:6: settings.decay"),
    BadInput("duplicate-segment-key", chain(GAS, "{id: gas, name: 电子特气, name: 特气}"),
             message="duplicate key 'name' at lines 13 and 13", location="chains/demo.yaml:13: segments[0].children[1].name"),
    BadInput("duplicate-import-mapping-key",
             {**manifest("imports: [{format: ckg, path: chains, mapping: sw.yaml}]\n"), "sw.yaml": INDUSTRY_MAPPING},
             message="duplicate key '270107' at lines 4 and 5", location="chainkg.yaml: imports[0].mapping"),
    BadInput("duplicate-table-mapping-key", {"map/mapping.yaml": TABLE_MAPPING, "map/e.csv": "公司\n甲\n"},
             args=("import", "table", "{dir}/map/mapping.yaml", "-o", "{tmp}/out"),
             message="duplicate key 'source' at lines 1 and 3", location="mapping.yaml:3"),
    # --- 5 and 7. templates: every level, segments and supplies
    BadInput("segment-unknown-key", chain(GAS, "{id: gas, name: 电子特气, wieght: 2}"),
             message="unknown key 'wieght' (did you mean 'weight'?)",
             location="chains/demo.yaml: segments[0].children[1].wieght"),
    BadInput("supply-unknown-key", chain(SUPPLY, "{from: fab, to: packaging, wieght: 2}"),
             message="unknown key 'wieght' (did you mean 'weight'?)", location="chains/demo.yaml: supplies[2].wieght"),
    BadInput("chain-name-as-list", chain("name: 演示链", "name: [演示链]"),
             message="must be text, got a list ['演示链']", location="chains/demo.yaml: name"),
    BadInput("chain-source-as-mapping", chain("source: test", "source: {id: test}"),
             message="must be text, got a mapping {'id': 'test'}", location="chains/demo.yaml: source"),
    BadInput("segment-name-as-list", chain(GAS, "{id: gas, name: [电子特气]}"),
             message="must be text, got a list ['电子特气']", location="chains/demo.yaml: segments[0].children[1].name"),
    BadInput("segment-name-en-as-mapping", chain("name_en: Materials", "name_en: {en: Materials}"),
             message="must be text, got a mapping {'en': 'Materials'}", location="chains/demo.yaml: segments[0].name_en"),
    BadInput("segment-alias-as-list", chain("aliases: [封测]", "aliases: [[封测]]"),
             message="must be text, got a list ['封测']", location="chains/demo.yaml: segments[3].aliases[0]"),
    BadInput("supply-end-as-list", chain(SUPPLY, "{from: [fab], to: packaging}"),
             message="must be text, got a list ['fab']", location="chains/demo.yaml: supplies[2].from"),
    # --- 4 and 10. NaN and infinite weights
    BadInput("supply-weight-nan-viz", chain(SUPPLY, "{from: fab, to: packaging, weight: .nan}"),
             args=("viz", "-o", "{tmp}/map.html"), message="must be a finite number, got nan",
             location="chains/demo.yaml: supplies[2].weight"),
    BadInput("supply-weight-inf-viz", chain(SUPPLY, "{from: fab, to: packaging, weight: .inf}"),
             args=("viz", "-o", "{tmp}/map.html"), message="must be a finite number, got inf",
             location="chains/demo.yaml: supplies[2].weight"),
    BadInput("supply-weight-zero", chain(SUPPLY, "{from: fab, to: packaging, weight: 0}"),
             message="must be > 0, got 0", location="chains/demo.yaml: supplies[2].weight"),
    BadInput("supply-weight-as-text", chain(SUPPLY, "{from: fab, to: packaging, weight: heavy}"),
             message="must be a number, got 'heavy'", location="chains/demo.yaml: supplies[2].weight"),
    BadInput("segment-weight-nan", chain("weight: 2", "weight: .nan"),
             message="must be a finite number, got nan", location="chains/demo.yaml: segments[4].weight"),
    BadInput("segment-weight-inf", chain("weight: 2", "weight: -.inf"),
             message="must be a finite number, got -inf", location="chains/demo.yaml: segments[4].weight"),
    BadInput("link-weight-negative", {"links.csv": "supplier,customer,product,weight,source\ne3,e1,硅片,-1,test\n"},
             message="negative weight: '-1'", location="links.csv:2:weight"),
    BadInput("link-weight-inf", {"links.csv": "供应商,客户,产品,权重,来源\ne3,e1,硅片,0.5,test\ne3,e2,硅片,inf,test\n"},
             message="not a finite number: 'inf'", location="links.csv:3:权重"),
    BadInput("template-one-character-keyword",
             {"chains/demo.yaml": "id: demo\nname: 演示\nsegments:\n  - {id: a, name: 甲, stage: upstream, keywords: [柚, 柚子]}\n"},
             message="keyword '柚' is one character", location="chains/demo.yaml: segments[0].keywords[0]"),
    BadInput("template-empty-keyword",
             {"chains/demo.yaml": "id: demo\nname: 演示\nsegments:\n  - {id: a, name: 甲, stage: upstream, exclude: ['']}\n"},
             message="empty word in exclude", location="chains/demo.yaml: segments[0].exclude[0]"),
    BadInput("template-trade-counts-not-bool",
             {"chains/demo.yaml": "id: demo\nname: 演示\nsegments:\n  - {id: a, name: 甲, stage: upstream, trade_counts: yes please}\n"},
             message="must be true or false", location="chains/demo.yaml: segments[0].trade_counts"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case, tmp_path, demo_files):
    assert_case(case, tmp_path, demo_files)


def _one_problem(tmp_path, text):
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    report = Report()
    start = time.perf_counter()
    data = read_yaml(path, report, "doc.yaml")
    return data, report, time.perf_counter() - start


@pytest.mark.parametrize("text", [nested_segments(300), FLOW_10000, BILLION_LAUGHS,
                                  "a: &a [*a]\n", "a: &a {b: *a}\n"],
                         ids=["300-deep", "10000-deep", "billion-laughs", "recursive-list", "recursive-map"])
def test_hostile_yaml_is_refused_fast(tmp_path, text):
    data, report, seconds = _one_problem(tmp_path, text)
    assert data is None and [p.type for p in report.problems] == ["yaml-limit"], report.lines()
    assert seconds < 1, f"{seconds:.2f} s"


def test_aliases_within_the_budget_are_read(tmp_path):
    data, report, _ = _one_problem(tmp_path, "base: &b {stage: upstream, weight: 2}\n"
                                             "a: {<<: *b, id: a}\nb: [*b, *b]\n")
    assert report.valid and data["a"] == {"stage": "upstream", "weight": 2, "id": "a"}
    assert data["b"] == [data["base"]] * 2


def test_every_yaml_file_is_read_through_the_bounded_loader():
    """No module parses YAML itself: each goes through loaders/yamlfile.py."""
    root = Path(chainkg.__file__).resolve().parents[1]
    parsing = re.compile(r"yaml\.(safe_load|load|full_load|unsafe_load|compose|parse)\b|yaml\.\w*Loader\b")
    offenders = [str(p.relative_to(root)) for sub in ("chainkg", "graph", "loaders", "queries", "visualize")
                 for p in (root / sub).rglob("*.py")
                 if p.name != "yamlfile.py" and parsing.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_problems_carry_type_and_yaml_path(tmp_path, demo_files):
    from helpers import write_data_dir

    demo_files["chainkg.yaml"] = MANIFEST + "columns: {enterprises: {公司: nmae}}\nsettings: {decay: 2}\n"
    report = chainkg.validate(write_data_dir(tmp_path / "d", demo_files))
    assert [(p.type, p.file, p.path) for p in report.problems] == [
        ("schema", "chainkg.yaml", "columns.enterprises.公司"), ("schema", "chainkg.yaml", "settings.decay")]


@pytest.mark.parametrize("overrides, message", [
    ({"w_closure": "abc"}, "options: w_closure: must be a number, got 'abc'"),
    ({"decay": float("nan")}, "options: decay: must be a finite number, got nan"),
    ({"region_groups": {"成渝": 500000}}, "options: region_groups.成渝: must be a list, got 500000"),
    ({"strong_min": 0}, "options: strong_min: must be >= 1, got 0"),
])
def test_settings_from_the_library_are_checked(overrides, message):
    with pytest.raises(DataError, match=re.escape(message)):
        settings_for(**overrides)


def test_good_settings_are_kept(tmp_path, demo_files):
    from helpers import write_data_dir

    demo_files["chainkg.yaml"] = MANIFEST + ("settings: {strong_min: 2, decay: 1, w_closure: 0, "
                                             "region_groups: {成渝: [500000, '510000']}, preferred_origins: [成渝]}\n")
    s = settings_for(chainkg.load(write_data_dir(tmp_path / "d", demo_files)))
    assert (s.strong_min, s.decay, s.w_closure) == (2, 1, 0)
    assert s.region_groups["成渝"] == ("500000", "510000") and s.preferred_origins == ("成渝",)


@pytest.mark.parametrize("table, message", [
    ("{file: e.csv, kind: enterprises, columns: [公司]}",
     "mapping.yaml: tables[0].columns: must be a mapping, got a list ['公司']"),
    ("{file: e.csv, kind: enterprises, columns: {公司: name}, values: {name: [甲]}}",
     "mapping.yaml: tables[0].values.name: must be a mapping, got a list ['甲']"),
    ("{file: e.csv, kind: enterprises, colums: {公司: name}}",
     "mapping.yaml: tables[0].colums: unknown key 'colums' (did you mean 'columns'?)"),
])
def test_mapping_file_entries_of_the_wrong_kind(tmp_path, table, message):
    from click.testing import CliRunner

    from chainkg.cli import cli

    (tmp_path / "e.csv").write_text("公司\n甲\n", encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(f"source: s\nas_of: '2025'\ntables:\n  - {table}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "table", str(tmp_path / "mapping.yaml"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == f"Error: {message}; nothing was written to {tmp_path / 'out'}", result.output


YAML_DOCS = ["a: [1, 2]\na: 3\n", "base: &b {x: 1}\nc: {<<: *b, y: 2}\n", "a: b: c\n", "a: [1, 2\n",
             "- x\n- {y: [1, {z: 2}]}\n", "k: '未闭合\n", "\ufeffname: 梁平\n", "a: 1\n---\nb: 2\n"]


@pytest.mark.parametrize("text", YAML_DOCS + [p.read_text(encoding="utf-8-sig") for p in sorted(
    (Path(__file__).resolve().parents[1] / "chainkg" / "data").rglob("*.yaml"))])
def test_libyaml_parser_reads_as_the_python_one(text):
    """read_yaml's libyaml parser gives the same document, duplicates and error place."""
    import yaml

    from chainkg.loaders.yamlfile import BoundedLoader, FastBoundedLoader

    def read(loader_class):
        loader = loader_class(text)
        try:
            return loader.get_single_data(), loader.duplicates, None
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            return None, None, (mark.line, mark.column) if mark else None

    assert FastBoundedLoader is not BoundedLoader  # the pinned PyYAML wheels carry libyaml
    assert read(FastBoundedLoader) == read(BoundedLoader)
