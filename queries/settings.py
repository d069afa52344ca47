"""Thresholds and weights of the gap and target queries, with their defaults.

Defaults can be changed in a data directory's manifest (``settings:``) and per call.

======================  =======  ==========================================================
setting                 default  meaning
======================  =======  ==========================================================
strategy                balanced priority weight preset (below); explicit weights win over it
strong_min              3        local enterprises for a segment to count as present
strong_share            0.10     where memberships give shares: the region's total share of a
                                 segment's supply for it to count as present (below: weak)
decay                   0.5      weight of a segment one more supply step away
w_demand                0.30     priority weight: local demand downstream of the segment
w_supply                0.15     priority weight: local supply upstream of the segment
w_closure               0.25     priority weight: supply paths the segment alone would close
w_centrality            0.15     priority weight: betweenness in the chain's supply graph
w_availability          0.15     priority weight: candidate enterprises elsewhere
w_feasibility           0.15     priority weight: relatedness (density) of the region's segments to it
feasibility_level       district region level of the relatedness matrix (district, city, province,
                                 country)
feasibility_supply      0.3      weight of the templates' supply adjacency in the proximity (0: none)
anchor_pull             0.40     priority weight: a landed or producing anchor project downstream
anchor_min_cny          1e9      investment (元) from which a project is an anchor (10亿元)
landed_factor           0.5      share of its priority a segment keeps when a landed or
                                 started project targets it (it is being filled)
t_fit                   0.35     target weight: how exactly the company works in the segment
t_size                  0.20     target weight: output (log scale)
t_flags                 0.15     target weight: 上市, 小巨人, 专精特新, 高新技术, 规上
t_ties                  0.15     target weight: supply ties to local enterprises
t_origin                0.15     target weight: origin in a preferred region group
preferred_origins       长三角,  region groups whose companies are preferred (产业转移)
                        珠三角
======================  =======  ==========================================================

Strategy presets, after the Atlas of Economic Complexity's selection modes, set the
priority weights at once: ``balanced`` (the defaults above), ``low-hanging`` (what the
region's related segments make feasible: feasibility 0.45, closure 0.10, centrality 0.05)
and ``long-jump`` (strategic segments that would complete or hold the chain together,
however far from what the region does: closure 0.45, centrality 0.35, demand 0.20,
supply 0.10, feasibility 0.05).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from chainkg.errors import DataError
from chainkg.graph.shapes import INVALID, Choice, Fields, ListOf, MapOf, Number, Text

__all__ = ["Settings", "STRATEGIES", "settings_for", "settings_problems", "SETTINGS_SHAPE", "DEFAULT_REGION_GROUPS"]

#: Yangtze River Delta (three provinces and Shanghai) and Pearl River Delta (nine cities).
DEFAULT_REGION_GROUPS = {
    "长三角": ("310000", "320000", "330000", "340000"),
    "珠三角": ("440100", "440300", "440400", "440600", "440700", "441200", "441300", "441900",
              "442000"),
}


#: Priority weights of each strategy preset (the others keep their defaults).
STRATEGIES = {
    "balanced": {},
    "low-hanging": {"w_feasibility": 0.45, "w_closure": 0.10, "w_centrality": 0.05},
    "long-jump": {"w_closure": 0.45, "w_centrality": 0.35, "w_demand": 0.20, "w_supply": 0.10,
                  "w_feasibility": 0.05},
}


@dataclass(frozen=True)
class Settings:
    """Thresholds and weights of the queries (see the module docstring for meanings)."""

    strategy: str = "balanced"
    strong_min: int = 3
    strong_share: float = 0.10
    decay: float = 0.5
    w_demand: float = 0.30
    w_supply: float = 0.15
    w_closure: float = 0.25
    w_centrality: float = 0.15
    w_availability: float = 0.15
    w_feasibility: float = 0.15
    feasibility_level: str = "district"
    feasibility_supply: float = 0.3
    anchor_pull: float = 0.40
    anchor_min_cny: float = 1e9
    landed_factor: float = 0.5
    t_fit: float = 0.35
    t_size: float = 0.20
    t_flags: float = 0.15
    t_ties: float = 0.15
    t_origin: float = 0.15
    preferred_origins: tuple = ("长三角", "珠三角")
    region_groups: dict = field(default_factory=lambda: dict(DEFAULT_REGION_GROUPS))

    @property
    def priority_weights(self):
        return {"demand": self.w_demand, "supply": self.w_supply, "closure": self.w_closure,
                "centrality": self.w_centrality, "availability": self.w_availability,
                "feasibility": self.w_feasibility, "anchor": self.anchor_pull}

    @property
    def target_weights(self):
        return {"fit": self.t_fit, "size": self.t_size, "flags": self.t_flags, "ties": self.t_ties,
                "origin": self.t_origin}


class _SettingsShape(Fields):
    """The settings' fields, and preferred origins that name known region groups."""

    def check(self, value, path, problem):
        checked = super().check(value, path, problem)
        if checked is INVALID:
            return INVALID
        groups = {**DEFAULT_REGION_GROUPS, **checked.get("region_groups", {})}
        for i, group in enumerate(checked.get("preferred_origins", ())):
            if group not in groups:
                problem(f"{path + '.' if path else ''}preferred_origins[{i}]",
                        f"unknown region group {group!r} (known: {', '.join(groups)})")
                checked.pop("preferred_origins")
                break
        return checked


#: What each setting may hold, in the manifest and in options.
SETTINGS_SHAPE = _SettingsShape({
    "strong_min": Number(low=1, integer=True),
    "strong_share": Number(low=0, high=1, low_open=True),
    "decay": Number(low=0, high=1, low_open=True),
    **{f.name: Number(low=0) for f in fields(Settings) if f.name.startswith(("w_", "t_"))},
    "anchor_pull": Number(low=0),
    "anchor_min_cny": Number(low=0),
    "landed_factor": Number(low=0, high=1),
    "strategy": Choice(tuple(STRATEGIES), "strategy"),
    "feasibility_level": Choice(("district", "city", "province", "country"), "region level"),
    "feasibility_supply": Number(low=0, high=1),
    "preferred_origins": ListOf(Text()),
    "region_groups": MapOf(Text(), ListOf(Text())),
}, what="setting")


def settings_problems(values):
    """The checked settings and a ``(path, message)`` for each value that does not fit.

    Examples
    --------
    >>> settings_problems({"decay": 2, "strong_min": 5})
    ({'strong_min': 5}, [('decay', 'must be in (0, 1], got 2')])
    """
    problems = []
    checked = SETTINGS_SHAPE.check(values, "", lambda path, message: problems.append((path, message)))
    return ({} if checked is INVALID else checked), problems


def settings_for(graph=None, **overrides):
    """Settings from the graph's manifest, then ``overrides`` (None values are ignored).

    Raises
    ------
    DataError
        When a value does not fit its setting.

    Examples
    --------
    >>> settings_for(strong_min=5).strong_min
    5
    """
    manifest = dict((graph.meta.get("settings") or {}) if graph is not None else {})
    values = {}
    for source, items in (("manifest settings", manifest), ("options", overrides)):
        values.update({k: v for k, v in items.items() if v is not None})
        checked, problems = settings_problems(values)
        if problems:
            path, message = problems[0]
            raise DataError(f"{source}: {path}: {message}")
    if "region_groups" in checked:
        checked["region_groups"] = {**DEFAULT_REGION_GROUPS,
                                    **{k: tuple(v) for k, v in checked["region_groups"].items()}}
    if "preferred_origins" in checked:
        checked["preferred_origins"] = tuple(checked["preferred_origins"])
    preset = STRATEGIES[checked.get("strategy", "balanced")]
    checked = {**{k: v for k, v in preset.items() if k not in values}, **checked}
    return replace(Settings(), **checked)
