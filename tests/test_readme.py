"""The README as a newcomer reads it: every ``$ chainkg …`` line runs as written, and the
output the README shows under a command is what the command prints.

Each line runs in a shell in a scratch directory holding the fixture the line names:
``mydata`` and ``supply`` are built from the README's own example blocks (plus the data
files the examples describe), ``chips`` is imported from tests/data/supplychain as the
README shows, ``national`` is a small synthetic directory, and the
Neo4j URIs are replaced by the test server's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from test_import_ckg import ckg_dir  # noqa: F401  (a ChainKnowledgeGraph directory)

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def code_blocks(kind=None):
    """The README's fenced code blocks as (language, first line number, lines)."""
    blocks, current = [], None
    for number, line in enumerate(README.splitlines(), 1):
        if current is None and line.startswith("```"):
            current = (line[3:].strip(), number + 1, [])
        elif current is not None and line.startswith("```"):
            blocks.append(current)
            current = None
        elif current is not None:
            current[2].append(line)
    return [b for b in blocks if kind is None or b[0] == kind]


def console_commands():
    """Every ``$ chainkg`` line of a console block, with the output lines shown under it."""
    commands = []
    for _, first, lines in code_blocks("console"):
        for i, line in enumerate(lines):
            if line.startswith("$ chainkg"):
                shown = []
                for after in lines[i + 1:]:
                    if after.startswith("$ "):
                        break
                    shown.append(after)
                commands.append((first + i, line[2:], shown))
    return commands


def readme_block(first_line, kind=None, containing=None):
    """The lines of the README code block that starts with ``first_line`` (and has a line
    starting with ``containing``)."""
    for _, _, lines in code_blocks(kind):
        if lines and lines[0].startswith(first_line) and \
                (containing is None or any(line.startswith(containing) for line in lines)):
            return lines
    raise AssertionError(f"the README has no block starting {first_line!r} with {containing!r}")


def write_mydata(cwd):
    """The worked example: a manifest and a GBK spreadsheet export."""
    mydata = cwd / "mydata"
    mydata.mkdir()
    manifest = readme_block("# mydata/chainkg.yaml", "yaml", containing="name:")[1:]
    (mydata / "chainkg.yaml").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    table = readme_block("# mydata/enterprises.csv")[1:]
    (mydata / "enterprises.csv").write_bytes(("\n".join(table) + "\n").encode("gbk"))


def write_mydata_with_import(cwd, ckg):
    """The import example: the worked example importing a ChainKnowledgeGraph copy in ckg/data,
    whose enterprises.csv also lists one of the imported companies."""
    write_mydata(cwd)
    mydata = cwd / "mydata"
    imports = readme_block("# mydata/chainkg.yaml", "yaml", containing="imports:")[1:]
    manifest = (mydata / "chainkg.yaml").read_text(encoding="utf-8") + "\n".join(imports) + "\n"
    (mydata / "chainkg.yaml").write_text(manifest.replace(", mapping: my_mapping.yaml", ""), encoding="utf-8")
    (cwd / "mydata" / "ckg").mkdir()
    ckg.rename(mydata / "ckg" / "data")
    text = (mydata / "enterprises.csv").read_bytes().decode("gbk").splitlines()
    text[0] += ",id"
    text[1:] = [row + f",{'600584.SH' if i == 0 else f'cq-{i}'}" for i, row in enumerate(text[1:])]
    (mydata / "enterprises.csv").write_bytes(("\n".join(text) + "\n").encode("gbk"))


def write_supply(cwd):
    """The mapping example: the README's mapping file and the four tables it names."""
    supply = cwd / "supply"
    supply.mkdir()
    mapping = readme_block("name: 某供应链数据库", "yaml")
    (supply / "mapping.yaml").write_text("\n".join(mapping) + "\n", encoding="utf-8")
    pd.DataFrame({"企业ID": ["A1", "A2", "A3"],
                  "公司": ["某微电子有限公司", "某某封测有限公司", "吉林某材料有限公司"],
                  "城市": ["", "", ""], "信用代码": ["", "91350100M000100Y43", ""],
                  "地址": ["江苏省无锡市新吴区某路1号", "", ""]}).to_excel(supply / "企业.xlsx", index=False)
    (supply / "企业环节.csv").write_bytes(("企业ID,环节,占比\nA1,芯片设计,0.6\nA1,封测,0.4\n"
                                         "A2,封测,1\nA3,晶圆代工厂,1\n").encode("gbk"))
    (supply / "供货.csv").write_text("供方,需方,产品\nA1,A2,晶圆\n", encoding="utf-8")
    (supply / "项目.csv").write_text("项目,企业,区县,金额,进展\n封测扩产项目,A2,梁平区,5亿,已开工\n",
                                   encoding="utf-8")


def write_foreign(cwd):
    """The regions example: a directory adding a county and two countries."""
    (cwd / "foreign").mkdir()
    for name in ("regions.csv", "enterprises.csv"):
        table = readme_block(f"# foreign/{name}")[1:]
        (cwd / "foreign" / name).write_text("\n".join(table) + "\n", encoding="utf-8")


def run(command, cwd, env=None, replace=()):
    for old, new in replace:
        command = command.replace(old, new)
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **(env or {})}
    environment.pop("CHAINKG_DATA", None)
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=environment, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=600)


def assert_shown_output(result, shown, command):
    """Each line the README shows (but an elision "…") is a line of the real output."""
    actual = [line.rstrip() for line in (result.stdout + result.stderr).splitlines()]
    for line in shown:
        if line.strip() and "…" not in line:
            assert line.rstrip() in actual, f"{command!r} does not print {line!r}:\n" + "\n".join(actual)


NEO4J = re.compile(r"--uri \S+|--backend neo4j")
COMMANDS = console_commands()


def test_the_readme_shows_commands():
    assert len(COMMANDS) >= 15
    assert all(not re.search(r"chainkg \S+ .*?--data ", c) for _, c, _ in COMMANDS), \
        "--data is a global option: it goes before the command"


@pytest.mark.parametrize("line, command, shown", [c for c in COMMANDS if not NEO4J.search(c[1])],
                         ids=[f"line{c[0]}" for c in COMMANDS if not NEO4J.search(c[1])])
def test_command_runs_as_written(tmp_path, ckg_dir, line, command, shown):  # noqa: F811
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    if "--data mydata" in command:
        if "600584.SH" in command:
            write_mydata_with_import(cwd, ckg_dir)
        else:
            write_mydata(cwd)
    if "supply/" in command:
        write_supply(cwd)
    if "tests/data/" in command or "--data chips" in command:  # the labelled data, as in a checkout
        (cwd / "tests").symlink_to(ROOT / "tests")
    if "--data chips" in command:  # the supply-chain example's import
        assert run("chainkg import table tests/data/supplychain/mapping.yaml -o chips", cwd).returncode == 0
    if "--data foreign" in command:
        write_foreign(cwd)
    result = run(command, cwd)
    failing = any(re.match(r"Error: |\d+ problems? found", line) for line in shown)
    assert (result.returncode != 0) == failing, f"README line {line}: {command}\n{result.stdout}{result.stderr}"
    assert "Traceback" not in result.stderr
    assert_shown_output(result, shown, command)


@pytest.mark.parametrize("line, command, shown", [c for c in COMMANDS if NEO4J.search(c[1])],
                         ids=[f"line{c[0]}" for c in COMMANDS if NEO4J.search(c[1])])
def test_neo4j_command_runs_as_written(tmp_path, neo4j_clean, line, command, shown):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    if "--data national" in command:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from synthetic import write_data_dir

        write_data_dir(cwd / "national", 2000, 20)
    if "--backend neo4j" in command:  # a database chainkg exported
        assert run(f"chainkg export neo4j --uri {neo4j_clean.uri} --user {neo4j_clean.user}", cwd,
                   env={"NEO4J_PASSWORD": neo4j_clean.password}).returncode == 0
    uris = [(uri, neo4j_clean.uri) for uri in re.findall(r"--uri (\S+)", command)]
    result = run(command, cwd, env={"NEO4J_PASSWORD": neo4j_clean.password},
                 replace=uris + [("--user neo4j", f"--user {neo4j_clean.user}")])
    assert result.returncode == 0, f"README line {line}: {command}\n{result.stdout}{result.stderr}"
    assert_shown_output(result, shown, command)


def test_gaps_excerpt_is_what_gaps_prints(tmp_path):
    """The tour's excerpt of ``chainkg gaps --chain ic`` is the command's real output."""
    block = [b for b in code_blocks("") if any(line.startswith("== completeness ==") for line in b[2])][0][2]
    result = run("chainkg gaps --chain ic", tmp_path)
    assert result.returncode == 0, result.stderr
    assert_shown_output(result, block, "chainkg gaps --chain ic")


def test_extract_quality_table_is_what_the_script_prints():
    """The README's extraction quality table is what ``scripts/extract_quality.py`` prints."""
    block = readme_block("$ python scripts/extract_quality.py", "console")[1:]
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "extract_quality.py")], capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert len(block) > 10
    assert_shown_output(result, block, "python scripts/extract_quality.py")
