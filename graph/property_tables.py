"""The typed property graph as tables: one frame per node kind and per relationship kind.

This is the columnar twin of :func:`chainkg.graph.property_graph.to_networkx`: the same
selection (``regions=``, ``chains=``) and the same nodes, relationships and
properties, but kept as DataFrames so the stores (Neo4j batches, the bulk-import
bundle) can stream a million enterprises without building a networkx graph.

Labels, relation types and property keys come from :mod:`chainkg.graph.schema` only;
values are typed by :data:`PROPERTY_TYPES` (everything else is a string). Missing
values and empty strings are ``None`` (no property), as in ``to_networkx``.

Relationships are unique per (start, type, end) plus the relation's merge keys
(:data:`MERGE_KEYS`), so writing them with ``MERGE`` is idempotent; rows that
repeat a key keep the last one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from chainkg.errors import ExportError
from chainkg.graph.codes import codes_of
from chainkg.graph.schema import DEFAULT_COVERAGE, NODE_KINDS, REL_TYPES

__all__ = ["NodeTable", "RelationshipTable", "PropertyTables", "property_tables",
           "PROPERTY_TYPES", "MERGE_KEYS", "check_name"]

#: Non-string property types (Neo4j import type names); the owner is a label or a relation type.
PROPERTY_TYPES = {
    ("Segment", "level"): "long",
    ("Segment", "weight"): "double",
    ("Enterprise", "output_cny"): "double",
    ("Enterprise", "employees"): "long",
    ("Enterprise", "registered_capital"): "double",
    ("Project", "investment_cny"): "double",
    ("Project", "expected_output_cny"): "double",
    ("SUPPLIES", "weight"): "double",
    ("OPERATES_IN", "share"): "double",
    ("OPERATES_IN", "negligible"): "boolean",  # true or absent
    ("SUPPLIES_TO", "weight"): "double",
    ("HAS_PRESENCE", "enterprises"): "long",
}

#: Properties that tell apart several relationships of one type between the same two nodes.
#: A missing merge-key value is stored as "" (MERGE cannot match on null).
MERGE_KEYS = {"SUPPLIES_TO": ("product",), "HAS_PRESENCE": ("source",)}

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def check_name(name, what="name"):
    """Return ``name`` if it is a plain identifier, else raise ExportError.

    Labels, relation types and property keys are written into Cypher text and CSV
    headers, so only identifiers are allowed; data always travels as parameters.

    Examples
    --------
    >>> check_name("OPERATES_IN")
    'OPERATES_IN'
    >>> check_name("x`}) DETACH DELETE n //", "property key")
    Traceback (most recent call last):
    ...
    chainkg.errors.ExportError: invalid property key 'x`}) DETACH DELETE n //'
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ExportError(f"invalid {what} {name!r}")
    return name


@dataclass
class NodeTable:
    """The nodes of one kind: ``frame`` has the key column ``id`` and property columns."""

    label: str
    frame: pd.DataFrame

    @property
    def properties(self):
        return [c for c in self.frame.columns if c != "id"]


@dataclass
class RelationshipTable:
    """Relationships of one type between two labels: columns ``start``, ``end`` and properties."""

    type: str
    start: str
    end: str
    frame: pd.DataFrame

    @property
    def properties(self):
        return [c for c in self.frame.columns if c not in ("start", "end")]

    @property
    def merge_keys(self):
        return MERGE_KEYS.get(self.type, ())


@dataclass
class PropertyTables:
    """Every node and relationship of a (selected) ChainGraph, as typed tables."""

    nodes: list
    relationships: list

    def __len__(self):
        return sum(len(t.frame) for t in (*self.nodes, *self.relationships))

    def counts(self):
        """Rows per label and per relation type.

        Examples
        --------
        >>> import chainkg
        >>> c = property_tables(chainkg.load(), chains=["ic"]).counts()
        >>> c["nodes"]["Chain"], c["relationships"]["PART_OF"] > 0
        (1, True)
        """
        nodes, rels = {}, {}
        for t in self.nodes:
            nodes[t.label] = nodes.get(t.label, 0) + len(t.frame)
        for t in self.relationships:
            rels[t.type] = rels.get(t.type, 0) + len(t.frame)
        return {"nodes": nodes, "relationships": rels}


def _typed(frame, owner, schema_props):
    """Keep schema properties, type them, turn NaN/NA/"" into None."""
    for col in frame.columns:
        if col not in ("id", "start", "end") and col not in schema_props:
            raise ExportError(f"property {col!r} of {owner} is not in the schema")
        check_name(col, "property key")
    out = {}
    for col in frame.columns:
        kind = PROPERTY_TYPES.get((owner, col), "string")
        s = frame[col]
        if kind == "double":
            s = pd.to_numeric(s, errors="coerce").astype("float64")
        elif kind == "long":
            s = pd.to_numeric(s, errors="coerce").round().astype("Int64")
        elif kind == "boolean":
            s = s.map(lambda v: True if v is True or v == True else None)  # noqa: E712 (numpy bools)
        else:
            s = s.astype("string").replace("", pd.NA)
        out[col] = s.astype(object).where(s.notna(), None)
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def _nodes(label, frame):
    kind = NODE_KINDS[label]
    cols = [kind.key] + [p for p in kind.properties if p in frame.columns]
    return NodeTable(label, _typed(frame[cols], label, kind.properties))


def _rels(type_, start, end, starts, ends, props=None):
    rel = REL_TYPES[type_]
    if start not in rel.sources or end not in rel.targets:
        raise ExportError(f"{type_} does not connect {start} to {end} in the schema")
    frame = pd.DataFrame({"start": pd.Series(starts).to_numpy(), "end": pd.Series(ends).to_numpy()})
    for name, values in (props or {}).items():
        frame[name] = pd.Series(values).to_numpy()
    frame = _typed(frame, type_, rel.properties)
    keys = ["start", "end", *MERGE_KEYS.get(type_, ())]
    for k in keys[2:]:
        frame[k] = frame[k].where(frame[k].notna(), "")
    frame = frame.drop_duplicates(keys, keep="last").reset_index(drop=True)
    return RelationshipTable(type_, start, end, frame)


def _sources(graph):
    """The sources, each with its coverage (the default where a table gives none)."""
    s = graph.sources
    coverage = s["coverage"].where(s["coverage"].notna() & (s["coverage"].astype(str) != ""), DEFAULT_COVERAGE)
    return s.assign(coverage=coverage)


def _isin(values, universe):
    """``values.isin(universe)`` on Arrow kernels: a pandas ``isin`` on Arrow strings
    walks the universe in Python, and the tables hold millions of ids."""
    return codes_of(values, list(universe) if isinstance(universe, (set, frozenset)) else universe) >= 0


def _scope(graph, regions):
    """(regions kept as nodes, regions whose facts are kept) as in ``to_networkx``."""
    all_ids = set(graph.regions["id"].astype(str))
    if not regions:
        return all_ids, all_ids
    import networkx as nx

    kept, local = set(), set()
    for r in regions:
        rid = graph.resolve_region(r)
        below = graph.region_descendants(rid)
        local |= below
        kept |= below | set(nx.ancestors(graph.region_tree, rid))
    return kept, local


def property_tables(graph, regions=None, chains=None):
    """The typed property graph of ``graph`` as tables (the selection of ``to_networkx``).

    Parameters
    ----------
    graph : ChainGraph
    regions : iterable of str, optional
        Region ids or names: these regions and those below them with their facts, plus
        the regions above them for context.
    chains : iterable of str, optional
        Chain ids or names: their segments and the facts about them.

    Returns
    -------
    PropertyTables

    Examples
    --------
    >>> import chainkg
    >>> t = property_tables(chainkg.load(), regions=["梁平区"], chains=["lowalt"])
    >>> [n.label for n in t.nodes]
    ['Chain', 'Segment', 'Region', 'Enterprise', 'Project', 'Source']
    >>> {"PART_OF", "HAS_PRESENCE", "OPERATES_IN"} <= {r.type for r in t.relationships}
    True
    """
    chain_ids = [graph.resolve_chain(c) for c in chains] if chains else list(graph.chains)
    segs = [graph.segments[s] for c in chain_ids for s in graph.descendants(c)]
    seg_ids = {s.id for s in segs}
    kept, local = _scope(graph, regions)

    chain_frame = pd.DataFrame([{"id": c.id, "name": c.name, "name_en": c.name_en,
                                 "source": c.source, "as_of": c.as_of}
                                for c in (graph.chains[i] for i in chain_ids)],
                               columns=["id", "name", "name_en", "source", "as_of"])
    seg_frame = pd.DataFrame([{"id": s.id, "name": s.name, "name_en": s.name_en, "chain": s.chain,
                               "stage": s.stage, "level": s.level, "weight": s.weight,
                               "aliases": ";".join(s.aliases), "description": s.description,
                               "parent": s.parent} for s in segs],
                             columns=["id", "name", "name_en", "chain", "stage", "level", "weight",
                                      "aliases", "description", "parent"])
    supplies = [(a, b, w) for c in chain_ids for a, b, w in graph.chains[c].supplies]

    reg = graph.regions.assign(id=graph.regions["id"].astype(str))
    reg = reg[_isin(reg["id"], kept)]
    reg_parent = reg[_isin(reg["parent"], kept)]

    mem = graph.memberships[_isin(graph.memberships["segment"], seg_ids)]
    ent = graph.enterprises[_isin(graph.enterprises["region"], local)]
    if chains:
        ent = ent[_isin(ent["id"], mem["enterprise"])]
    mem = mem[_isin(mem["enterprise"], ent["id"])]
    links = graph.links[_isin(graph.links["supplier"], ent["id"]) & _isin(graph.links["customer"], ent["id"])]
    proj = graph.projects[_isin(graph.projects["region"], local)]
    # Where each project counts: the segment it names, else its enterprise's or its name's.
    targets = graph.project_targets
    targets = targets[_isin(targets["project"], proj["id"]) & _isin(targets["segment"], seg_ids)]
    if chains:
        proj = proj[_isin(proj["id"], targets["project"])]
    by = proj[_isin(proj["enterprise"], ent["id"])]
    pres = graph.presence[_isin(graph.presence["region"], local) & _isin(graph.presence["segment"], seg_ids)]

    seg_parent = seg_frame[seg_frame["parent"].notna()]
    seg_top = seg_frame[seg_frame["parent"].isna()]
    nodes = [_nodes("Chain", chain_frame), _nodes("Segment", seg_frame), _nodes("Region", reg),
             _nodes("Enterprise", ent), _nodes("Project", proj), _nodes("Source", _sources(graph))]
    rels = [
        _rels("PART_OF", "Segment", "Segment", seg_parent["id"], seg_parent["parent"]),
        _rels("PART_OF", "Segment", "Chain", seg_top["id"], seg_top["chain"]),
        _rels("PART_OF", "Region", "Region", reg_parent["id"], reg_parent["parent"]),
        _rels("SUPPLIES", "Segment", "Segment", [a for a, _, _ in supplies], [b for _, b, _ in supplies],
              {"weight": [w for _, _, w in supplies]}),
        _rels("LOCATED_IN", "Enterprise", "Region", ent["id"], ent["region"]),
        _rels("OPERATES_IN", "Enterprise", "Segment", mem["enterprise"], mem["segment"],
              {k: mem[k] for k in ("share", "negligible", "method", "confidence", "evidence", "source",
                                    "as_of")}),
        _rels("SUPPLIES_TO", "Enterprise", "Enterprise", links["supplier"], links["customer"],
              {k: links[k] for k in ("product", "weight", "source", "as_of")}),
        _rels("LOCATED_IN", "Project", "Region", proj["id"], proj["region"]),
        _rels("TARGETS", "Project", "Segment", targets["project"], targets["segment"],
              {k: targets[k].where(targets["method"] != "given") for k in ("method", "evidence")}),
        _rels("BY", "Project", "Enterprise", by["id"], by["enterprise"]),
        _rels("HAS_PRESENCE", "Region", "Segment", pres["region"], pres["segment"],
              {k: pres[k] for k in ("enterprises", "note", "source", "as_of")}),
    ]
    return PropertyTables(nodes, rels)
