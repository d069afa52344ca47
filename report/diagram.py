"""The chain panorama (产业链全景图) of a brief: a static Graphviz diagram.

Leaf segments stand in three columns, upstream → midstream → downstream (each column
one HTML-like table, every text in it escaped), grouped under their top-level segment, filled with the map's status colours
(:mod:`chainkg.visualize.styles`); present and weak ones show the local enterprise
count, the others their status in words, so a black-and-white print still reads.
Rendered by Graphviz's ``dot`` as SVG (HTML, PDF) or PNG (DOCX).
"""

from __future__ import annotations

from html import escape

import graphviz

from chainkg.errors import ChainKGError
from chainkg.graph.schema import STAGES
from chainkg.report.words import STAGE_ZH, STATUS_ZH
from chainkg.visualize.styles import STATUS_STYLE

__all__ = ["chain_diagram", "render_diagram", "FONTS"]

#: Graphviz and CSS font list: CJK fonts first, so Chinese labels never fall back to boxes.
WRAP = 10  # leaves in a stage above which they stand two per row
FONTS = "Noto Sans CJK SC,WenQuanYi Micro Hei,Microsoft YaHei,SimHei,sans-serif"


def _status_text(row):
    word = STATUS_ZH.get(row["status"], row["status"])
    if row["status"] in ("present", "weak"):
        count = int(row["local_enterprises"])
        return f"{word} · 本地 {count} 家" if count else f"{word} · 有记录未计数"
    return word


def _cell(row, span=1):
    fill, border, dashes = STATUS_STYLE[row["status"]]
    style = ' STYLE="dashed"' if dashes else ""
    return (f'<TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1"{style} COLSPAN="{span}" CELLPADDING="3">'
            f'{escape(str(row["name"]))}<BR/><FONT POINT-SIZE="8">{escape(_status_text(row))}</FONT></TD>')


def _column(graph, chain, stage, leaves, status):
    """One stage as an HTML-like table: a header row per top-level segment, its leaves below."""
    groups = []
    for top in graph.children(chain):
        group = [s for s in leaves if graph.segments[s].stage == stage and top in graph.ancestors(s)]
        if group:
            groups.append((top, group))
    per_row = 2 if sum(len(g) for _, g in groups) > WRAP else 1
    rows = [f'<TR><TD COLSPAN="{per_row}" BORDER="0"><FONT POINT-SIZE="13"><B>'
            f'{escape(STAGE_ZH.get(stage, stage))} {escape(stage)}</B></FONT></TD></TR>']
    for top, group in groups:
        head = status.get(top)
        word = f" · {_status_text(head)}" if head is not None and head["status"] in ("present", "weak") else ""
        rows.append(f'<TR><TD COLSPAN="{per_row}" BGCOLOR="#eceff1" BORDER="0" CELLPADDING="2">'
                    f'<B>{escape(graph.segments[top].name)}</B>{escape(word)}</TD></TR>')
        for i in range(0, len(group), per_row):
            part = group[i:i + per_row]
            span = per_row - len(part) + 1
            rows.append("<TR>" + "".join(_cell(status[s], span if j == len(part) - 1 else 1)
                                         for j, s in enumerate(part)) + "</TR>")
    return f'<<TABLE BORDER="1" COLOR="#90a4ae" CELLBORDER="1" CELLSPACING="3" STYLE="rounded">{"".join(rows)}</TABLE>>'


def chain_diagram(graph, chain_brief):
    """The Graphviz source of one chain's panorama.

    Parameters
    ----------
    graph : ChainGraph
        For the segment tree (parents, stages).
    chain_brief : ChainBrief

    Returns
    -------
    graphviz.Digraph
    """
    dot = graphviz.Digraph(name=chain_brief.chain, graph_attr={
        "rankdir": "LR", "fontname": FONTS, "ranksep": "0.3", "margin": "0.05", "bgcolor": "white"},
        node_attr={"shape": "plain", "fontname": FONTS, "fontsize": "10"},
        edge_attr={"color": "#78909c", "penwidth": "2", "arrowsize": "1.2"})
    status = dict(zip(chain_brief.segments["segment"], chain_brief.segments.to_dict("records")))
    leaves = [sid for sid in graph.leaves(chain_brief.chain) if sid in status]
    found = {graph.segments[s].stage for s in leaves}
    stages = [st for st in STAGES if st in found] + sorted(found - set(STAGES))
    for i, stage in enumerate(stages):
        dot.node(f"stage{i}", _column(graph, chain_brief.chain, stage, leaves, status))
        if i:
            dot.edge(f"stage{i - 1}", f"stage{i}")
    return dot


def render_diagram(dot, fmt="svg"):
    """``dot`` rendered as SVG text or PNG bytes.

    Raises
    ------
    ChainKGError
        When Graphviz's ``dot`` program is missing (Debian: apt install graphviz).
    """
    try:
        if fmt == "png":
            dot = dot.copy()
            dot.graph_attr["dpi"] = "200"
        data = dot.pipe(format=fmt, **({"renderer": "cairo"} if fmt == "png" else {}))
    except graphviz.ExecutableNotFound as err:
        raise ChainKGError("Graphviz's dot program was not found: install Graphviz "
                           "(Debian/Ubuntu: apt install graphviz) to draw the report's diagrams") from err
    return data.decode("utf-8") if fmt == "svg" else data
