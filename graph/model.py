"""ChainGraph: the chain structure in networkx and the facts in columnar tables.

The structure (chains, segments, supply edges between segments) is small and lives in
a networkx ``MultiDiGraph`` whose edge keys are relation types. The facts (regions,
enterprises, memberships, projects, presence, links, figures, sources) can hold
millions of rows and live in pandas DataFrames; queries over them are group-bys and
joins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import numpy as np
import pandas as pd

from chainkg.graph.codes import found_in
from chainkg.graph.resolve import NameIndex, RegionIndex
from chainkg.graph.schema import TABLE_COLUMNS

__all__ = ["Segment", "Chain", "ChainGraph", "empty_table", "segment_index", "region_index"]


@dataclass
class Segment:
    """One segment (环节) of a chain. ``id`` is chain-scoped: ``ic.materials.photoresist``."""

    id: str
    chain: str
    name: str
    name_en: str = ""
    stage: str = ""
    level: int = 1
    weight: float = 1.0
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    description: str = ""
    # What names the segment in registry text (see chainkg.loaders.classify).
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    trade_counts: bool = False


@dataclass
class Chain:
    """A chain template: its segments (a tree, parents first) and supply edges."""

    id: str
    name: str
    name_en: str = ""
    source: str = ""
    as_of: str = ""
    segments: list[Segment] = field(default_factory=list)
    supplies: list[tuple[str, str, float]] = field(default_factory=list)
    # Words that name the chain but no segment of it (半导体, 食品): trade in them is trade-only.
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


def segment_index(segments):
    """A :class:`NameIndex` of segments by id, chain-relative id, name, English name and aliases."""
    idx = NameIndex("segment")
    for s in segments:
        idx.add(s.id, [s.name, s.name_en, *s.aliases, s.id.split(".", 1)[1]])
    return idx


def region_index(regions):
    """A :class:`RegionIndex` of the ``regions`` table's rows by id, name and English name."""
    idx = RegionIndex()
    for rid, name, name_en, level in regions[["id", "name", "name_en", "level"]].itertuples(index=False):
        idx.add(str(rid), [name, name_en], level=level)
    return idx


def _floats(column):
    """A numeric column as floats (NaN where empty); an empty column costs no parsing."""
    if column.dtype.kind == "f":
        return column.to_numpy()
    if column.isna().all():
        return np.full(len(column), np.nan)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def empty_table(name):
    """An empty fact table with the schema's columns for ``name``."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in TABLE_COLUMNS[name]})


class ChainGraph:
    """An industrial-chain knowledge graph.

    Parameters
    ----------
    chains : list of Chain
        The chain templates.
    tables : dict of str to DataFrame, optional
        Fact tables by name (see ``chainkg.graph.schema.TABLE_COLUMNS``); missing ones
        are empty.
    meta : dict, optional
        Manifest data: name, description, as_of, home_region, settings.

    Examples
    --------
    >>> from chainkg.graph.model import Chain, Segment
    >>> c = Chain("demo", "演示", segments=[Segment("demo.a", "demo", "甲", stage="upstream"),
    ...                                   Segment("demo.b", "demo", "乙", stage="downstream")],
    ...           supplies=[("demo.a", "demo.b", 1.0)])
    >>> g = ChainGraph([c])
    >>> g.leaves("demo")
    ['demo.a', 'demo.b']
    >>> g.resolve_segment("乙")
    'demo.b'
    """

    def __init__(self, chains, tables=None, meta=None):
        self.chains = {c.id: c for c in chains}
        self.meta = dict(meta or {})
        #: Derived tables the queries build once per graph (a graph's tables are not mutated).
        self.cache = {}
        self.segments = {s.id: s for c in chains for s in c.segments}
        self.structure = nx.MultiDiGraph()
        for c in chains:
            self.structure.add_node(c.id, kind="Chain", name=c.name, name_en=c.name_en,
                                    source=c.source, as_of=c.as_of)
            for s in c.segments:
                self.structure.add_node(s.id, kind="Segment", name=s.name, name_en=s.name_en,
                                        chain=s.chain, stage=s.stage, level=s.level,
                                        weight=s.weight, aliases=list(s.aliases))
                self.structure.add_edge(s.id, s.parent or c.id, key="PART_OF")
            for a, b, w in c.supplies:
                self.structure.add_edge(a, b, key="SUPPLIES", weight=w)
        tables = dict(tables or {})
        for name, columns in TABLE_COLUMNS.items():
            df = tables.get(name)
            if df is None:
                df = empty_table(name)
            else:
                df = df.reset_index(drop=True)
                missing = [c for c in columns if c not in df.columns]
                if missing:
                    df = df.assign(**{c: None for c in missing})
            setattr(self, name, df)

    @cached_property
    def _membership_rows(self):
        """(share of each membership as a float, absent mask, counted mask), read once."""
        m = self.memberships
        share = _floats(m["share"])
        negligible = m["negligible"]
        absent = share == 0
        if not negligible.isna().all():
            absent |= negligible.to_numpy(dtype=object) == True  # noqa: E712 (None is not)
        counted = ~absent
        gone = self.enterprises["registration"].to_numpy() == "inactive"
        if gone.any():
            counted &= ~found_in(m["enterprise"], self.enterprises["id"][gone])
        return share, absent, counted

    @cached_property
    def counted_memberships(self):
        """The memberships that count in queries: not those of enterprises whose
        registration is 注销, 吊销 or 迁出 (kept as rows, but no longer operating here),
        nor those a source lists with a negligible or zero share (see :attr:`absent_memberships`)."""
        counted = self._membership_rows[2]
        return self.memberships if counted.all() else self.memberships[counted]

    @cached_property
    def counted_shares(self):
        """The share of each row of :attr:`counted_memberships` as a float (NaN where none)."""
        share, _, counted = self._membership_rows
        return share[counted]

    @cached_property
    def absent_memberships(self):
        """The memberships a source lists with a negligible or zero share: someone looked, and
        the enterprise supplies (next to) none of the segment."""
        return self.memberships[self._membership_rows[1]]

    @cached_property
    def project_targets(self):
        """One row per (project, segment) a project counts for: the segment it names, else
        its enterprise's, else the one its name names (see :mod:`chainkg.graph.project_targets`)."""
        from chainkg.graph.project_targets import project_targets

        return project_targets(self)

    # ----- chain structure ---------------------------------------------------------

    @cached_property
    def _children(self):
        out = {sid: [] for sid in self.segments}
        out.update({cid: [] for cid in self.chains})
        for s in self.segments.values():
            out[s.parent or s.chain].append(s.id)
        return out

    def children(self, node):
        """Direct child segments of a segment or chain, in template order."""
        return list(self._children[node])

    def descendants(self, node, include_self=True):
        """All segments below ``node`` (a segment or chain id), parents first."""
        out = [node] if include_self and node in self.segments else []
        stack = list(reversed(self._children[node]))
        while stack:
            sid = stack.pop()
            out.append(sid)
            stack.extend(reversed(self._children[sid]))
        return out

    def ancestors(self, segment, include_self=True):
        """Segments above ``segment``, nearest first (the chain itself is not included)."""
        out = [segment] if include_self else []
        parent = self.segments[segment].parent
        while parent is not None:
            out.append(parent)
            parent = self.segments[parent].parent
        return out

    def is_leaf(self, segment):
        return not self._children[segment]

    def leaves(self, node=None):
        """Leaf segments below ``node`` (a chain or segment id; all chains when None)."""
        nodes = list(self.chains) if node is None else [node]
        return [s for n in nodes for s in self.descendants(n) if self.is_leaf(s)]

    def supply_graph(self, chain):
        """The supply graph of ``chain`` on its leaf segments.

        An edge declared on a parent applies to every leaf below it; the weight of an
        expanded edge is the declared one (the largest where several declarations
        meet). Cycles are kept.
        """
        return self._supply_graphs[chain]

    @cached_property
    def _supply_graphs(self):
        graphs = {}
        for cid, chain in self.chains.items():
            g = nx.DiGraph()
            g.add_nodes_from(self.leaves(cid))
            for a, b, w in chain.supplies:
                for la in self.leaves(a):
                    for lb in self.leaves(b):
                        if la != lb and g.get_edge_data(la, lb, {}).get("weight", 0) < w:
                            g.add_edge(la, lb, weight=w)
            graphs[cid] = g
        return graphs

    # ----- names -------------------------------------------------------------------

    @cached_property
    def segment_index(self):
        return segment_index(self.segments.values())

    @cached_property
    def chain_index(self):
        idx = NameIndex("chain")
        for c in self.chains.values():
            idx.add(c.id, [c.name, c.name_en])
        return idx

    @cached_property
    def region_index(self):
        return region_index(self.regions)

    def resolve_segment(self, ref, chain=None):
        """The segment id that ``ref`` (id, name or alias) means, optionally within a chain."""
        within = None if chain is None else (lambda sid: self.segments[sid].chain == chain)
        return self.segment_index.resolve(ref, within)

    def resolve_chain(self, ref):
        return self.chain_index.resolve(ref)

    def resolve_region(self, ref):
        return self.region_index.resolve(ref)

    # ----- regions -----------------------------------------------------------------

    @cached_property
    def region_tree(self):
        """Region hierarchy as a DiGraph parent -> child."""
        g = nx.DiGraph()
        ids = self.regions["id"].astype(str)
        g.add_nodes_from(ids)
        parents = self.regions["parent"]
        for rid, parent in zip(ids, parents):
            if isinstance(parent, str) and parent and parent in g:
                g.add_edge(parent, rid)
        return g

    def region_descendants(self, region):
        """``region`` and every region below it."""
        if region not in self.region_tree:
            raise self.region_index.unknown(region)
        return {region} | nx.descendants(self.region_tree, region)

    def region_name(self, region):
        return self._region_names.get(region, region)

    @cached_property
    def _region_names(self):
        return dict(zip(self.regions["id"].astype(str), self.regions["name"]))

    @property
    def home_region(self):
        """The manifest's home region (the default for queries), if any."""
        return self.meta.get("home_region")

    # ----- views -------------------------------------------------------------------

    def counts(self):
        """Number of things of each kind and rows of each table."""
        out = {"chains": len(self.chains), "segments": len(self.segments),
               "supply_edges": sum(len(c.supplies) for c in self.chains.values())}
        for name in TABLE_COLUMNS:
            out[name] = len(getattr(self, name))
        return out

    def replace(self, **tables):
        """A new ChainGraph with the same structure and some tables replaced."""
        current = {name: getattr(self, name) for name in TABLE_COLUMNS}
        current.update(tables)
        return ChainGraph(list(self.chains.values()), current, self.meta)

    def to_networkx(self, regions=None, chains=None):
        """The full typed property graph (see :mod:`chainkg.graph.property_graph`)."""
        from chainkg.graph.property_graph import to_networkx

        return to_networkx(self, regions=regions, chains=chains)

    def __repr__(self):
        c = self.counts()
        return (f"<ChainGraph {c['chains']} chains, {c['segments']} segments, "
                f"{c['regions']} regions, {c['enterprises']} enterprises, {c['projects']} projects>")
