"""Node positions of a chain map, computed in Python (no physics in the browser).

Each chain is a band of its own; the bands are packed in rows so that the whole map
has about the shape of a screen. Within a band
the segments stand in three columns by stage, upstream on the left and downstream on
the right, each column an outline of the segment tree: a segment's children are on
the rows right below it, indented. The enterprises and projects drawn beside a
segment fill a grid to the right of its column, and the segment's row grows to hold
them, so nothing overlaps however many there are.
"""

from __future__ import annotations

import math

from chainkg.graph.schema import STAGES

__all__ = ["stage_layout", "Layout"]

ROW = 64            # height of a segment row
INDENT = 50         # x offset per level of the segment tree
LABEL_ROOM = 190    # between the deepest segment of a column and its grid of attached nodes
CELL_W, CELL_H = 200, 32
PER_ROW = 4         # attached nodes per grid row
COLUMN_GAP = 140
CHAIN_GAP = 120
CHAIN_X = -260
ASPECT = 2.4         # width / height of the map below the page header on a laptop screen


class Layout(dict):
    """Positions ``{node id: (x, y)}``, with ``columns``: (stage, x, top y) of each column."""

    columns: list


def stage_layout(chains, attached=None):
    """Place chains, segments and the nodes attached to segments.

    Parameters
    ----------
    chains : list of (chain id, list of (segment id, stage, depth))
        The segments of each chain in tree order (parents before children); depth 0
        for a top-level segment. A stage outside upstream/midstream/downstream gets a
        column of its own, right of the others.
    attached : dict of str to list of str, optional
        Segment id -> ids of the nodes drawn beside it, in order.

    Returns
    -------
    Layout

    Examples
    --------
    >>> pos = stage_layout([("C", [("a", "upstream", 0), ("a.x", "upstream", 1),
    ...                            ("b", "downstream", 0)])], {"a.x": ["e1", "e2"]})
    >>> pos["a"], pos["a.x"], pos["b"][1]
    ((0, 0), (50, 64), 0)
    >>> pos["e1"][1] == pos["a.x"][1] and pos["e2"][0] > pos["e1"][0] > pos["a.x"][0]
    True
    >>> pos["b"][0] > pos["e2"][0]
    True
    >>> [stage for stage, x, y in pos.columns]
    ['upstream', 'downstream']
    """
    attached = attached or {}
    found = {stage for _, segs in chains for _, stage, _ in segs}
    stages = list(STAGES) + sorted(found - set(STAGES))
    depth = dict.fromkeys(stages, 0)
    lane = dict.fromkeys(stages, 0)
    for _, segs in chains:
        for sid, stage, d in segs:
            depth[stage] = max(depth[stage], d)
            lane[stage] = max(lane[stage], min(len(attached.get(sid, ())), PER_ROW))
    x0, x = {}, 0
    for stage in stages:
        x0[stage] = x
        x += depth[stage] * INDENT + LABEL_ROOM + lane[stage] * CELL_W + COLUMN_GAP

    bands = []
    for chain_id, segs in chains:
        band, y = {}, dict.fromkeys(stages, 0)
        for sid, stage, d in segs:
            band[sid] = (x0[stage] + d * INDENT, y[stage])
            grid_x = x0[stage] + depth[stage] * INDENT + LABEL_ROOM
            items = attached.get(sid, ())
            for i, item in enumerate(items):
                r, c = divmod(i, PER_ROW)
                band[item] = (grid_x + c * CELL_W, y[stage] + r * CELL_H)
            y[stage] += max(ROW, math.ceil(len(items) / PER_ROW) * CELL_H + CELL_H)
        band[chain_id] = (CHAIN_X, 0)
        bands.append((band, max(y.values())))
    return _pack(bands, x - COLUMN_GAP - CHAIN_X, x0, found)


def _pack(bands, width, x0, stages):
    """Put the chain bands in rows, as many per row as brings the whole closest to ASPECT."""
    def size(per_row):
        rows = [bands[i:i + per_row] for i in range(0, len(bands), per_row)]
        height = sum(max(h for _, h in row) for row in rows) + CHAIN_GAP * (len(rows) - 1)
        return rows, per_row * width + CHAIN_GAP * (per_row - 1), height

    best = min(range(1, len(bands) + 1) or [1], key=lambda k: abs(math.log(
        max(size(k)[1], 1) / max(size(k)[2], 1) / ASPECT)))
    rows, _, _ = size(best)
    pos, top = Layout(), 0
    pos.columns = []
    for row in rows:
        for j, (band, _) in enumerate(row):
            left = j * (width + CHAIN_GAP)
            pos.update({key: (x + left, y + top) for key, (x, y) in band.items()})
            pos.columns += [(stage, x0[stage] + left, top) for stage in x0 if stage in stages]
        top += max(h for _, h in row) + CHAIN_GAP
    return pos
