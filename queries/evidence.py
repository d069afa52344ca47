"""What the evidence behind a region's chain covers, and completeness as a range (DESIGN §5).

Every source says what it covers (``coverage`` in the sources table):

- ``census``: a complete list of a region's enterprises (a registry export, a
  四上企业名录), for the chains and regions it names (``census_chains``,
  ``census_regions``; empty: all). A census of a region covers the regions below it.
- ``mentions`` (the default): positive evidence only, such as an article, a policy
  text or a list of examples.

Absence of facts is evidence of absence only under a census: there a leaf without
facts is ``missing``; elsewhere it is ``unknown`` (待摸底, nobody has looked).

:func:`completeness_table` turns leaf statuses into the range both backends report.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from chainkg.graph.schema import DEFAULT_COVERAGE
from chainkg.graph.codes import codes_of, unique_ints
from chainkg.queries.local import enterprise_regions, membership_codes, region_members
from chainkg.queries.projects import project_targets

__all__ = ["census_matrix", "census_sources", "evidence_of", "evidence_frame", "project_names",
           "completeness_table", "compare_warnings",
           "COMPLETENESS_COLUMNS", "STATUS_COUNT_COLUMNS", "LEAF_LEVEL"]

STATUS_COUNT_COLUMNS = ["present", "weak", "unresolved", "unknown", "planned", "missing"]
COMPLETENESS_COLUMNS = ["region", "chain", "completeness_low", "completeness_high", "evidence_share",
                        *STATUS_COUNT_COLUMNS, "coverage", "sources"]
#: Statuses that rest on facts naming the leaf itself (missing: a census lists none).
LEAF_LEVEL = ("present", "weak", "missing")


def _ids(value):
    return tuple(x for x in str(value or "").split(";") if x)


def _census_rows(graph):
    """(source id, regions, chains) of every census source."""
    s = graph.sources
    if "coverage" not in s or not len(s):
        return []
    rows = s[s["coverage"].fillna(DEFAULT_COVERAGE) == "census"]
    return [(sid, _ids(r), _ids(c)) for sid, r, c in
            zip(rows["id"], rows["census_regions"], rows["census_chains"])]


def census_sources(graph, region, chain):
    """Ids of the census sources that cover ``region`` (or a region above it) for ``chain``."""
    tree = graph.region_tree
    above = {region} | (nx.ancestors(tree, region) if region in tree else set())
    return [sid for sid, regions, chains in _census_rows(graph)
            if (not chains or chain in chains) and (not regions or above & set(regions))]


def census_matrix(graph, regions, chains):
    """covered[i, j]: a census covers ``regions[i]`` for ``chains[j]``."""
    out = np.zeros((len(regions), len(chains)), dtype=bool)
    if not _census_rows(graph):
        return out
    for i, r in enumerate(regions):
        for j, c in enumerate(chains):
            out[i, j] = bool(census_sources(graph, r, c))
    return out


def _fact_sources(graph):
    """(region, chain, source) of every fact that names a segment; cached on the graph."""
    if "fact_sources" in graph.cache:
        return graph.cache["fact_sources"]
    segments = list(graph.segments)
    chains = sorted({seg.chain for seg in graph.segments.values()})
    chain_of = pd.Series({sid: seg.chain for sid, seg in graph.segments.items()}, dtype=object)
    # Memberships are millions of rows: each distinct (region, chain, source) is found on
    # integer codes, and only those are turned back into text.
    mem = graph.counted_memberships
    regions, region = enterprise_regions(graph)
    if (region < 0).any():  # regions the regions table lacks: each distinct one counts
        region, regions = pd.factorize(graph.enterprises["region"])
    rows, seg = membership_codes(graph)
    region = np.r_[region, -1][rows]  # -1 (no enterprise) takes the last
    seg_chain = np.array([chains.index(graph.segments[s].chain) for s in segments] + [-1], dtype=np.int64)
    chain = seg_chain[seg]
    source, sources = pd.factorize(mem["source"])
    ok = (region >= 0) & (chain >= 0) & (source >= 0)
    key = unique_ints((region[ok] * len(chains) + chain[ok]) * max(len(sources), 1) + source[ok])
    key, s = np.divmod(key, max(len(sources), 1))
    r, c = np.divmod(key, len(chains))
    parts = [pd.DataFrame({"region": np.asarray(regions, dtype=object)[r], "chain": np.asarray(chains, dtype=object)[c],
                           "source": np.asarray(sources, dtype=object)[s]})]
    for f in (graph.presence[["region", "segment", "source"]], project_targets(graph)[["region", "segment", "source"]]):
        f = f.dropna()
        parts.append(f.assign(chain=f["segment"].map(chain_of)).dropna()[["region", "chain", "source"]])
    out = pd.concat(parts, ignore_index=True).astype(str).drop_duplicates().reset_index(drop=True)
    graph.cache["fact_sources"] = out
    return out


def evidence_of(graph, regions, chains):
    """The sources behind each (region, chain) and their coverage types.

    Returns
    -------
    DataFrame
        region, chain, ``sources`` (ids joined by ``;``: the facts' sources in the region
        and below it, and the census sources that cover it) and ``coverage``
        (``census``, ``mentions`` or ``census+mentions``; empty with no evidence).
    """
    facts = _fact_sources(graph)
    members = region_members(graph, list(regions))
    f = facts[facts["chain"].isin(list(chains))].merge(members, on="region")
    found = {}
    for key, source in zip(zip(f["target"].tolist(), f["chain"].tolist()), f["source"].tolist()):
        found.setdefault(key, set()).add(source)
    census = {(r, c): census_sources(graph, r, c) for r in regions for c in chains} if _census_rows(graph) else {}
    coverage = dict(zip(graph.sources["id"], graph.sources["coverage"])) if len(graph.sources) else {}
    return evidence_frame(regions, chains, found, census, coverage)


def _kind(coverage):
    """A source's coverage, the default where the table leaves it empty."""
    return coverage if isinstance(coverage, str) and coverage else DEFAULT_COVERAGE


def evidence_frame(regions, chains, found, census, coverage):
    """The evidence table of :func:`evidence_of`, from what either backend found.

    ``found`` and ``census`` map (region, chain) to source ids (of facts; of census
    sources covering it); ``coverage`` maps a source id to its coverage.
    """
    kind = {}  # of each source id, looked up once
    rows = []
    for r in regions:
        for c in chains:
            ids = sorted(set(found.get((r, c), ())) | set(census.get((r, c), ())))
            for x in ids:
                if x not in kind:
                    kind[x] = _kind(coverage.get(x))
            rows.append((r, c, "+".join(sorted({kind[x] for x in ids})), ";".join(ids)))
    return pd.DataFrame(rows, columns=["region", "chain", "coverage", "sources"])


def project_names(names):
    """Project names as one cell, sorted so that every backend writes the same."""
    return "; ".join(sorted(set(names)))


def completeness_table(status, evidence=None):
    """Completeness as a range per (region, chain), from leaf statuses.

    The one definition both backends use.

    Parameters
    ----------
    status : DataFrame
        One row per (region, leaf) with region, chain, weight, status and via (the
        segment above whose facts a leaf's status rests on, else empty).
    evidence : DataFrame, optional
        :func:`evidence_of`'s table, merged in.

    Returns
    -------
    DataFrame
        :data:`COMPLETENESS_COLUMNS`: ``completeness_low`` (Σ weights of leaves present
        or weak by facts naming them / Σ weights), ``completeness_high`` (also unresolved
        and unknown leaves), ``evidence_share`` (Σ weights of leaves whose status rests
        on facts naming them, or on a census: present, weak, missing, and planned by a
        project that names the leaf / Σ weights), the leaf counts by status, coverage and
        sources.

    Examples
    --------
    >>> s = pd.DataFrame({"region": "r", "chain": "c", "weight": 1.0, "via": None,
    ...                   "status": ["present", "weak", "unresolved", "unknown"]})
    >>> completeness_table(s)[["completeness_low", "completeness_high", "evidence_share"]].values.tolist()
    [[0.5, 1.0, 0.5]]
    """
    region, regions = pd.factorize(status["region"])
    chain, chains = pd.factorize(status["chain"])
    ok = (region >= 0) & (chain >= 0)
    group, pairs = pd.factorize(region[ok] * len(chains) + chain[ok])  # in the order rows give them
    n = len(pairs)
    st = status["status"][ok]
    via = status["via"][ok]
    own = (via.isna() | (via == "")).to_numpy()
    w = status["weight"].to_numpy(dtype=float)[ok]

    def total(where):
        return np.bincount(group, weights=np.where(where, w, 0.0), minlength=n)

    every = total(np.ones(len(w), dtype=bool))
    every = np.where(every > 0, every, np.nan)
    out = pd.DataFrame({
        "region": regions.take(pairs // len(chains)), "chain": chains.take(pairs % len(chains)),
        "completeness_low": total(st.isin(("present", "weak")).to_numpy()) / every,
        "completeness_high": total(st.isin(("present", "weak", "unresolved", "unknown")).to_numpy()) / every,
        "evidence_share": total((st.isin(LEAF_LEVEL) | ((st == "planned") & own)).to_numpy()) / every})
    code = codes_of(st, STATUS_COUNT_COLUMNS)
    k = len(STATUS_COUNT_COLUMNS)
    counts = np.bincount(group[code >= 0] * k + code[code >= 0], minlength=n * k).reshape(n, k)
    for j, name in enumerate(STATUS_COUNT_COLUMNS):
        out[name] = counts[:, j].astype(np.int64)
    if evidence is None:
        out = out.assign(coverage="", sources="")
    else:
        out = out.merge(evidence, on=["region", "chain"], how="left")
        out[["coverage", "sources"]] = out[["coverage", "sources"]].fillna("")
    return out[COMPLETENESS_COLUMNS]


def compare_warnings(summary, names=None):
    """Warnings, per chain, where the compared regions rest on different kinds of evidence.

    Kinds differ when the coverage types differ (a census beside mentions) or when one
    region's completeness rests on facts naming segments above the leaves (unresolved
    leaves) and another's does not.
    """
    names = names or {}
    rows = []
    for chain, block in summary.groupby("chain", sort=False):
        if len(block) < 2:
            continue
        label = [f"{names.get(r, r)}" for r in block["region"]]
        kinds = block["coverage"].replace("", "no evidence").tolist()
        if len(set(kinds)) > 1:
            rows.append({"chain": chain, "warning": "regions rest on different kinds of evidence: " + "; ".join(
                f"{n} {k}" for n, k in zip(label, kinds)) + ". Absence counts as missing only under a census, so a region without "
                "one may lack more than its figures show: compare the ranges, not one end."})
        above = (block["unresolved"] > 0).tolist()
        if any(above) and not all(above):
            rows.append({"chain": chain, "warning": "regions rest on different kinds of evidence: " + "; ".join(
                f"{n} {int(u)} leaves unresolved (facts name segments above the leaves)" if a
                else f"{n} leaf-level facts only" for n, u, a in zip(label, block["unresolved"], above))
                + ". completeness_high counts unresolved leaves as possibly present: compare the ranges "
                  "and evidence_share, not one figure."})
    return pd.DataFrame(rows, columns=["chain", "warning"])
