"""Segment statuses and completeness computed by Cypher, in a database chainkg exported.

The definitions are those of :mod:`chainkg.queries.status` and
:mod:`chainkg.queries.coverage` (DESIGN §5): one Cypher statement aggregates the local
facts (enterprises, presence rows, projects in the region and below it) per segment,
derives the leaf statuses (with ``unresolved`` and ``planned`` via a segment above, and
``missing`` or ``unknown`` as the census sources that :data:`CENSUS_CYPHER` finds say),
and rolls them up to the segments above the leaves. Projects count through their
``TARGETS`` relationships, which the export writes from
:func:`chainkg.graph.project_targets.project_targets`. Python shapes the records into
the same tables as the in-memory queries and computes completeness with the same
function (:func:`chainkg.queries.evidence.completeness_table`).

Rows come out per chain in tree order, siblings sorted by id (Neo4j does not keep the
template's order). Priority scores need the whole supply graph and the national
candidate pool, so :func:`gaps_neo4j` reports statuses, actions and counts but no
priority terms.
"""

from __future__ import annotations

import pandas as pd

from chainkg.errors import AmbiguousReferenceError, UnknownReferenceError
from chainkg.graph.schema import ACTIVE_PROJECT_STATUSES
from chainkg.queries.coverage import Coverage, join_notes, placed_note
from chainkg.queries.evidence import completeness_table, evidence_frame, project_names
from chainkg.queries.gaps import GAP_COLUMNS, GapReport, gap_notes
from chainkg.queries.priority import ACTIONS
from chainkg.queries.settings import settings_for
from chainkg.queries.status import GAP_STATUSES

__all__ = ["STATUS_CYPHER", "CENSUS_CYPHER", "EVIDENCE_CYPHER", "PLANNED_BY_CYPHER", "PLACED_CYPHER",
           "segment_rows_neo4j",
           "leaf_status_neo4j", "coverage_neo4j", "gaps_neo4j"]

# Own facts name a segment directly; subtree facts are those of the segment and everything
# below it. Both are aggregated from the region side, so a district costs its own facts.
STATUS_CYPHER = """
MATCH (t:Region {id: $region})
OPTIONAL MATCH (t)<-[:PART_OF*0..]-(:Region)<-[:LOCATED_IN]-(e:Enterprise)
               -[o:OPERATES_IN]->(x:Segment)-[:PART_OF*0..]->(s:Segment)
WHERE x.chain IN $chains AND coalesce(e.registration, '') <> 'inactive'
// A membership listed negligible or with a share of 0 is no local enterprise (known absent).
WITH t, s, e, x = s AS own_row, coalesce(o.negligible, false) OR coalesce(o.share, -1.0) = 0 AS gone,
     o.share AS share
WITH t, s, e, max(CASE WHEN NOT gone THEN 1 ELSE 0 END) AS sub_in,
     max(CASE WHEN own_row AND NOT gone THEN 1 ELSE 0 END) AS own_in,
     max(CASE WHEN own_row AND gone THEN 1 ELSE 0 END) AS own_out,
     max(CASE WHEN own_row AND NOT gone THEN share END) AS own_share
WITH t, s, sum(sub_in) AS sub, sum(own_in) AS own, sum(own_out) AS absent,
     sum(coalesce(own_share, 0.0)) AS share, count(own_share) AS shared
WITH t, collect(CASE WHEN s IS NOT NULL THEN {id: s.id, sub: sub, own: own, absent: absent, share: share,
                                               shared: shared} END) AS ents
OPTIONAL MATCH (t)<-[:PART_OF*0..]-(:Region)-[p:HAS_PRESENCE]->(x:Segment)-[:PART_OF*0..]->(s:Segment)
WHERE x.chain IN $chains
WITH t, ents, s, count(p) AS rows, sum(coalesce(p.enterprises, 0)) AS cnt,
     count(CASE WHEN p.enterprises IS NULL THEN 1 END) > 0 AS flag,
     sum(CASE WHEN x = s THEN coalesce(p.enterprises, 0) ELSE 0 END) AS own_cnt,
     count(CASE WHEN x = s AND p.enterprises IS NULL THEN 1 END) > 0 AS own_flag
WITH t, ents, collect(CASE WHEN s IS NOT NULL THEN {id: s.id, rows: rows, cnt: cnt, flag: flag,
                                                    own_cnt: own_cnt, own_flag: own_flag} END) AS pres
OPTIONAL MATCH (t)<-[:PART_OF*0..]-(:Region)<-[:LOCATED_IN]-(pr:Project)
               -[:TARGETS]->(x:Segment)-[:PART_OF*0..]->(s:Segment)
WHERE x.chain IN $chains
WITH ents, pres, s, count(DISTINCT CASE WHEN pr.status IN $active THEN pr END) AS act,
     count(DISTINCT CASE WHEN pr.status = 'in_production' THEN pr END) AS prod,
     count(CASE WHEN x = s AND pr.status IN $active THEN 1 END) AS own_act,
     count(CASE WHEN x = s AND pr.status = 'in_production' THEN 1 END) AS own_prod
WITH ents, pres, collect(CASE WHEN s IS NOT NULL THEN {id: s.id, act: act, prod: prod, own_act: own_act,
                                                       own_prod: own_prod} END) AS projs
MATCH (s:Segment) WHERE s.chain IN $chains
WITH s, head([f IN ents WHERE f.id = s.id]) AS fe, head([f IN pres WHERE f.id = s.id]) AS fp,
     head([f IN projs WHERE f.id = s.id]) AS fq
WITH collect({id: s.id, own_ent: coalesce(fe.own, 0), sub_ent: coalesce(fe.sub, 0),
              own_absent: coalesce(fe.absent, 0), own_share: coalesce(fe.share, 0.0),
              own_shared: coalesce(fe.shared, 0),
              own_pc: coalesce(fp.own_cnt, 0), own_pf: coalesce(fp.own_flag, false),
              sub_rows: coalesce(fp.rows, 0), sub_pc: coalesce(fp.cnt, 0), sub_pf: coalesce(fp.flag, false),
              own_act: coalesce(fq.own_act, 0), own_prod: coalesce(fq.own_prod, 0),
              sub_act: coalesce(fq.act, 0), sub_prod: coalesce(fq.prod, 0)}) AS facts

// Leaves: own facts first, then the nearest segment above with facts (active before planned).
UNWIND facts AS f
MATCH (s:Segment {id: f.id})
WITH facts, f, s, NOT EXISTS { (:Segment)-[:PART_OF]->(s) } AS leaf,
     [(s)-[:PART_OF]->(p:Segment) | p.id] AS parents,
     [path = (s)-[:PART_OF*1..]->(a:Segment) | {id: a.id, depth: length(path) - 1}] AS ancs
WITH facts, f, s, leaf, parents,
     [x IN ancs | {id: x.id, depth: x.depth, f: head([y IN facts WHERE y.id = x.id])}] AS ancs
WITH facts, f, s, leaf, parents, f.own_ent + f.own_pc AS local_count,
     reduce(b = null, x IN [x IN ancs WHERE x.f.own_ent + x.f.own_pc > 0 OR x.f.own_pf OR x.f.own_prod > 0] |
            CASE WHEN b IS NULL OR x.depth < b.depth THEN x ELSE b END) AS near_active,
     reduce(b = null, x IN [x IN ancs WHERE x.f.own_act > 0] |
            CASE WHEN b IS NULL OR x.depth < b.depth THEN x ELSE b END) AS near_planned
WITH facts, f, s, leaf, parents, local_count, near_active, near_planned,
     local_count > 0 OR f.own_pf OR f.own_act > 0 OR f.own_prod > 0 AS own_any,
     CASE WHEN f.own_shared > 0 THEN f.own_share >= $strong_share - 1e-9 ELSE local_count >= $strong_min END
     OR f.own_pf OR f.own_prod > 0 AS present
WITH f, s, leaf, parents, local_count, present,
     CASE WHEN present THEN 'present'
          WHEN local_count >= 1 THEN 'weak'
          WHEN f.own_act > 0 THEN 'planned'
          WHEN f.own_absent > 0 THEN 'missing'
          WHEN near_active IS NOT NULL THEN 'unresolved'
          WHEN near_planned IS NOT NULL THEN 'planned'
          WHEN s.chain IN $census THEN 'missing'
          ELSE 'unknown' END AS leaf_status,
     CASE WHEN own_any OR f.own_absent > 0 THEN null ELSE coalesce(near_active.id, near_planned.id) END AS via
WITH collect({f: f, leaf: leaf, parent: head(parents), local_count: local_count,
              status: leaf_status, via: via, chain: s.chain, weight: s.weight}) AS rows

// Segments above the leaves: the same rule over their subtree, else what their leaves say.
UNWIND rows AS r
MATCH (s:Segment {id: r.f.id})
WITH rows, r, s, [(l:Segment)-[:PART_OF*1..]->(s) WHERE NOT EXISTS { (:Segment)-[:PART_OF]->(l) } | l.id] AS below
WITH r, s, [x IN rows WHERE x.f.id IN below | x.status] AS below_status,
     r.f.sub_ent + r.f.sub_pc AS sub_count
WITH r, s, CASE WHEN r.leaf THEN r.status
     WHEN sub_count >= $strong_min OR r.f.sub_pf OR r.f.sub_prod > 0 THEN 'present'
     WHEN sub_count >= 1 THEN 'weak'
     WHEN 'planned' IN below_status THEN 'planned'
     WHEN 'unresolved' IN below_status THEN 'unresolved'
     WHEN 'unknown' IN below_status THEN 'unknown'
     ELSE 'missing' END AS status
WITH r.chain AS chain, collect(r {.*, status: status, id: s.id, name: s.name, stage: s.stage,
                                  level: s.level}) AS segs
RETURN chain, segs
"""

# The census sources that cover the region (or a region above it), per chain asked about.
CENSUS_CYPHER = """
MATCH (t:Region {id: $region})-[:PART_OF*0..]->(a:Region)
WITH collect(DISTINCT a.id) AS above
MATCH (src:Source) WHERE src.coverage = 'census'
WITH above, src, [x IN split(coalesce(src.census_regions, ''), ';') WHERE x <> ''] AS regions,
     [x IN split(coalesce(src.census_chains, ''), ';') WHERE x <> ''] AS chains
WHERE size(regions) = 0 OR any(x IN regions WHERE x IN above)
UNWIND $chains AS chain
WITH src, chain, chains WHERE size(chains) = 0 OR chain IN chains
RETURN chain, collect(src.id) AS sources
"""

# The sources of the facts that name a segment of each chain, in the region and below it.
EVIDENCE_CYPHER = """
MATCH (t:Region {id: $region})
CALL {
  WITH t
  MATCH (t)<-[:PART_OF*0..]-(:Region)<-[:LOCATED_IN]-(e:Enterprise)-[o:OPERATES_IN]->(x:Segment)
  WHERE x.chain IN $chains AND coalesce(e.registration, '') <> 'inactive'
  RETURN x.chain AS chain, o.source AS source
  UNION
  WITH t
  MATCH (t)<-[:PART_OF*0..]-(:Region)-[p:HAS_PRESENCE]->(x:Segment) WHERE x.chain IN $chains
  RETURN x.chain AS chain, p.source AS source
  UNION
  WITH t
  MATCH (t)<-[:PART_OF*0..]-(:Region)<-[:LOCATED_IN]-(pr:Project)-[:TARGETS]->(x:Segment)
  WHERE x.chain IN $chains
  RETURN x.chain AS chain, pr.source AS source
}
WITH chain, source WHERE source IS NOT NULL
RETURN chain, collect(DISTINCT source) AS sources
"""

# Projects (in the region and below) placed in a segment they do not name: method and evidence.
PLACED_CYPHER = """
MATCH (t:Region {id: $region})<-[:PART_OF*0..]-(:Region)<-[:LOCATED_IN]-(pr:Project)-[r:TARGETS]->(x:Segment)
WHERE x.chain IN $chains AND r.method IS NOT NULL
RETURN x.id AS segment, collect([pr.name, r.evidence]) AS placed
"""

# The active projects (in the region and below) targeting each segment: what makes it planned.
PLANNED_BY_CYPHER = """
MATCH (t:Region {id: $region})<-[:PART_OF*0..]-(:Region)<-[:LOCATED_IN]-(pr:Project)-[:TARGETS]->(x:Segment)
WHERE x.chain IN $chains AND pr.status IN $active
RETURN x.id AS segment, collect(DISTINCT pr.name) AS names
"""


def _resolve(store, label, ref):
    """The id of the ``label`` node whose id, name or English name is ``ref``."""
    rows = store.read(f"MATCH (n:{label}) WHERE n.id = $ref OR n.name = $ref OR n.name_en = $ref "
                      "RETURN DISTINCT n.id AS id ORDER BY id", {"ref": str(ref)})
    ids = [r["id"] for r in rows]
    if len(ids) > 1:
        if str(ref) in ids:
            return str(ref)
        raise AmbiguousReferenceError(label.lower(), ref, ids)
    if not ids:
        raise UnknownReferenceError(label.lower(), ref)
    return ids[0]


def _resolve_scope(store, region, chains):
    if region is None:
        raise UnknownReferenceError("region", None, ["name one with --region"])
    region_id = _resolve(store, "Region", region)
    if chains is None or (not isinstance(chains, str) and len(chains) == 0):
        chain_ids = [r["id"] for r in store.read("MATCH (c:Chain) RETURN c.id AS id ORDER BY id")]
    else:
        chain_ids = list(dict.fromkeys(_resolve(store, "Chain", c)
                                       for c in ([chains] if isinstance(chains, str) else chains)))
    return region_id, chain_ids


def _tree_order(segs):
    """Segments of one chain parents first, siblings by id."""
    children = {}
    for s in segs:
        children.setdefault(s["parent"], []).append(s)
    out, stack = [], sorted(children.get(None, []), key=lambda s: s["id"], reverse=True)
    while stack:
        s = stack.pop()
        out.append(s)
        stack.extend(sorted(children.get(s["id"], []), key=lambda c: c["id"], reverse=True))
    return out


def segment_rows_neo4j(store, region, chains=None, *, strong_min=3, strong_share=0.10):
    """Run :data:`STATUS_CYPHER`; return (region id, chain ids, evidence table, segment rows).

    The evidence table is :func:`chainkg.queries.evidence.evidence_frame`'s, from
    :data:`CENSUS_CYPHER` and :data:`EVIDENCE_CYPHER`.
    """
    region_id, chain_ids = _resolve_scope(store, region, chains)
    params = {"region": region_id, "chains": chain_ids}
    census = {r["chain"]: r["sources"] for r in store.read(CENSUS_CYPHER, params)}
    found = {(region_id, r["chain"]): r["sources"] for r in store.read(EVIDENCE_CYPHER, params)}
    coverage = {r["id"]: r["coverage"] for r in store.read("MATCH (s:Source) RETURN s.id AS id, "
                                                           "s.coverage AS coverage")}
    evidence = evidence_frame([region_id], chain_ids, found,
                              {(region_id, c): v for c, v in census.items()}, coverage)
    records = store.read(STATUS_CYPHER, {**params, "strong_min": int(strong_min),
                                         "strong_share": float(strong_share),
                                         "active": list(ACTIVE_PROJECT_STATUSES),
                                         "census": [c for c in chain_ids if census.get(c)]})
    by_chain = {r["chain"]: r for r in records}
    segs = []
    for cid in chain_ids:
        if cid in by_chain:
            segs += _tree_order(by_chain[cid]["segs"])
    planned_by = {r["segment"]: r["names"] for r in store.read(
        PLANNED_BY_CYPHER, {**params, "active": list(ACTIVE_PROJECT_STATUSES)})}
    for x in segs:
        x["planned_by"] = (project_names(planned_by.get(x["via"] or x["id"], []))
                           if x["status"] == "planned" and x["leaf"] else "")
    return region_id, chain_ids, evidence, segs


def _region_name(store, region_id):
    rows = store.read("MATCH (r:Region {id: $id}) RETURN r.name AS name", {"id": region_id})
    return rows[0]["name"] if rows else region_id


def _completeness_table(region_id, chain_ids, evidence, leaves):
    """The in-memory definition (:func:`~chainkg.queries.evidence.completeness_table`) on these leaves."""
    status = _leaf_frame(region_id, leaves)
    status = status[status["chain"].isin(chain_ids)]
    return completeness_table(status, evidence)


def leaf_status_neo4j(store, region, chains=None, *, strong_min=3, strong_share=0.10):
    """Status of every leaf: the first columns of :func:`chainkg.queries.status.segment_status`.

    Parameters
    ----------
    store : chainkg.graph.neo4j_store.Neo4jStore
        A database chainkg exported to.
    region : str
        Region id or name.
    chains : str or list of str, optional
        Chain ids or names (all chains in the database when None).
    strong_min : int
        Local enterprises for a segment to count as present.
    strong_share : float
        Where memberships give shares, the total local share for it to count as present.

    Returns
    -------
    DataFrame
    """
    region_id, _, _, segs = segment_rows_neo4j(store, region, chains, strong_min=strong_min,
                                               strong_share=strong_share)
    return _leaf_frame(region_id, segs)


def _leaf_frame(region_id, segs):
    rows = [{"region": region_id, "chain": s["chain"], "segment": s["id"], "parent": s["parent"],
             "weight": s["weight"], "status": s["status"], "enterprises": s["f"]["own_ent"],
             "local_count": s["local_count"], "presence_flag": s["f"]["own_pf"],
             "projects_active": s["f"]["own_act"], "projects_producing": s["f"]["own_prod"],
             "share": float(s["f"]["own_share"]) if s["f"]["own_shared"] else float("nan"),
             "absent": s["f"]["own_absent"], "via": s["via"], "planned_by": s["planned_by"]}
            for s in segs if s["leaf"]]
    return pd.DataFrame(rows, columns=["region", "chain", "segment", "parent", "weight", "status",
                                       "enterprises", "local_count", "presence_flag",
                                       "projects_active", "projects_producing", "share", "absent", "via",
                                       "planned_by"])


def _note(status, via, via_name):
    if status == "unresolved" and via:
        return f"present at the level of {via_name} ({via}); which {via_name} is unknown"
    if status == "planned" and via:
        return f"a project targets {via_name} ({via})"
    return ""


def _presence_text(f):
    rows, count = f["sub_rows"], f["sub_pc"]
    if not rows:
        return ""
    return f"{rows} presence row{'s' if rows > 1 else ''}" + (f", {count} enterprises counted" if count else "")


def coverage_neo4j(store, region, chains=None, **settings):
    """Status of every segment of ``chains`` in ``region``, like :func:`chainkg.queries.coverage`.

    Returns
    -------
    Coverage
        The same columns as the in-memory query.
    """
    s = settings_for(None, **settings)
    region_id, chain_ids, evidence, segs = segment_rows_neo4j(store, region, chains,
                                                              strong_min=s.strong_min,
                                                              strong_share=s.strong_share)
    names = {x["id"]: x["name"] for x in segs}
    placed = {r["segment"]: [tuple(p) for p in r["placed"]] for r in store.read(
        PLACED_CYPHER, {"region": region_id, "chains": chain_ids})}
    rows = [{"chain": x["chain"], "segment": x["id"], "name": "  " * (int(x["level"]) - 1) + x["name"],
             "stage": x["stage"], "status": x["status"], "local_enterprises": x["f"]["sub_ent"],
             "presence": _presence_text(x["f"]), "projects": x["f"]["sub_act"] + x["f"]["sub_prod"],
             "note": join_notes(_note(x["status"], x["via"], names.get(x["via"])),
                                placed_note(placed.get(x["id"], ())))} for x in segs]
    comp = _completeness_table(region_id, chain_ids, evidence, segs)
    comp.insert(1, "region_name", _region_name(store, region_id))
    return Coverage(segments=pd.DataFrame(rows), completeness=comp)


ACTION_CYPHER = """
UNWIND $leaves AS leaf
MATCH (s:Segment {id: leaf})
OPTIONAL MATCH (s)-[:PART_OF*0..]->(:Segment)<-[:SUPPLIES]-(:Segment)<-[:PART_OF*0..]-(u:Segment)
WHERE u <> s AND u.id IN $active AND NOT EXISTS { (:Segment)-[:PART_OF]->(u) }
WITH s, count(u) > 0 AS up
OPTIONAL MATCH (s)-[:PART_OF*0..]->(:Segment)-[:SUPPLIES]->(:Segment)<-[:PART_OF*0..]-(d:Segment)
WHERE d <> s AND d.id IN $active AND NOT EXISTS { (:Segment)-[:PART_OF]->(d) }
RETURN s.id AS segment, up, count(d) > 0 AS down
"""


def gaps_neo4j(store, region, chains=None, **settings):
    """Completeness and the non-present leaves with their actions, computed by Cypher.

    Supply edges declared on a parent apply to every leaf below it, as in memory.
    The priority terms are NaN: they need the whole supply graph and the national
    candidate pool, which stay with the in-memory :func:`chainkg.queries.gaps`.

    Returns
    -------
    GapReport
    """
    s = settings_for(None, **settings)
    region_id, chain_ids, evidence, segs = segment_rows_neo4j(store, region, chains,
                                                              strong_min=s.strong_min,
                                                              strong_share=s.strong_share)
    status = _leaf_frame(region_id, segs)
    info = {r["id"]: r for r in store.read(
        "MATCH (s:Segment) WHERE s.chain IN $chains OPTIONAL MATCH (s)-[:PART_OF]->(p:Segment) "
        "RETURN s.id AS id, s.name AS name, s.stage AS stage, p.name AS parent_name",
        {"chains": chain_ids})}
    chains_named = {r["id"]: r["name"] for r in store.read(
        "MATCH (c:Chain) WHERE c.id IN $chains RETURN c.id AS id, c.name AS name", {"chains": chain_ids})}
    active = status.loc[status["status"].isin(("present", "weak", "unresolved")), "segment"].tolist()
    g = status[status["status"].isin(GAP_STATUSES)].copy()
    g["note"] = gap_notes(g)
    sides = {r["segment"]: (r["up"], r["down"]) for r in store.read(
        ACTION_CYPHER, {"leaves": g["segment"].tolist(), "active": active})}

    def action(row):
        up, down = sides.get(row["segment"], (False, False))
        if row["status"] == "weak":
            return ACTIONS["strengthen"]
        return ACTIONS["fill"] if up and down else ACTIONS["extend"] if up or down else ACTIONS["build"]

    region_name = _region_name(store, region_id)
    g["region_name"] = region_name
    g["name"] = g["segment"].map(lambda x: info[x]["name"])
    g["parent_name"] = g["segment"].map(lambda x: info[x]["parent_name"] or "")
    g["stage"] = g["segment"].map(lambda x: info[x]["stage"])
    g["action"] = [action(r) for r in g.to_dict("records")] if len(g) else []
    g["local_enterprises"] = g["enterprises"]
    g["projects"] = g["projects_active"] + g["projects_producing"]
    g["candidates"] = pd.NA
    g = g.reindex(columns=GAP_COLUMNS)
    comp = _completeness_table(region_id, chain_ids, evidence, segs)
    comp.insert(1, "region_name", region_name)
    comp.insert(3, "chain_name", comp["chain"].map(chains_named))
    return GapReport(completeness=comp, gaps=g.reset_index(drop=True), settings=s)

