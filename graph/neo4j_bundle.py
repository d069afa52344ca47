"""A bulk-import bundle: the graph as CSV files for ``neo4j-admin database import full``.

For very large graphs the offline importer is far faster than any transactional
export. The bundle is a directory with one CSV file per node kind and per
relationship kind, ``constraints.cypher`` (the uniqueness constraints to create once
the database is started) and ``IMPORT.txt`` with the exact command.

Headers follow the importer's format: ``id:ID(Segment)`` (the key, stored as the
``id`` property, in one id space per label), ``:LABEL``, ``:START_ID(Enterprise)``,
``:END_ID(Segment)``, ``:TYPE`` and typed properties (``investment_cny:double``,
``level:long``). Fields are quoted as RFC 4180 says (a quote is doubled), so
commas, quotes and line breaks in names survive; the command sets
``--multiline-fields=true``. An empty field is a missing property; a quoted empty
field is an empty string (only relationship merge keys use it, as the MERGE export
stores them).
"""

from __future__ import annotations

import time
from pathlib import Path

from chainkg.graph.neo4j_store import ExportSummary, constraint_statement
from chainkg.graph.property_tables import PROPERTY_TYPES, check_name, property_tables

__all__ = ["write_import_bundle", "import_command", "csv_field", "IMPORT_OPTIONS", "INSTRUCTIONS_FILE"]

INSTRUCTIONS_FILE = "IMPORT.txt"
IMPORT_OPTIONS = ("--multiline-fields=true", "--legacy-style-quoting=false", "--trim-strings=false",
                  "--ignore-empty-strings=false", "--id-type=string")
_CHUNK = 50_000


def csv_field(value):
    """One CSV field: empty for None, quoted when it must be.

    Examples
    --------
    >>> csv_field(None), csv_field(""), csv_field(2.5), csv_field('a "b", c')
    ('', '""', '2.5', '"a ""b"", c"')
    >>> csv_field("two\\nlines")
    '"two\\nlines"'
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if text == "" or any(c in text for c in ',"\n\r') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def _header(owner, name):
    kind = PROPERTY_TYPES.get((owner, name))
    return f"{check_name(name, 'property key')}:{kind}" if kind else name


def _write_csv(path, header, columns, tail=None):
    """Write rows column-wise in chunks (``tail`` is a constant last field, e.g. the label)."""
    n = len(columns[0]) if columns else 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(header) + "\n")
        for i in range(0, n, _CHUNK):
            parts = [[csv_field(v) for v in col[i:i + _CHUNK]] for col in columns]
            if tail is not None:
                parts.append([tail] * len(parts[0]))
            out.writelines(",".join(row) + "\n" for row in zip(*parts))


def _bundle_files(tables, root, target):
    """Write the CSV files into ``root``; return (node files, relationship files, summary)."""
    summary = ExportSummary(f"import bundle {target}", planned=True)
    nodes, rels = [], []
    for t in tables.nodes:
        name = f"nodes_{check_name(t.label, 'label')}.csv"
        header = [f"id:ID({t.label})", *(_header(t.label, p) for p in t.properties), ":LABEL"]
        _write_csv(root / name, header, [t.frame[c].tolist() for c in ["id", *t.properties]], t.label)
        nodes.append(name)
        summary.rows[t.label] = len(t.frame)
    for t in tables.relationships:
        name = f"rels_{check_name(t.type, 'relation type')}_{t.start}_{t.end}.csv"
        header = [f":START_ID({t.start})", f":END_ID({t.end})",
                  *(_header(t.type, p) for p in t.properties), ":TYPE"]
        _write_csv(root / name, header, [t.frame[c].tolist() for c in ["start", "end", *t.properties]],
                   t.type)
        rels.append(name)
        owner = f"{t.type} ({t.start}->{t.end})"
        summary.rows[owner] = len(t.frame)
    return nodes, rels, summary


def import_command(nodes, rels, database="neo4j"):
    """The ``neo4j-admin`` command line that imports the bundle (run inside its directory)."""
    args = ["neo4j-admin database import full", database, "--overwrite-destination=true", *IMPORT_OPTIONS]
    args += [f"--nodes={n}" for n in nodes] + [f"--relationships={r}" for r in rels]
    return " \\\n    ".join(args)


def _instructions(nodes, rels, summary):
    counts = "\n".join(f"  {k}: {v}" for k, v in summary.rows.items())
    return f"""chainkg bulk-import bundle for neo4j-admin (Neo4j 5).

1. Stop the database (or the DBMS), or import into a new database. The import
   replaces the database named below (here: neo4j). Run from this directory:

{import_command(nodes, rels)}

   neo4j-admin lives in the server's bin/ directory (in Docker: docker exec … neo4j-admin).
   With Enterprise Edition you may import into a new database name instead and then run
   CREATE DATABASE <name>.

2. Start the database and create the uniqueness constraints chainkg's export uses:

   cypher-shell -u neo4j -d neo4j -f constraints.cypher

Later runs of `chainkg export neo4j` against this database MERGE into it.

Rows per file:
{counts}
"""


def write_import_bundle(graph, directory, *, regions=None, chains=None, overwrite=False):
    """Write ``graph`` (or the selected regions and chains) as a bulk-import bundle.

    Parameters
    ----------
    graph : ChainGraph
    directory : str or Path
        Created; it must not exist or be empty, unless ``overwrite`` and it holds a
        previous bundle and nothing else (see :func:`chainkg.outdir.write_owned_dir`).
    regions, chains : iterable of str, optional
        The selection of :meth:`ChainGraph.to_networkx`.
    overwrite : bool

    Returns
    -------
    ExportSummary
        Rows written per label and relationship kind.

    Raises
    ------
    ExportError
        The directory is in use or cannot be written; nothing is left half-written.

    Examples
    --------
    >>> import chainkg, tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "bundle")
    >>> s = write_import_bundle(chainkg.load(), out, chains=["ic"])
    >>> open(os.path.join(out, "nodes_Segment.csv"), encoding="utf-8").readline().split(",")[:2]
    ['id:ID(Segment)', 'name']
    >>> s.rows["Chain"]
    1
    """
    from chainkg.outdir import write_owned_dir

    target = Path(directory)
    start = time.perf_counter()
    written = {}

    def fill(tmp):
        tables = property_tables(graph, regions=regions, chains=chains)
        nodes, rels, summary = _bundle_files(tables, tmp, target)
        (tmp / "constraints.cypher").write_text(
            "".join(constraint_statement(t.label) + ";\n" for t in tables.nodes), encoding="utf-8")
        (tmp / INSTRUCTIONS_FILE).write_text(_instructions(nodes, rels, summary), encoding="utf-8")
        written.update(nodes=nodes, rels=rels, summary=summary)

    write_owned_dir(target, fill, what="neo4j-import bundle", replace=overwrite, option="--overwrite")
    nodes, rels, summary = written["nodes"], written["rels"], written["summary"]
    summary.statements = len(nodes) + len(rels)
    summary.seconds = time.perf_counter() - start
    return summary
