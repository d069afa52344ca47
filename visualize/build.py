"""A chain map as plain data: vis-network nodes and edges, and the page's header.

Nothing here knows HTML. Hover texts are structured (``info``: a heading, rows of
label and value, a list) and turned into DOM text nodes in the browser, so a name
from the data can never become markup.

Above ``max_nodes`` the map folds: first the enterprises into their segments (each
segment's label then carries its count), then the projects, then the deepest levels
of the segment trees into their parents. The page says what was folded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from chainkg.errors import DataError
from chainkg.graph.codes import found_in
from chainkg.visualize.facts import map_facts
from chainkg.visualize.layout import stage_layout
from chainkg.visualize.styles import (ACTION_WORDS, EDGE_STYLE, KIND_STYLE, PROJECT_STATUS_WORDS,
                                      STAGE_WORDS, STATUS_WORDS, segment_style)

__all__ = ["ChainMap", "map_data", "DEFAULT_MAX_NODES"]

#: Default node cap: vis-network draws a few thousand nodes without physics comfortably.
DEFAULT_MAX_NODES = 2000
LABEL_CHARS = 14
TOP_GAPS = 5  # gaps named in the header, per chain


@dataclass
class ChainMap:
    """What the page shows.

    Attributes
    ----------
    nodes, edges : list of dict
        vis-network node and edge objects; each node has ``kind`` and ``info`` (its
        hover text as data), each edge ``type``.
    header : dict
        title, region, chains, as_of, data name, sources, completeness, notices.
    columns : list of dict
        The stage columns: label and x.
    folded : dict of str to int
        How many enterprises, projects and segments were folded into their parents.
    """

    nodes: list
    edges: list
    header: dict
    columns: list = field(default_factory=list)
    folded: dict = field(default_factory=dict)

    def counts(self):
        """Nodes by kind and edges by relation type."""
        return {"nodes": dict(Counter(n["kind"] for n in self.nodes)),
                "edges": dict(Counter(e["type"] for e in self.edges))}


def _short(text, n=LABEL_CHARS):
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _cny(value):
    v = pd.to_numeric(value, errors="coerce")
    if pd.isna(v):
        return None
    return f"{v / 1e8:,.4g}亿元" if abs(v) >= 1e7 else f"{v / 1e4:,.4g}万元"


def _missing(v):
    return v is None or (not isinstance(v, str) and pd.isna(v)) or str(v) == ""


def _rows(*pairs):
    return [[k, str(v)] for k, v in pairs if not _missing(v)]


def _fold_plan(graph, facts, max_nodes, enterprises, projects):
    """Decide what to draw: (show enterprises, show projects, deepest segment level, folded)."""
    segs = facts.segments
    levels = segs.index.map(lambda s: graph.segments[s].level)
    n_ent = len(facts.enterprises) if enterprises else 0
    n_proj = len(facts.projects) if projects else 0
    base = len(facts.chains)
    folded = {}
    if base + len(segs) + n_ent + n_proj > max_nodes and n_ent:
        folded["enterprises"], n_ent = n_ent, 0
    if base + len(segs) + n_ent + n_proj > max_nodes and n_proj:
        folded["projects"], n_proj = n_proj, 0
    depth = int(levels.max()) if len(segs) else 0
    while depth > 1 and base + int((levels <= depth).sum()) > max_nodes:
        depth -= 1
    if base + int((levels <= depth).sum()) > max_nodes:
        raise DataError(f"the top-level segments alone need {base + int((levels <= 1).sum())} nodes, "
                        f"more than max_nodes={max_nodes}; choose fewer chains or a larger cap")
    if depth < int(levels.max() if len(segs) else 0):
        folded["segments"] = int((levels > depth).sum())
    total = base + int((levels <= depth).sum()) + n_ent + n_proj
    return n_ent > 0, n_proj > 0, depth, folded, total


def map_data(graph, region=None, chains=None, *, enterprises=False, projects=False,
             max_nodes=DEFAULT_MAX_NODES, **settings):
    """Build the chain map of ``region``'s ``chains``.

    Parameters
    ----------
    graph : ChainGraph
    region : str, optional
        Region code or name; the manifest's home region when None.
    chains : str or list of str, optional
        Chain ids or names; all chains when None.
    enterprises, projects : bool
        Draw the region's enterprises / projects beside the segments they work in / target.
    max_nodes : int
        The most nodes the page may hold; above it, enterprises, then projects, then
        the deepest segment levels are folded into their parents.
    **settings
        Overrides of the query settings (``strong_min``, …).

    Returns
    -------
    ChainMap

    Examples
    --------
    >>> import chainkg
    >>> m = map_data(chainkg.load(), "梁平区", "ic", enterprises=True)
    >>> m.counts()["nodes"]
    {'Chain': 1, 'Segment': 46, 'Enterprise': 1}
    >>> seg = {n["id"]: n for n in m.nodes}["Segment:ic.fabrication.foundry"]
    >>> seg["info"]["rows"][2], seg["shapeProperties"]
    (['action', '补链 fill'], {'borderDashes': [2, 4]})
    """
    facts = map_facts(graph, region, chains, **settings)
    show_ent, show_proj, depth, folded, total = _fold_plan(graph, facts, max_nodes, enterprises, projects)
    shown = [s for s in facts.segments.index if graph.segments[s].level <= depth]
    shown_set = set(shown)

    def visible(sid):
        while sid not in shown_set:
            sid = graph.segments[sid].parent
        return sid

    nodes, edges, attached = [], [], {}
    ent_ids = {}
    if show_ent:
        mem = facts.memberships.assign(segment=facts.memberships["segment"].map(visible))
        order = {s: i for i, s in enumerate(shown)}
        home = mem.assign(o=mem["segment"].map(order)).sort_values("o").drop_duplicates("enterprise")
        for ent, sid in zip(home["enterprise"], home["segment"]):
            attached.setdefault(sid, []).append(f"Enterprise:{ent}")
        ent_ids = set(home["enterprise"])
        edges += [_edge(f"Enterprise:{e}", f"Segment:{s}", "OPERATES_IN")
                  for e, s in mem[["enterprise", "segment"]].drop_duplicates().itertuples(index=False)]
    if show_proj:
        for p in facts.projects.itertuples(index=False):
            attached.setdefault(visible(p.segment), []).append(f"Project:{p.id}")
    pos = stage_layout([(f"Chain:{c}", [(f"Segment:{s}", graph.segments[s].stage or "midstream",
                                         graph.segments[s].level - 1)
                                        for s in shown if graph.segments[s].chain == c])
                        for c in facts.chains],
                       {f"Segment:{s}": v for s, v in attached.items()})

    counts_folded = "enterprises" in folded
    for cid in facts.chains:
        nodes.append(_chain_node(graph, cid, facts, pos))
    for sid in shown:
        nodes.append(_segment_node(graph, sid, facts, pos, counts_folded,
                                   folded_below=len(graph.descendants(sid)) - 1 if depth == graph.segments[sid].level else 0))
        parent = graph.segments[sid].parent
        if parent:
            edges.append(_edge(f"Segment:{sid}", f"Segment:{parent}", "PART_OF"))
        else:  # faint: these lines cross the whole band to the chain's box
            edges.append(_edge(f"Segment:{sid}", f"Chain:{graph.segments[sid].chain}", "PART_OF",
                               color={"color": "#eceff1"}))
    for cid in facts.chains:
        seen = set()
        for a, b, w in graph.chains[cid].supplies:
            a, b = visible(a), visible(b)
            if a != b and (a, b) not in seen:
                seen.add((a, b))
                edges.append(_edge(f"Segment:{a}", f"Segment:{b}", "SUPPLIES", width=0.5 + 0.5 * float(w),
                                   info={"heading": f"{graph.segments[a].name} → {graph.segments[b].name}",
                                         "rows": _rows(("relation", "SUPPLIES 供应"), ("weight", w))}))
    if show_ent:
        ents = facts.enterprises[found_in(facts.enterprises["id"], ent_ids)]
        seg_names = facts.memberships.assign(name=facts.memberships["segment"].map(
            lambda sid: graph.segments[sid].name)).groupby("enterprise")["name"].agg("、".join)
        nodes += [_enterprise_node(graph, e, seg_names[e["id"]], pos) for e in ents.to_dict("records")]
        links = graph.links[found_in(graph.links["supplier"], ent_ids) & found_in(graph.links["customer"], ent_ids)]
        edges += [_edge(f"Enterprise:{a}", f"Enterprise:{b}", "SUPPLIES_TO")
                  for a, b in links[["supplier", "customer"]].drop_duplicates().itertuples(index=False)]
    if show_proj:
        by = graph.enterprises[found_in(graph.enterprises["id"], facts.projects["enterprise"])]
        by = dict(zip(by["id"], by["name"]))
        for p in facts.projects.to_dict("records"):
            nodes.append(_project_node(graph, p, by, pos))
            edges.append(_edge(f"Project:{p['id']}", f"Segment:{visible(p['segment'])}", "TARGETS"))
            if p.get("enterprise") in ent_ids:
                edges.append(_edge(f"Project:{p['id']}", f"Enterprise:{p['enterprise']}", "BY"))
    header = _header(graph, facts, folded, total, max_nodes, enterprises, projects)
    columns = [{"label": STAGE_WORDS.get(st, st), "x": x, "y": y} for st, x, y in pos.columns]
    return ChainMap(nodes=nodes, edges=edges, header=header, columns=columns, folded=folded)


def _plural(n, word):
    """``1 enterprise``, ``2 enterprises``."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _edge(a, b, rel, **extra):
    return {"from": a, "to": b, "type": rel, **EDGE_STYLE[rel], **extra}


def _range(comp, fmt=".0%"):
    """Completeness as the range it is: low–high, one figure only where they agree."""
    low, high = comp["completeness_low"], comp["completeness_high"]
    return f"{low:{fmt}}" if f"{low:{fmt}}" == f"{high:{fmt}}" else f"{low:{fmt}}–{high:{fmt}}"


def _chain_node(graph, cid, facts, pos):
    chain = graph.chains[cid]
    comp = facts.completeness.set_index("chain").loc[cid]
    x, y = pos[f"Chain:{cid}"]
    return {"id": f"Chain:{cid}", "kind": "Chain", "label": f"{chain.name}\n{_range(comp)}",
            "x": x, "y": y, **KIND_STYLE["Chain"],
            "info": {"heading": f"{chain.name} {chain.name_en} ({cid})",
                     "rows": _rows(("completeness 完整度", _range(comp, ".1%")),
                                   ("evidence 证据", f"{comp['coverage'] or 'none'}; "
                                                   f"{comp['evidence_share']:.0%} of leaves by leaf-level facts"),
                                   *((STATUS_WORDS[s].split(" (")[0] + " leaves", int(comp[s]))
                                     for s in ("present", "weak", "unresolved", "unknown", "planned",
                                               "missing")),
                                   ("template", _source_title(graph, chain.source)),
                                   ("template as of", chain.as_of))}}


def _segment_node(graph, sid, facts, pos, counts_folded, folded_below):
    seg = graph.segments[sid]
    f = facts.segments.loc[sid]
    count = int(f["local_enterprises"])
    label = _short(seg.name)
    if counts_folded and count:
        label += f"\n{count:,}家企业"
    if folded_below:
        label += f"\n(+{folded_below} sub-segments)"
    x, y = pos[f"Segment:{sid}"]
    action = f["action"] if isinstance(f["action"], str) else None
    priority = f["priority"] if pd.notna(f["priority"]) else None
    rows = _rows(("status", STATUS_WORDS[f["status"]]), ("stage", STAGE_WORDS.get(seg.stage, seg.stage)),
                 ("action", ACTION_WORDS.get(action, action)),
                 ("priority", None if priority is None else f"{priority:.2f}"),
                 ("local enterprises", count), ("presence", f["presence"]),
                 ("projects", int(f["projects"])),
                 ("candidates elsewhere", None if pd.isna(f["candidates"]) else int(f["candidates"])),
                 ("note", f["note"]), ("folded", f"{folded_below} sub-segments" if folded_below else None))
    top = facts.top.get(sid, [])
    more = count - len(top)
    return {"id": f"Segment:{sid}", "kind": "Segment", "label": label, "x": x, "y": y,
            "status": f["status"], **segment_style(f["status"], count),
            "info": {"heading": f"{seg.name} ({sid})", "rows": rows,
                     "list_heading": "top enterprises" if top else None,
                     "list": top + ([f"… and {more:,} more"] if more > 0 else [])}}


def _enterprise_node(graph, e, segments, pos):
    x, y = pos[f"Enterprise:{e['id']}"]
    return {"id": f"Enterprise:{e['id']}", "kind": "Enterprise", "label": _short(e["name"]), "x": x, "y": y,
            **KIND_STYLE["Enterprise"],
            "info": {"heading": str(e["name"]),
                     "rows": _rows(("id", e["id"]), ("region", graph.region_name(str(e["region"]))),
                                   ("segments", segments),
                                   ("flags", e.get("flags")), ("output", _cny(e.get("output_cny"))),
                                   ("employees", e.get("employees")),
                                   ("main business", e.get("main_business")),
                                   ("source", _source_title(graph, e.get("source"))),
                                   ("as of", e.get("as_of")), ("confidence", e.get("confidence")))}}


def _project_node(graph, p, enterprise_names, pos):
    x, y = pos[f"Project:{p['id']}"]
    seg = graph.segments[p["segment"]]
    return {"id": f"Project:{p['id']}", "kind": "Project", "label": _short(p["name"]), "x": x, "y": y,
            **KIND_STYLE["Project"],
            "info": {"heading": str(p["name"]),
                     "rows": _rows(("status", PROJECT_STATUS_WORDS.get(p["status"], p["status"])),
                                   ("segment", seg.name), ("investment", _cny(p.get("investment_cny"))),
                                   ("expected output", _cny(p.get("expected_output_cny"))),
                                   ("enterprise", enterprise_names.get(p.get("enterprise"), p.get("enterprise"))),
                                   ("signed", p.get("signed_on")),
                                   ("started", p.get("started_on")), ("producing", p.get("production_on")),
                                   ("note", p.get("note")), ("source", _source_title(graph, p.get("source"))),
                                   ("as of", p.get("as_of")))}}


def _source_title(graph, source):
    if not isinstance(source, str) or not source:
        return None
    key = "visualize.source_titles"
    if key not in graph.cache:
        graph.cache[key] = dict(zip(graph.sources["id"].astype(str), graph.sources["title"]))
    title = graph.cache[key].get(source)
    return f"{title} [{source}]" if isinstance(title, str) and title else source


def _top_gaps(graph, facts, chain, n=TOP_GAPS):
    """The highest-priority gaps of a chain: segment node id, name and action."""
    segs = facts.segments
    g = segs[(segs["chain"] == chain) & segs["action"].notna()].sort_values("priority", ascending=False)
    return [{"node": f"Segment:{sid}", "name": graph.segments[sid].name, "action": action}
            for sid, action in zip(g.index[:n], g["action"][:n])]


def _header(graph, facts, folded, total, max_nodes, enterprises, projects):
    chain_names = [graph.chains[c].name for c in facts.chains]
    as_of = graph.meta.get("as_of") or ""
    notices = []
    if "enterprises" in folded:
        notices.append(f"Enterprises folded into their segments ({_plural(folded['enterprises'], 'enterprise')}): "
                       f"drawing them would exceed the cap of {max_nodes:,} nodes. Each segment's label "
                       f"carries its count (--max-nodes raises the cap).")
    if "projects" in folded:
        notices.append(f"Projects not drawn ({_plural(folded['projects'], 'project')}): they would exceed "
                       f"the cap of {max_nodes:,} nodes; each segment's hover text counts them.")
    if "segments" in folded:
        notices.append(f"Deeper segments folded into their parents ({_plural(folded['segments'], 'segment')}) "
                       f"to stay within {max_nodes:,} nodes.")
    unplaced = [_plural(facts.unplaced[k], k[:-1]) for k, asked in (("enterprises", enterprises), ("projects", projects))
                if asked and facts.unplaced[k]]
    if unplaced:
        notices.append(f"{' and '.join(unplaced)} of {facts.region_name} name no segment of "
                       f"{'、'.join(chain_names)} and are not drawn.")
    comp = facts.completeness.set_index("chain")
    return {
        "title": f"{facts.region_name} 产业链图谱 · {'、'.join(chain_names)}",
        "region": f"{facts.region_name} ({facts.region})", "chains": chain_names, "as_of": as_of,
        "data": graph.meta.get("name") or "",
        "sources": [_source_title(graph, s) for s in facts.sources],
        "templates": sorted({f"{_source_title(graph, c.source)}" + (f", as of {c.as_of}" if c.as_of else "")
                             for c in map(graph.chains.get, facts.chains) if c.source}),
        "completeness": [{"chain": graph.chains[c].name, "value": _range(comp.loc[c]),
                          "evidence": comp.at[c, "coverage"] or "no evidence",
                          "missing": int(comp.at[c, "missing"]), "unknown": int(comp.at[c, "unknown"]),
                          "weak": int(comp.at[c, "weak"]),
                          "planned": int(comp.at[c, "planned"]), "gaps": _top_gaps(graph, facts, c)}
                         for c in facts.chains],
        "notices": notices,
        "nodes": total,
    }

