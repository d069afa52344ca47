"""What-if: the gap analysis again after adding enterprises or projects, and the difference."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from chainkg.errors import DataError
from chainkg.queries.common import resolve_chains, resolve_regions
from chainkg.queries.settings import settings_for
from chainkg.queries.status import completeness_of, segment_status

__all__ = ["WhatIf", "whatif", "with_additions", "parse_enterprise_spec"]

HYPOTHETICAL = "what-if (hypothetical)"


@dataclass
class WhatIf:
    """``completeness`` (low and high ends) before and after per chain, and every segment
    whose result changed."""

    completeness: pd.DataFrame
    changes: pd.DataFrame
    added: pd.DataFrame

    def tables(self):
        return {"completeness": self.completeness, "changes": self.changes, "added": self.added}

    def to_dict(self):
        return {k: v.to_dict("records") for k, v in self.tables().items()}


def parse_enterprise_spec(spec, default_region):
    """Parse ``"NAME,SEGMENT[,REGION]"`` as typed on the command line.

    Examples
    --------
    >>> parse_enterprise_spec("某晶圆厂, 晶圆制造", "500155")
    ('某晶圆厂', '晶圆制造', '500155')
    """
    parts = [p.strip() for p in spec.replace("，", ",").split(",")]
    if len(parts) not in (2, 3) or not all(parts):
        raise DataError(f"cannot read enterprise {spec!r}: write NAME,SEGMENT or NAME,SEGMENT,REGION")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else default_region


def with_additions(graph, enterprises=(), projects=None):
    """A new graph with hypothetical enterprises (name, segment, region) and projects added."""
    ents, mems = [], []
    for i, (name, segment, region) in enumerate(enterprises, 1):
        eid = f"whatif-{i}"
        ents.append({"id": eid, "name": name, "region": graph.resolve_region(region), "flags": "",
                     "source": HYPOTHETICAL, "as_of": ""})
        mems.append({"enterprise": eid, "segment": graph.resolve_segment(segment),
                     "source": HYPOTHETICAL, "as_of": ""})
    tables = {}
    if ents:
        tables["enterprises"] = pd.concat([graph.enterprises, pd.DataFrame(ents)], ignore_index=True)
        tables["memberships"] = pd.concat([graph.memberships, pd.DataFrame(mems)], ignore_index=True)
    if projects is not None and len(projects):
        tables["projects"] = pd.concat([graph.projects, projects], ignore_index=True)
    return graph.replace(**tables), pd.DataFrame(ents, columns=["id", "name", "region", "source"])


def whatif(graph, enterprises=(), projects=None, region=None, chains=None, **settings):
    """Gap analysis before and after adding enterprises and/or projects.

    Parameters
    ----------
    enterprises : iterable of (name, segment, region)
        Hypothetical enterprises; segment and region may be ids or names.
    projects : DataFrame, optional
        Projects in the schema's columns (see ``chainkg.loaders.facts.read_table_for``).

    Examples
    --------
    >>> import chainkg
    >>> w = whatif(chainkg.load(), [("某晶圆厂", "逻辑与晶圆代工", "梁平区")], chains="ic")
    >>> w.changes[["segment", "status_before", "status_after"]].values.tolist()[0]
    ['ic.fabrication.foundry', 'unknown', 'weak']
    """
    region_ids = resolve_regions(graph, region)
    chain_ids = resolve_chains(graph, chains)
    after_graph, added = with_additions(graph, enterprises, projects)
    if projects is not None and len(projects):
        added = pd.concat([added, projects[["id", "name", "region", "source"]]], ignore_index=True)
    s = settings_for(graph, **settings)
    before = segment_status(graph, region_ids, chain_ids, s)
    after = segment_status(after_graph, region_ids, chain_ids, s)
    key, ends = ["region", "chain"], ["completeness_low", "completeness_high"]
    comp = completeness_of(before)[[*key, *ends]].merge(
        completeness_of(after)[[*key, *ends]], on=key, suffixes=("_before", "_after"))
    comp.insert(2, "region_name", comp["region"].map(graph.region_name))
    for end in ends:
        comp[f"{end}_change"] = comp[f"{end}_after"] - comp[f"{end}_before"]

    cols = ["region", "chain", "segment", "status", "action", "priority"]
    both = before[cols].merge(after[cols], on=["region", "chain", "segment"], suffixes=("_before", "_after"))
    changed = (both["status_before"] != both["status_after"]) | \
              (both["action_before"].fillna("") != both["action_after"].fillna("")) | \
              ((both["priority_before"].fillna(-1) - both["priority_after"].fillna(-1)).abs() > 1e-9)
    changes = both[changed].copy()
    changes.insert(3, "name", changes["segment"].map(lambda x: graph.segments[x].name))
    return WhatIf(completeness=comp, changes=changes.reset_index(drop=True), added=added)
