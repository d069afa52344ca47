"""SYNTHETIC data for benchmarks and tests: N enterprises across K county-level regions.

Nothing here is real. Every region, enterprise, project, presence row and link is
made up by a seeded random generator, named 合成… ("synthetic"), and carries the
source ``synthetic`` (listed in ``sources.csv`` as generated data). The chains are
the three embedded templates (integrated circuits, food, low-altitude economy).

The same seed gives the same data, byte for byte.

- :func:`synthetic_tables` builds the fact tables as the loaders would produce them;
- :func:`synthetic_graph` wraps them in a ChainGraph (fast: no files, no parsing);
- :func:`write_data_dir` writes them as a data directory (manifest + CSV files) that
  ``chainkg --data DIR …`` reads into the same graph.

Run ``python benchmarks/synthetic.py DIR --enterprises 100000 --counties 2844`` to
write a directory.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["SOURCE", "synthetic_tables", "synthetic_graph", "write_data_dir"]

SOURCE = "synthetic"
AS_OF = "2025"
STATUSES = ("intent", "signed", "landed", "under_construction", "in_production")
FLAGS = ("above_scale", "srdi", "high_tech", "listed")
FLAG_WORDS = {"above_scale": "规上", "srdi": "专精特新", "high_tech": "高新技术", "listed": "上市"}


def _embedded_graph():
    import chainkg

    return chainkg.load()


def _embedded_chains():
    return list(_embedded_graph().chains.values())


def _regions(n_counties):
    """A country, provinces of up to 100 counties, cities of up to 10."""
    rows = [("X0", "合成全国", "country", None)]
    for p in range(math.ceil(n_counties / 100)):
        pid = f"X{p + 1:02d}"
        rows.append((pid, f"合成省{p + 1:02d}", "province", "X0"))
        in_province = min(100, n_counties - 100 * p)
        for c in range(math.ceil(in_province / 10)):
            cid = f"{pid}{c + 1:02d}"
            rows.append((cid, f"合成市{p + 1:02d}{c + 1:02d}", "city", pid))
            for d in range(min(10, in_province - 10 * c)):
                rows.append((f"{cid}{d + 1:02d}", f"合成县{p + 1:02d}{c + 1:02d}{d + 1:02d}", "district", cid))
    df = pd.DataFrame(rows, columns=["id", "name", "level", "parent"])
    return df.assign(name_en="", source=SOURCE, as_of=AS_OF)


def synthetic_tables(n_enterprises=10_000, n_counties=100, seed=0, chains=None):
    """The fact tables of a synthetic dataset, in the loaders' normalised form.

    Parameters
    ----------
    n_enterprises, n_counties : int
        Enterprises, spread unevenly (Zipf-like) over this many county-level regions.
    seed : int
    chains : list of Chain, optional
        The chain templates (default: the three embedded ones).

    Returns
    -------
    dict of str to DataFrame
        sources, regions, enterprises, memberships, projects, presence, links.
    """
    rng = np.random.default_rng(seed)
    chains = chains or _embedded_chains()
    segments = [s for c in chains for s in c.segments]
    has_children = {s.parent for s in segments if s.parent}
    leaves = np.array([s.id for s in segments if s.id not in has_children])
    inner = np.array([s.id for s in segments if s.id in has_children])

    regions = _regions(n_counties)
    counties = regions.loc[regions["level"] == "district", "id"].to_numpy()
    weight = 1.0 / np.arange(1, len(counties) + 1) ** 0.8
    weight = rng.permutation(weight / weight.sum())

    n = n_enterprises
    ids = np.char.add("syn", np.char.zfill(np.arange(1, n + 1).astype(str), 7))
    region = counties[rng.choice(len(counties), n, p=weight)]
    flag_bits = rng.random((n, len(FLAGS))) < np.array([0.3, 0.08, 0.15, 0.02])
    flags = [";".join(sorted(f for f, on in zip(FLAGS, bits) if on)) for bits in flag_bits]
    enterprises = pd.DataFrame({
        "id": ids, "name": np.char.add("合成企业", ids), "region": region, "flags": flags,
        "output_cny": np.round(rng.lognormal(17.5, 1.5, n), -4),
        "employees": pd.array(rng.integers(5, 5000, n), dtype="Int64"),
        "main_business": "", "confidence": "", "source": SOURCE, "as_of": AS_OF})

    # One segment each, a second for a third of them; one in seven names a segment above the leaves.
    first = np.where(rng.random(n) < 1 / 7, rng.choice(inner, n), rng.choice(leaves, n))
    second_at = np.flatnonzero(rng.random(n) < 1 / 3)
    memberships = pd.DataFrame({"enterprise": np.concatenate([ids, ids[second_at]]),
                                "segment": np.concatenate([first, rng.choice(leaves, len(second_at))])})
    memberships = (memberships.drop_duplicates().sort_values("enterprise", kind="stable")
                   .assign(share=None, source=SOURCE, as_of=AS_OF, method="given"))
    memberships["evidence"] = memberships["segment"]  # the segments cell names them

    n_proj = max(10, n // 40)
    pid = np.char.add("synp", np.char.zfill(np.arange(1, n_proj + 1).astype(str), 6))
    by = rng.random(n_proj) < 0.5
    projects = pd.DataFrame({
        "id": pid, "name": np.char.add("合成项目", pid),
        "enterprise": np.where(by, rng.choice(ids, n_proj), None),
        "region": rng.choice(counties, n_proj),
        "segment": np.where(rng.random(n_proj) < 0.8, rng.choice(leaves, n_proj), rng.choice(inner, n_proj)),
        "investment_cny": np.round(rng.lognormal(19, 1.2, n_proj), -4),
        "status": rng.choice(STATUSES, n_proj), "signed_on": "", "started_on": "", "production_on": "",
        "expected_output_cny": np.nan, "note": "", "source": SOURCE, "as_of": AS_OF})

    n_pres = max(5, n_counties // 2)
    counts = rng.integers(1, 6, n_pres).astype(float)
    counts[rng.random(n_pres) < 0.4] = np.nan
    presence = pd.DataFrame({"region": rng.choice(counties, n_pres),
                             "segment": np.where(rng.random(n_pres) < 0.5, rng.choice(inner, n_pres),
                                                 rng.choice(leaves, n_pres)),
                             "enterprises": pd.array(counts, dtype="Int64")})
    presence = presence.drop_duplicates(["region", "segment"]).assign(note="", source=SOURCE, as_of=AS_OF)

    n_links = n // 10
    links = pd.DataFrame({"supplier": rng.choice(ids, n_links), "customer": rng.choice(ids, n_links),
                          "product": np.char.add("合成产品", rng.integers(1, 50, n_links).astype(str)),
                          "weight": 1.0})
    links = links[links["supplier"] != links["customer"]]
    links = links.drop_duplicates(["supplier", "customer", "product"]).assign(source=SOURCE, as_of=AS_OF)

    sources = pd.DataFrame([{"id": SOURCE, "title": "SYNTHETIC data generated by benchmarks/synthetic.py "
                             f"(seed {seed}); not real", "as_of": AS_OF}])
    return {"sources": sources, "regions": regions, "enterprises": enterprises,
            "memberships": memberships.reset_index(drop=True), "projects": projects,
            "presence": presence.reset_index(drop=True), "links": links.reset_index(drop=True)}


def _meta(tables, seed):
    counties = tables["regions"].loc[tables["regions"]["level"] == "district", "id"]
    return {"name": f"合成数据 SYNTHETIC ({len(tables['enterprises'])} enterprises, seed {seed})",
            "description": "Synthetic benchmark data: nothing in it is real.", "as_of": AS_OF,
            "home_region": str(counties.iloc[0])}


def synthetic_graph(n_enterprises=10_000, n_counties=100, seed=0):
    """A ChainGraph of synthetic data (see :func:`synthetic_tables`)."""
    from chainkg.graph import ChainGraph

    chains = _embedded_chains()
    tables = synthetic_tables(n_enterprises, n_counties, seed, chains)
    # Loaded from a directory, its regions join the embedded ones, whose source joins its sources.
    embedded = _embedded_graph()
    graph_tables = {**tables, "regions": pd.concat([embedded.regions, tables["regions"]], ignore_index=True),
                    "sources": pd.concat([tables["sources"], embedded.sources[embedded.sources["id"].isin(
                        embedded.regions["source"])]], ignore_index=True)}
    return ChainGraph(chains, graph_tables, _meta(tables, seed))


def write_data_dir(path, n_enterprises=10_000, n_counties=100, seed=0):
    """Write a synthetic data directory (manifest and CSV files; the embedded chains)."""
    import yaml

    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    t = synthetic_tables(n_enterprises, n_counties, seed)
    (root / "chainkg.yaml").write_text(yaml.safe_dump(_meta(t, seed), allow_unicode=True), encoding="utf-8")
    t["sources"].to_csv(root / "sources.csv", index=False)
    t["regions"][["id", "name", "level", "parent", "source", "as_of"]].to_csv(root / "regions.csv", index=False)
    segs = t["memberships"].groupby("enterprise", sort=False)["segment"].agg(";".join)
    ent = t["enterprises"].assign(
        segments=t["enterprises"]["id"].map(segs),
        flags=t["enterprises"]["flags"].map(lambda f: ";".join(FLAG_WORDS[x] for x in f.split(";") if x)))
    ent[["id", "name", "region", "segments", "flags", "output_cny", "employees", "source", "as_of"]] \
        .to_csv(root / "enterprises.csv", index=False)
    t["projects"][["id", "name", "enterprise", "region", "segment", "investment_cny", "status", "source",
                   "as_of"]].to_csv(root / "projects.csv", index=False)
    t["presence"][["region", "segment", "enterprises", "source", "as_of"]].to_csv(root / "presence.csv", index=False)
    t["links"][["supplier", "customer", "product", "weight", "source", "as_of"]].to_csv(root / "links.csv", index=False)
    return root


def national_arguments(parser):
    """The options the national-scale benchmarks share: size, where the data lives, and
    the hidden ``--child`` of a pass run in a fresh process."""
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--counties", type=int, default=2844)
    parser.add_argument("--data", help="reuse or create the synthetic directory here")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    return parser


def national_dir(data, n_enterprises, n_counties):
    """The synthetic directory at ``data`` (default: one per size in the temp directory),
    written first if it is not there yet; what the national-scale benchmarks share.

    It is written by a process of its own (8.5 GB at 10,000,000 enterprises): the
    benchmark that asked for it then starts its timed passes from a small process, with
    that memory given back."""
    import subprocess
    import tempfile

    data = Path(data or Path(tempfile.gettempdir()) / f"chainkg-synthetic-{n_enterprises}-{n_counties}")
    if not (data / "enterprises.csv").exists():
        print(f"writing SYNTHETIC data: {n_enterprises:,} enterprises, {n_counties:,} counties -> {data}",
              flush=True)
        subprocess.run([sys.executable, __file__, str(data), "--enterprises", str(n_enterprises),
                        "--counties", str(n_counties)], check=True, stdout=subprocess.DEVNULL)
    return data


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write a SYNTHETIC chainkg data directory.")
    parser.add_argument("directory")
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    write_data_dir(args.directory, args.enterprises, args.counties, args.seed)
    print(f"wrote {args.directory}: {args.enterprises} synthetic enterprises in {args.counties} counties")


if __name__ == "__main__":
    main()
