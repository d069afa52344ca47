"""The schema: node kinds, relation types, table columns and status words.

Declared once here and used by loaders, queries, visualisation and export alike.
Neo4j labels and relation types are taken from this module only, never from data.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "NodeKind",
    "RelType",
    "NODE_KINDS",
    "REL_TYPES",
    "TABLE_COLUMNS",
    "REQUIRED_COLUMNS",
    "STAGES",
    "REGION_LEVELS",
    "PROJECT_STATUSES",
    "PROJECT_STATUS_WORDS",
    "ACTIVE_PROJECT_STATUSES",
    "SEGMENT_STATUSES",
    "SOURCE_COVERAGES",
    "DEFAULT_COVERAGE",
    "ENTERPRISE_FLAGS",
    "normalize_project_status",
    "normalize_flag",
    "normalize_coverage",
]


@dataclass(frozen=True)
class NodeKind:
    """A kind of node: its Neo4j label, key property and main properties."""

    label: str
    key: str
    properties: tuple[str, ...]


@dataclass(frozen=True)
class RelType:
    """A relation type with the node kinds it connects."""

    name: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    properties: tuple[str, ...] = ()


NODE_KINDS = {
    k.label: k
    for k in (
        NodeKind("Chain", "id", ("name", "name_en", "source", "as_of")),
        NodeKind("Segment", "id", ("name", "name_en", "chain", "stage", "level", "weight",
                                   "aliases", "description")),
        NodeKind("Product", "id", ("name",)),
        NodeKind("Region", "id", ("name", "name_en", "level", "parent", "source", "as_of")),
        NodeKind("Enterprise", "id", ("name", "region", "output_cny", "employees", "flags",
                                      "main_business", "confidence", "region_source",
                                      "region_confidence", "source", "as_of", "credit_code", "industry",
                                      "registered_capital", "capital_currency", "registration",
                                      "classification")),
        NodeKind("Project", "id", ("name", "enterprise", "region", "segment", "investment_cny",
                                   "status", "signed_on", "started_on", "production_on",
                                   "expected_output_cny", "note", "source", "as_of")),
        # What a source covers (census or mentions): the Neo4j backend reads it as memory does.
        NodeKind("Source", "id", ("title", "publisher", "published", "as_of", "url", "note", "coverage",
                                  "census_regions", "census_chains")),
    )
}

REL_TYPES = {
    r.name: r
    for r in (
        RelType("PART_OF", ("Segment", "Region"), ("Segment", "Chain", "Region")),
        RelType("SUPPLIES", ("Segment",), ("Segment",), ("weight",)),
        RelType("OPERATES_IN", ("Enterprise",), ("Segment",), ("share", "negligible", "method", "confidence", "evidence",
                                                              "source", "as_of")),
        RelType("LOCATED_IN", ("Enterprise", "Project"), ("Region",)),
        # method and evidence where the project names no segment (its enterprise's, its name's)
        RelType("TARGETS", ("Project",), ("Segment",), ("method", "evidence")),
        RelType("BY", ("Project",), ("Enterprise",)),
        RelType("SUPPLIES_TO", ("Enterprise",), ("Enterprise",), ("product", "weight", "source", "as_of")),
        # An aggregate fact: the source says the region has the segment (count may be unknown).
        RelType("HAS_PRESENCE", ("Region",), ("Segment",), ("enterprises", "note", "source", "as_of")),
    )
}

#: Columns of the fact tables inside a ChainGraph, in order.
TABLE_COLUMNS = {
    # coverage: census (a complete list of enterprises) or mentions (positive evidence only);
    # census_regions and census_chains: ;-separated ids the census covers (empty: all)
    "sources": ["id", "title", "publisher", "published", "as_of", "url", "note", "coverage",
                "census_regions", "census_chains"],
    "regions": ["id", "name", "name_en", "level", "parent", "source", "as_of"],
    "enterprises": ["id", "name", "region", "flags", "output_cny", "employees", "main_business",
                    "confidence", "region_source", "region_confidence", "source", "as_of",
                    # what registry exports say (see chainkg.loaders.registry, .classify)
                    "credit_code", "address", "industry", "scope", "products", "registered_capital",
                    "capital_currency", "registration", "classification"],
    # method: given, industry_code, scope_text, product (joined by + when they agree), shenwan, manual
    # share: of the segment's supply, 0-1 (empty: not known); negligible: listed with a share too small to state
    "memberships": ["enterprise", "segment", "share", "negligible", "source", "as_of", "method", "evidence",
                    "confidence"],
    "projects": ["id", "name", "enterprise", "region", "segment", "investment_cny", "status",
                 "signed_on", "started_on", "production_on", "expected_output_cny", "note",
                 "source", "as_of"],
    "presence": ["region", "segment", "enterprises", "note", "source", "as_of"],
    "links": ["supplier", "customer", "product", "weight", "source", "as_of"],
    "figures": ["region", "metric", "value", "unit", "period", "note", "source"],
}

#: Columns a loaded table must provide (after header mapping).
REQUIRED_COLUMNS = {
    "sources": ["id"],
    "regions": ["id", "name"],
    "enterprises": ["name", "source"],
    "projects": ["name", "region", "status", "source"],
    "presence": ["region", "segment", "source"],
    "links": ["supplier", "customer", "source"],
    "figures": ["region", "metric", "value", "source"],
    "overrides": ["enterprise"],
    "memberships": ["enterprise", "segment", "source"],
}

STAGES = ("upstream", "midstream", "downstream")
REGION_LEVELS = ("country", "province", "city", "district", "park")

#: Project statuses in pipeline order.
PROJECT_STATUSES = ("intent", "signed", "landed", "under_construction", "in_production")

#: Words accepted for each project status (Chinese as planners write them).
PROJECT_STATUS_WORDS = {
    "intent": ("intent", "意向", "洽谈", "在谈", "意向签约"),
    "signed": ("signed", "签约", "已签约", "签订"),
    "landed": ("landed", "落地", "已落地"),
    "under_construction": ("under_construction", "under construction", "在建", "开工", "已开工",
                           "建设中", "started"),
    "in_production": ("in_production", "in production", "投产", "已投产", "试生产", "达产",
                      "producing"),
}
_STATUS_LOOKUP = {w.lower(): s for s, words in PROJECT_STATUS_WORDS.items() for w in words}

#: Project statuses that make a segment "planned" rather than missing.
ACTIVE_PROJECT_STATUSES = ("intent", "signed", "landed", "under_construction")

#: ``missing`` only where a census covers the region and chain; ``unknown`` (待摸底) elsewhere.
SEGMENT_STATUSES = ("present", "weak", "planned", "missing", "unresolved", "unknown")

#: What a source covers: ``census``, a complete list of a region's enterprises (a registry
#: export, a 四上企业名录), where absence of a fact is evidence of absence; ``mentions``,
#: positive evidence only (an article, a policy text, a list of examples).
SOURCE_COVERAGES = ("census", "mentions")
#: The coverage of a source that does not declare one (and of a fact whose source is not listed).
DEFAULT_COVERAGE = "mentions"
COVERAGE_WORDS = {
    "census": ("census", "普查", "名录", "全量", "企业名录", "registry"),
    "mentions": ("mentions", "mention", "提及", "举例", "文章", "article", "examples"),
}
_COVERAGE_LOOKUP = {w.lower(): c for c, words in COVERAGE_WORDS.items() for w in words}

#: Enterprise flags: canonical English id -> accepted words.
ENTERPRISE_FLAGS = {
    "above_scale": ("above_scale", "规上", "规模以上", "规上企业", "规模以上企业", "规模以上工业企业"),
    "srdi": ("srdi", "专精特新", "专精特新中小企业", "专精特新企业"),
    "little_giant": ("little_giant", "小巨人", "专精特新小巨人", "专精特新小巨人企业", "专精特新“小巨人”企业",
                     "国家级专精特新小巨人企业"),
    "high_tech": ("high_tech", "高新技术", "高新技术企业", "高企"),
    "listed": ("listed", "上市", "上市公司", "上市企业"),
    # 链主 or 龙头: its landed or producing projects pull their upstream (see queries/priority.py)
    "anchor": ("anchor", "链主", "链主企业", "龙头", "龙头企业"),
    "tech_sme": ("tech_sme", "科技型中小企业", "科技型企业"),
}
_QUOTES = str.maketrans("", "", "“”\"「」『』‘’'")  # 专精特新“小巨人” is 专精特新小巨人
_FLAG_LOOKUP = {w.lower().translate(_QUOTES): f for f, words in ENTERPRISE_FLAGS.items() for w in words}


def normalize_project_status(value):
    """Return the canonical project status for ``value``, or None if it is not one.

    Examples
    --------
    >>> normalize_project_status("在建")
    'under_construction'
    >>> normalize_project_status("Signed")
    'signed'
    >>> normalize_project_status("maybe") is None
    True
    """
    return _STATUS_LOOKUP.get(str(value).strip().lower())


def normalize_flag(value):
    """Return the canonical enterprise flag for ``value``, or None.

    Examples
    --------
    >>> normalize_flag("专精特新")
    'srdi'
    """
    return _FLAG_LOOKUP.get(str(value).strip().lower().translate(_QUOTES))


def normalize_coverage(value):
    """Return the canonical source coverage for ``value`` (the default when empty), or None.

    Examples
    --------
    >>> normalize_coverage("普查"), normalize_coverage(""), normalize_coverage("maybe")
    ('census', 'mentions', None)
    """
    text = str(value).strip().lower()
    return DEFAULT_COVERAGE if not text else _COVERAGE_LOOKUP.get(text)
