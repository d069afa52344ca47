"""Writing a ChainGraph to Neo4j in batches, and the connection the gap queries share.

Export creates a uniqueness constraint per node kind (``IF NOT EXISTS``), then runs one
``UNWIND $rows … MERGE`` statement per batch, per node kind and relationship kind, each
in a managed transaction (``session.execute_write``) so transient errors are retried.
Because every write is a ``MERGE`` on a key (see
:data:`chainkg.graph.property_tables.MERGE_KEYS`), a rerun, or a rerun after a run
killed part-way, leaves exactly one copy of everything.

Labels, relation types and property keys come from the schema and are checked to be
identifiers before they reach Cypher text; data reaches Cypher only as parameters.

The driver (``pip install 'chainkg[neo4j]'``) is imported when a connection is opened;
:func:`write_dry_run` needs neither the driver nor a server.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from chainkg.errors import BackendError, ChainKGError, ExportError
from chainkg.graph.property_tables import check_name, property_tables
from chainkg.graph.schema import NODE_KINDS

__all__ = ["Neo4jStore", "connect", "Statement", "ExportSummary", "plan_statements",
           "node_statement", "relationship_statement", "constraint_statement", "write_dry_run",
           "DEFAULT_BATCH_SIZE", "URI_SCHEMES"]

DEFAULT_BATCH_SIZE = 10_000
URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


@dataclass
class Statement:
    """One Cypher statement of an export: a constraint, or a batch of ``rows``."""

    what: str            # "constraint", "nodes" or "relationships"
    owner: str           # the label, or "TYPE (Start->End)"
    cypher: str
    rows: list | None = None

    @property
    def parameters(self):
        return {} if self.rows is None else {"rows": self.rows}


def constraint_statement(label):
    """The uniqueness constraint on the key of ``label``.

    Examples
    --------
    >>> print(constraint_statement("Segment"))
    CREATE CONSTRAINT chainkg_Segment_id IF NOT EXISTS FOR (n:Segment) REQUIRE n.id IS UNIQUE
    """
    label, key = check_name(label, "label"), check_name(NODE_KINDS[label].key, "key")
    return (f"CREATE CONSTRAINT chainkg_{label}_{key} IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.{key} IS UNIQUE")


def _changed(var, props):
    # SET only where a value differs (null = absent), so a rerun sets no property at all;
    # properties added in Neo4j by others are left alone.
    return (f"WITH {var}, row WHERE any(k IN keys({props}) WHERE NOT coalesce({var}[k] = {props}[k], "
            f"{var}[k] IS NULL AND {props}[k] IS NULL))")


def node_statement(label):
    """The batch MERGE of ``label`` nodes; each row is a map of the key and properties.

    Examples
    --------
    >>> print(node_statement("Region"))
    UNWIND $rows AS row
    MERGE (n:Region {id: row.id})
    WITH n, row WHERE any(k IN keys(row) WHERE NOT coalesce(n[k] = row[k], n[k] IS NULL AND row[k] IS NULL))
    SET n += row
    """
    label, key = check_name(label, "label"), check_name(NODE_KINDS[label].key, "key")
    return f"UNWIND $rows AS row\nMERGE (n:{label} {{{key}: row.{key}}})\n{_changed('n', 'row')}\nSET n += row"


def relationship_statement(type_, start, end, merge_keys=(), properties=True):
    """The batch MERGE of ``type_`` relationships; rows are ``{start, end, props}``.

    Relationship kinds without properties (``properties=False``) only MERGE.

    Examples
    --------
    >>> print(relationship_statement("SUPPLIES_TO", "Enterprise", "Enterprise", ("product",)))
    UNWIND $rows AS row
    MATCH (a:Enterprise {id: row.start})
    MATCH (b:Enterprise {id: row.end})
    MERGE (a)-[r:SUPPLIES_TO {product: row.props.product}]->(b)
    WITH r, row WHERE any(k IN keys(row.props) WHERE NOT coalesce(r[k] = row.props[k], r[k] IS NULL AND row.props[k] IS NULL))
    SET r += row.props
    """
    type_, start, end = check_name(type_, "relation type"), check_name(start, "label"), check_name(end, "label")
    keys = ", ".join(f"{check_name(k, 'property key')}: row.props.{k}" for k in merge_keys)
    return (f"UNWIND $rows AS row\n"
            f"MATCH (a:{start} {{{NODE_KINDS[start].key}: row.start}})\n"
            f"MATCH (b:{end} {{{NODE_KINDS[end].key}: row.end}})\n"
            f"MERGE (a)-[r:{type_}{' {' + keys + '}' if keys else ''}]->(b)"
            + (f"\n{_changed('r', 'row.props')}\nSET r += row.props" if properties else ""))


def _records(frame):
    """``frame.to_dict("records")`` from whole columns: each column is turned into Python
    values once (``tolist``), not each cell boxed on its own."""
    columns = [frame[c].tolist() for c in frame.columns]
    names = list(frame.columns)
    return [dict(zip(names, row)) for row in zip(*columns)] if columns else [{} for _ in range(len(frame))]


def plan_statements(tables, batch_size=DEFAULT_BATCH_SIZE):
    """Every statement of an export of ``tables`` (PropertyTables), in order.

    Constraints first, then node batches (so relationships find their ends), then
    relationship batches. Rows are built one batch at a time from the columns.
    """
    if batch_size < 1:
        raise ExportError(f"batch size must be at least 1, got {batch_size!r}")
    for t in tables.nodes:
        yield Statement("constraint", t.label, constraint_statement(t.label))
    for t in tables.nodes:
        cypher = node_statement(t.label)
        for i in range(0, len(t.frame), batch_size):
            yield Statement("nodes", t.label, cypher, _records(t.frame.iloc[i:i + batch_size]))
    for t in tables.relationships:
        props = t.properties
        cypher = relationship_statement(t.type, t.start, t.end, t.merge_keys, bool(props))
        for i in range(0, len(t.frame), batch_size):
            part = t.frame.iloc[i:i + batch_size]
            prop_rows = _records(part[props]) if props else [{}] * len(part)
            rows = [{"start": s, "end": e, "props": p}
                    for s, e, p in zip(part["start"].tolist(), part["end"].tolist(), prop_rows)]
            yield Statement("relationships", f"{t.type} ({t.start}->{t.end})", cypher, rows)


@dataclass
class ExportSummary:
    """What an export did, from the servers' result summaries (or, for a dry run, planned)."""

    target: str
    rows: dict = field(default_factory=dict)      # owner -> rows sent
    created: dict = field(default_factory=dict)   # owner -> nodes or relationships created
    timing: dict = field(default_factory=dict)    # owner -> seconds spent writing its batches
    properties_set: int = 0
    constraints_added: int = 0
    statements: int = 0
    seconds: float = 0.0
    planned: bool = False                         # a dry run or a bundle: nothing was written to a database

    def add(self, statement, counters=None):
        self.statements += 1
        if statement.rows is None:
            self.constraints_added += getattr(counters, "constraints_added", 0)
            return
        self.rows[statement.owner] = self.rows.get(statement.owner, 0) + len(statement.rows)
        made = 0
        if counters is not None:
            made = counters.nodes_created if statement.what == "nodes" else counters.relationships_created
            self.properties_set += counters.properties_set
        self.created[statement.owner] = self.created.get(statement.owner, 0) + made

    def _total(self, what, numbers):
        return sum(v for k, v in numbers.items() if (k in NODE_KINDS) == (what == "nodes"))

    def rate(self, what):
        """Nodes or relationships created per second of writing them (``what``: "nodes" or "relationships")."""
        seconds = self._total(what, self.timing)
        return self._total(what, self.created) / seconds if seconds else 0.0

    @property
    def nodes_created(self):
        return self._total("nodes", self.created)

    @property
    def relationships_created(self):
        return self._total("relationships", self.created)

    @property
    def nodes_matched(self):
        return self._total("nodes", self.rows) - self.nodes_created

    @property
    def relationships_matched(self):
        return self._total("relationships", self.rows) - self.relationships_created

    def table(self):
        """One row per label and relationship kind: rows sent, created, matched."""
        if self.planned:
            return pd.DataFrame(list(self.rows.items()), columns=["kind", "rows"])
        return pd.DataFrame([{"kind": k, "rows": n, "created": self.created.get(k, 0),
                              "matched": n - self.created.get(k, 0)} for k, n in self.rows.items()],
                            columns=["kind", "rows", "created", "matched"])

    def tables(self):
        return {"export": self.table()}

    def to_dict(self):
        if self.planned:
            return {"target": self.target, "nodes": self._total("nodes", self.rows),
                    "relationships": self._total("relationships", self.rows),
                    "statements": self.statements, "kinds": self.table().to_dict("records")}
        return {"target": self.target, "nodes_created": self.nodes_created,
                "nodes_matched": self.nodes_matched,
                "relationships_created": self.relationships_created,
                "relationships_matched": self.relationships_matched,
                "properties_set": self.properties_set, "constraints_added": self.constraints_added,
                "statements": self.statements, "seconds": round(self.seconds, 3),
                "kinds": self.table().to_dict("records")}

    def line(self):
        """A one-line account for people."""
        if self.planned:
            return (f"{self.target}: {self._total('nodes', self.rows)} nodes and "
                    f"{self._total('relationships', self.rows)} relationships in {self.statements} "
                    f"{'statements' if 'dry run' in self.target else 'files'} ({self.seconds:.1f} s)")
        return (f"{self.target}: {self.nodes_created} nodes created, {self.nodes_matched} matched; "
                f"{self.relationships_created} relationships created, {self.relationships_matched} "
                f"matched; {self.properties_set} properties set; {self.constraints_added} "
                f"constraints added ({self.statements} statements, {self.seconds:.1f} s)")


def _backend_error(err, uri, user, database):
    """A one-line BackendError for a driver exception (never mentioning the password)."""
    import neo4j.exceptions as ne

    code = getattr(err, "code", None) or ""
    where = f"Neo4j at {uri}"
    if isinstance(err, ne.AuthError) or code.startswith("Neo.ClientError.Security"):
        msg = f"{where} refused the credentials of user {user!r} (check NEO4J_PASSWORD)"
    elif code == "Neo.ClientError.Database.DatabaseNotFound":
        msg = f"{where} has no database {database!r}"
    elif isinstance(err, (ne.ServiceUnavailable, ne.SessionExpired, OSError)):
        text = " ".join(str(err).split())
        reason = re.search(r"\(reason (.*)\)\s*$", text)
        msg = f"cannot reach {where} ({reason.group(1) if reason else text or type(err).__name__}); is the server running?"
    elif isinstance(err, (ne.ConfigurationError, ValueError)):
        msg = f"cannot use Neo4j URI {uri!r}: {err}"
    else:
        message = getattr(err, "message", None) or str(err)
        msg = f"{where}: {code + ': ' if code else ''}{message}"
    return BackendError(" ".join(msg.split()))


def _run_write(tx, cypher, parameters):
    return tx.run(cypher, parameters).consume().counters


def _run_read(tx, cypher, parameters):
    return [r.data() for r in tx.run(cypher, parameters)]


class Neo4jStore:
    """An open connection to one Neo4j database. Use :func:`connect` to make one.

    Every method raises :class:`~chainkg.errors.BackendError` with a one-line message
    when the server cannot be reached, refuses the credentials or lacks the database.
    """

    def __init__(self, driver, uri, user, database=None):
        self._driver, self.uri, self.user, self.database = driver, uri, user, database

    def __repr__(self):
        return f"<Neo4jStore {self.uri} user={self.user!r} database={self.database!r}>"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._driver.close()

    @contextmanager
    def _session(self):
        import neo4j.exceptions as ne

        try:
            with self._driver.session(database=self.database) as session:
                yield session
        except (ne.Neo4jError, ne.DriverError, OSError) as err:
            raise _backend_error(err, self.uri, self.user, self.database) from err

    def write(self, cypher, parameters=None):
        """Run ``cypher`` in a managed write transaction; return the summary counters."""
        with self._session() as session:
            return session.execute_write(_run_write, cypher, parameters or {})

    def read(self, cypher, parameters=None):
        """Run ``cypher`` in a managed read transaction; return the records as dicts."""
        with self._session() as session:
            return session.execute_read(_run_read, cypher, parameters or {})

    def export(self, graph, *, regions=None, chains=None, batch_size=DEFAULT_BATCH_SIZE,
               progress=None):
        """Write ``graph`` (or the selected regions and chains) with MERGE batches.

        Parameters
        ----------
        graph : ChainGraph
        regions, chains : iterable of str, optional
            The selection of :meth:`ChainGraph.to_networkx`.
        batch_size : int
            Rows per statement and transaction.
        progress : callable, optional
            Called after each batch as ``progress(rows_done, rows_total, what)``.

        Returns
        -------
        ExportSummary
            Counts from the result summaries; a rerun reports 0 created.
        """
        start = time.perf_counter()
        tables = property_tables(graph, regions=regions, chains=chains)
        summary = ExportSummary(self.uri + (f" ({self.database})" if self.database else ""))
        total = len(tables)
        awaited = False
        for st in plan_statements(tables, batch_size):
            if st.rows is not None and not awaited:
                with self._session() as session:
                    session.run("CALL db.awaitIndexes(300)").consume()
                awaited = True
            started = time.perf_counter()
            summary.add(st, self.write(st.cypher, st.parameters))
            summary.timing[st.owner] = summary.timing.get(st.owner, 0.0) + time.perf_counter() - started
            if progress is not None and st.rows is not None:
                progress(len(st.rows), total, st.owner)
        summary.seconds = time.perf_counter() - start
        return summary


def connect(uri, user, password, database=None):
    """Open and check a connection to a Neo4j database.

    Parameters
    ----------
    uri : str
        ``bolt://host:7687``, ``neo4j://…`` or ``neo4j+s://xxxx.databases.neo4j.io`` (Aura).
    user, password : str
        Credentials; the password is used only to authenticate.
    database : str, optional
        The database (default: the user's home database).

    Returns
    -------
    Neo4jStore

    Raises
    ------
    BackendError
        The driver is not installed, the server is down, the credentials are wrong or
        the database does not exist.
    """
    try:
        import neo4j
    except ImportError as err:
        raise BackendError("the Neo4j driver is not installed (it is a dependency of chainkg): pip install 'neo4j>=5.14'") from err
    scheme = str(uri).partition("://")[0].lower()
    if scheme not in URI_SCHEMES:
        raise BackendError(f"cannot use Neo4j URI {uri!r}: the scheme must be one of {', '.join(URI_SCHEMES)}")
    try:
        # Server notifications (deprecations, unknown property keys in an empty database)
        # would be logged as warnings on every query; chainkg's statements are fixed.
        driver = neo4j.GraphDatabase.driver(uri, auth=(user, password),
                                            connection_acquisition_timeout=30,
                                            notifications_min_severity="OFF")
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, ValueError) as err:
        raise _backend_error(err, uri, user, database) from err
    store = Neo4jStore(driver, uri, user, database)
    try:
        try:
            driver.verify_connectivity()  # fails at once; a transaction would retry for 30 s
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as err:
            raise _backend_error(err, uri, user, database) from err
        store.read("RETURN 1 AS ok")
    except ChainKGError:
        driver.close()
        raise
    return store


def _json_line(obj):
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False)
    # Keep one statement per line for readers that split on every Unicode line break.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


def write_dry_run(graph, path, *, regions=None, chains=None, batch_size=DEFAULT_BATCH_SIZE):
    """Write the statements of an export to ``path`` instead of running them.

    The file is JSON Lines: one ``{"statement": …, "parameters": …}`` object per line,
    in the order an export runs them (the shape of one statement of Neo4j's HTTP
    transaction API). No driver or server is needed. The file is written atomically.

    Returns
    -------
    ExportSummary
        Rows planned per kind (nothing is created).

    Examples
    --------
    >>> import chainkg, json, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "export.jsonl")
    >>> s = write_dry_run(chainkg.load(), path, chains=["ic"], batch_size=50)
    >>> first = json.loads(open(path, encoding="utf-8").readline())
    >>> first["statement"].startswith("CREATE CONSTRAINT"), s.rows["Chain"]
    (True, 1)
    """
    start = time.perf_counter()
    tables = property_tables(graph, regions=regions, chains=chains)
    summary = ExportSummary(f"dry run {path}", planned=True)
    path, tmp = Path(path), None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            for st in plan_statements(tables, batch_size):
                out.write(_json_line({"statement": st.cypher, "parameters": st.parameters}) + "\n")
                summary.add(st)
        os.replace(tmp, path)
    except BaseException as err:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise ExportError(f"cannot write {str(path)!r}: {err.strerror or err}") from err
        raise
    summary.seconds = time.perf_counter() - start
    return summary
