"""The words the text extractor looks for, read once from ``chainkg/data/extract/text.yaml``.

The patterns live in code (:mod:`chainkg.loaders.text_segments`,
:mod:`chainkg.loaders.text_projects`, :mod:`chainkg.loaders.text_figures`); the cue words,
status words and list heads they use are data a planner can extend.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


__all__ = ["TextRules", "text_rules", "alternation", "lead_in"]


def alternation(words):
    """A regex alternation of ``words``, longest first (so 规上工业企业 beats 工业企业)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@dataclass(frozen=True)
class FigureRule:
    """How one metric is written: cue words before the number, verbs before N个项目, nouns after."""

    key: str
    metric: str
    unit: str
    cues: tuple = ()
    verbs: tuple = ()
    nouns: tuple = ()
    needs: str = ""


@dataclass(frozen=True)
class TextRules:
    industry_heads: tuple
    lead_ins: tuple
    future: tuple
    statuses: tuple  # ((word, status), ...), longest word first
    fillers: tuple
    added: tuple
    figures: tuple  # FigureRule, ...


@functools.lru_cache(maxsize=None)
def text_rules():
    """The rules of the embedded ``text.yaml``."""
    from chainkg.errors import ChainKGError
    from chainkg.loaders.report import Report
    from chainkg.loaders.yamlfile import read_yaml

    report = Report()
    raw = read_yaml(Path(str(resources.files("chainkg") / "data" / "extract" / "text.yaml")), report, "text.yaml")
    if raw is None or not report.valid:
        raise ChainKGError(f"the embedded extraction rules text.yaml do not load: {report.problems[:1]}")
    figures = tuple(
        FigureRule(key=key, metric=spec.get("metric", key), unit=spec["unit"], cues=tuple(spec.get("cues", ())),
                   verbs=tuple(spec.get("verbs", ())), nouns=tuple(spec.get("nouns", ())),
                   needs=spec.get("needs", ""))
        for key, spec in raw["figures"].items())
    statuses = tuple(sorted(((s["word"], s["status"]) for s in raw["statuses"]), key=lambda t: -len(t[0])))
    return TextRules(industry_heads=tuple(raw["industry_heads"]), lead_ins=tuple(raw["lead_ins"]),
                     future=tuple(raw["future"]), statuses=statuses, fillers=tuple(raw["fillers"]),
                     added=tuple(raw["added"]), figures=figures)


@functools.lru_cache(maxsize=None)
def lead_in():
    """Everything up to the last lead-in word of a text: what a list or a name follows."""
    return re.compile(rf"^.*(?:{alternation(text_rules().lead_ins)})")
