"""Chain templates in YAML: a chain, its segments as a tree, and supply edges.

A template is checked against its schema and every problem is reported with its YAML
path (``segments[2].children[0].id``). Segments are nested with ``children`` or listed
flat with ``parent`` (a path relative to the chain, like ``materials``); the full id of
a segment is ``chain.path``: ``ic.materials.photoresist``. PART_OF must be a tree;
SUPPLIES may have cycles.

Example template::

    id: ic
    name: 集成电路
    name_en: Integrated circuits
    source: chainkg-template
    as_of: "2025-11"
    segments:
      - id: materials
        name: 材料
        stage: upstream
        children:
          - {id: photoresist, name: 光刻胶}
      - {id: fabrication, name: 晶圆制造, stage: midstream}
    supplies:
      - {from: materials, to: fabrication}

A supply edge names its segments by full id (``ic.materials.photoresist``), id relative
to the chain (``materials.photoresist``), local id (``photoresist``, when only one
segment of the chain has it), name or alias; an unknown one is reported with the
closest segments (``did you mean 光刻胶 ic.materials.photoresist?``).
"""

from __future__ import annotations

import re

from chainkg.errors import AmbiguousReferenceError, UnknownReferenceError
from chainkg.graph.model import Chain, Segment
from chainkg.graph.resolve import NameIndex
from chainkg.graph.schema import STAGES
from chainkg.graph.shapes import Any, Fields, Flag, ListOf, Number, Text
from chainkg.loaders.report import Report
from chainkg.loaders.yamlfile import read_yaml

__all__ = ["load_chain_template", "parse_chain_template", "supply_names"]

ID_PATTERN = re.compile(r"^[a-z0-9_]+$")
#: Segment trees deeper than this are refused (real chains have three or four levels).
MAX_SEGMENT_DEPTH = 32

# What each key holds; ids, stages, segments and supplies have checks of their own below.
CHAIN_SHAPE = Fields({"id": Any(), "name": Text(), "name_en": Text(), "source": Text(),
                      "as_of": Text(), "segments": Any(), "supplies": Any(), "description": Text(),
                      "keywords": ListOf(Text()), "exclude": ListOf(Text())})
SEGMENT_SHAPE = Fields({"id": Any(), "name": Text(), "name_en": Text(), "stage": Any(),
                        "weight": Number(low=0), "aliases": ListOf(Text()), "description": Text(),
                        "children": Any(), "parent": Text(),
                        # classification words (loaders/classify.py): checked by _words below
                        "keywords": ListOf(Text()), "exclude": ListOf(Text()), "exact": ListOf(Text()),
                        "trade_counts": Flag()})
SUPPLY_SHAPE = Fields({"from": Text(), "to": Text(), "weight": Number(low=0, low_open=True)})


def load_chain_template(path, report=None, name=None):
    """Read and check a chain template file.

    Returns
    -------
    Chain or None
        None when the template has problems (they are in ``report``).
    """
    report = report if report is not None else Report()
    data = read_yaml(path, report, name)
    if data is None and report.valid:
        report.add("schema", "empty template", file=str(name or path))
    if data is None:
        return None
    return parse_chain_template(data, report, file=str(name or path))


def parse_chain_template(data, report, file=None):
    """Check a parsed template (a dict) and build a :class:`Chain`, or return None."""
    before = len(report.problems)

    def problem(path, message, type="schema"):
        report.add(type, message, file=file, path=path)

    if not isinstance(data, dict):
        problem("", "a chain template must be a mapping with id, name and segments")
        return None
    CHAIN_SHAPE.check(data, "", problem)
    chain_id = data.get("id")
    if not isinstance(chain_id, str) or not ID_PATTERN.match(chain_id):
        problem("id", f"chain id must match [a-z0-9_]+, got {chain_id!r}")
        chain_id = "?"
    if _missing(data, "name"):
        problem("name", "missing chain name")
    segments = data.get("segments")
    if not isinstance(segments, list) or not segments:
        problem("segments", "segments must be a non-empty list")
        segments = []

    specs = []  # (yaml path, local id, parent path or None, dict)
    _collect(segments, "segments", None, specs, problem)

    # Full ids: nested segments take their parent's path; flat ones name their parent.
    by_path = {}
    for ypath, rel, parent, spec in specs:
        if rel is None:
            continue
        if rel in by_path:
            problem(f"{ypath}.id", f"duplicate id {rel.split('.')[-1]!r} ({chain_id}.{rel} is "
                                   f"already defined at {by_path[rel][0]})")
            continue
        by_path[rel] = (ypath, parent, spec)
    for rel, (ypath, parent, spec) in list(by_path.items()):
        if parent is not None and parent not in by_path:
            problem(f"{ypath}.parent", f"unknown parent {parent!r}")
            by_path[rel] = (ypath, None, spec)
    _check_tree(by_path, chain_id, problem)
    if len(report.problems) > before:
        return None

    order = _parents_first(by_path)
    seg_objs = {}
    for rel in order:
        ypath, parent, spec = by_path[rel]
        parent_seg = seg_objs.get(parent)
        stage = spec.get("stage") or (parent_seg.stage if parent_seg else "")
        if stage not in STAGES:
            problem(f"{ypath}.stage", f"stage must be one of {', '.join(STAGES)}, got {stage or None!r}")
        level = (parent_seg.level + 1) if parent_seg else 1
        if level == MAX_SEGMENT_DEPTH + 1:  # reported once, at the first segment too deep
            problem(ypath, f"segments nested deeper than {MAX_SEGMENT_DEPTH} levels")
        weight, aliases = spec.get("weight", 1.0), spec.get("aliases") or []  # checked by the shape
        seg_objs[rel] = Segment(
            id=f"{chain_id}.{rel}", chain=chain_id, name=str(spec.get("name", "")).strip(),
            name_en=str(spec.get("name_en") or ""), stage=stage,
            level=level, weight=float(weight),
            parent=parent_seg.id if parent_seg else None, aliases=tuple(str(a) for a in aliases),
            description=str(spec.get("description") or ""),
            **_words(spec, ypath, problem), trade_counts=spec.get("trade_counts") is True)
    _check_names(seg_objs, by_path, problem)

    supplies = []
    names = supply_names(chain_id, seg_objs.values())
    raw_supplies = data.get("supplies") or []
    if not isinstance(raw_supplies, list):
        problem("supplies", "supplies must be a list of {from, to} edges")
        raw_supplies = []
    for i, edge in enumerate(raw_supplies):
        path = f"supplies[{i}]"
        if isinstance(edge, list) and len(edge) == 2:
            edge = {"from": edge[0], "to": edge[1]}
        if not isinstance(edge, dict):
            problem(path, "a supply edge is {from: SEGMENT, to: SEGMENT, weight: N}")
            continue
        known = report.count
        SUPPLY_SHAPE.check(edge, path, problem)
        if report.count > known:
            continue
        ends = []
        for end in ("from", "to"):
            rel = _supply_end(names, chain_id, edge.get(end), f"{path}.{end}", problem)
            ends.append(rel)
        weight = edge.get("weight", 1.0)
        if all(e in seg_objs for e in ends):
            a, b = (seg_objs[e].id for e in ends)
            if a == b or b.startswith(a + ".") or a.startswith(b + "."):
                problem(path, f"a segment cannot supply itself or its own subtree ({a} -> {b})")
                continue
            supplies.append((a, b, float(weight)))
    if len(report.problems) > before:
        return None
    return Chain(id=chain_id, name=str(data["name"]).strip(), name_en=str(data.get("name_en") or ""),
                 source=str(data.get("source") or ""), as_of=str(data.get("as_of") or ""),
                 segments=[seg_objs[r] for r in order], supplies=supplies,
                 **{k: v for k, v in _words(data, "", problem).items() if k != "exact"})


def supply_names(chain_id, segments):
    """The spellings a supply edge may name a segment by: its full id (``ic.materials.photoresist``),
    its id relative to the chain (``materials.photoresist``), its local id (``photoresist``, when
    no other segment of the chain has it), its names and its aliases."""
    index = NameIndex("segment")
    for seg in segments:
        rel = seg.id.removeprefix(f"{chain_id}.")
        index.add(seg.id, [rel, rel.rsplit(".", 1)[-1], seg.name, seg.name_en, *seg.aliases])
    return index


def _supply_end(names, chain_id, ref, path, problem):
    """The chain-relative id that ``ref`` names, or None (reported, with the closest segments)."""
    if ref is None:
        problem(path, "missing segment")
        return None
    try:
        return names.resolve(str(ref)).removeprefix(f"{chain_id}.")
    except (UnknownReferenceError, AmbiguousReferenceError) as err:
        problem(path, str(err))
        return None


def _words(spec, ypath, problem):
    """A segment's classification words: keywords of two characters or more, exclusions,
    and one-character words that count only as a whole enumeration item (``exact``)."""
    out = {}
    for key in ("keywords", "exclude", "exact"):
        words = spec.get(key) or []
        if not isinstance(words, list):
            continue  # reported by the shape
        good = []
        for i, word in enumerate(words):
            word = str(word).strip() if not isinstance(word, (list, dict)) else ""
            if not word:
                problem(f"{ypath}.{key}[{i}]".lstrip("."), f"empty word in {key}")
            elif key == "keywords" and len(word) < 2:
                problem(f"{ypath}.{key}[{i}]".lstrip("."), f"keyword {word!r} is one character: it would match inside "
                                               "other words; put it in exact, where it counts only as a "
                                               "whole item of an enumeration (稻、竹、柚)")
            else:
                good.append(word)
        out[key] = tuple(dict.fromkeys(good))
    return out


def _missing(spec, key):
    """Absent or blank (a value of the wrong kind is the shape's to report)."""
    return key not in spec or (isinstance(spec[key], str) and spec[key].strip() == "")


def _collect(items, path, parent, specs, problem):
    """Flatten nested segments into (yaml path, relative id, parent relative id, spec)."""
    if not isinstance(items, list):
        problem(path, "must be a list of segments")
        return
    for i, spec in enumerate(items):
        ypath = f"{path}[{i}]"
        if not isinstance(spec, dict):
            problem(ypath, "a segment must be a mapping with id and name")
            continue
        SEGMENT_SHAPE.check(spec, ypath, problem)
        local = spec.get("id")
        local = str(local) if isinstance(local, (str, int)) else local
        if not isinstance(local, str) or not all(ID_PATTERN.match(p) for p in local.split(".")):
            problem(f"{ypath}.id", f"segment id must match [a-z0-9_]+, got {local!r}")
            rel = None
        elif parent is not None:
            if spec.get("parent") is not None:
                problem(f"{ypath}.parent", "a nested segment takes its parent from its position")
            rel = f"{parent}.{local}"
        else:
            rel = local
        if _missing(spec, "name"):
            problem(f"{ypath}.name", "missing segment name")
        own_parent = parent
        if parent is None and spec.get("parent") is not None:
            own_parent = str(spec["parent"])
        specs.append((ypath, rel, own_parent, spec))
        if "children" in spec and rel is not None:
            _collect(spec["children"], f"{ypath}.children", rel, specs, problem)


def _check_tree(by_path, chain_id, problem):
    """PART_OF must be a tree: report every cycle once, at the segment that closes it."""
    reported = set()
    for start in by_path:
        seen = []
        node = start
        while node is not None and node not in seen:
            seen.append(node)
            node = by_path[node][1]
        if node is not None:
            cycle = seen[seen.index(node):]
            key = frozenset(cycle)
            if key not in reported:
                reported.add(key)
                ring = " -> ".join(f"{chain_id}.{n}" for n in cycle + [cycle[0]])
                problem(f"{by_path[cycle[0]][0]}.parent", f"PART_OF cycle: {ring}", type="cycle")
                for n in cycle:
                    by_path[n] = (by_path[n][0], None, by_path[n][2])


def _parents_first(by_path):
    kids = {}
    roots = []
    for rel in by_path:
        parent = by_path[rel][1]
        (kids.setdefault(parent, []) if parent is not None else roots).append(rel)
    out = []
    stack = list(reversed(roots))
    while stack:
        rel = stack.pop()
        out.append(rel)
        stack.extend(reversed(kids.get(rel, [])))
    return out


def _check_names(segs, by_path, problem):
    """Names and aliases must point to one segment within a chain."""
    owner = {}
    for rel, seg in segs.items():
        for name in {seg.name, *seg.aliases}:
            if not name:
                continue
            other = owner.setdefault(name, rel)
            if other != rel:
                problem(f"{by_path[rel][0]}.aliases" if name in seg.aliases else f"{by_path[rel][0]}.name",
                        f"name {name!r} is also used by {segs[other].id}")
