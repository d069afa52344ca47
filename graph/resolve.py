"""Turning what people type (ids, codes, names, aliases) into ids, with suggestions.

A :class:`NameIndex` maps every spelling of a thing to its id. Unknown values raise
:class:`~chainkg.errors.UnknownReferenceError` listing the closest known spellings;
spellings shared by several things raise
:class:`~chainkg.errors.AmbiguousReferenceError`.

Finding the closest spellings is the slow part (a fuzzy match against every known
spelling): loaders resolving whole columns pass ``suggest=False`` and ask
:meth:`NameIndex.unknown` only for the problems a report lists.
"""

from __future__ import annotations

from chainkg.errors import AmbiguousReferenceError, UnknownReferenceError

__all__ = ["NameIndex", "RegionIndex", "normalize_name"]


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
        self._candidates = None  # (normalised spellings, ids) for suggestions, built on first use

    def add(self, id_, names=()):
        """Register ``id_`` under its own spelling and the given ``names``."""
        self._candidates = None
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

    def resolve(self, value, within=None, suggest=True):
        """Return the one id ``value`` means.

        Parameters
        ----------
        value : str
            An id, name or alias.
        within : callable, optional
            A predicate on ids; only ids for which it holds are considered (for
            example segments of one chain).
        suggest : bool, default True
            Whether an unknown value's error lists the closest spellings (the slow part).

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
        raise self.unknown(value, within) if suggest else UnknownReferenceError(self.kind, value)

    def unknown(self, value, within=None):
        """The error for a value that matches nothing, with the closest known spellings."""
        return UnknownReferenceError(self.kind, value, self.suggest(value, within))

    def _spellings(self):
        if self._candidates is None:
            pairs = [(name, i) for name, ids in self._names.items() for i in sorted(ids)]
            pairs += list(self._ids.items())
            self._candidates = ([name for name, _ in pairs], [i for _, i in pairs])
        return self._candidates

    def suggest(self, value, within=None, n=3, min_score=0.4):
        """The closest known spellings of ``value``, as ``"name id"`` strings.

        A spelling scores its similarity (0-1, rapidfuzz's normalised Indel ratio,
        computed against every spelling at once), plus 0.5 when one contains the other;
        those scoring below ``min_score`` are not close.
        """
        import numpy as np
        from rapidfuzz import fuzz, process

        key = normalize_name(value)
        names, ids = self._spellings()
        if not names:
            return []
        scores = process.cdist([key], names, scorer=fuzz.ratio, dtype=np.float64)[0] / 100
        best = {}
        for name, id_, score in zip(names, ids, scores.tolist()):
            if key and (key in name or name in key):
                score += 0.5
            if score >= min_score and score > best.get(id_, (0, ""))[0] and (within is None or within(id_)):
                best[id_] = (score, name)
        ranked = sorted(best.items(), key=lambda t: (-t[1][0], t[0]))[:n]
        out = []
        for id_, (_, name) in ranked:
            spelling = self._spelling.get(name, self._display[id_])
            out.append(id_ if normalize_name(spelling) == normalize_name(id_) else f"{spelling} {id_}")
        return out


class RegionIndex(NameIndex):
    """Regions by id, name and English name; an unknown one is told how regions are added.

    Only close spellings are suggested: a region typed in Latin letters (``USA``) shares a
    letter or two with the pinyin of many a Chinese city, which would be no help. With
    none close, the message lists the countries there are and how a data directory adds
    a region, a foreign country included.

    Examples
    --------
    >>> idx = RegionIndex()
    >>> idx.add("CN", ["中国", "China"], level="country")
    >>> idx.add("420100", ["武汉市", "Wuhan"], level="city")
    >>> idx.resolve("USA")
    Traceback (most recent call last):
    ...
    chainkg.errors.UnknownReferenceError: unknown region 'USA': none of the 2 regions is named like it (countries: 中国 CN); a data directory adds its own in regions.csv (id,name,level,parent), a foreign country as a row like USA,United States,country,
    >>> idx.resolve("武汉")
    Traceback (most recent call last):
    ...
    chainkg.errors.UnknownReferenceError: unknown region '武汉' (did you mean 武汉市 420100?)
    """

    #: Below this similarity a spelling is not suggested (see :meth:`NameIndex.suggest`).
    MIN_SCORE = 0.6
    #: Countries named in the message for a region nothing is close to.
    COUNTRIES_LISTED = 8

    def __init__(self):
        super().__init__("region")
        self.countries = {}

    def add(self, id_, names=(), level=None):
        """Register region ``id_`` under its names; ``level`` tells the countries apart."""
        super().add(id_, names)
        if level == "country":
            self.countries[id_] = self._display[id_]

    def suggest(self, value, within=None, n=3, min_score=MIN_SCORE):
        return super().suggest(value, within, n, min_score)

    def unknown(self, value, within=None):
        suggestions = self.suggest(value, within)
        if suggestions:
            return UnknownReferenceError(self.kind, value, suggestions)
        listed = sorted(self.countries.items())
        countries = ", ".join(f"{name} {rid}" if name != rid else rid
                              for rid, name in listed[:self.COUNTRIES_LISTED])
        if len(listed) > self.COUNTRIES_LISTED:
            countries += f" and {len(listed) - self.COUNTRIES_LISTED} more"
        hint = (f"none of the {len(self._display)} regions is named like it"
                + (f" (countries: {countries})" if countries else "")
                + "; a data directory adds its own in regions.csv (id,name,level,parent), "
                "a foreign country as a row like USA,United States,country,")
        return UnknownReferenceError(self.kind, value, hint=hint)
