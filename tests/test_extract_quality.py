"""Extraction quality on the labelled articles: floors a little below what is measured.

Measured with ``python scripts/extract_quality.py``; a floor that fails means a change to
the rules or the code lost facts (recall) or invented them (precision).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import chainkg
from chainkg.loaders.text import extract
from extract_eval import attribute_quality, quality

DATA = Path(__file__).parent / "data" / "extract"

# (precision, recall) floors per set and kind.
FLOORS = {
    "dev": {"segment": (0.95, 0.90), "project": (0.95, 0.95), "intention": (0.95, 0.95), "figure": (0.95, 0.95)},
    "holdout": {"segment": (0.95, 0.80), "project": (0.95, 0.95), "intention": (0.95, 0.95),
                "figure": (0.95, 0.95)},
}
# (accuracy, precision, recall) floors of the found projects' attributes, on both sets.
ATTRIBUTE_FLOORS = {"investment": (0.95, 0.95, 0.95), "output": (0.95, 0.95, 0.95), "status": (0.95, 0.95, 0.95),
                    "month": (0.95, 0.95, 0.95), "segment": (0.90, 0.90, 0.90)}
TRAPS = {"先", "链", "湿", "营", "一企一策", "点对点", "建链", "强链", "营商环境", "领先", "湿地"}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def measured(request):
    return request.param, quality(DATA / request.param)


def test_labels_cover_enough_facts():
    labelled = sum(len(pd.read_csv(path, dtype=str, keep_default_na=False)) for path in DATA.glob("*/*.labels.csv"))
    assert labelled >= 120


def test_precision_and_recall_floors(measured):
    folder, table = measured
    for kind, (precision, recall, _, n_labelled) in table.items():
        p_floor, r_floor = FLOORS[folder][kind]
        assert n_labelled > 0, (folder, kind)
        assert precision >= p_floor, (folder, kind, precision)
        assert recall >= r_floor, (folder, kind, recall)


@pytest.mark.parametrize("folder", sorted(FLOORS))
def test_project_attribute_floors(folder):
    table = attribute_quality(DATA / folder)
    for attribute, (accuracy, precision, recall, n_projects, _, n_labelled) in table.items():
        floors = ATTRIBUTE_FLOORS[attribute]
        assert n_projects > 0 and n_labelled > 0, (folder, attribute)
        measured = (accuracy, precision, recall)
        assert all(v >= f for v, f in zip(measured, floors)), (folder, attribute, measured)


@pytest.mark.parametrize("path", sorted(DATA.glob("*/*.txt")), ids=lambda p: p.name)
def test_no_segment_from_a_trap(path):
    facts = extract(path.read_text(encoding="utf-8"), chainkg.load(), source=path.name, year="2025").facts
    texts = set(facts[facts["kind"] == "segment"]["text"])
    assert not texts & TRAPS
