"""An editable mapping from industry classifications (Shenwan 2021) to chain segments.

The embedded ``chainkg/data/mappings/shenwan2021.yaml`` maps Shenwan level-3 industries
to segments of the three embedded chains, each with a confidence. A mapping may be
replaced by a file of the same shape::

    source: my-mapping
    as_of: "2025-11"
    industries:
      "270107": {name: 集成电路封测, segments: [ic.packaging], confidence: high}

Lookups go by code first and by name when a dataset's code is missing or unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from chainkg.errors import DataError
from chainkg.graph.resolve import normalize_name
from chainkg.loaders.report import Report
from chainkg.loaders.yamlfile import read_yaml

__all__ = ["IndustryRule", "IndustryMapping", "load_industry_mapping", "embedded_mapping_path"]

CONFIDENCE_ORDER = {"low": 0, "medium": 1, "high": 2}


def embedded_mapping_path():
    """The embedded Shenwan 2021 → segment mapping."""
    return Path(str(resources.files("chainkg") / "data" / "mappings" / "shenwan2021.yaml"))


@dataclass(frozen=True)
class IndustryRule:
    """One industry's segments and how well it fits them."""

    code: str
    name: str
    segments: tuple[str, ...]
    confidence: str


class IndustryMapping:
    """Industry code or name → :class:`IndustryRule`.

    Examples
    --------
    >>> m = load_industry_mapping()
    >>> m.rule("270107").segments
    ('ic.packaging',)
    >>> m.rule("999999", "集成电路封测").code      # unknown code, known name
    '270107'
    >>> m.rule("720902", "大众出版") is None          # in no chain
    True
    """

    def __init__(self, rules, source="", as_of="", file=""):
        self.rules = {r.code: r for r in rules}
        self.by_name = {normalize_name(r.name): r for r in rules if r.name}
        self.source, self.as_of, self.file = source, as_of, file

    def rule(self, code=None, name=None):
        """The rule for an industry code, else for its name, else None."""
        found = self.rules.get(str(code).strip()) if code else None
        if found is None and name:
            found = self.by_name.get(normalize_name(name))
        return found

    def restricted_to(self, segments):
        """The mapping onto ``segments`` only: other segments dropped, and rules left with none.

        Examples
        --------
        >>> m = load_industry_mapping().restricted_to({"ic.packaging"})
        >>> m.rule("270107").segments, m.rule("340406")
        (('ic.packaging',), None)
        """
        rules = [IndustryRule(r.code, r.name, kept, r.confidence) for r in self.rules.values()
                 if (kept := tuple(s for s in r.segments if s in segments))]
        return IndustryMapping(rules, self.source, self.as_of, self.file)


def load_industry_mapping(path=None, segments=None):
    """Read and check an industry mapping file (the embedded Shenwan 2021 one by default).

    Parameters
    ----------
    path : str or Path, optional
    segments : container of str, optional
        Known segment ids; a rule naming any other is an error.

    Raises
    ------
    DataError
        Naming the file and the YAML path of the first problem.
    """
    path = Path(path) if path else embedded_mapping_path()
    report = Report()
    data = read_yaml(path, report, path.name)
    if not report.valid:
        raise DataError(report.problems[0].message, file=path.name, row=report.problems[0].row)
    industries = (data or {}).get("industries") if isinstance(data, dict) else None
    if not isinstance(industries, dict) or not industries:
        raise DataError("an industry mapping needs 'industries': {CODE: {name, segments, confidence}}",
                        file=path.name)
    rules = []
    for code, spec in industries.items():
        where = f"industries.{code}"
        if not isinstance(spec, dict) or not isinstance(spec.get("segments"), list):
            raise DataError(f"{where}: expected {{name, segments: [...], confidence}}", file=path.name)
        unknown = [s for s in spec["segments"] if segments is not None and s not in segments]
        if unknown:
            raise DataError(f"{where}.segments: unknown segment {unknown[0]!r}", file=path.name)
        confidence = str(spec.get("confidence", "medium")).lower()
        if confidence not in CONFIDENCE_ORDER:
            raise DataError(f"{where}.confidence: must be high, medium or low, got {confidence!r}",
                            file=path.name)
        rules.append(IndustryRule(str(code), str(spec.get("name") or ""),
                                  tuple(str(s) for s in spec["segments"]), confidence))
    return IndustryMapping(rules, str(data.get("source") or path.stem), str(data.get("as_of") or ""),
                           path.name)
