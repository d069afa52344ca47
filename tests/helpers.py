"""Helpers shared by tests: writing small data directories."""

from __future__ import annotations

import textwrap
from pathlib import Path


DEMO_CHAIN = """\
id: demo
name: 演示链
name_en: Demo chain
source: test
as_of: "2025-01"
segments:
  - id: materials
    name: 材料
    name_en: Materials
    stage: upstream
    children:
      - {id: wafer, name: 硅片, aliases: [晶圆材料]}
      - {id: gas, name: 电子特气}
  - {id: design, name: 设计, stage: upstream}
  - {id: fab, name: 制造, stage: midstream, aliases: [晶圆制造]}
  - {id: packaging, name: 封装测试, stage: midstream, aliases: [封测]}
  - {id: apps, name: 终端应用, stage: downstream, weight: 2}
supplies:
  - {from: materials, to: fab}
  - {from: design, to: fab}
  - {from: fab, to: packaging}
  - {from: packaging, to: apps}
"""

REGIONS = """\
id,name,level,parent,source,as_of
CN,中国,country,,test,2024
500000,重庆市,province,CN,test,2024
500155,梁平区,district,500000,test,2024
320000,江苏省,province,CN,test,2024
320200,无锡市,city,320000,test,2024
"""

SOURCES = """\
id,title,as_of
test,Test fixture (illustrative rows),2025
"""


def demo_data_files():
    """The files of a small, valid data directory (a dict, to modify before writing)."""
    return {
        "chainkg.yaml": "name: demo\nas_of: '2025-01'\nhome_region: '500155'\n",
        "chains/demo.yaml": DEMO_CHAIN,
        "regions.csv": REGIONS,
        "sources.csv": SOURCES,
        "enterprises.csv": (
            "id,name,region,segments,flags,output_cny,source,as_of\n"
            "e1,甲公司,500155,demo.fab,规上,1亿,test,2025\n"
            "e2,乙公司,500155,封测;设计,,,test,2025\n"
            "e3,丙公司,320200,demo.materials.wafer,上市;专精特新,5000000,test,2025\n"
        ),
        "projects.csv": (
            "name,enterprise,region,segment,投资额(亿元),status,source\n"
            "丁项目,丙公司,500155,demo.materials.gas,2.5,签约,test\n"
        ),
        "presence.csv": "region,segment,enterprises,source\n500155,demo.apps,,test\n",
    }


def write_data_dir(root, files):
    """Write a data directory: {relative path: text or bytes}."""
    root = Path(root)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


# --- Bad inputs -------------------------------------------------------------------------
# A bad input is data: what changes in the demo directory, the command run on it and what
# the one-line error must say. Test modules list their cases in a module-level ``CASES``;
# ``scripts/bad_inputs.py`` runs every such list and counts the outcomes.

from dataclasses import dataclass, field  # noqa: E402
from typing import Callable  # noqa: E402


@dataclass(frozen=True)
class BadInput:
    """One bad input and what chainkg must do with it.

    ``changes`` maps a path in the demo directory to its new text or bytes, to ``None``
    (delete it) or to a callable ``make(path)`` that creates it (symlinks, workbooks).
    ``args`` follow ``--data DIR``; ``{dir}`` and ``{tmp}`` in them are replaced by the
    data directory and a scratch directory beside it. ``message`` is a part of the
    one-line error and ``location`` the prefix it starts with (``enterprises.csv:3:name``).
    A case that must succeed has ``exit_code=0`` and a ``check(result, root)``.
    """

    id: str
    changes: dict = field(default_factory=dict)
    args: tuple = ("validate",)
    message: str = ""
    location: str = ""
    exit_code: int = 1
    check: Callable | None = None


def build_case_dir(case, root, base_files):
    """Write the demo files with ``case.changes`` applied under ``root``; return the data dir."""
    files = dict(base_files)
    makers = {}
    for name, content in case.changes.items():
        files.pop(name, None)
        if callable(content):
            makers[name] = content
        elif content is not None:
            files[name] = content
    data = write_data_dir(Path(root) / "data", files)
    for name, make in makers.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        make(data / name)
    return data


SENTINELS = {"outside/KEEP.csv": "id,name\nkeep,不可动\n", "scratch/KEEP.txt": "not chainkg's\n"}


def run_case(case, root, base_files):
    """Run one bad input through the CLI in ``root/scratch``; return ``(outcome, result, data_dir)``.

    ``outcome`` is ``traceback`` (an exception escaped), ``error`` (a non-zero exit with a
    message) or ``accepted`` (exit 0). Files that chainkg does not own sit beside the data
    directory (``outside/``) and in the working directory; :func:`untouched` checks them.
    """
    import contextlib

    from click.testing import CliRunner

    from chainkg.cli import cli

    data = build_case_dir(case, root, base_files)
    write_data_dir(root, SENTINELS)
    scratch = Path(root) / "scratch"
    args = [str(a).replace("{dir}", str(data)).replace("{tmp}", str(scratch)) for a in case.args]
    with contextlib.chdir(scratch):
        result = CliRunner().invoke(cli, ["--data", str(data), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return "traceback", result, data
    return ("accepted" if result.exit_code == 0 else "error"), result, data


def untouched(root):
    """The files chainkg does not own, unchanged after a case (a list of the changed ones)."""
    return [name for name, text in SENTINELS.items()
            if not (Path(root) / name).is_file() or (Path(root) / name).read_text(encoding="utf-8") != text]


def assert_case(case, root, base_files):
    """Assert that chainkg handles ``case`` as it says: a located one-line error, or a checked success."""
    outcome, result, data = run_case(case, root, base_files)
    assert outcome != "traceback", "".join(__import__("traceback").format_exception(result.exception))
    assert not untouched(root), f"files chainkg does not own were changed or deleted: {untouched(root)}"
    assert result.exit_code == case.exit_code, result.output
    if case.exit_code:
        text = result.output
        assert case.message in text, text
        if case.location:
            assert any(line.removeprefix("Error: ").startswith(case.location) for line in text.splitlines()
                       if case.message in line), text
    if case.check:
        case.check(result, data)
