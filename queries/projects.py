"""Anchor projects (链主 or 龙头 projects), and the project placement queries use.

An **anchor project** is a landed, started or producing project whose investment
reaches ``anchor_min_cny`` (default 10亿元) or whose enterprise is flagged ``anchor``
(链主, 龙头企业). Its upstream supply neighbours get the ``anchor`` priority term
(see :mod:`chainkg.queries.priority`). Where a project without a segment counts is
:func:`chainkg.graph.project_targets.project_targets`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainkg.graph.codes import found_in
from chainkg.graph.project_targets import PROJECT_TARGET_COLUMNS

__all__ = ["project_targets", "anchor_projects", "PROJECT_TARGET_COLUMNS", "ANCHOR_STATUSES"]

#: Stages at which a project anchors a chain: its site and approvals are secured.
ANCHOR_STATUSES = ("landed", "under_construction", "in_production")


def project_targets(graph):
    """One row per (project, segment) the project counts for (cached on the graph)."""
    return graph.project_targets


def anchor_projects(graph, settings):
    """The rows of :func:`project_targets` that are anchor projects under ``settings``."""
    key = ("anchor_projects", settings.anchor_min_cny)  # the same for every region: cached on the graph
    if key not in graph.cache:
        t = project_targets(graph)
        t = t[t["status"].isin(ANCHOR_STATUSES)]
        big = pd.to_numeric(t["investment_cny"], errors="coerce").fillna(0) >= settings.anchor_min_cny
        graph.cache[key] = t[big | found_in(t["enterprise"], _anchor_enterprises(graph))]
    return graph.cache[key]


def _anchor_enterprises(graph):
    """Ids of the enterprises flagged ``anchor`` (链主, 龙头企业); cached on the graph."""
    if "anchor_enterprises" not in graph.cache:
        e = graph.enterprises
        code, sets = pd.factorize(e["flags"])  # a few distinct ;-joined sets: each looked at once
        anchored = np.array([*("anchor" in str(f).split(";") for f in sets), False])  # the last: no flags
        graph.cache["anchor_enterprises"] = sorted(set(e["id"][anchored[code]])) if anchored.any() else []
    return graph.cache["anchor_enterprises"]
