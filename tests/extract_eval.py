"""Measuring ``chainkg extract`` on the labelled articles under tests/data/extract.

Each ``<name>.txt`` is read with ``loaders.text.extract`` over the embedded chains and its
facts are compared with ``<name>.labels.csv`` (kind, key, value), per kind:

- segment: the same segment id, one above it or one below it;
- project: the labelled name is inside the extracted text, or the other way round;
- figure: the same metric and value;
- intention: the same enterprise.

Segments are counted once per article and id (an article naming 预制菜 twice states it once).

:func:`attribute_quality` then checks what each matched project says about itself against
the label's ``value`` (investment), ``status``, ``month``, ``output`` and ``segment``
columns. A blank label means the text states nothing, so an extracted value there is wrong;
a labels file without a column leaves that attribute unmeasured for its article.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

__all__ = ["KINDS", "ATTRIBUTES", "quality", "attribute_quality", "related"]

KINDS = ("segment", "project", "intention", "figure")
#: Project attribute -> (labels column, extracted column).
ATTRIBUTES = {"investment": ("value", "investment_cny"), "output": ("output", "expected_output_cny"),
              "status": ("status", "status"), "month": ("month", "month"), "segment": ("segment", "segment")}


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


def _articles(folder):
    """(labels, facts) of each labelled article in ``folder``."""
    import chainkg
    from chainkg.loaders.text import extract

    graph = chainkg.load()
    for text_path in sorted(Path(folder).glob("*.txt")):
        labels = pd.read_csv(text_path.with_suffix(".labels.csv"), dtype=str, keep_default_na=False)
        yield labels, extract(text_path.read_text(encoding="utf-8"), graph, source=text_path.name, year="2025").facts


def _blank(value):
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def _same(attribute, extracted, label):
    """True when the extracted value of ``attribute`` says what the label says (both blank counts)."""
    if _blank(label) or _blank(extracted):
        return _blank(label) and _blank(extracted)
    if attribute == "status":
        from chainkg.loaders.text_rules import text_rules

        return extracted == dict(text_rules().statuses).get(label, label)
    if attribute == "segment":
        return related(extracted, label)
    return math.isclose(float(extracted), float(label), rel_tol=1e-6)


def attribute_quality(folder):
    """{attribute: (accuracy, precision, recall, matched, stated, labelled)} over the projects of ``folder``.

    Only extracted projects matched to a labelled project count. ``accuracy`` is the share
    of them whose value is the label's (a blank on both sides is right); ``precision`` the
    share of extracted values that are right; ``recall`` the share of labelled values found.
    ``stated`` and ``labelled`` count the non-blank extracted and labelled values.
    """
    counts = {a: [0, 0, 0, 0, 0, 0] for a in ATTRIBUTES}  # right, matched, right stated, stated, found, labelled
    for labels, facts in _articles(folder):
        projects = facts[facts["kind"] == "project"].to_dict("records")
        mine = labels[labels["kind"] == "project"].to_dict("records")
        for fact in projects:
            label = next((lab for lab in mine if _matches("project", (fact["text"], None), lab)), None)
            if label is None:
                continue
            for attribute, (column, field) in ATTRIBUTES.items():
                if column not in label:
                    continue
                c, value, want = counts[attribute], fact[field], label[column]
                right = _same(attribute, value, want)
                c[0] += right
                c[1] += 1
                c[2] += right and not _blank(value)
                c[3] += not _blank(value)
                c[4] += right and not _blank(want)
                c[5] += not _blank(want)
    return {a: (right / n if n else 1.0, r_stated / stated if stated else 1.0, found / n_lab if n_lab else 1.0,
                n, stated, n_lab)
            for a, (right, n, r_stated, stated, found, n_lab) in counts.items()}


def quality(folder):
    """{kind: (precision, recall, predicted, labelled)} over every labelled article in ``folder``."""
    counts = {kind: [0, 0, 0, 0] for kind in KINDS}  # right predictions, predicted, found labels, labelled
    for labels, facts in _articles(folder):
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
