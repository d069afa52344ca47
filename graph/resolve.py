"""Turning what people type (ids, codes, names, aliases) into ids, with suggestions.

A :class:`NameIndex` maps every spelling of a thing to its id. Unknown values raise
:class:`~chainkg.errors.UnknownReferenceError` listing the closest known spellings;
spellings shared by several things raise
:class:`~chainkg.errors.AmbiguousReferenceError`.
"""

from __future__ import annotations

import difflib

from chainkg.errors import AmbiguousReferenceError, UnknownReferenceError

__all__ = ["NameIndex", "normalize_name"]


def normalize_name(value):
    """Fold case, full-width characters and blanks so spellings compare equal.

    Examples
    --------
    >>> normalize_name(" ＩＣ 设计 ")
    'ic设计'
    """
    import unicodedata

    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).lower()


class NameIndex:
    """Every spelling of a kind of thing, mapped to the ids it may mean.

    Parameters
    ----------
    kind : str
        What is indexed, for messages ("segment", "region").

    Examples
    --------
    >>> idx = NameIndex("segment")
    >>> idx.add("ic.packaging", ["封装测试", "封测", "Packaging and testing"])
    >>> idx.resolve("封测")
    'ic.packaging'
    >>> idx.resolve("封装")
    Traceback (most recent call last):
    ...
    chainkg.errors.UnknownReferenceError: unknown segment '封装' (did you mean 封装测试 ic.packaging?)
    """

    def __init__(self, kind):
        self.kind = kind
        self._ids = {}
        self._names = {}
        self._display = {}
        self._spelling = {}

    def add(self, id_, names=()):
        """Register ``id_`` under its own spelling and the given ``names``."""
        self._ids[normalize_name(id_)] = id_
        self._display.setdefault(id_, next((str(n) for n in names if n), id_))
        for name in names:
            if name is None or str(name).strip() == "":
                continue
            self._names.setdefault(normalize_name(name), set()).add(id_)
            self._spelling.setdefault(normalize_name(name), str(name).strip())

    def lookup(self, value):
        """Return the set of ids ``value`` may mean (empty if none)."""
        key = normalize_name(value)
        if key in self._ids:
            return {self._ids[key]}
        return set(self._names.get(key, ()))

    def resolve(self, value, within=None):
        """Return the one id ``value`` means.

        Parameters
        ----------
        value : str
            An id, name or alias.
        within : callable, optional
            A predicate on ids; only ids for which it holds are considered (for
            example segments of one chain).

        Raises
        ------
        UnknownReferenceError
            When nothing matches; ``suggestions`` holds the closest spellings.
        AmbiguousReferenceError
            When several ids match.
        """
        ids = self.lookup(value)
        if within is not None:
            ids = {i for i in ids if within(i)}
        if len(ids) == 1:
            return next(iter(ids))
        if len(ids) > 1:
            raise AmbiguousReferenceError(self.kind, value, sorted(ids))
        raise UnknownReferenceError(self.kind, value, self.suggest(value, within))

    def suggest(self, value, within=None, n=3):
        """The closest known spellings of ``value``, as ``"name id"`` strings."""
        key = normalize_name(value)
        candidates = []
        for name, ids in self._names.items():
            candidates += [(name, i) for i in ids if within is None or within(i)]
        candidates += [(norm, i) for norm, i in self._ids.items() if within is None or within(i)]
        best = {}
        for name, id_ in candidates:
            score = difflib.SequenceMatcher(None, key, name).ratio()
            if key and (key in name or name in key):
                score += 0.5
            if score >= 0.4 and score > best.get(id_, (0, ""))[0]:
                best[id_] = (score, name)
        ranked = sorted(best.items(), key=lambda t: (-t[1][0], t[0]))[:n]
        out = []
        for id_, (_, name) in ranked:
            spelling = self._spelling.get(name, self._display[id_])
            out.append(id_ if normalize_name(spelling) == normalize_name(id_) else f"{spelling} {id_}")
        return out
