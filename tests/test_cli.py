"""The command line through click's CliRunner: output, formats, errors and exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.graph.summary import segment_tree, summarize
from chainkg.render import to_jsonable
from helpers import write_data_dir


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_info_on_embedded_data():
    result = run("info")
    assert result.exit_code == 0, result.output
    assert "梁平区" in result.output and "Enterprise" in result.output


def test_info_json_equals_library(demo_dir):
    result = run("--data", str(demo_dir), "info", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == to_jsonable(summarize(chainkg.load(demo_dir)).to_dict())


def test_segments_json_equals_library():
    result = run("segments", "--chain", "集成电路", "--format", "json")
    expected = to_jsonable(segment_tree(chainkg.load(), "ic"))
    assert json.loads(result.output) == expected
    assert any(r["id"] == "ic.fabrication" for r in expected)


@pytest.mark.parametrize("fmt", ["csv", "md", "table"])
def test_segments_formats(fmt):
    result = run("segments", "--chain", "ic", "--format", fmt)
    assert result.exit_code == 0 and "ic.packaging" in result.output


def test_output_file_written(tmp_path):
    out = tmp_path / "seg.xlsx"
    result = run("segments", "-o", str(out))
    assert result.exit_code == 0 and out.stat().st_size > 0
    import pandas as pd

    assert "ic.design" in set(pd.read_excel(out)["id"])


def test_validate_ok(demo_dir):
    result = run("--data", str(demo_dir), "validate")
    assert result.exit_code == 0 and result.output.startswith("ok:")


def test_validate_reports_the_four_problems(tmp_path, demo_files):
    """Unknown segment, duplicate id, GBK Chinese headers and a PART_OF cycle, all at once."""
    demo_files["enterprises.csv"] = (
        "企业名称,统一社会信用代码,所属区县,产业链环节,来源\n"
        "甲公司,91350100M000100Y43,梁平区,制造,test\n乙公司,91350100M000100Y43,梁平区,封测,test\n"
        "丙公司,,梁平区,封装,test\n"
    ).encode("gbk")
    demo_files["chains/loop.yaml"] = ("id: loop\nname: 环\nsegments:\n"
                                      "  - {id: a, name: 甲环节, stage: upstream, parent: b}\n"
                                      "  - {id: b, name: 乙环节, stage: upstream, parent: a}\n")
    root = write_data_dir(tmp_path / "d", demo_files)
    result = run("--data", str(root), "validate")
    assert result.exit_code == 1
    out = result.output
    assert "enterprises.csv:3:统一社会信用代码: duplicate credit code '91350100M000100Y43' (first at row 2)" in out
    assert "enterprises.csv:4:产业链环节: unknown segment '封装' (did you mean 封装测试 demo.packaging" in out
    assert "chains/loop.yaml: segments[0].parent: PART_OF cycle: loop.a -> loop.b -> loop.a" in out
    report = json.loads(run("--data", str(root), "validate", "--format", "json").output)
    assert report == to_jsonable(chainkg.validate(root).to_dict())
    assert report["count"] == 3
    assert any("gb18030" in f for f in report["files"])  # the GBK file was read as such


def test_data_error_is_one_line_exit_1(tmp_path, demo_files):
    demo_files["enterprises.csv"] = "企业名称,所属区县,产业链环节,来源\n乙,500155,封装,test\n"
    root = write_data_dir(tmp_path / "d", demo_files)
    result = CliRunner().invoke(cli, ["--data", str(root), "info"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: enterprises.csv:2:产业链环节: unknown segment '封装' (did you mean 封装测试 demo.packaging?)"]


def test_debug_shows_traceback(tmp_path, demo_files):
    demo_files["enterprises.csv"] = "企业名称,所属区县,产业链环节,来源\n乙,500155,封装,test\n"
    root = write_data_dir(tmp_path / "d", demo_files)
    result = CliRunner().invoke(cli, ["--data", str(root), "--debug", "info"])
    assert result.exit_code == 1 and isinstance(result.exception, chainkg.ValidationError)


def test_unknown_chain_suggests():
    result = CliRunner().invoke(cli, ["segments", "--chain", "集成"])
    assert result.exit_code == 1
    assert "unknown chain '集成' (did you mean 集成电路 ic?)" in result.output


def test_usage_error_exit_2():
    result = CliRunner().invoke(cli, ["segments", "--format", "yaml"])
    assert result.exit_code == 2


def test_xlsx_needs_output():
    result = CliRunner().invoke(cli, ["info", "--format", "xlsx"])
    assert result.exit_code == 2 and "--format xlsx needs --output" in result.output


def _walk(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if hasattr(command, "commands"):
            yield from _walk(command, (*prefix, name))


def test_every_command_has_help_and_is_in_readme():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    for path, command in _walk(cli):
        assert command.help and "Example" in command.help, path
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        head, last = " ".join(("chainkg", *path[:-1])), path[-1]
        assert any(f"{head} " in line and last in line.split(head, 1)[1] for line in lines), \
            f"README's CLI reference lacks '{head} {last}'"
