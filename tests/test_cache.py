"""The load cache: later commands on unchanged files read a snapshot; any change reads afresh."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import chainkg
from chainkg.cli import cli
from chainkg.errors import CacheError, CacheWarning
from chainkg.graph.schema import TABLE_COLUMNS
from chainkg.loaders import datadir
from chainkg.loaders.cache import LoadCache
from chainkg.loaders.snapshot import decode_graph, encode_graph
from helpers import write_data_dir


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def reads(monkeypatch):
    """How many times the data directory was read and validated (not taken from a snapshot)."""
    calls = []
    real = datadir.read_data_dir

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(datadir, "read_data_dir", counting)
    return calls


def gaps_json(data, *options):
    result = run("--data", str(data), *options, "gaps", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def snapshots(directory):
    return sorted(directory.glob("*.snapshot"))


def assert_same_graph(a, b):
    for name in TABLE_COLUMNS:
        x, y = getattr(a, name), getattr(b, name)
        pd.testing.assert_frame_equal(x, y, check_exact=True)
        for column in x.columns[x.dtypes == object]:  # None stays None, NaN stays NaN
            assert x[column].map(type).tolist() == y[column].map(type).tolist(), (name, column)
        assert x.attrs.keys() == y.attrs.keys()
    assert list(a.chains.values()) == list(b.chains.values())
    assert a.meta == b.meta


@pytest.mark.parametrize("which", ["embedded", "demo"])
def test_snapshot_gives_back_the_graph_exactly(which, demo_dir):
    graph = chainkg.load(None if which == "embedded" else demo_dir)
    again, extra = decode_graph(encode_graph(graph, {"key": "k"}))
    assert_same_graph(graph, again)
    assert extra == {"key": "k"}


def test_nan_and_none_in_one_column_come_back_as_they_were():
    graph = chainkg.load()
    links = graph.links.copy()
    links["customer"] = links["customer"].astype(object)
    links.loc[0, "customer"], links.loc[1, "customer"] = None, float("nan")
    graph = graph.replace(links=links)
    assert_same_graph(graph, decode_graph(encode_graph(graph))[0])


def test_a_column_a_snapshot_cannot_keep_is_refused():
    graph = chainkg.load()
    e = graph.enterprises
    graph = graph.replace(enterprises=e.assign(main_business=pd.Series([1] * len(e), dtype=object)))
    with pytest.raises(CacheError, match="enterprises.main_business"):
        encode_graph(graph)


def test_second_command_reads_the_snapshot(demo_dir, load_cache_dir, reads):
    first, _ = gaps_json(demo_dir)
    assert len(reads) == 1 and len(snapshots(load_cache_dir)) == 1
    second, _ = gaps_json(demo_dir)
    assert len(reads) == 1, "the second command parsed the files again"
    assert second == first


def test_cached_graph_equals_a_fresh_one(demo_dir, load_cache_dir):
    chainkg.load(demo_dir, cache=load_cache_dir)
    assert_same_graph(chainkg.load(demo_dir, cache=load_cache_dir), chainkg.load(demo_dir))


def test_touched_file_gives_the_same_results(demo_dir, reads):
    first, _ = gaps_json(demo_dir)
    os.utime(demo_dir / "enterprises.csv")  # new times, same content
    assert gaps_json(demo_dir)[0] == first
    assert gaps_json(demo_dir, "--no-cache")[0] == first


@pytest.mark.parametrize("keep_times,trust_new_stats", [(False, False), (True, False), (True, True)])
def test_edited_file_is_read_afresh(demo_dir, reads, keep_times, trust_new_stats, monkeypatch):
    if trust_new_stats:  # remember hashes of files changed just now: only the change time tells
        monkeypatch.setattr("chainkg.loaders.cache.RACY_SECONDS", -3600)
    first, _ = gaps_json(demo_dir)
    path = demo_dir / "enterprises.csv"
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    # Same size; the enterprise moves from 梁平区 (500155) to 无锡市 (320200).
    path.write_text(text.replace("e1,甲公司,500155", "e1,甲公司,320200"), encoding="utf-8")
    assert path.stat().st_size == st.st_size
    if keep_times:  # as cp -p or a tool that restores times would leave it
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    edited, _ = gaps_json(demo_dir)
    assert edited != first
    assert edited == gaps_json(demo_dir, "--no-cache")[0]
    assert len(reads) == 3


def test_new_chain_template_is_read_afresh(demo_dir, demo_files):
    first, _ = gaps_json(demo_dir)
    (demo_dir / "chains" / "extra.yaml").write_text(
        'id: extra\nname: 附加链\nsource: test\nas_of: "2025"\n'
        "segments:\n  - {id: one, name: 附加环节, stage: upstream}\n", encoding="utf-8")
    second, _ = gaps_json(demo_dir)
    assert second != first and second == gaps_json(demo_dir, "--no-cache")[0]


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "garbage"])
def test_damaged_snapshot_is_discarded_with_a_warning(demo_dir, load_cache_dir, reads, damage):
    first, _ = gaps_json(demo_dir)
    [snapshot] = snapshots(load_cache_dir)
    data = snapshot.read_bytes()
    snapshot.write_bytes({"truncate": data[:len(data) // 2],
                          "flip": data[:-100] + bytes([data[-100] ^ 1]) + data[-99:],
                          "empty": b"", "garbage": b"not a snapshot at all"}[damage])
    again, stderr = gaps_json(demo_dir)
    assert again == first and len(reads) == 2
    assert "warning: discarded the load cache" in stderr
    [anew] = snapshots(load_cache_dir)
    assert_same_graph(decode_graph(anew.read_bytes())[0], decode_graph(data)[0])
    assert gaps_json(demo_dir)[1] == "" and len(reads) == 2


def test_no_cache_neither_reads_nor_writes(demo_dir, load_cache_dir, reads):
    gaps_json(demo_dir, "--no-cache")
    assert not snapshots(load_cache_dir)
    gaps_json(demo_dir)
    [snapshot] = snapshots(load_cache_dir)
    snapshot.write_bytes(b"damaged")
    _, stderr = gaps_json(demo_dir, "--no-cache")
    assert stderr == "" and snapshot.read_bytes() == b"damaged" and len(reads) == 3


def test_cache_dir_option(demo_dir, tmp_path):
    gaps_json(demo_dir, "--cache-dir", str(tmp_path / "elsewhere"))
    assert len(snapshots(tmp_path / "elsewhere")) == 1


def test_cache_info_and_clear(demo_dir, load_cache_dir):
    gaps_json(demo_dir)
    (load_cache_dir / "notes.txt").write_text("not the cache's", encoding="utf-8")
    info = run("cache", "info", "--format", "json")
    assert info.exit_code == 0
    [entry] = json.loads(info.stdout)
    assert entry["data"] == str(demo_dir.resolve()) and entry["version"] == chainkg.__version__
    assert entry["bytes"] == snapshots(load_cache_dir)[0].stat().st_size
    assert str(load_cache_dir) in run("cache", "info").stdout
    cleared = run("cache", "clear")
    assert cleared.exit_code == 0 and cleared.stdout.startswith("removed ")
    assert not snapshots(load_cache_dir) and (load_cache_dir / "notes.txt").exists()
    assert json.loads(run("cache", "info", "--format", "json").stdout) == []


def test_changed_version_reads_afresh(demo_dir, load_cache_dir, reads, monkeypatch):
    first, _ = gaps_json(demo_dir)
    monkeypatch.setattr(chainkg, "__version__", "999.0")
    assert gaps_json(demo_dir)[0] == first and len(reads) == 2
    [snapshot] = snapshots(load_cache_dir)  # the older version's is gone
    assert json.loads(run("cache", "info", "--format", "json").stdout)[0]["version"] == "999.0"


def test_warnings_are_shown_from_the_snapshot(demo_dir, reads):
    path = demo_dir / "enterprises.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("output_cny", "output_cyn"), encoding="utf-8")
    for _ in range(2):
        _, stderr = gaps_json(demo_dir)
        assert "warning: enterprises.csv:1:output_cyn: column 'output_cyn' is not used" in stderr
    assert len(reads) == 1


def test_unwritable_cache_dir_warns_and_answers(demo_dir, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result, stderr = gaps_json(demo_dir, "--cache-dir", str(blocker / "cache"))
    assert result == gaps_json(demo_dir, "--no-cache")[0]
    assert "warning: cannot write the load cache" in stderr


def test_concurrent_loads_agree(demo_dir, load_cache_dir):
    fresh = chainkg.load(demo_dir)
    results, errors = [], []

    def load():
        try:
            results.append(chainkg.load(demo_dir, cache=LoadCache(load_cache_dir)))
        except Exception as err:  # noqa: BLE001  (reported below)
            errors.append(err)

    threads = [threading.Thread(target=load) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 6
    for graph in results:
        assert_same_graph(graph, fresh)
    assert len(snapshots(load_cache_dir)) == 1
    assert not list(load_cache_dir.glob(".tmp-*"))


def test_library_load_does_not_cache_by_default(demo_dir, load_cache_dir):
    chainkg.load(demo_dir)
    assert not snapshots(load_cache_dir)


def test_input_files_cover_every_file_the_load_opens(demo_dir, demo_files):
    """Every file under the data directory that a load opens is in the key."""
    (demo_dir / "industry_codes.yaml").write_text(
        "classes: {'3973': 集成电路制造}\nmappings: {'3973': {segments: [demo.fab]}}\n", encoding="utf-8")
    opened, recording = [], [True]

    def hook(event, args):
        if recording and event == "open" and isinstance(args[0], (str, os.PathLike)):
            opened.append(os.path.realpath(args[0]))

    sys.addaudithook(hook)  # an audit hook cannot be removed: it stops recording below
    try:
        chainkg.load(demo_dir)
    finally:
        recording.clear()
    inside = {p for p in opened if p.startswith(str(demo_dir.resolve()) + os.sep)}
    listed = {os.path.realpath(p) for p in datadir.input_files(demo_dir)}
    assert inside and inside <= listed
    assert str((demo_dir / "industry_codes.yaml").resolve()) in listed


def test_snapshot_warning_is_a_cache_warning(demo_dir, load_cache_dir):
    chainkg.load(demo_dir, cache=load_cache_dir)
    for snapshot in snapshots(load_cache_dir):
        snapshot.write_bytes(b"x")
    with pytest.warns(CacheWarning, match="discarded"):
        chainkg.load(demo_dir, cache=load_cache_dir)


def test_files_of_an_import_are_in_the_key(tmp_path, demo_files):
    files = dict(demo_files)
    files["chainkg.yaml"] += "imports:\n  - {format: ckg, path: ckg, mapping: map.yaml}\n"
    files["ckg/a.json"] = "{}\n"
    files["map.yaml"] = "x: 1\n"
    data = write_data_dir(tmp_path / "d", files)
    names = {p.relative_to(data).as_posix() for p in datadir.input_files(data)}
    assert {"chainkg.yaml", "ckg/a.json", "map.yaml", "chains/demo.yaml", "enterprises.csv"} <= names


def test_cache_dir_others_may_write_is_not_used(demo_dir, load_cache_dir, reads):
    first, _ = gaps_json(demo_dir)
    load_cache_dir.chmod(0o777)
    again, stderr = gaps_json(demo_dir)
    assert again == first and len(reads) == 2
    assert "warning: not using the load cache" in stderr and "other users may write" in stderr


def test_concurrent_commands_agree(demo_dir, load_cache_dir):
    """Commands started together on a cold cache all answer alike and leave one whole snapshot."""
    import subprocess

    argv = [sys.executable, "-m", "chainkg", "--data", str(demo_dir), "gaps", "--format", "json"]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [err for _, err in outputs]
    assert all(err == "" for _, err in outputs), [err for _, err in outputs]
    expected = gaps_json(demo_dir, "--no-cache")[0]
    assert all(json.loads(out) == expected for out, _ in outputs)
    [snapshot] = snapshots(load_cache_dir)
    decode_graph(snapshot.read_bytes())
    assert not list(load_cache_dir.glob(".tmp-*"))


def test_tables_a_manifest_mapping_names_are_in_the_key(tmp_path, load_cache_dir, reads):
    """A table import in the manifest reads the files its mapping names: editing one of
    them gives fresh results, not the snapshot's."""
    import shutil

    data = tmp_path / "chips"
    shutil.copytree(Path(__file__).parent / "data" / "supplychain", data)
    (data / "chainkg.yaml").write_text("name: chips\nimports:\n  - {format: table, mapping: mapping.yaml}\n",
                                       encoding="utf-8")
    names = {p.name for p in datadir.input_files(data)}
    assert {"mapping.yaml", "nodes.csv", "edges.csv", "providers.csv", "provision.csv", "countries.csv"} <= names
    def statuses():
        result = run("--data", str(data), "gaps", "--region", "CN", "--format", "json")
        assert result.exit_code == 0, result.output
        return {g["segment"]: g["status"] for g in json.loads(result.stdout)["gaps"]}

    weak = statuses()
    assert weak["chips.n4"] == "weak"  # P14 (CHN) provides 5% of N4
    provision = data / "provision.csv"
    provision.write_text(provision.read_text(encoding="utf-8").replace("P14,N4,5%,", "P14,N4,50%,"),
                         encoding="utf-8")
    again = statuses()
    assert len(reads) == 2 and "chips.n4" not in again  # now present: no longer a gap
