"""The load cache: a validated data directory's graph, kept until one of its files changes.

A load that passes validation is snapshotted (:mod:`chainkg.loaders.snapshot`: JSON and
Arrow, no pickle, checked by SHA-256) into the cache directory, ``$CHAINKG_CACHE_DIR``,
else ``$XDG_CACHE_HOME/chainkg``, else ``~/.cache/chainkg``. A snapshot is named by a
key over

- the SHA-256 of every file the load reads (:func:`~chainkg.loaders.datadir.input_files`:
  manifest, chain templates, tables, industry codes, imports and their mappings),
- the data directory and the directories allowed outside it,
- chainkg's version, the snapshot format and the size and time of chainkg's own files
  (so that an edited checkout or a reinstall starts afresh),

so any change to a file leads to another key and a fresh load. Hashing a large table on
every command would cost about as much as reading it, so a file's hash is remembered
with its device, inode, size, modification and change times (``<dir>.files.json``), and
computed again when any of them differs. The change time cannot be set back by a user
(``touch -d``, ``cp -p`` and ``rsync -t`` all leave it at the moment of the change); a
file changed within :data:`RACY_SECONDS` of being hashed is hashed again next time,
since a second write in the same clock tick could leave every time as it was.

Snapshots and the hash memo are written to a temporary file and renamed into place, so a
reader sees a whole old one or a whole new one; concurrent loads may both write, and the
last rename wins. A snapshot that fails its checksum or cannot be read is deleted with a
:class:`~chainkg.errors.CacheWarning` and the directory is read afresh. Only one
snapshot is kept for each data directory.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

from chainkg.errors import CacheError, CacheWarning

__all__ = ["LoadCache", "default_cache_dir", "CACHE_ENV"]

CACHE_ENV = "CHAINKG_CACHE_DIR"
RACY_SECONDS = 2
_SNAPSHOT, _MEMO, _TEMP = ".snapshot", ".files.json", ".tmp-"


def default_cache_dir():
    """``$CHAINKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/chainkg``, else ``~/.cache/chainkg``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache") / "chainkg"


class LoadCache:
    """Snapshots of loaded data directories in ``directory`` (default: :func:`default_cache_dir`).

    Examples
    --------
    >>> import tempfile, chainkg
    >>> cache = LoadCache(tempfile.mkdtemp())
    >>> first = chainkg.load(cache=cache)      # read, validated, snapshotted
    >>> again = chainkg.load(cache=cache)      # read from the snapshot
    >>> again.counts() == first.counts(), len(cache.entries())
    (True, 1)
    >>> _ = cache.clear(); cache.entries()
    []
    """

    def __init__(self, directory=None):
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    def load(self, root, allow_outside, read):
        """The graph of the data directory ``root``: from its snapshot while its files are
        unchanged, else ``read()``'s, which is then snapshotted. Never fails for the cache's
        sake: what goes wrong with it is a warning, and ``read()`` decides."""
        try:
            root_id, key = self._key(Path(root), allow_outside)
        except OSError:  # a file vanished or cannot be read: the load will say what
            return read()
        path = self.directory / f"{root_id}-{key}{_SNAPSHOT}"
        if not self._trusted():
            return read()
        graph = self._read(path, key)
        if graph is None:
            graph = read()
            self._write(path, graph, key, root)
        graph.meta["root"] = str(root)
        return graph

    def entries(self):
        """One dict per snapshot: file, data directory, chainkg version, written, bytes."""
        from chainkg.loaders.snapshot import read_header

        out = []
        for f in sorted(self.directory.glob(f"*{_SNAPSHOT}")) if self.directory.is_dir() else ():
            try:
                with open(f, "rb") as stream:
                    extra = read_header(stream).get("extra", {})
                size = f.stat().st_size
            except (OSError, CacheError, AttributeError):
                extra, size = {}, None
            out.append({"file": f.name, "data": extra.get("root", "(unreadable)"),
                        "version": extra.get("version"), "written": extra.get("written"), "bytes": size})
        return out

    def clear(self):
        """Remove every snapshot and hash memo (and nothing else); (files removed, bytes freed)."""
        count = freed = 0
        if not self.directory.is_dir():
            return 0, 0
        for f in self.directory.iterdir():
            if f.is_file() and (f.name.endswith((_SNAPSHOT, _MEMO)) or f.name.startswith(_TEMP)):
                try:
                    size = f.stat().st_size
                    f.unlink()
                except FileNotFoundError:  # another process removed it first
                    continue
                count, freed = count + 1, freed + size
        try:
            self.directory.rmdir()
        except OSError:  # holds something else, or is in use
            pass
        return count, freed

    # ----- keys ----------------------------------------------------------------

    def _key(self, root, allow_outside):
        import chainkg
        from chainkg.loaders.datadir import input_files
        from chainkg.loaders.snapshot import SNAPSHOT_FORMAT

        where = [str(root.resolve()), sorted(str(Path(p).resolve()) for p in allow_outside or ())]
        root_id = _digest(json.dumps(where).encode())[:16]
        memo_path = self.directory / f"{root_id}{_MEMO}"
        memo = _read_json(memo_path)
        known, now = {}, time.time_ns()
        files = []
        for f in input_files(root, allow_outside=allow_outside):
            st = os.stat(f)
            stamp = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
            entry = memo.get(str(f))
            digest = entry[1] if entry and entry[0] == stamp else _file_digest(f)
            if now - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_SECONDS * 10**9:
                known[str(f)] = [stamp, digest]
            files.append([str(f), digest])
        if known != memo:
            self._write_bytes(memo_path, [_with_checksum(known)])
        key = _digest(json.dumps([SNAPSHOT_FORMAT, chainkg.__version__, _code_stamp(), where, files]).encode())
        return root_id, key

    # ----- reading and writing ---------------------------------------------------

    def _trusted(self):
        """Whether only this user can put snapshots in the directory (as ssh asks of ~/.ssh):
        in a directory others may write, a snapshot could be anyone's. A missing one is
        created private."""
        try:
            st = os.stat(self.directory)
        except FileNotFoundError:
            return True
        except OSError:
            return True  # not a directory, unreadable: writing will say so
        if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
            warnings.warn(f"not using the load cache in {str(self.directory)!r}: other users may write "
                          "there (make it yours and chmod go-w, or choose another with "
                          f"{CACHE_ENV})", CacheWarning, stacklevel=3)
            return False
        return True

    def _read(self, path, key):
        from chainkg.loaders.snapshot import decode_graph

        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            return None
        try:
            graph, extra = decode_graph(data)
            if extra.get("key") != key:
                raise CacheError("snapshot made for other files")
        except Exception as err:  # noqa: BLE001  (whatever is wrong with a snapshot, the files answer)
            why = err if isinstance(err, CacheError) else f"{type(err).__name__}: {err}"
            warnings.warn(f"discarded the load cache {str(path)!r}: {why}", CacheWarning, stacklevel=3)
            _remove(path)
            return None
        return graph

    def _write(self, path, graph, key, root):
        import chainkg
        from chainkg.loaders.snapshot import snapshot_parts

        extra = {"key": key, "root": str(Path(root).resolve()), "version": chainkg.__version__,
                 "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        try:
            parts = snapshot_parts(graph, extra)
        except CacheError as err:
            warnings.warn(f"not cached: {err}", CacheWarning, stacklevel=3)
            return
        if self._write_bytes(path, parts):
            root_id = path.name.split("-", 1)[0]
            for old in self.directory.glob(f"{root_id}-*{_SNAPSHOT}"):
                if old != path:  # one snapshot per data directory: older ones are dead weight
                    _remove(old)

    def _write_bytes(self, path, parts):
        """Write ``parts`` (bytes-like) atomically: a temporary file renamed; False when it fails."""
        tmp = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=_TEMP)
            with os.fdopen(fd, "wb") as f:
                for part in parts:
                    f.write(part)
            os.replace(tmp, path)
            return True
        except OSError as err:
            # On a full disk the command's own output fails with one error line; the
            # cache, which changes no result, adds none.
            if err.errno not in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
                warnings.warn(f"cannot write the load cache in {str(self.directory)!r}: "
                              f"{err.strerror or err}", CacheWarning, stacklevel=4)
            if tmp:
                _remove(Path(tmp))
            return False


def _digest(data):
    return hashlib.sha256(data).hexdigest()


def _file_digest(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


_CODE_STAMP = []


def _code_stamp():
    """Size and modification time of every file of chainkg's packages, as one digest."""
    if not _CODE_STAMP:
        from importlib.util import find_spec

        stamps = []
        for package in ("chainkg", "chainkg.graph", "chainkg.loaders", "chainkg.queries", "chainkg.visualize"):
            spec = find_spec(package)
            for base in spec.submodule_search_locations or () if spec else ():
                for top, dirs, names in os.walk(base):
                    dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                    for name in sorted(names):
                        st = os.stat(os.path.join(top, name))
                        stamps.append([os.path.relpath(os.path.join(top, name), base), st.st_size, st.st_mtime_ns])
        _CODE_STAMP.append(_digest(json.dumps(stamps).encode()))
    return _CODE_STAMP[0]


def _with_checksum(value):
    body = json.dumps(value, sort_keys=True)
    return json.dumps({"sha256": _digest(body.encode()), "body": body}).encode()


def _read_json(path):
    """The checksummed JSON of ``path``; {} when it is missing, damaged or not ours."""
    try:
        outer = json.loads(path.read_bytes())
        if _digest(outer["body"].encode()) == outer["sha256"]:
            value = json.loads(outer["body"])
            return value if isinstance(value, dict) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return {}


def _remove(path):
    try:
        path.unlink()
    except OSError:
        pass
