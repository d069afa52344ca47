"""A data directory: a manifest, chain templates and fact tables, read into a ChainGraph.

::

    mydata/
      chainkg.yaml       manifest: name, description, as_of, which files, column mappings, imports
      chains/*.yaml      chain templates (the embedded ones when there are none)
      regions.csv        added to the embedded regions (see loaders/region_table.py)
      enterprises.csv  memberships.csv (see loaders/memberships.py)  projects.csv  presence.csv
      links.csv  figures.csv  sources.csv

Tables may be .csv, .xlsx or .parquet. :func:`validate` collects every problem into a
:class:`~chainkg.loaders.report.Report`; :func:`load` raises
:class:`~chainkg.errors.ValidationError` when there is any.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from chainkg.errors import AmbiguousReferenceError, DataError, UnknownReferenceError, ValidationError
from chainkg.graph.model import ChainGraph, region_index
from chainkg.graph.shapes import INVALID, Any, Choice, Fields, ListOf, MapOf, Text
from chainkg.loaders.facts import normalize_tables
from chainkg.loaders.imports import read_imports
from chainkg.loaders.paths import DataPaths
from chainkg.loaders.region_table import EMBEDDED_REGIONS_LABEL
from chainkg.loaders.report import Report
from chainkg.loaders.tables import HEADER_ALIASES, TABLE_SUFFIXES, read_table
from chainkg.loaders.template import load_chain_template
from chainkg.loaders.yamlfile import read_yaml

__all__ = ["load", "validate", "read_data_dir", "input_files", "embedded_data_dir", "manifest_shape",
           "chain_template_files",
           "MANIFEST_NAME"]

MANIFEST_NAME = "chainkg.yaml"
TABLE_ORDER = ("sources", "regions", "enterprises", "memberships", "projects", "presence", "links", "figures",
               "overrides")


def manifest_shape():
    """What each key of the manifest may hold, at every level.

    ``settings`` are the queries' thresholds and weights, and take the shape
    :mod:`chainkg.queries.settings` declares for them; imported here, when a manifest is
    read, so that importing the loaders does not import the queries.
    """
    from chainkg.queries.settings import SETTINGS_SHAPE

    columns = {name: list(dict.fromkeys([*HEADER_ALIASES[name], "source", "as_of"])) for name in TABLE_ORDER}
    return Fields({
        "name": Text(), "description": Text(), "as_of": Text(), "home_region": Text(), "source": Text(),
        "chains": ListOf(Text()), "industry_codes": Text(),
        "tables": Fields({name: Text() for name in TABLE_ORDER}, what="table"),
        "columns": Fields({name: MapOf(Text(), Choice(cols, f"{name} column"))
                           for name, cols in columns.items()}, what="table"),
        "defaults": MapOf(Choice(dict.fromkeys(c for cols in columns.values() for c in cols), "column"),
                          Text()),
        "settings": SETTINGS_SHAPE,
        "imports": Any(),  # entry by entry in read_imports
    })


def embedded_data_dir():
    """The directory of the embedded 梁平 dataset."""
    return Path(str(resources.files("chainkg") / "data" / "liangping"))


def _read_manifest(root, report):
    path = root / MANIFEST_NAME
    if not path.exists():
        return {}
    data = read_yaml(path, report, MANIFEST_NAME)
    if data is None:
        return {}
    checked = manifest_shape().check(data, "", lambda where, message: report.add(
        "schema", message, file=MANIFEST_NAME, path=where))
    return {} if checked is INVALID else checked


def _inside(paths, name, report, **where):
    """Whether ``name`` (relative to the data directory) resolves inside it; reports it if not."""
    message = paths.outside(name)
    if message:
        report.add("outside-path", message, **where)
    return message is None


#: A data directory's own GB/T 4754 class table and mappings (the embedded one otherwise).
INDUSTRY_CODES_NAME = "industry_codes.yaml"


def _industry_codes(paths, manifest, report):
    """The industry-code file the manifest names, or ``industry_codes.yaml`` in the
    directory; None for the embedded one."""
    name = manifest.get("industry_codes")
    if name is None:
        return paths / INDUSTRY_CODES_NAME if (paths / INDUSTRY_CODES_NAME).is_file() else None
    if not _inside(paths, name, report, file=MANIFEST_NAME, path="industry_codes"):
        return None
    if not (paths / name).is_file():
        report.add("missing-file", f"not a file: {name!r} (a GB/T 4754 file like {INDUSTRY_CODES_NAME})", file=MANIFEST_NAME,
                   path="industry_codes")
        return None
    return paths / name


def _chain_files(paths, manifest, report):
    root = paths.root
    listed = manifest.get("chains")
    if listed is None:
        files = sorted((root / "chains").glob("*.yaml")) + sorted((root / "chains").glob("*.yml"))
        names = [f.relative_to(root).as_posix() for f in files]
        if files:
            return [(f, name) for f, name in zip(files, names) if _inside(paths, name, report, file=name)]
        if root != embedded_data_dir():
            builtin = DataPaths(embedded_data_dir())
            return _chain_files(builtin, _read_manifest(builtin.root, Report()), report)
        return []
    if not isinstance(listed, list):
        report.add("schema", "chains must be a list of template files", file=MANIFEST_NAME, path="chains")
        return []
    out = []
    for i, name in enumerate(listed):
        f = root / str(name)
        if not _inside(paths, name, report, file=MANIFEST_NAME, path=f"chains[{i}]"):
            continue
        if not f.is_file():
            report.add("missing-file", f"chain template {name!r} not found", file=MANIFEST_NAME,
                       path=f"chains[{i}]")
        else:
            out.append((f, str(name)))
    return out


def chain_template_files(path):
    """(file, name) of each chain template the data directory at ``path`` reads."""
    root = Path(path)
    return _chain_files(DataPaths(root), _read_manifest(root, Report()), Report())


def _table_file(paths, manifest, name, report):
    root = paths.root
    listed = (manifest.get("tables") or {}).get(name)
    if listed is not None:
        f = root / str(listed)
        if not _inside(paths, listed, report, file=MANIFEST_NAME, path=f"tables.{name}"):
            return None
        if not f.is_file():
            why = _not_a_file(f) if f.exists() or f.is_symlink() else "not found"
            report.add("missing-file", f"table {listed!r}: {why}" if why != "not found" else
                       f"table {listed!r} not found", file=MANIFEST_NAME, path=f"tables.{name}")
            return None
        return f
    found = []
    for f in _table_candidates(root, name):
        why = _not_a_file(f)
        if why:
            report.add("read", why, file=f.name)
        else:
            found.append(f)
    if len(found) > 1:
        report.add("ambiguous-file", f"several {name} tables: {', '.join(f.name for f in found)}; "
                   "keep one or name it in the manifest", file=found[0].name)
    if found and not _inside(paths, found[0].name, report, file=found[0].name):
        return None
    return found[0] if found else None


def _table_candidates(root, name):
    """Every path named like the table: files, and what a user meant as one (a directory,
    a broken link), which must not be passed over without a word."""
    paths = (root / f"{name}{s}" for s in TABLE_SUFFIXES)
    return [p for p in paths if p.exists() or p.is_symlink()]


def _not_a_file(path):
    """Why an existing path cannot be read as a table, or None when it can."""
    if path.is_file():
        return None
    if path.is_symlink() and not path.exists():
        return f"broken symbolic link to {str(path.readlink())!r}: the table it names is not there"
    if path.is_dir():
        return "a directory, not a table file"
    return "not a regular file"


def read_data_dir(path=None, *, progress=None, allow_outside=()):
    """Read a data directory into a ChainGraph and a Report, collecting every problem.

    Parameters
    ----------
    path : str or Path, optional
        The data directory; the embedded 梁平 dataset when None.
    progress : callable, optional
        Called with a short message before each file is read.
    allow_outside : iterable of str or Path, optional
        Directories outside the data directory that its manifest may name (a dataset
        kept elsewhere). Every other path must resolve, links followed, inside it.

    Returns
    -------
    (ChainGraph or None, Report)
        The graph is None when the directory has problems.
    """
    root = Path(path) if path is not None else embedded_data_dir()
    report = Report()
    if not root.is_dir():
        report.add("missing-file", "data directory not found", file=str(root))
        return None, report
    manifest = _read_manifest(root, report)
    paths = DataPaths(root, allow_outside)

    chains = []
    for f, name in _chain_files(paths, manifest, report):
        if progress:
            progress(name)
        chain = load_chain_template(f, report, name=name)
        report.files.append(name)
        if chain is not None:
            if chain.id in {c.id for c in chains}:
                report.add("duplicate-id", f"duplicate chain id {chain.id!r}", file=name, path="id")
            else:
                chains.append(chain)
    if not chains and report.valid:
        report.add("missing-file", "no chain templates (put them in chains/*.yaml)", file=str(root))

    raw = {}
    for name in TABLE_ORDER:
        f = _table_file(paths, manifest, name, report)
        if f is not None:
            table = _read_raw(f, f.name if f.parent == root else f"(embedded) {f.name}", name, manifest,
                              report, progress)
            if table is not None:
                raw[name] = table
    # The directory's own regions join the embedded ones (see loaders/region_table.py).
    embedded_regions = None if root == embedded_data_dir() else \
        _read_raw(embedded_data_dir() / "regions.csv", EMBEDDED_REGIONS_LABEL, "regions", {}, report, progress)

    relocations = {}
    imported = read_imports(paths, manifest, chains, raw, report, progress=progress, relocations=relocations)
    tables = normalize_tables(raw, chains, manifest, report, imported=imported,
                              industry_codes=_industry_codes(paths, manifest, report),
                              embedded_regions=embedded_regions)
    if relocations:  # problems in a table import's rows, at its original files
        from chainkg.loaders.mapping import relocate

        relocate(report, relocations)
    _check_home_region(manifest, tables, report)
    _describe_enterprises(tables, raw, report)
    if not report.valid:
        return None, report
    meta = {k: manifest.get(k) for k in ("name", "description", "as_of", "home_region")}
    meta["settings"] = dict(manifest.get("settings") or {})
    meta["root"] = str(root)
    meta["warnings"] = [str(w) for w in report.warnings]  # for whoever shows the graph to mention
    return ChainGraph(chains, tables, meta), report


def input_files(path=None, *, allow_outside=()):
    """Every file a load of the data directory reads, found as the load finds them.

    The manifest, the chain templates, the tables, the industry-code file, and each
    import's directory (its files) and mapping, with the tables a table mapping names. The files of chainkg itself (the embedded
    regions, rules and mappings) are not listed: they change with chainkg. A file the
    load would reject is listed if it exists, as the load would read it.

    Examples
    --------
    >>> sorted(f.name for f in input_files())[:3]
    ['chainkg.yaml', 'enterprises.csv', 'figures.csv']
    """
    root = Path(path) if path is not None else embedded_data_dir()
    report, paths = Report(), DataPaths(root, allow_outside)
    manifest = _read_manifest(root, report) if root.is_dir() else {}
    files = [root / MANIFEST_NAME] if (root / MANIFEST_NAME).is_file() else []
    files += [f for f, _ in _chain_files(paths, manifest, report)] if root.is_dir() else []
    files += [f for name in TABLE_ORDER if (f := _table_file(paths, manifest, name, report)) is not None]
    codes = _industry_codes(paths, manifest, report)
    files += [codes] if codes is not None else []
    entries = manifest.get("imports")
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict):
            continue
        where = paths / entry["path"] if isinstance(entry.get("path"), str) else None
        if where is not None and where.is_dir():
            files += sorted(f for f in where.iterdir() if f.is_file())
        if isinstance(entry.get("mapping"), str) and (paths / entry["mapping"]).is_file():
            files.append(paths / entry["mapping"])
            if entry.get("format") == "table":  # the mapping names the tables it reads
                from chainkg.loaders.mapping import mapped_files

                files += mapped_files(paths / entry["mapping"])
    return list(dict.fromkeys(files))


def _read_raw(f, label, name, manifest, report, progress):
    """(label, DataFrame) of the table file ``f``, listed in the report; None when unreadable."""
    if progress:
        progress(f.name)
    try:
        df, fmt = read_table(f, report, file=label, table=name,
                             columns=(manifest.get("columns") or {}).get(name))
    except DataError as err:
        report.add("read", err.message, file=label if err.file == f.name else err.file,
                   row=err.row, column=err.column)
        return None
    report.files.append(f"{label} ({fmt}, {len(df)} rows)")
    return label, df


def _describe_enterprises(tables, raw, report):
    """What the file list says about the enterprises: how many were classified, and how
    many are registered as gone (kept, counted nowhere)."""
    e = tables.get("enterprises")
    if e is None:
        return
    parts = [f"{n} {what.replace('_', '-')}" for what, n in e["classification"].value_counts().items()
             if what != "given"]
    gone = int((e["registration"] == "inactive").sum())
    if gone:
        parts.append(f"{gone} 注销/吊销/迁出, not counted")
    if parts and "enterprises" in raw:
        label = raw["enterprises"][0]
        at = next(i for i, f in enumerate(report.files) if f.startswith(f"{label} ("))
        report.files[at] = report.files[at][:-1] + f"; {', '.join(parts)})"


def _check_home_region(manifest, tables, report):
    """The home region must be one of the regions: every query without --region starts there."""
    home = manifest.get("home_region")
    if home is None or "regions" not in tables:
        return
    try:
        region_index(tables["regions"]).resolve(home)
    except (UnknownReferenceError, AmbiguousReferenceError) as err:
        report.add("unknown-region", str(err), file=MANIFEST_NAME, path="home_region")


def validate(path=None, *, allow_outside=()):
    """Check a data directory and return the :class:`Report` of every problem in it.

    Examples
    --------
    >>> validate().valid
    True
    """
    return read_data_dir(path, allow_outside=allow_outside)[1]


def load(path=None, *, progress=None, allow_outside=(), cache=None):
    """Load a data directory (the embedded 梁平 dataset when None) into a ChainGraph.

    ``allow_outside`` names directories outside it that its manifest may name (see
    :func:`read_data_dir`). ``cache`` keeps the validated graph for later loads of the
    same, unchanged files (see :mod:`chainkg.loaders.cache`): a
    :class:`~chainkg.loaders.cache.LoadCache`, a cache directory, or True for the
    default one; None or False reads every file.

    Raises
    ------
    ValidationError
        When the directory has any problem; ``err.report`` lists them all.

    Examples
    --------
    >>> g = load()
    >>> sorted(g.chains)
    ['food', 'ic', 'lowalt']
    """
    def read():
        graph, report = read_data_dir(path, progress=progress, allow_outside=allow_outside)
        if graph is None:
            raise ValidationError(report)
        return graph

    if cache is None or cache is False:
        return read()
    from chainkg.loaders.cache import LoadCache

    if not isinstance(cache, LoadCache):
        cache = LoadCache(None if cache is True else cache)
    return cache.load(Path(path) if path is not None else embedded_data_dir(), allow_outside, read)
