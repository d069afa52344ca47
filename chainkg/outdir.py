"""Directories chainkg writes whole: a bulk-import bundle, an imported data directory.

Such a directory is built beside its target and renamed into place, so a failed run
leaves nothing behind and an earlier directory intact. Every one carries a marker file
(``.chainkg-output.json``) listing the files chainkg wrote into it, and only a
directory with that marker, holding nothing but those files, is ever replaced: a
user's directory that happens to be named as the output is refused, not deleted. The
current directory, the home directory, the filesystem root and any directory holding
one of them are refused outright.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from chainkg.errors import ExportError

__all__ = ["write_owned_dir", "OUTPUT_MARKER"]

#: The file that says chainkg wrote a directory, and which files it wrote there.
OUTPUT_MARKER = ".chainkg-output.json"


def _refuse_special(real, shown):
    """Refuse the directories whose replacement would take a user's other files with it."""
    if real == Path(real.anchor):
        raise ExportError(f"refusing to write into {shown!r}: it is the filesystem root")
    for name, place in (("the home directory", Path.home()), ("the current directory", Path.cwd())):
        place = place.resolve()
        if real == place:
            raise ExportError(f"refusing to write into {shown!r}: it is {name}; give a new directory")
        if real in place.parents:
            raise ExportError(f"refusing to write into {shown!r}: it holds {name}; give a new directory")


def _written_files(directory):
    """The names the marker of ``directory`` lists, or None when chainkg did not write it."""
    try:
        marker = json.loads((directory / OUTPUT_MARKER).read_text(encoding="utf-8"))
        return {str(name) for name in marker["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _existing(real, shown, replace, option):
    """Whether ``real`` exists; raise unless it may be replaced (absent, empty, or ours)."""
    if not real.exists():
        return False
    if not real.is_dir():
        raise ExportError(f"{shown!r} exists and is not a directory")
    entries = set(os.listdir(real))
    if not entries:
        return True
    written = _written_files(real)
    if written is None:
        raise ExportError(f"{shown!r} is not empty and chainkg did not write it (no {OUTPUT_MARKER} "
                          "in it); give a new or empty directory")
    others = sorted(e for e in entries - {OUTPUT_MARKER}
                    if e not in written or ((real / e).is_dir() and not (real / e).is_symlink()))
    if others:
        listed = ", ".join(repr(e) for e in others[:3]) + (", …" if len(others) > 3 else "")
        raise ExportError(f"{shown!r} holds files chainkg did not write ({listed}); "
                          "move them away or give another directory")
    if not replace:
        raise ExportError(f"{shown!r} holds an earlier chainkg output (use {option} to replace it)")
    return True


def write_owned_dir(target, fill, *, what, replace=False, option="--force"):
    """Create the directory ``target`` with ``fill(tmp)``, atomically, marked as chainkg's.

    Parameters
    ----------
    target : str or Path
        The directory to create. It may exist when it is empty, or when chainkg wrote it
        (its marker lists every file in it) and ``replace`` is true. A symbolic link is
        followed: the directory it points to is the one replaced.
    fill : callable
        ``fill(path)`` writes the files into a new, empty directory ``path``; whatever
        it raises propagates, and nothing is left behind.
    what : str
        What the directory is (``"neo4j-import bundle"``), recorded in the marker.
    replace : bool
        Replace a directory chainkg wrote before.
    option : str
        The CLI option that sets ``replace``, named in the error that asks for it.

    Raises
    ------
    ExportError
        When ``target`` may not be replaced or cannot be written.

    Examples
    --------
    >>> import tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "out")
    >>> write_owned_dir(out, lambda p: (p / "a.txt").write_text("a"), what="demo")
    >>> sorted(os.listdir(out))
    ['.chainkg-output.json', 'a.txt']
    >>> write_owned_dir(out, lambda p: None, what="demo")
    Traceback (most recent call last):
    chainkg.errors.ExportError: '...out' holds an earlier chainkg output (use --force to replace it)
    """
    shown = str(target)
    real = Path(target).resolve()
    _refuse_special(real, shown)
    exists = _existing(real, shown, replace, option)
    tmp = None
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{real.name}.new-", dir=real.parent))
        fill(tmp)
        files = sorted(os.listdir(tmp))
        (tmp / OUTPUT_MARKER).write_text(json.dumps({"written_by": "chainkg", "what": what, "files": files},
                                                    ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes the directory private; give it the usual mode
        _swap_in(tmp, real, exists)
        tmp = None
    except OSError as err:
        raise ExportError(f"cannot write {shown!r}: {err.strerror or err}") from err
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _swap_in(tmp, real, exists):
    """Rename ``tmp`` to ``real``; an earlier ``real`` is moved aside and deleted only once
    ``tmp`` is in its place, and put back if that fails."""
    if not (exists and os.listdir(real)):
        os.replace(tmp, real)  # a directory may be renamed onto an empty one
        return
    old = Path(tempfile.mkdtemp(prefix=f".{real.name}.old-", dir=real.parent))
    try:
        os.replace(real, old)
    except OSError:
        old.rmdir()
        raise
    try:
        os.replace(tmp, real)
    except OSError:
        os.replace(old, real)
        raise
    shutil.rmtree(old, ignore_errors=True)
