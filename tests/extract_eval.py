"""Measuring ``chainkg extract`` on the labelled articles under tests/data/extract.

Each ``<name>.txt`` is read with ``loaders.text.extract`` over the embedded chains and its
facts are compared with ``<name>.labels.csv`` (kind, key, value), per kind:

- segment: the same segment id, one above it or one below it;
- project: the labelled name is inside the extracted text, or the other way round;
- figure: the same metric and value;
- intention: the same enterprise.

Segments are counted once per article and id (an article naming 预制菜 twice states it once).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

__all__ = ["KINDS", "quality", "related"]

KINDS = ("segment", "project", "intention", "figure")


def related(a, b):
    """True when segment ids ``a`` and ``b`` are the same or one lies under the other."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def _predicted(facts):
    rows = {kind: [] for kind in KINDS}
    for fact in facts.itertuples(index=False):
        if fact.kind == "segment":
            key = (fact.segment, None)
        elif fact.kind == "project":
            key = (fact.text, fact.investment_cny)
        elif fact.kind == "intention":
            key = (fact.enterprise, None)
        elif fact.kind == "figure":
            key = (fact.metric, fact.value)
        else:
            continue
        if fact.kind != "segment" or key not in rows[fact.kind]:
            rows[fact.kind].append(key)
    return rows


def _matches(kind, predicted, label):
    key, _ = predicted
    if kind == "segment":
        return bool(key) and related(key, label["key"])
    if kind == "project":
        return bool(key) and (label["key"] in key or key in label["key"])
    if kind == "intention":
        return key == label["key"]
    value = predicted[1]
    return key == label["key"] and value is not None and math.isclose(float(value), float(label["value"]),
                                                                     rel_tol=1e-6)


def quality(folder):
    """{kind: (precision, recall, predicted, labelled)} over every labelled article in ``folder``."""
    import chainkg
    from chainkg.loaders.text import extract

    graph = chainkg.load()
    counts = {kind: [0, 0, 0, 0] for kind in KINDS}  # right predictions, predicted, found labels, labelled
    for text_path in sorted(Path(folder).glob("*.txt")):
        labels = pd.read_csv(text_path.with_suffix(".labels.csv"), dtype=str, keep_default_na=False)
        facts = extract(text_path.read_text(encoding="utf-8"), graph, source=text_path.name, year="2025").facts
        predicted = _predicted(facts)
        for kind in KINDS:
            mine = labels[labels["kind"] == kind].to_dict("records")
            c = counts[kind]
            c[0] += sum(any(_matches(kind, p, lab) for lab in mine) for p in predicted[kind])
            c[1] += len(predicted[kind])
            c[2] += sum(any(_matches(kind, p, lab) for p in predicted[kind]) for lab in mine)
            c[3] += len(mine)
    return {kind: (right / n_pred if n_pred else 1.0, found / n_lab if n_lab else 1.0, n_pred, n_lab)
            for kind, (right, n_pred, found, n_lab) in counts.items()}
