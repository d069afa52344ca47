"""Queries: coverage, gaps, targets, paths, pipeline, compare and what-if (DESIGN §5)."""

from chainkg.queries.gaps import GapReport, gaps, segment_status
from chainkg.queries.settings import Settings, settings_for

__all__ = ["GapReport", "Settings", "gaps", "segment_status", "settings_for"]
