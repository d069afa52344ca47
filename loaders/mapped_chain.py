"""A chain built from a dataset's own node and edge tables, for a mapping file.

A mapping file (:mod:`~chainkg.loaders.mapping`) that names a ``chain`` and a ``segments``
table (one row per node) and optionally a ``supplies`` table (one row per edge) gives
the data directory it writes a chain template of the dataset's own, ``ID.chain.yaml``::

    chain: {id: chips, name: 芯片供应链, name_en: Chip supply chain}
    tables:
      - file: nodes.csv
        kind: segments                 # id, name, name_en, parent, stage, aliases, weight, description
        columns: {node_id: id, node_name: name, parent_node: parent, stage_name: stage}
        values:
          stage: {design: upstream, manufacturing: midstream, assembly: downstream}
      - file: edges.csv
        kind: supplies                 # from, to, weight
        columns: {input_node: from, output_node: to}

Each node becomes a segment ``CHAIN.LOCAL``: ``LOCAL`` is the dataset's id in lower case
with every run of other characters than ``a-z``, ``0-9`` and ``_`` made one ``_``
(``N8`` -> ``chips.n8``), and the dataset's id stays an alias, so tables may keep
writing ``N8``. The tree comes from ``parent``; a node without a stage takes its
parent's. Parents and the ends of a supply edge may name a node by the dataset's id
(``N8``), its local id (``n8``), its full id (``chips.n8``), its name or an alias; an
unknown one is reported at its file, row and column with the closest nodes.
"""

from __future__ import annotations

import re

from chainkg.errors import AmbiguousReferenceError, UnknownReferenceError
from chainkg.graph.resolve import NameIndex
from chainkg.graph.schema import STAGES
from chainkg.loaders.report import Report
from chainkg.loaders.template import parse_chain_template

__all__ = ["mapped_chain", "local_id", "SEGMENT_COLUMNS", "SUPPLY_COLUMNS"]

SEGMENT_COLUMNS = ["id", "name", "name_en", "parent", "stage", "aliases", "weight", "description"]
SUPPLY_COLUMNS = ["from", "to", "weight"]
_NOT_ID = re.compile(r"[^a-z0-9_]+")
_ALIAS_SEPARATORS = re.compile(r"[;；|、]")


def local_id(value):
    """The template id of a dataset's node id.

    Examples
    --------
    >>> local_id("N8"), local_id("S-1.2"), local_id("晶圆")
    ('n8', 's_1_2', '')
    """
    return _NOT_ID.sub("_", str(value).strip().lower()).strip("_")


class _Rows:
    """Rows of one kind of table with where each came from, for locating problems."""

    def __init__(self, frame, headers, report):
        self.frame, self.headers, self.report = frame, headers, report

    def __iter__(self):
        return iter(self.frame.to_dict("records"))

    def problem(self, row, column, message, type="bad-value"):
        self.report.add(type, message, file=row["_file"], row=int(row["_row"]),
                        column=self.headers.get(column, column))


def _resolver(chain_id, nodes):
    index = NameIndex("node")
    for local, row in nodes.items():
        index.add(f"{chain_id}.{local}", [local, row["id"], row["name"], *row["_aliases"]])

    def resolve(value):
        return index.resolve(value).removeprefix(f"{chain_id}.")
    return resolve


def _nodes(rows, chain_id):
    """{local id: row} of the segment rows with a usable id and name; others reported."""
    nodes, first = {}, {}
    for row in rows:
        local = local_id(row.get("id", ""))
        if not row.get("id"):
            rows.problem(row, "id", "missing node id", "missing-value")
            continue
        if not local:
            rows.problem(row, "id", f"node id {row['id']!r} has no letter or digit of a-z, 0-9 to make "
                                    "a segment id from")
            continue
        if local in first:
            then = first[local]
            same = "" if then["id"] == row["id"] else f" (ids {then['id']!r} and {row['id']!r} both become {local!r})"
            rows.problem(row, "id", f"duplicate node id {row['id']!r}{same}: first at row {then['_row']}",
                         "duplicate-id")
            continue
        if not row.get("name"):
            rows.problem(row, "name", f"missing name of node {row['id']!r}", "missing-value")
        aliases = [a.strip() for a in _ALIAS_SEPARATORS.split(row.get("aliases", "")) if a.strip()]
        row["_aliases"] = list(dict.fromkeys(a for a in [row["id"], *aliases] if a != local))
        first[local] = nodes[local] = row
    return nodes


def _parents(rows, nodes, resolve):
    """{local id: parent local id or None}; unknown parents and cycles reported."""
    parent = {}
    for local, row in nodes.items():
        ref = row.get("parent", "")
        parent[local] = None
        if ref:
            try:
                parent[local] = resolve(ref)
            except (UnknownReferenceError, AmbiguousReferenceError) as err:
                rows.problem(row, "parent", str(err).replace("node", "parent node", 1), "unknown-segment")
    for start in nodes:
        seen, node = [], start
        while node is not None and node not in seen:
            seen.append(node)
            node = parent[node]
        if node == start:
            ring = " -> ".join(nodes[n]["id"] for n in seen + [start])
            rows.problem(nodes[start], "parent", f"parent cycle: {ring}", "cycle")
            parent[start] = None
    return parent


def _stages(rows, nodes, parent):
    """{local id: stage}, a node without one taking its parent's; bad or missing ones reported."""
    stage = {}

    def of(local):
        if local not in stage:
            own = nodes[local].get("stage", "")
            stage[local] = own or (of(parent[local]) if parent[local] else "")
        return stage[local]

    for local, row in nodes.items():
        own = row.get("stage", "")
        if own and own not in STAGES:
            rows.problem(row, "stage", f"stage {own!r} is none of {', '.join(STAGES)} (map the dataset's "
                                       "words in the mapping's values: stage: {WORD: upstream})")
        elif not of(local):
            rows.problem(row, "stage", f"node {row['id']!r} has no stage and no parent to take one from",
                         "missing-value")
    return stage


def _supplies(rows, resolve):
    """Supply edges as (row, from, to) of local ids; unknown ends reported."""
    out = []
    for row in rows:
        ends = []
        for end in ("from", "to"):
            try:
                ends.append(resolve(row.get(end, "")) if row.get(end) else None)
                if ends[-1] is None:
                    rows.problem(row, end, f"missing segment ({end})", "missing-value")
            except (UnknownReferenceError, AmbiguousReferenceError) as err:
                rows.problem(row, end, str(err).replace("node", "segment", 1), "unknown-segment")
                ends.append(None)
        if None not in ends:
            out.append((row, *ends))
    return out


def mapped_chain(chain, segments, supplies, report, *, source, as_of):
    """The chain template (a dict) the node and edge tables give, or None with problems reported.

    Parameters
    ----------
    chain : dict
        The mapping's ``chain``: id, name and optionally name_en, description.
    segments, supplies : (DataFrame, dict)
        The mapped rows (with ``_file`` and ``_row``) and {column: original header};
        ``supplies`` may be None.
    report : Report
        Receives every problem, at the file, row and original column it is in.
    """
    chain_id = chain["id"]
    seg_rows = _Rows(*segments, report)
    before = report.count
    nodes = _nodes(seg_rows, chain_id)
    resolve = _resolver(chain_id, nodes)
    parent = _parents(seg_rows, nodes, resolve)
    stage = _stages(seg_rows, nodes, parent)
    edges = _supplies(_Rows(*supplies, report), resolve) if supplies is not None else []
    if report.count > before:
        return None
    template = {"id": chain_id, "name": chain["name"], **{k: chain[k] for k in ("name_en", "description")
                                                          if chain.get(k)},
                "source": source, "as_of": as_of, "segments": [], "supplies": []}
    for local, row in nodes.items():
        seg = {"id": local, "name": row["name"]}
        for key in ("name_en", "description"):
            if row.get(key):
                seg[key] = row[key]
        if parent[local]:
            seg["parent"] = parent[local]
        if row.get("stage") or not parent[local]:
            seg["stage"] = stage[local]
        if row.get("weight"):
            seg["weight"] = _number(row["weight"])
        if row["_aliases"]:
            seg["aliases"] = row["_aliases"]
        template["segments"].append(seg)
    for row, a, b in edges:
        edge = {"from": a, "to": b}
        if row.get("weight"):
            edge["weight"] = _number(row["weight"])
        template["supplies"].append(edge)
    _check(template, seg_rows, list(nodes.values()), [row for row, _, _ in edges], supplies, report)
    return template if report.count == before else None


def _number(text):
    try:
        return float(text)
    except ValueError:
        return text  # the template's check reports it, located by _check


def _check(template, seg_rows, node_rows, edge_rows, supplies, report):
    """Check the template as a data directory will, locating each problem at the row it came from."""
    checked = Report()
    parse_chain_template(template, checked, file="chain")
    for p in checked.problems:
        m = re.match(r"(segments|supplies)\[(\d+)\]\.?(\w*)", p.path or "")
        if m is None:
            report.add(p.type, p.message, file="mapping chain", path=p.path)
            continue
        rows, table = (node_rows, seg_rows) if m[1] == "segments" else (edge_rows, _Rows(*supplies, report))
        column = {"aliases": "aliases" if rows[int(m[2])].get("aliases") else "id"}.get(m[3], m[3] or "id")
        table.problem(rows[int(m[2])], column, p.message, p.type)
