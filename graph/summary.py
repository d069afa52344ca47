"""What a ChainGraph holds: counts by kind, by chain, by region and by source."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["Summary", "summarize", "segment_tree"]

FACT_TABLES = ("regions", "enterprises", "memberships", "projects", "presence", "links", "figures")


@dataclass
class Summary:
    """Counts of a graph, as tables."""

    name: str
    as_of: str
    counts: pd.DataFrame
    chains: pd.DataFrame
    regions: pd.DataFrame
    sources: pd.DataFrame

    def tables(self):
        return {"counts": self.counts, "chains": self.chains, "regions": self.regions,
                "sources": self.sources}

    def to_dict(self):
        return {"name": self.name, "as_of": self.as_of,
                **{k: v.to_dict("records") for k, v in self.tables().items()}}


def summarize(graph):
    """Count what ``graph`` holds.

    Examples
    --------
    >>> import chainkg
    >>> s = summarize(chainkg.load())
    >>> int(s.counts.set_index("kind").loc["Chain", "count"])
    3
    """
    c = graph.counts()
    counts = pd.DataFrame(
        [("Chain", c["chains"]), ("Segment", c["segments"]), ("Region", c["regions"]),
         ("Enterprise", c["enterprises"]), ("Project", c["projects"]),
         ("SUPPLIES (declared)", c["supply_edges"]), ("OPERATES_IN", c["memberships"]),
         ("HAS_PRESENCE", c["presence"]), ("SUPPLIES_TO", c["links"]), ("figures", c["figures"]),
         ("sources", c["sources"])], columns=["kind", "count"])

    chain_rows = []
    for cid, chain in graph.chains.items():
        segs = set(graph.descendants(cid))
        mem = graph.memberships[graph.memberships["segment"].isin(segs)]
        chain_rows.append({
            "chain": cid, "name": chain.name, "segments": len(segs), "leaves": len(graph.leaves(cid)),
            "leaf_supply_edges": graph.supply_graph(cid).number_of_edges(),
            "enterprises": mem["enterprise"].nunique(),
            "projects": int(graph.projects["segment"].isin(segs).sum()),
            "presence_rows": int(graph.presence["segment"].isin(segs).sum()),
            "source": chain.source, "as_of": chain.as_of})
    chains = pd.DataFrame(chain_rows)

    ent = graph.enterprises.groupby("region").size().rename("enterprises")
    proj = graph.projects.groupby("region").size().rename("projects")
    pres = graph.presence.groupby("region").size().rename("presence_rows")
    regions = pd.concat([ent, proj, pres], axis=1).fillna(0).astype(int)
    regions = regions.sort_values(["enterprises", "projects"], ascending=False).reset_index(names="region")
    regions.insert(1, "name", regions["region"].map(graph.region_name))

    cites = pd.concat([getattr(graph, t)[["source"]].assign(table=t) for t in FACT_TABLES])
    by_source = cites.groupby(["source", "table"]).size().unstack(fill_value=0)
    sources = graph.sources.set_index("id")[["title", "as_of"]] if len(graph.sources) else \
        pd.DataFrame(columns=["title", "as_of"])
    sources = sources.join(by_source, how="outer").fillna({"title": "", "as_of": ""})
    for t in FACT_TABLES:
        if t in sources:
            sources[t] = sources[t].fillna(0).astype(int)
    sources = sources.reset_index(names="source")
    return Summary(name=str(graph.meta.get("name") or ""), as_of=str(graph.meta.get("as_of") or ""),
                   counts=counts, chains=chains, regions=regions, sources=sources)


def segment_tree(graph, chain=None):
    """The segments of one chain (or all) as a table in tree order, with an indented name."""
    chains = [chain] if chain else list(graph.chains)
    rows = []
    for cid in chains:
        for sid in graph.descendants(cid):
            s = graph.segments[sid]
            rows.append({"id": sid, "name": "  " * (s.level - 1) + s.name, "name_en": s.name_en,
                         "stage": s.stage, "level": s.level, "weight": s.weight,
                         "leaf": graph.is_leaf(sid), "aliases": "; ".join(s.aliases)})
    return pd.DataFrame(rows, columns=["id", "name", "name_en", "stage", "level", "weight", "leaf",
                                       "aliases"])
