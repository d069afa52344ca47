"""Keeping the files a data directory names inside it.

A manifest names tables, chain templates, imports and mappings by path; a table may
also be a symbolic link. Whoever hands over a data directory must not thereby make
chainkg read other files of the machine it runs on, so every path is resolved (links
followed) and must then lie inside the directory. A dataset kept elsewhere (a large
import shared by several directories) is allowed by whoever runs chainkg, not by the
manifest: ``chainkg --allow-outside DIR`` or ``load(..., allow_outside=[DIR])``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DataPaths"]

DATA_DIR_HINT = "keep the file inside it, or allow its directory with chainkg --allow-outside DIR"


class DataPaths:
    """A directory ``root`` whose files must stay inside it, or inside ``allow_outside``.

    ``where`` and ``hint`` word the message for a path that leaves it.

    Examples
    --------
    >>> import tempfile
    >>> paths = DataPaths(tempfile.mkdtemp())
    >>> paths.outside("enterprises.csv") is None
    True
    >>> print(paths.outside("../elsewhere/presence.csv"))  # doctest: +ELLIPSIS
    '../elsewhere/presence.csv' resolves to '.../elsewhere/presence.csv', outside the data directory; ...
    """

    def __init__(self, root, allow_outside=(), *, where="the data directory", hint=DATA_DIR_HINT):
        self.root, self.where, self.hint = Path(root), where, hint
        self._bases = [self.root.resolve(), *(Path(p).resolve() for p in allow_outside or ())]

    def __truediv__(self, name):
        return self.root / str(name)

    def outside(self, name):
        """None when ``root / name`` resolves inside an allowed directory, else the message."""
        real = (self.root / str(name)).resolve()
        if any(real == base or base in real.parents for base in self._bases):
            return None
        return f"{str(name)!r} resolves to {str(real)!r}, outside {self.where}; {self.hint}"
