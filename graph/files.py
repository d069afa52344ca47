"""Graph files for Gephi, Cytoscape and networkx: GraphML, GEXF and node-link JSON.

The files hold the typed property graph of :func:`~chainkg.graph.property_graph.to_networkx`:
every node keeps its ``kind`` and properties, every edge its relation ``type`` and
properties. GraphML and GEXF take only scalar attributes, so lists become
``;``-separated text, dicts JSON text, and an attribute whose values mix types across
nodes (``level`` is a number for segments and a word for regions) becomes text
throughout. GEXF reserves some names: there the node property ``id`` is written as
``chainkg_id`` (the GEXF id is the node key, ``Segment:ic.design``), the node label is
its name, and the relation type is the edge label (Gephi's *Label* column) as well as
the attribute ``relation`` (the GEXF ``type`` means directed or undirected).
In node-link JSON the node key is ``key`` and an edge's ends are ``from`` and ``to``,
because ``id`` and ``source`` are properties of ours; read it back with
``nx.node_link_graph(data, edges="edges", source="from", target="to", name="key")``.

Files are written atomically: a failed run leaves no half-written file.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import networkx as nx

from chainkg.errors import ExportError
from chainkg.render import xml_safe

__all__ = ["FILE_FORMATS", "NODE_LINK_KEYS", "scalar_graph", "graph_bytes", "write_graph_file"]

#: Formats :func:`write_graph_file` writes, by file suffix.
FILE_FORMATS = ("graphml", "gexf", "json")


def _scalar(value):
    if isinstance(value, (list, tuple, set, frozenset)):
        return xml_safe(";".join(str(v) for v in value))
    if isinstance(value, dict):
        return xml_safe(json.dumps(value, ensure_ascii=False, sort_keys=True))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return xml_safe(value.item())  # numpy scalar
    return xml_safe(value)


def _type_name(value):
    return "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else type(value).__name__


def _uniform(items):
    """Make each attribute name hold one type: numbers stay numbers unless mixed with text."""
    types = {}
    for data in items:
        for key, value in data.items():
            types.setdefault(key, set()).add(_type_name(value))
    mixed = {k for k, t in types.items() if len(t) > 1}
    floats = {k for k in types if types[k] == {"number"}
              and any(isinstance(d.get(k), float) for d in items)}
    for data in items:
        for key in mixed & data.keys():
            data[key] = str(data[key])
        for key in floats & data.keys():
            data[key] = float(data[key])  # an int among floats would declare a second GraphML key


def scalar_graph(g):
    """A copy of ``g`` whose attributes are scalars of one type per name, without None.

    Characters XML 1.0 cannot hold (NUL and other C0 controls) are shown as escapes
    (``\\x00``) in keys and text, so that the GraphML and GEXF files are well-formed.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", level=1, tags=["x", "y"], note=None)
    >>> g.add_node("b", level="district")
    >>> h = scalar_graph(g)
    >>> h.nodes["a"], h.nodes["b"]
    ({'level': '1', 'tags': 'x;y'}, {'level': 'district'})
    """
    h = g.__class__()
    h.graph.update({k: _scalar(v) for k, v in g.graph.items() if v is not None})
    nodes = [(xml_safe(n), {xml_safe(k): _scalar(v) for k, v in d.items() if v is not None})
             for n, d in g.nodes(data=True)]
    edges = [(xml_safe(u), xml_safe(v), {xml_safe(k): _scalar(x) for k, x in d.items() if x is not None})
             for u, v, d in g.edges(data=True)]
    _uniform([d for _, d in nodes])
    _uniform([d for _, _, d in edges])
    h.add_nodes_from(nodes)
    h.add_edges_from(edges)
    return h


def _gexf_graph(g):
    h = g.__class__()
    h.graph.update(g.graph)
    for n, d in g.nodes(data=True):
        d = dict(d)
        if "id" in d:
            d["chainkg_id"] = d.pop("id")
        d["label"] = str(d.get("name") or n)
        h.add_node(n, **d)
    for u, v, d in g.edges(data=True):
        d = dict(d)
        if "type" in d:
            d["relation"] = d.pop("type")
            d["label"] = d["relation"]
        h.add_edge(u, v, **d)
    return h


#: node_link_data keys: ``source``/``target`` and ``id`` are properties of ours (provenance, key).
NODE_LINK_KEYS = {"edges": "edges", "source": "from", "target": "to", "name": "key"}


def _node_link(g):
    keys = dict(NODE_LINK_KEYS)
    try:
        data = nx.node_link_data(g, **keys)
    except TypeError:  # networkx < 3.4 names the parameter ``link``
        keys["link"] = keys.pop("edges")
        data = nx.node_link_data(g, **keys)
    return json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n"


def graph_bytes(g, fmt):
    """Serialise a property graph as GraphML, GEXF or node-link JSON (UTF-8 bytes).

    Parameters
    ----------
    g : networkx.MultiDiGraph
        A graph from :func:`~chainkg.graph.property_graph.to_networkx`.
    fmt : {"graphml", "gexf", "json"}

    Returns
    -------
    bytes

    Raises
    ------
    ExportError
        For an unknown format.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("Segment:x.a", kind="Segment", id="x.a", name="甲", level=1)
    >>> g.add_node("Region:1", kind="Region", id="1", name="乙", level="district")
    >>> g.add_edge("Segment:x.a", "Region:1", type="DEMO")
    0
    >>> b'attr.name="kind"' in graph_bytes(g, "graphml")
    True
    >>> json.loads(graph_bytes(g, "json"))["edges"][0]["type"]
    'DEMO'
    """
    if fmt == "json":
        from chainkg.render import to_jsonable

        h = g.copy()
        for _, d in h.nodes(data=True):
            d.update(to_jsonable(d))
        for _, _, d in h.edges(data=True):
            d.update(to_jsonable(d))
        return _node_link(h).encode("utf-8")
    if fmt not in FILE_FORMATS:
        raise ExportError(f"unknown graph file format {fmt!r} (one of {', '.join(FILE_FORMATS)})")
    h = scalar_graph(g)
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(h, buf, encoding="utf-8", prettyprint=True)
    else:
        nx.write_gexf(_gexf_graph(h), buf, encoding="utf-8", prettyprint=True)
    # An XML parser reads a raw CR as a line feed; as a character reference it stays a CR.
    return buf.getvalue().replace(b"\r", b"&#13;")


def write_graph_file(graph, path, fmt=None, regions=None, chains=None):
    """Write the property graph of ``graph`` to ``path`` as GraphML, GEXF or JSON.

    Parameters
    ----------
    graph : ChainGraph
    path : str or Path
    fmt : {"graphml", "gexf", "json"}, optional
        The format; taken from the file suffix when None.
    regions, chains : iterable of str, optional
        Restrict the graph as :func:`~chainkg.graph.property_graph.to_networkx` does.

    Returns
    -------
    networkx.MultiDiGraph
        The graph that was written (before attribute conversion).

    Raises
    ------
    ExportError
        For an unknown format or a file that cannot be written.
    """
    from chainkg.render import write_atomic

    if fmt is None:
        fmt = str(path).rsplit(".", 1)[-1].lower()
    if fmt not in FILE_FORMATS:
        raise ExportError(f"unknown graph file format {fmt!r} (one of {', '.join(FILE_FORMATS)})")
    g = graph.to_networkx(regions=regions, chains=chains)
    g.graph.update({"name": graph.meta.get("name") or "chainkg", "as_of": graph.meta.get("as_of"),
                    "regions": ";".join(regions or []), "chains": ";".join(chains or [])})
    write_atomic(path, graph_bytes(g, fmt))
    return g
