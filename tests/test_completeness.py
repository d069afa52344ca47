"""completeness_table and gap_notes against plain-Python definitions, on random statuses.

Both are the definitions the in-memory and the Neo4j backends share; the Neo4j backend
hands them object columns, the in-memory one Arrow strings, so both kinds are checked.
"""

import math

import numpy as np
import pandas as pd
import pytest

from chainkg.queries.evidence import STATUS_COUNT_COLUMNS, completeness_table
from chainkg.queries.gaps import GAP_NOTES, gap_notes

STATUSES = ["present", "weak", "planned", "unresolved", "missing", "unknown"]


def _random_status(seed, dtype):
    rng = np.random.default_rng(seed)
    n = 400
    status = pd.DataFrame({
        "region": rng.choice(["r1", "r2", "r3", "区4"], n),
        "chain": rng.choice(["ic", "food"], n),
        "weight": rng.choice([0.0, 0.5, 1.0, 2.0], n),
        "status": rng.choice(STATUSES, n),
        "via": rng.choice(["", None, "ic.design"], n),
    })
    status.loc[(status["region"] == "r3") & (status["chain"] == "food"), "weight"] = 0.0  # no weight at all
    return status.astype({c: dtype for c in ("region", "chain", "status", "via")})


def _expected(status):
    groups = {}
    for row in status.itertuples(index=False):
        groups.setdefault((row.region, row.chain), []).append(row)
    out = {}
    for key, rows in groups.items():
        total = sum(r.weight for r in rows)

        def share(ok):
            return sum(r.weight for r in rows if ok(r)) / total if total > 0 else math.nan
        own = [r.via is None or (isinstance(r.via, float) and math.isnan(r.via)) or r.via == "" for r in rows]
        out[key] = {
            "completeness_low": share(lambda r: r.status in ("present", "weak")),
            "completeness_high": share(lambda r: r.status in ("present", "weak", "unresolved", "unknown")),
            "evidence_share": sum(r.weight for r, o in zip(rows, own)
                                  if r.status in ("present", "weak", "missing") or (r.status == "planned" and o))
            / total if total > 0 else math.nan,
            **{s: sum(r.status == s for r in rows) for s in STATUS_COUNT_COLUMNS},
        }
    return list(groups), out


@pytest.mark.parametrize("dtype", [object, "str"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_completeness_table_matches_its_definition(seed, dtype):
    status = _random_status(seed, dtype)
    got = completeness_table(status)
    order, expected = _expected(status)
    assert list(zip(got["region"], got["chain"])) == order  # groups in the order rows give them
    for row in got.to_dict("records"):
        want = expected[(row["region"], row["chain"])]
        for column, value in want.items():
            if isinstance(value, float) and math.isnan(value):
                assert math.isnan(row[column]), (column, row)
            else:
                assert row[column] == pytest.approx(value), (column, row)
    assert (got["coverage"] == "").all() and (got["sources"] == "").all()


def test_completeness_table_merges_evidence_and_leaves_unknown_statuses_uncounted():
    status = pd.DataFrame({"region": ["a", "a", "b"], "chain": "c", "weight": 1.0, "via": None,
                           "status": ["present", "odd", "unknown"]})
    evidence = pd.DataFrame({"region": ["a"], "chain": ["c"], "coverage": ["census"], "sources": ["s1"]})
    got = completeness_table(status, evidence)
    assert got[["region", "coverage", "sources"]].values.tolist() == [["a", "census", "s1"], ["b", "", ""]]
    assert got[STATUS_COUNT_COLUMNS].sum(axis=1).tolist() == [1, 1]
    assert got["completeness_low"].tolist() == [0.5, 0.0]


@pytest.mark.parametrize("dtype", [object, "str"])
def test_gap_notes_say_what_each_status_rests_on(dtype):
    rows = pd.DataFrame({
        "status": ["weak", "weak", "missing", "missing", "unknown", "planned", "planned"],
        "absent": [0, 0, 0, 2, 0, 0, 0],
        "share": [np.nan, 0.04, np.nan, np.nan, np.nan, np.nan, np.nan],
        "planned_by": ["", "", "", "", "", "", "某项目; 乙项目"],
    }, index=[10, 11, 12, 13, 14, 15, 16]).astype({"status": dtype, "planned_by": dtype})
    assert gap_notes(rows).tolist() == [
        GAP_NOTES["weak"], "confirmed: local share 4% below strong_share", GAP_NOTES["missing"],
        GAP_NOTES["absent"], GAP_NOTES["unknown"], GAP_NOTES["planned"],
        GAP_NOTES["planned"] + ": 某项目; 乙项目"]
    assert gap_notes(rows).index.tolist() == rows.index.tolist()
    bare = rows[["status"]]  # a backend without shares or project names
    assert gap_notes(bare).tolist()[1] == GAP_NOTES["weak"]
