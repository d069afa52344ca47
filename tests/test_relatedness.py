"""Relatedness measures (RCA, M, proximity, density) against py-ecomplexity itself."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import chainkg
from chainkg.queries.relatedness import MIN_REGIONS, measures, relatedness
from helpers import demo_data_files, write_data_dir


def _reference(x):
    """py-ecomplexity's RCA, M, proximity and density of the (regions × segments) matrix x."""
    from ecomplexity import ecomplexity, proximity

    c, s = np.meshgrid(np.arange(x.shape[0]), np.arange(x.shape[1]), indexing="ij")
    df = pd.DataFrame({"year": 2025, "region": c.ravel(), "segment": s.ravel(), "value": x.ravel()})
    cols = {"time": "year", "loc": "region", "prod": "segment", "val": "value"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity(df, cols, verbose=False, check_logsupermodularity=False)
        prox = proximity(df, cols, verbose=False) if "verbose" in proximity.__code__.co_varnames \
            else proximity(df, cols)
    _reference.complexity = out.sort_values(["region", "segment"])
    out = out.sort_values(["region", "segment"])
    shape = x.shape
    phi = prox.pivot(index="segment_1", columns="segment_2", values="proximity")
    return (out["rca"].to_numpy().reshape(shape), out["mcp"].to_numpy().reshape(shape), phi.to_numpy(),
            out["density"].to_numpy().reshape(shape))


def _matrix(seed, regions=40, segments=12):
    rng = np.random.default_rng(seed)
    x = rng.poisson(rng.gamma(0.6, 3.0, size=(regions, segments)))
    x[:, 0] += 1  # every region has some mass, every segment some presence
    x[0, :] += 1
    return x.astype(float)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_measures_equal_py_ecomplexity(seed):
    x = _matrix(seed)
    rca, m, phi, density = measures(x)
    ref_rca, ref_m, ref_phi, ref_density = _reference(x)
    assert np.allclose(rca, ref_rca, rtol=0, atol=1e-9)
    assert np.array_equal(m, ref_m)
    assert np.allclose(phi, ref_phi, rtol=0, atol=1e-9)
    assert np.allclose(density, ref_density, rtol=0, atol=1e-9)


def test_supply_blend_is_optional_and_bounded():
    x = _matrix(3, segments=4)
    adjacency = np.zeros((4, 4))
    adjacency[0, 1] = 1  # segment 0 supplies segment 1
    _, _, plain, _ = measures(x)
    _, _, blended, density = measures(x, adjacency, supply_weight=0.5)
    assert blended[0, 1] == blended[1, 0] == pytest.approx(0.5 * plain[0, 1] + 0.5)
    assert blended[2, 3] == pytest.approx(0.5 * plain[2, 3])
    assert ((density >= 0) & (density <= 1)).all()


def _national(tmp_path, regions):
    """A directory of demo enterprises spread over ``regions`` districts of the division table."""
    files = demo_data_files()
    divisions = pd.read_csv(chainkg.__path__[0] + "/data/divisions/divisions.csv", dtype=str)
    districts = ["500155"] + divisions.loc[divisions["level"] == "district", "id"].head(regions - 1).tolist()
    rng = np.random.default_rng(7)
    segments = ["demo.fab", "demo.materials.wafer", "demo.materials.gas", "demo.apps"]
    rows = [f"e{k},企业{k},{d},{';'.join(rng.choice(segments, size=rng.integers(1, 3), replace=False))},test,2025"
            for k, d in enumerate(rng.choice(districts, size=regions * 6))]
    rows += [f"f{k},企业f{k},{d},demo.fab,test,2025" for k, d in enumerate(districts)]  # every district present
    files["enterprises.csv"] = "id,name,region,segments,source,as_of\n" + "\n".join(rows) + "\n"
    by_id = divisions.set_index("id")
    keep, todo = {"CN"}, [*districts, "320200"]  # and the demo files' other city
    while todo:  # the districts with their cities and provinces
        rid = todo.pop()
        if rid not in keep and rid in by_id.index:
            keep.add(rid)
            todo.append(by_id.loc[rid, "parent"])
    lines = ["CN,中国,country,,test"] + [f"{i},{by_id.loc[i, 'name']},{by_id.loc[i, 'level']},{by_id.loc[i, 'parent']},test"
                                         for i in sorted(keep - {"CN"})]
    files["regions.csv"] = "id,name,level,parent,source\n" + "\n".join(lines) + "\n"
    return chainkg.load(write_data_dir(tmp_path / "d", files))


def test_loaded_data_gives_the_reference_figures(tmp_path):
    graph = _national(tmp_path, MIN_REGIONS + 5)
    r = relatedness(graph)
    assert r.available, r.reason
    assert len(r.regions) == MIN_REGIONS + 5
    ref_rca, ref_m, _, ref_density = _reference(r.x)
    assert np.allclose(r.rca, ref_rca, atol=1e-9) and np.array_equal(r.m, ref_m)
    assert np.allclose(r.density, ref_density, atol=1e-9)
    table = r.table()
    assert set(table.columns) >= {"region", "segment", "rca", "m", "density", "distance"}


def test_too_few_regions_is_not_available_never_zero(tmp_path):
    r = relatedness(chainkg.load())  # the embedded data: 梁平 and a few other districts
    assert not r.available and r.density is None
    assert f"at least {MIN_REGIONS}" in r.reason


def test_levels_and_options_are_checked(tmp_path):
    graph = _national(tmp_path, MIN_REGIONS + 5)
    by_city = relatedness(graph, level="city", min_regions=1)
    assert by_city.available and len(by_city.regions) < MIN_REGIONS + 5
    for bad in ({"level": "county"}, {"measure": "jobs"}, {"supply_weight": 1.5}):
        with pytest.raises(ValueError):
            relatedness(graph, **bad)


def test_feasibility_is_a_priority_term_where_available(tmp_path):
    from chainkg.queries import gaps

    graph = _national(tmp_path, MIN_REGIONS + 5)
    r = gaps(graph, chains="demo", all_regions=True)
    assert not any("not available" in n for n in r.notes)
    rel = relatedness(graph, supply_weight=0.3)  # the default blend
    rows, cols = {c: i for i, c in enumerate(rel.regions)}, {s: j for j, s in enumerate(rel.segments)}
    known = r.gaps[r.gaps["segment"].isin(cols) & r.gaps["region"].isin(rows)]
    assert len(known) > 10 and known["feasibility_raw"].notna().all()
    for region, seg, raw in zip(known["region"], known["segment"], known["feasibility_raw"]):
        assert raw == pytest.approx(rel.density[rows[region], cols[seg]])
    assert ((known["feasibility"] >= 0) & (known["feasibility"] <= 1)).all()
    assert known["feasibility"].nunique() > 2  # it separates segments and regions
    # a leaf no region has (design, packaging) has no density: not available, not 0
    assert r.gaps.loc[~r.gaps["segment"].isin(cols), "feasibility"].isna().all()


def test_feasibility_not_available_is_said_not_zero():
    from chainkg.queries import gaps

    r = gaps(chainkg.load(), "梁平区", "ic")
    assert r.gaps["feasibility"].isna().all() and r.gaps["feasibility_raw"].isna().all()
    assert any(n.startswith("feasibility not available") for n in r.notes)
    assert r.to_dict()["notes"] == r.notes


def test_strategy_presets_set_the_weights_and_explicit_weights_win():
    from chainkg.queries import gaps
    from chainkg.queries.settings import STRATEGIES, settings_for

    assert settings_for().priority_weights["feasibility"] == 0.15
    low = settings_for(strategy="low-hanging").priority_weights
    assert low["feasibility"] == STRATEGIES["low-hanging"]["w_feasibility"] > low["closure"]
    jump = settings_for(strategy="long-jump", w_closure=0.3).priority_weights
    assert (jump["closure"], jump["centrality"]) == (0.3, STRATEGIES["long-jump"]["w_centrality"])
    r = gaps(chainkg.load(), "梁平区", "lowalt", strategy="long-jump")
    assert r.settings.strategy == "long-jump"
    assert r.notes[0].startswith("priority weights (long-jump): demand 0.2, supply 0.1, closure 0.45")
    with pytest.raises(Exception, match="unknown strategy"):
        settings_for(strategy="moonshot")


@pytest.mark.parametrize("seed", [0, 4])
def test_complexity_and_opportunity_gain_equal_py_ecomplexity(seed):
    from chainkg.queries.relatedness import complexity

    x = _matrix(seed)
    _, m, phi, _ = measures(x)
    eci, pci, gain = complexity(m, phi)
    _reference(x)
    ref = _reference.complexity
    shape = x.shape
    assert np.allclose(eci, ref["eci"].to_numpy().reshape(shape)[:, 0], atol=1e-9)
    assert np.allclose(pci, ref["pci"].to_numpy().reshape(shape)[0, :], atol=1e-9)
    assert np.allclose(gain, ref["cog"].to_numpy().reshape(shape), atol=1e-9)


def test_feasibility_command_lists_the_figures_and_json_equals_the_library(tmp_path):
    import json

    from click.testing import CliRunner

    from chainkg.cli import cli
    from chainkg.queries.relatedness import feasibility
    from chainkg.render import to_jsonable

    graph = _national(tmp_path, MIN_REGIONS + 5)
    t = feasibility(graph, "500155", "demo")
    known = t.segments.dropna(subset=["density"])
    assert set(known["segment"]) == {"demo.fab", "demo.materials.wafer", "demo.materials.gas", "demo.apps"}
    assert np.allclose(known["distance"], 1 - known["density"])
    assert t.segments.loc[t.segments["segment"] == "demo.design", "density"].isna().all()  # present nowhere
    result = CliRunner().invoke(cli, ["--data", str(tmp_path / "d"), "feasibility", "-r", "500155", "-c", "demo",
                                      "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == json.loads(json.dumps(to_jsonable(t.to_dict())))
