"""Relatedness: how near a segment a region lacks is to the segments it has.

Regions enter industries related to what they already do (the principle of relatedness,
Hidalgo et al. 2007, "The Product Space Conditions the Development of Nations"; for
China's prefectures, Guo & He 2017). The measures follow py-ecomplexity's definitions,
with regions for its locations and segments for its products:

- ``x[c, s]``: the enterprises of region ``c`` in segment ``s`` (each enterprise once per
  segment it operates in, at the segment its membership names), or their output where
  ``measure="output"`` (an enterprise's ``output_cny`` shared equally among its segments);
- **RCA** (Balassa): ``(x[c, s] / Σ_s x[c, s]) / (Σ_c x[c, s] / Σ x)``;
- **M** = RCA ≥ 1 (presence), ubiquity ``k[s] = Σ_c M[c, s]``;
- **proximity** ``φ[s, t] = Σ_c M[c, s] M[c, t] / max(k[s], k[t])``: the smaller of the
  two conditional probabilities of being present in one given the other (1 on the
  diagonal of a segment present anywhere, 0 for one present nowhere);
- **density** ``ω[c, s] = Σ_t M[c, t] φ[s, t] / Σ_t φ[s, t]``: the share of a segment's
  neighbours, weighted by proximity, that the region has; **distance** is ``1 - ω``.

Co-location alone does not know that wafers feed fabs. With ``supply_weight`` w > 0 the
proximity is blended with the chain templates' supply adjacency ``A`` (1 where one
segment supplies the other, either way, and on the diagonal):
``φ' = (1 - w) φ + w A``, and density is computed on ``φ'``. ``w = 0`` gives
py-ecomplexity's figures exactly (a test checks them against the package).

The measures mean something only across many regions: with fewer than
:data:`MIN_REGIONS` regions with any presence, :func:`relatedness` returns a result whose
``available`` is False and whose ``reason`` says why, and the figures are not computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from chainkg.graph.codes import codes_of
from chainkg.queries.local import fact_cube

__all__ = ["Relatedness", "relatedness", "feasibility_of", "Feasibility", "MIN_REGIONS", "LEVELS"]

#: Fewer regions than this with any presence (M = 1 somewhere) and the measures are not
#: reported: with a handful of regions every pair of segments looks related or unrelated
#: by chance. Thirty is the usual floor for a cross-section in the literature.
MIN_REGIONS = 30

#: Region levels the matrix may be built at, lowest first (each enterprise is counted at
#: its region or the region above it at this level; ``district`` is the county level).
LEVELS = ("district", "city", "province", "country")


@dataclass
class Relatedness:
    """The region × segment measures (rows ``regions``, columns ``segments``)."""

    regions: list
    segments: list
    level: str
    measure: str
    supply_weight: float
    available: bool
    reason: str = ""
    x: np.ndarray = field(default=None, repr=False)
    rca: np.ndarray = field(default=None, repr=False)
    m: np.ndarray = field(default=None, repr=False)
    proximity: np.ndarray = field(default=None, repr=False)
    density: np.ndarray = field(default=None, repr=False)

    @property
    def distance(self):
        return 1.0 - self.density

    def table(self):
        """One row per (region, segment): x, rca, m, density, distance."""
        if not self.available:
            return pd.DataFrame(columns=["region", "segment", "x", "rca", "m", "density", "distance"])
        c, s = np.meshgrid(np.arange(len(self.regions)), np.arange(len(self.segments)), indexing="ij")
        return pd.DataFrame({"region": np.asarray(self.regions, dtype=object)[c.ravel()],
                             "segment": np.asarray(self.segments, dtype=object)[s.ravel()],
                             "x": self.x.ravel(), "rca": self.rca.ravel(), "m": self.m.ravel().astype(int),
                             "density": self.density.ravel(), "distance": self.distance.ravel()})


def measures(x, adjacency=None, supply_weight=0.0):
    """RCA, M, proximity and density of a (regions × segments) matrix ``x``.

    Regions and segments with no mass are kept; their RCA is 0 and a segment present
    nowhere has proximity 0 to every segment (its density is NaN).

    Examples
    --------
    >>> rca, m, phi, density = measures(np.array([[2., 0.], [1., 1.], [0., 3.]]))
    >>> m.astype(int).tolist(), phi.round(3).tolist()
    ([[1, 0], [1, 0], [0, 1]], [[1.0, 0.0], [0.0, 1.0]])
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = x / x.sum(axis=1, keepdims=True)
        overall = x.sum(axis=0, keepdims=True) / x.sum()
        rca = np.nan_to_num(share / overall)
    m = (rca >= 1).astype(float)
    ubiquity = m.sum(axis=0)
    co = m.T @ m
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.nan_to_num(co / np.maximum.outer(ubiquity, ubiquity))
    if supply_weight:
        a = np.asarray(adjacency, dtype=float)
        a = np.maximum(a, a.T)
        np.fill_diagonal(a, 1.0)
        phi = (1.0 - supply_weight) * phi + supply_weight * a
    with np.errstate(divide="ignore", invalid="ignore"):
        density = (m @ phi.T) / phi.sum(axis=1)[np.newaxis, :]
    return rca, m, phi, density


def relatedness(graph, level="district", measure="count", supply_weight=0.0, min_regions=MIN_REGIONS):
    """The relatedness measures of the loaded data (see the module docstring).

    Parameters
    ----------
    graph : ChainGraph
    level : str
        One of :data:`LEVELS`: each enterprise is counted at its region, or at the region
        above it at this level; enterprises whose region lies above the level are left out.
    measure : str
        ``count`` (enterprises) or ``output`` (their ``output_cny``, shared among their
        segments; enterprises without it count 0).
    supply_weight : float
        Weight in [0, 1] of the chain templates' supply adjacency in the proximity.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown region level {level!r} (one of {', '.join(LEVELS)})")
    if measure not in ("count", "output"):
        raise ValueError(f"unknown measure {measure!r} (count or output)")
    if not 0.0 <= supply_weight <= 1.0:
        raise ValueError(f"supply_weight must lie in [0, 1], not {supply_weight!r}")
    regions, x, segments = _matrix(graph, level, measure)
    out = Relatedness(regions, segments, level, measure, supply_weight, available=False)
    present = int(((x > 0).sum(axis=1) > 0).sum())
    if present < min_regions:
        out.reason = (f"{present} {level}-level regions have enterprises in the chains' segments; "
                      f"relatedness needs at least {min_regions}")
        return out
    adjacency = _supply_adjacency(graph, segments) if supply_weight else None
    out.x = x
    out.rca, out.m, out.proximity, out.density = measures(x, adjacency, supply_weight)
    out.available = True
    return out


def _matrix(graph, level, measure):
    """Regions at ``level`` with enterprises, segments with enterprises, and the counts (or
    output). Counts come from the fact cube the gap queries already hold."""
    at_level = _region_at_level(graph, level)
    if measure == "count":
        cube = fact_cube(graph)
        regions, x = cube.regions, cube["enterprises"]
        segments = cube.segments
    else:
        regions, segments, x = _output_matrix(graph)
    target, names = pd.factorize(pd.Series([at_level.get(str(r)) for r in regions], dtype=object))
    out = np.zeros((len(names), len(segments)))
    ok = target >= 0
    np.add.at(out, target[ok], x[ok])
    rows, cols = out.sum(axis=1) > 0, out.sum(axis=0) > 0
    return [names[i] for i in np.flatnonzero(rows)], out[np.ix_(rows, cols)], \
        [segments[j] for j in np.flatnonzero(cols)]


def _output_matrix(graph):
    """(regions × segments) output: each enterprise's ``output_cny`` shared equally among
    the segments it operates in (0 where the table gives none)."""
    e, mem = graph.enterprises, graph.counted_memberships
    regions, segments = list(graph.regions["id"].astype(str)), list(graph.segments)
    rows = pd.DataFrame({"enterprise": mem["enterprise"].to_numpy(), "segment": mem["segment"].to_numpy()})
    rows = rows.drop_duplicates()
    where = codes_of(rows["enterprise"], e["id"])
    rows, where = rows[where >= 0], where[where >= 0]
    output = pd.to_numeric(e["output_cny"], errors="coerce").fillna(0.0).to_numpy() \
        if "output_cny" in e else np.zeros(len(e))
    per = rows.groupby("enterprise")["segment"].transform("size").to_numpy()
    x = np.zeros((len(regions), len(segments)))
    r, s = codes_of(e["region"].astype(str).to_numpy()[where], regions), codes_of(rows["segment"], segments)
    ok = (r >= 0) & (s >= 0)
    np.add.at(x, (r[ok], s[ok]), (output[where] / per)[ok])
    return regions, segments, x


def _region_at_level(graph, level):
    """Region id -> the id of it or the region above it at ``level`` (None above the level)."""
    r = graph.regions.set_index(graph.regions["id"].astype(str))
    levels = r["level"].astype(str).to_dict()
    parents = r["parent"].where(r["parent"].notna(), None).to_dict()
    rank = {name: k for k, name in enumerate(("park", *LEVELS))}
    out = {}
    for rid in levels:
        node, seen = rid, set()
        while node is not None and node not in seen and rank.get(levels.get(node), -1) < rank[level]:
            seen.add(node)
            node = parents.get(node)
            node = str(node) if node is not None else None
        out[rid] = node if node is not None and levels.get(node) == level else None
    return out


def _supply_adjacency(graph, segments):
    """1 where the templates say one of two segments supplies the other (either way)."""
    index = {s: i for i, s in enumerate(segments)}
    a = np.zeros((len(segments), len(segments)))
    for chain in {s.split(".", 1)[0] for s in segments}:
        for u, v in graph.supply_graph(chain).edges:
            if u in index and v in index:
                a[index[u], index[v]] = a[index[v], index[u]] = 1.0
    return a


@dataclass
class Feasibility:
    """The density of each leaf in each asked region, or why there is none."""

    regions: list
    result: Relatedness

    def leaves(self, leaves):
        """(regions × leaves) density; NaN where not available (a region not at the matrix's
        level, a leaf present nowhere, or too few regions)."""
        out = np.full((len(self.regions), len(leaves)), np.nan)
        r = self.result
        if not r.available:
            return out
        rows = {c: i for i, c in enumerate(r.regions)}
        cols = {s: j for j, s in enumerate(r.segments)}
        ri = np.array([rows.get(c, -1) for c in self.regions])
        cj = np.array([cols.get(s, -1) for s in leaves])
        ok = (ri[:, None] >= 0) & (cj[None, :] >= 0)
        out[ok] = r.density[np.where(ok, ri[:, None], 0), np.where(ok, cj[None, :], 0)][ok]
        return out

    @property
    def note(self):
        r = self.result
        return "" if r.available else f"feasibility not available: {r.reason}"


def feasibility_of(graph, regions, settings):
    """The feasibility term's inputs for ``regions`` under ``settings`` (the relatedness
    matrix is computed once per graph, level and blend)."""
    key = ("relatedness", settings.feasibility_level, settings.feasibility_supply)
    if key not in graph.cache:
        graph.cache[key] = relatedness(graph, level=settings.feasibility_level,
                                       supply_weight=settings.feasibility_supply)
    return Feasibility(list(regions), graph.cache[key])
