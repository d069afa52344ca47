"""Queries: coverage, gaps, targets, paths, pipeline, compare and what-if (DESIGN §5).

Every query takes a :class:`~chainkg.graph.ChainGraph` and returns plain data: a
DataFrame or a dataclass of DataFrames with ``tables()`` and ``to_dict()``.
"""

from chainkg.queries.classification import classification
from chainkg.queries.compare import Comparison, compare
from chainkg.queries.coverage import Coverage, coverage
from chainkg.queries.gaps import GapReport, gaps
from chainkg.queries.status import segment_status
from chainkg.queries.paths import downstream, supply_paths, upstream
from chainkg.queries.pipeline import Pipeline, pipeline
from chainkg.queries.settings import Settings, settings_for
from chainkg.queries.targets import rank_targets
from chainkg.queries.whatif import WhatIf, whatif

__all__ = ["classification", "Comparison", "Coverage", "GapReport", "Pipeline", "Settings", "WhatIf", "compare",
           "coverage", "downstream", "gaps", "pipeline", "rank_targets", "segment_status",
           "settings_for", "supply_paths", "upstream", "whatif"]
