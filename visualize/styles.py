"""How a chain map looks: colours by status, shapes by kind, sizes by count.

One place for the visual vocabulary, shared by the nodes (``vis-network`` options) and
the legend of the page, so the two never disagree.
"""

from __future__ import annotations

import math

from chainkg.graph.schema import SEGMENT_STATUSES

__all__ = ["STATUS_STYLE", "STATUS_WORDS", "ACTION_WORDS", "PROJECT_STATUS_WORDS", "KIND_STYLE",
           "EDGE_STYLE", "STAGE_WORDS", "segment_style", "legend"]

#: Status -> (fill, border, dashes or None).
STATUS_STYLE = {
    "present": ("#43a047", "#1b5e20", None),
    "weak": ("#ffb300", "#e65100", None),
    "planned": ("#42a5f5", "#0d47a1", None),
    "missing": ("#ffcdd2", "#c62828", [6, 4]),
    "unresolved": ("#cfd8dc", "#78909c", None),
    "unknown": ("#ffffff", "#9e9e9e", [2, 4]),
}
assert set(STATUS_STYLE) == set(SEGMENT_STATUSES)

STATUS_WORDS = {
    "present": "present 已有",
    "weak": "weak 薄弱",
    "planned": "planned 规划中",
    "missing": "missing 缺失",
    "unresolved": "unresolved 待确认 (present above, which part unknown)",
    "unknown": "unknown 待摸底 (no census: nobody has looked)",
}

ACTION_WORDS = {"强链": "强链 strengthen", "补链": "补链 fill", "延链": "延链 extend",
                "建链": "建链 build"}

PROJECT_STATUS_WORDS = {"intent": "intent 意向", "signed": "signed 签约", "landed": "landed 落地",
                        "under_construction": "under construction 在建",
                        "in_production": "in production 投产"}

STAGE_WORDS = {"upstream": "上游 upstream", "midstream": "中游 midstream",
               "downstream": "下游 downstream"}

#: Kind -> vis-network node options that do not depend on data.
KIND_STYLE = {
    "Chain": {"shape": "box", "color": {"background": "#37474f", "border": "#263238"},
              "font": {"color": "#ffffff", "size": 20}, "margin": 10},
    "Enterprise": {"shape": "box", "color": {"background": "#e8eaf6", "border": "#5c6bc0"},
                   "font": {"size": 12}, "margin": 4, "borderWidth": 1},
    "Project": {"shape": "box", "color": {"background": "#f3e5f5", "border": "#8e24aa"},
                "font": {"size": 12}, "margin": 4, "borderWidth": 1,
                "shapeProperties": {"borderDashes": [2, 2]}},
}

#: Relation type -> vis-network edge options.
EDGE_STYLE = {
    "PART_OF": {"color": {"color": "#b0bec5"}, "width": 1, "arrows": {"to": {"enabled": False}}},
    "SUPPLIES": {"color": {"color": "#78909c"}, "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
                 "smooth": {"enabled": True, "type": "curvedCW", "roundness": 0.15}},
    "OPERATES_IN": {"color": {"color": "#9fa8da"}, "width": 0.5, "arrows": {"to": {"enabled": False}}},
    "TARGETS": {"color": {"color": "#ba68c8"}, "dashes": True, "arrows": "to"},
    "BY": {"color": {"color": "#ce93d8"}, "width": 0.5, "arrows": {"to": {"enabled": False}}},
    "SUPPLIES_TO": {"color": {"color": "#3949ab"}, "arrows": "to"},
}


def segment_style(status, count):
    """vis-network options of a segment node: colour by status, size by local count.

    Examples
    --------
    >>> segment_style("missing", 0)["shapeProperties"]
    {'borderDashes': [6, 4]}
    >>> segment_style("present", 16)["size"]
    24
    """
    fill, border, dashes = STATUS_STYLE[status]
    style = {"shape": "dot", "size": min(12 + 3 * round(math.sqrt(count)), 36),
             "color": {"background": fill, "border": border,
                       "highlight": {"background": fill, "border": "#000000"},
                       "hover": {"background": fill, "border": "#000000"}},
             "borderWidth": 3 if dashes else 2}
    if dashes:
        style["shapeProperties"] = {"borderDashes": dashes}
    return style


def legend():
    """The legend of the page: (swatch style, words) per status and kind.

    Examples
    --------
    >>> [item["words"] for item in legend()][:2]
    ['present 已有', 'weak 薄弱']
    """
    items = []
    for status, (fill, border, dashes) in STATUS_STYLE.items():
        items.append({"shape": "dot", "fill": fill, "border": border, "dashed": bool(dashes),
                      "words": STATUS_WORDS[status]})
    for kind, words in (("Enterprise", "enterprise 企业"), ("Project", "project 项目")):
        c = KIND_STYLE[kind]["color"]
        items.append({"shape": "box", "fill": c["background"], "border": c["border"],
                      "dashed": kind == "Project", "words": words})
    return items
