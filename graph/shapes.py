"""Shapes of parsed YAML: what each key may hold, checked at every nesting level.

Manifests, chain templates and query settings declare their shape once with these
classes. ``shape.check(value, path, problem)`` calls ``problem(path, message)`` for
every value that does not fit, at its YAML path (``settings.region_groups.长三角[0]``),
and returns the value as chainkg uses it (text as ``str``) or :data:`INVALID`.
Mappings keep their good entries, so one bad entry does not hide the rest.

Examples
--------
>>> shape = Fields({"name": Text(), "weight": Number(low=0)})
>>> problems = []
>>> shape.check({"name": ["a"], "wieght": 1}, "", lambda p, m: problems.append(f"{p}: {m}"))
{}
>>> problems
["name: must be text, got a list ['a']", "wieght: unknown key 'wieght' (did you mean 'weight'?)"]
"""

from __future__ import annotations

import datetime
import difflib
import math
import reprlib

__all__ = ["INVALID", "Any", "Text", "Flag", "Number", "Choice", "ListOf", "MapOf", "Fields", "describe",
           "closest"]

#: What ``check`` returns for a value that does not fit its shape.
INVALID = object()

_repr = reprlib.Repr()
_repr.maxstring, _repr.maxother = 60, 60


def describe(value):
    """A short phrase naming ``value`` for a message: ``a list ['a']``, ``'abc'``."""
    if isinstance(value, list):
        return f"a list {_repr.repr(value)}"
    if isinstance(value, dict):
        return f"a mapping {_repr.repr(value)}"
    return _repr.repr(value)


def closest(value, options):
    """`` (did you mean 'x'?)`` for the option closest to ``value``, or ``""``."""
    near = difflib.get_close_matches(str(value), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _join(path, key):
    return f"{path}.{key}" if path else str(key)


class Any:
    """Anything; checked elsewhere."""

    def check(self, value, path, problem):
        return value


class Text:
    """A scalar written as text, a number or a date (``as_of: 2025-06-30``); returned as str."""

    def check(self, value, path, problem):
        if isinstance(value, bool) or not isinstance(value, (str, int, float, datetime.date)):
            problem(path, f"must be text, got {describe(value)}")
            return INVALID
        if isinstance(value, float) and not math.isfinite(value):
            problem(path, f"must be text, got {value!r}")
            return INVALID
        return str(value)


class Flag:
    """``true`` or ``false``."""

    def check(self, value, path, problem):
        if not isinstance(value, bool):
            problem(path, f"must be true or false, got {describe(value)}")
            return INVALID
        return value


class Number:
    """A finite number within bounds; ``integer`` asks for a whole number."""

    def __init__(self, low=None, high=None, *, low_open=False, integer=False):
        self.low, self.high, self.low_open, self.integer = low, high, low_open, integer

    def check(self, value, path, problem):
        what = "a whole number" if self.integer else "a number"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problem(path, f"must be {what}, got {describe(value)}")
            return INVALID
        if not math.isfinite(value) or (self.integer and value != int(value)):
            problem(path, f"must be {'a finite number' if not self.integer else what}, got {value!r}")
            return INVALID
        too_low = self.low is not None and (value <= self.low if self.low_open else value < self.low)
        too_high = self.high is not None and value > self.high
        if too_low or too_high:
            problem(path, f"must be {self.range()}, got {value!r}")
            return INVALID
        return int(value) if self.integer else value

    def range(self):
        if self.high is None:
            return f"{'>' if self.low_open else '>='} {self.low}"
        return f"in {'(' if self.low_open else '['}{self.low}, {self.high}]"


class Choice:
    """One of ``options`` (compared as text); ``what`` names it in messages."""

    def __init__(self, options, what):
        self.options, self.what = list(options), what

    def check(self, value, path, problem):
        if str(value) in self.options and not isinstance(value, (list, dict)):
            return str(value)
        hint = closest(value, self.options) or f" (one of {', '.join(self.options)})"
        problem(path, f"unknown {self.what} {value!r}{hint}")
        return INVALID


class ListOf:
    """A list whose every item has the shape ``item``; INVALID if any item does not."""

    def __init__(self, item):
        self.item = item

    def check(self, value, path, problem):
        if not isinstance(value, list):
            problem(path, f"must be a list, got {describe(value)}")
            return INVALID
        out = [self.item.check(v, f"{path}[{i}]", problem) for i, v in enumerate(value)]
        return INVALID if any(v is INVALID for v in out) else out


class MapOf:
    """A mapping of keys shaped ``key`` to values shaped ``value``; bad entries are dropped."""

    def __init__(self, key, value):
        self.key, self.value = key, value

    def check(self, value, path, problem):
        return _check_entries(value, path, problem, self._entry)

    def _entry(self, key, value, where, problem):
        key = self.key.check(key, where, problem)
        return key, (self.value.check(value, where, problem) if key is not INVALID else INVALID)


class Fields:
    """A mapping with known keys, each with its own shape; unknown and bad keys are dropped.

    ``what`` names a key in messages (``unknown setting 'w_closur'``).
    """

    def __init__(self, fields, what="key"):
        self.fields, self.what = dict(fields), what

    def check(self, value, path, problem):
        return _check_entries(value, path, problem, self._entry)

    def _entry(self, key, value, where, problem):
        if key not in self.fields:
            problem(where, f"unknown {self.what} {key!r}"
                    f"{closest(key, self.fields) or ' (allowed: ' + ', '.join(self.fields) + ')'}")
            return key, INVALID
        return key, self.fields[key].check(value, where, problem)


def _check_entries(value, path, problem, entry):
    """The entries of a mapping that ``entry(key, value, path, problem)`` finds good."""
    if not isinstance(value, dict):
        problem(path, f"must be a mapping, got {describe(value)}")
        return INVALID
    out = {}
    for k, v in value.items():
        key, checked = entry(k, v, _join(path, k), problem)
        if checked is not INVALID:
            out[key] = checked
    return out
