"""Measuring classification on a labelled registry file, the way a user runs it.

The label columns (``label_*``) are removed, the rest is written as a data directory's
``enterprises.xlsx``, loaded, and ``chainkg.queries.classification`` (what
``chainkg classify -f json`` prints) is compared with the labels: a predicted segment is
right when it is a labelled one, above it or below it.
"""

from __future__ import annotations

import collections
import tempfile
from pathlib import Path

import pandas as pd

MANIFEST = "name: labelled registry rows\nas_of: '2026-12'\ndefaults: {source: labelled evaluation rows (fictional)}\n"


def related(a, b):
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def quality(path):
    """{chain or "all": (precision, recall, predicted, labelled)} for a labelled CSV."""
    import chainkg
    from chainkg.queries import classification

    df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "chainkg.yaml").write_text(MANIFEST, encoding="utf-8")
        df[[c for c in df.columns if not c.startswith("label_")]].to_excel(root / "enterprises.xlsx", index=False)
        rows = classification(chainkg.load(root))
    predicted = rows.groupby("name")["segment"].agg(set).to_dict()
    counts = collections.defaultdict(lambda: [0, 0, 0, 0])  # right, predicted, found, labelled
    for name, cell in zip(df["企业名称"], df["label_segments"]):
        labels = [s for s in cell.split(";") if s]
        got = predicted.get(name, set())
        for s in got:
            c = counts[s.split(".")[0]]
            c[0] += any(related(s, x) for x in labels)
            c[1] += 1
        for x in labels:
            c = counts[x.split(".")[0]]
            c[2] += any(related(s, x) for s in got)
            c[3] += 1
    total = [sum(v[k] for v in counts.values()) for k in range(4)]
    return {chain: (v[0] / max(v[1], 1), v[2] / max(v[3], 1), v[1], v[3])
            for chain, v in sorted(counts.items()) + [("all", total)]}
