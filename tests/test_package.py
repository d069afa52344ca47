"""Packaging: doctests of every module, and a real install into a fresh virtual environment."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import chainkg

ROOT = Path(__file__).resolve().parents[1]


def _modules():
    names = ["chainkg"]
    for info in pkgutil.walk_packages(chainkg.__path__, "chainkg."):
        names.append(info.name)
    for sub in ("graph", "loaders", "queries", "visualize"):
        pkg = importlib.import_module(f"chainkg.{sub}")
        names.append(pkg.__name__)
        names += [i.name for i in pkgutil.walk_packages(pkg.__path__, f"{pkg.__name__}.")]
    return sorted(set(names))


@pytest.mark.parametrize("name", _modules())
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_public_modules_declare_all():
    for name in _modules():
        module = importlib.import_module(name)
        if not name.endswith(("__main__", "cli")) and not hasattr(module, "__path__"):
            assert hasattr(module, "__all__"), name


def test_fresh_venv_install(tmp_path):
    """`pip install .` into a new, empty venv gives a working chainkg: maps and the Neo4j
    driver included, and no top-level graph/queries/… packages."""
    venv = tmp_path / "venv"
    # The base interpreter, not this venv's: a venv made from a venv's python shares its
    # base, whose site-packages may hold nothing.
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "-c", str(ROOT / "constraints.txt"), str(ROOT)], check=True, cwd=tmp_path)
    probe = ("import importlib.util as u, chainkg, chainkg.graph, chainkg.visualize, neo4j, pyvis; "
             "print(chainkg.__file__); "
             "print([n for n in ('graph','loaders','queries','visualize') if u.find_spec(n)])")
    out = subprocess.run([str(py), "-c", probe], check=True, cwd=tmp_path, capture_output=True,
                         text=True).stdout.splitlines()
    assert str(venv) in out[0] and out[1] == "[]"
    chainkg_cmd = str(venv / "bin" / "chainkg")
    info = subprocess.run([chainkg_cmd, "info", "--format", "json"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    assert "梁平区" in info.stdout
    viz = subprocess.run([chainkg_cmd, "viz", "--chain", "ic", "-o", "map.html"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert viz.returncode == 0, viz.stderr
    assert "vis-network" in (tmp_path / "map.html").read_text(encoding="utf-8")


def test_makefile_runs_files_that_exist():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for path in re.findall(r"(?:scripts|benchmarks)/[\w./-]+", makefile):
        assert (ROOT / path).is_file(), f"the Makefile runs {path}, which does not exist"


def test_benchmark_runner_knows_every_benchmark():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from run import BENCHMARKS

    scripts = {p.stem for p in (ROOT / "benchmarks").glob("*.py")} - {"run", "synthetic", "children"}
    assert set(BENCHMARKS) == scripts


def test_benchmark_child_peak_is_its_own():
    """A benchmark pass reports its own peak memory, not its parent's: a child started
    while the parent holds 400 MB reports far less (``ru_maxrss`` would give the 400 MB)."""
    import numpy as np

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from children import peak_rss_mb

    held = np.ones(400 * 2**20 // 8)  # touched: resident in this process
    code = f"import sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); from children import peak_rss_mb; " \
           "print(peak_rss_mb())"
    child = float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
    assert child < 100 and peak_rss_mb() >= 400
    del held
