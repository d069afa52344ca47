"""The Arrow column helpers of chainkg.graph.codes against plain Python on random columns:
their fast paths (distinct cells split once, edge bytes looked at before stripping, the
smaller side hashed) must give what the obvious code gives."""

from __future__ import annotations

import random
import re

import numpy as np
import pandas as pd
import pytest

from chainkg.graph.codes import first_ints, found_in, split_lists, stripped

SPACES = [" ", "\t", "\n", "\u3000", "\u00a0", "\u2003", "\u0085", "\x1c", "\u202f", "\u205f", "\u1680"]
WORDS = ["梁平", "abc", "", "企业）", "。", "x", "😀", "é", "规上", "a b"]
SEPARATORS = ";；,，、|"


def _cell(rng):
    parts = [rng.choice(WORDS) for _ in range(rng.randint(0, 3))]
    text = rng.choice(list(SEPARATORS) + [" ; "]).join(parts)
    if rng.random() < 0.3:
        space = rng.choice(SPACES)
        text = space + text if rng.random() < 0.5 else text + space
    return text


@pytest.mark.parametrize("seed", range(20))
def test_stripped_is_str_strip(seed):
    rng = random.Random(seed)
    cells = [_cell(rng) for _ in range(rng.choice([3, 50, 2000]))]
    column = pd.Series(cells, dtype="str")
    for part in (column, column.iloc[1:], column.iloc[: len(column) // 2]):  # sliced Arrow arrays too
        assert stripped(part).tolist() == [c.strip() for c in part]


@pytest.mark.parametrize("seed", range(20))
def test_split_lists_is_a_split_of_every_cell(seed):
    rng = random.Random(seed)
    distinct = [_cell(rng) for _ in range(rng.choice([5, 40]))]
    cells = [rng.choice(distinct) if rng.random() > 0.05 else None for _ in range(rng.choice([10, 1500, 4000]))]
    rows, tokens = split_lists(cells, SEPARATORS)
    expected = [(i, t.strip()) for i, c in enumerate(cells) if c is not None
                for t in re.split("[" + re.escape(SEPARATORS) + "]", c) if t.strip()]
    assert list(zip(rows.tolist(), tokens.tolist())) == expected


@pytest.mark.parametrize("seed", range(10))
def test_first_ints_marks_first_occurrences(seed):
    values = np.random.default_rng(seed).integers(0, 50, 500)
    seen, expected = set(), []
    for v in values.tolist():
        expected.append(v not in seen)
        seen.add(v)
    assert first_ints(values).tolist() == expected


@pytest.mark.parametrize("n_values,n_universe", [(10, 1000), (1000, 10), (300, 300)])
def test_found_in_either_side_hashed(n_values, n_universe):
    rng = np.random.default_rng(n_values)
    universe = [f"e{i}" for i in rng.integers(0, 2 * n_universe, n_universe)]
    values = [f"e{i}" if i % 7 else None for i in rng.integers(0, 2 * n_universe, n_values)]
    values += values[:3] + [universe[0]] * 2  # repeated values, on either side of the hash
    assert found_in(values, universe).tolist() == [v is not None and v in set(universe) for v in values]


@pytest.mark.parametrize("kind", ["list", "set", "dict", "keys", "Index", "Series", "str Series"])
def test_found_in_takes_any_universe_like_isin(kind):
    """found_in stands for ``Series.isin`` on text wherever the universe may be large."""
    universe = ["梁平区", "e1", "", "a b"]
    given = {"list": universe, "set": set(universe), "dict": dict.fromkeys(universe, "error"),
             "keys": dict.fromkeys(universe).keys(), "Index": pd.Index(universe),
             "Series": pd.Series(universe, dtype=object), "str Series": pd.Series(universe, dtype="str")}[kind]
    values = pd.Series(["e1", "梁平区", "x", "", "a  b", None, "e1"], dtype="str")
    got = found_in(values, given)
    assert isinstance(got, np.ndarray) and got.dtype == bool
    assert got.tolist() == values.isin(universe).tolist() == [True, True, False, True, False, False, True]
