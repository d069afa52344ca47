"""How each enterprise came to its segments: the memberships with their evidence.

Registry exports name no segments; chainkg classifies them (see
:mod:`chainkg.loaders.classify`), and a planner checks the result here before relying
on a gap analysis built from it.
"""

from __future__ import annotations

from chainkg.graph.codes import found_in

__all__ = ["classification", "CLASSIFICATION_COLUMNS"]

CLASSIFICATION_COLUMNS = ["enterprise", "name", "region", "segment", "segment_name", "method", "evidence",
                          "confidence", "classification", "registration"]


def classification(graph, *, region=None, which="memberships"):
    """The memberships of the enterprises (of ``region`` and below), or the enterprises
    classification left without one.

    Parameters
    ----------
    graph : ChainGraph
    region : str, optional
        A region id or name; every enterprise when None.
    which : {"memberships", "unclassified", "trade_only"}
        ``memberships``: one row per enterprise and segment, with ``method`` (given,
        industry_code, scope_text, product, shenwan, manual; agreeing methods joined by
        ``+``), ``evidence`` quoted from the record and ``confidence``. ``unclassified``:
        enterprises whose record matched no segment; ``trade_only``: those whose only
        matches are trade clauses. Both with an empty segment.

    Returns
    -------
    DataFrame
        :data:`CLASSIFICATION_COLUMNS`.

    Examples
    --------
    >>> import chainkg
    >>> rows = classification(chainkg.load())
    >>> set(rows["method"]) <= {"given", "shenwan", "manual"} or rows["method"].str.contains("scope").any()
    True
    """
    if which not in ("memberships", "unclassified", "trade_only"):
        raise ValueError(f"which must be memberships, unclassified or trade_only, got {which!r}")
    ents = graph.enterprises
    if region is not None:
        ents = ents[found_in(ents["region"], graph.region_descendants(graph.resolve_region(region)))]
    ents = ents[["id", "name", "region", "classification", "registration"]].rename(columns={"id": "enterprise"})
    if which == "memberships":
        rows = graph.memberships.merge(ents, on="enterprise")
        rows["segment_name"] = rows["segment"].map({s: seg.name for s, seg in graph.segments.items()})
    else:
        rows = ents[ents["classification"] == which].assign(segment=None, segment_name=None, method=None,
                                                             evidence=None, confidence=None)
    return rows[CLASSIFICATION_COLUMNS].sort_values(["enterprise", "segment"], na_position="first",
                                                    ignore_index=True)
