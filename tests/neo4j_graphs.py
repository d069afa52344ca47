"""Helpers for the Neo4j tests: a graph as canonical sets, and hostile data to export."""

from __future__ import annotations

import hashlib
import json

import pandas as pd

HOSTILE_NAMES = [
    "back`tick`}) DETACH DELETE n //",
    "it's \"quoted\", with, commas",
    "}) DETACH DELETE n //",
    "two\nlines\r\nand a tab\t",
    "<script>alert(1)</script>",
    "  leading and trailing spaces  ",
    "$rows {id: 'x'} :LABEL\\",
]


def _value(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    return v


def _canon(props):
    return json.dumps({k: _value(v) for k, v in sorted(props.items()) if v is not None},
                      ensure_ascii=False, sort_keys=True)


def db_graph(store):
    """Every node and relationship in the database as sorted canonical strings."""
    nodes = sorted(f"{':'.join(sorted(r['labels']))} {_canon(r['props'])}" for r in store.read(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props"))
    rels = sorted(f"{r['a']}:{r['aid']} -{r['type']} {_canon(r['props'])}-> {r['b']}:{r['bid']}"
                  for r in store.read("MATCH (a)-[r]->(b) RETURN labels(a)[0] AS a, a.id AS aid, "
                                      "type(r) AS type, properties(r) AS props, labels(b)[0] AS b, "
                                      "b.id AS bid"))
    return {"nodes": nodes, "relationships": rels}


def tables_graph(tables):
    """The graph PropertyTables describe, in the form of :func:`db_graph`."""
    nodes, rels = [], []
    for t in tables.nodes:
        nodes += [f"{t.label} {_canon(r)}" for r in t.frame.to_dict("records")]
    for t in tables.relationships:
        for r in t.frame.to_dict("records"):
            props = {k: v for k, v in r.items() if k not in ("start", "end")}
            rels.append(f"{t.start}:{r['start']} -{t.type} {_canon(props)}-> {t.end}:{r['end']}")
    return {"nodes": sorted(nodes), "relationships": sorted(rels)}


def digest(graph):
    return hashlib.sha256(json.dumps(graph, ensure_ascii=False).encode()).hexdigest()


def hostile_graph(graph):
    """``graph`` with hostile enterprise names, ids, a hostile project and a hostile link."""
    ents = graph.enterprises.copy()
    n = len(HOSTILE_NAMES)
    ents.loc[: n - 1, "name"] = HOSTILE_NAMES
    ents.loc[: n - 1, "main_business"] = list(reversed(HOSTILE_NAMES))
    new_ids = {old: f"{old}|{name}" for old, name in zip(ents["id"][:2], HOSTILE_NAMES)}
    ents["id"] = ents["id"].replace(new_ids)
    mem = graph.memberships.assign(enterprise=graph.memberships["enterprise"].replace(new_ids))
    proj = graph.projects.assign(enterprise=graph.projects["enterprise"].replace(new_ids))
    proj.loc[0, "name"] = HOSTILE_NAMES[0]
    proj.loc[0, "note"] = HOSTILE_NAMES[3]
    ids = ents["id"].tolist()
    links = pd.DataFrame([{"supplier": ids[0], "customer": ids[1], "product": HOSTILE_NAMES[1],
                           "weight": 1.0, "source": HOSTILE_NAMES[2], "as_of": "2025"},
                          {"supplier": ids[0], "customer": ids[1], "product": None,
                           "weight": 2.0, "source": "test", "as_of": "2025"}])
    return graph.replace(enterprises=ents, memberships=mem, projects=proj, links=links)
