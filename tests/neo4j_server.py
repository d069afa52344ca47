"""Run a real Neo4j 5.26 community server for the tests.

The server is the small Java launcher in ``tests/neo4j_launcher`` (embedded Neo4j with a
Bolt connector, built by Maven from Maven Central artifacts). This module builds it when
needed, starts it, and offers two pytest fixtures:

* ``neo4j_server`` (session): a running server, stopped at the end of the session;
* ``neo4j_clean`` (function): the same server, emptied first (data, constraints, indexes).

Use them from a test module with ``from neo4j_server import neo4j_server, neo4j_clean``
(or ``pytest_plugins = ["neo4j_server"]`` in a conftest). Without Java 17+ or Maven the
fixtures skip, except under CI (env var ``CI`` set), where they fail.

This module does not import the project package.
"""

from __future__ import annotations

import fcntl
import os
import queue
import re
import secrets
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator, Sequence

import pytest

LAUNCHER_DIR = Path(__file__).resolve().parent / "neo4j_launcher"
TARGET_DIR = LAUNCHER_DIR / "target"
JAR = TARGET_DIR / "launcher.jar"
CLASSPATH_FILE = TARGET_DIR / "classpath.txt"
BUILD_STAMP = TARGET_DIR / ".build-ok"  # Maven leaves unchanged outputs' mtimes alone
JVM_ARGS_FILE = LAUNCHER_DIR / "jvm.args"
MAIN_CLASS = "chainkg.testserver.Launcher"

USER = "neo4j"
START_TIMEOUT_S = 180.0
BUILD_TIMEOUT_S = 900.0


class Neo4jToolsMissing(RuntimeError):
    """Java 17+ or Maven is not available, so the launcher cannot be built or run."""


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if not java:
        raise Neo4jToolsMissing("no `java` on PATH")
    out = subprocess.run(
        [java, "-version"], capture_output=True, text=True, timeout=60
    ).stderr
    m = re.search(r'version "(\d+)', out)
    if not m or int(m.group(1)) < 17:
        raise Neo4jToolsMissing(f"`{java}` is not Java 17+: {out.strip().splitlines()[:1]}")
    return java


def _sources() -> list[Path]:
    return [LAUNCHER_DIR / "pom.xml", *sorted((LAUNCHER_DIR / "src").rglob("*.java"))]


def _build_is_current() -> bool:
    if not (JAR.exists() and CLASSPATH_FILE.exists() and BUILD_STAMP.exists()):
        return False
    built = BUILD_STAMP.stat().st_mtime
    if any(src.stat().st_mtime >= built for src in _sources()):
        return False
    # ~/.m2 may have been cleaned since the last build.
    entries = CLASSPATH_FILE.read_text().strip().split(os.pathsep)
    return all(Path(entry).exists() for entry in entries if entry)


def build_launcher() -> str:
    """Build the launcher if it is missing or outdated; return its Java classpath."""
    TARGET_DIR.mkdir(parents=True, exist_ok=True)
    # Parallel test processes (xdist) must not run Maven in the same directory at once.
    with open(TARGET_DIR / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _build_is_current():
            mvn = shutil.which("mvn")
            if not mvn:
                raise Neo4jToolsMissing("no `mvn` on PATH to build tests/neo4j_launcher")
            BUILD_STAMP.unlink(missing_ok=True)
            proc = subprocess.run(
                [mvn, "-B", "-q", "-f", str(LAUNCHER_DIR / "pom.xml"), "package"],
                capture_output=True,
                text=True,
                timeout=BUILD_TIMEOUT_S,
            )
            if proc.returncode == 0:
                BUILD_STAMP.touch()
            if proc.returncode != 0 or not _build_is_current():
                tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
                raise RuntimeError(
                    f"building the Neo4j launcher failed (mvn exit {proc.returncode}):\n{tail}"
                )
    return f"{JAR}{os.pathsep}{CLASSPATH_FILE.read_text().strip()}"


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(cannot read {path}: {exc})"


@dataclass
class Neo4jServer:
    uri: str
    user: str
    password: str
    home: Path
    log_path: Path
    process: subprocess.Popen = field(repr=False)
    _log: IO[bytes] = field(repr=False)
    _driver: object = field(default=None, repr=False)

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    def driver(self):
        """A new neo4j driver for this server; the caller closes it."""
        import neo4j

        return neo4j.GraphDatabase.driver(self.uri, auth=self.auth)

    def shared_driver(self):
        """One driver kept open for the server's lifetime (closed by stop())."""
        if self._driver is None:
            self._driver = self.driver()
        return self._driver

    def clean(self) -> None:
        """Delete all nodes and relationships, and drop all constraints and indexes."""
        driver = self.shared_driver()
        driver.execute_query("MATCH (n) DETACH DELETE n")
        records, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name")
        for record in records:
            driver.execute_query(f"DROP CONSTRAINT {_quote(record['name'])} IF EXISTS")
        # The two token LOOKUP indexes exist in a fresh database too; keep them.
        records, _, _ = driver.execute_query(
            "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name"
        )
        for record in records:
            driver.execute_query(f"DROP INDEX {_quote(record['name'])} IF EXISTS")

    def stop(self, timeout: float = 60.0) -> None:
        """Shut the server down cleanly (stdin EOF), killing it only if it hangs."""
        if self._driver is not None:
            self._driver.close()
            self._driver = None
        if self.process.poll() is None:
            try:
                if self.process.stdin:
                    self.process.stdin.close()
                self.process.wait(timeout)
            except (subprocess.TimeoutExpired, OSError):
                self.process.terminate()
                try:
                    self.process.wait(15)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        self._log.close()


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def bundle_import_args(bundle: Path) -> list[str]:
    """The options of the command a bundle's IMPORT.txt gives, with the bundle's files as
    absolute paths: what ``start_neo4j(import_args=...)`` takes."""
    bundle = Path(bundle)
    text = (bundle / "IMPORT.txt").read_text(encoding="utf-8")
    command = text[text.index("neo4j-admin database import full"):].split("\n\n")[0]
    words = command.replace("\\\n", " ").split()
    if words[:5] != ["neo4j-admin", "database", "import", "full", "neo4j"]:
        raise ValueError(f"unexpected import command in {bundle / 'IMPORT.txt'}: {' '.join(words[:5])}")
    return [w.replace("=", f"={bundle}/", 1) if w.endswith(".csv") else w for w in words[5:]]


def start_neo4j(
    workdir: Path | str,
    import_args: Sequence[str] | None = None,
    timeout: float = START_TIMEOUT_S,
    jvm_args: Sequence[str] = (),
) -> Neo4jServer:
    """Build (if needed) and start the launcher with its store in ``workdir/home``.

    ``import_args`` are passed to ``neo4j-admin database import full`` before the server
    starts, e.g. ``["--nodes=/x/nodes.csv", "--relationships=/x/rels.csv"]``.
    ``jvm_args`` come after the test settings of ``jvm.args`` and override them (a
    benchmark wants the full JIT and a larger heap, as a production server has).
    """
    java = _java()
    classpath = build_launcher()
    workdir = Path(workdir).resolve()
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    log_path = workdir / "neo4j-launcher.log"
    password = secrets.token_urlsafe(18)

    cmd = [java, f"@{JVM_ARGS_FILE}", *jvm_args, "-cp", classpath, MAIN_CLASS, str(home)]
    if import_args:
        cmd += ["--import", *import_args]
    log = open(log_path, "ab")
    process = subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE,  # the launcher stops when this pipe closes
        stdout=subprocess.PIPE,
        stderr=log,
        env={**os.environ, "NEO4J_PASSWORD": password},
        cwd=workdir,
    )

    def fail(reason: str) -> RuntimeError:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()
        return RuntimeError(
            f"Neo4j launcher: {reason}\n--- last lines of {log_path} ---\n{_tail(log_path)}"
        )

    lines: queue.Queue[str | None] = queue.Queue()

    def read_stdout() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            lines.put(raw.decode(errors="replace").strip())
        lines.put(None)

    threading.Thread(target=read_stdout, daemon=True).start()

    deadline = time.monotonic() + timeout
    uri = None
    while uri is None:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise fail(f"no BOLT_URI line within {timeout:.0f} s") from None
        if line is None:
            process.wait()
            raise fail(f"exited with code {process.returncode} before printing BOLT_URI")
        if line.startswith("BOLT_URI="):
            uri = line.split("=", 1)[1]

    server = Neo4jServer(uri, USER, password, home, log_path, process, log)
    import neo4j.exceptions

    while True:
        try:
            server.shared_driver().verify_connectivity()
            return server
        except neo4j.exceptions.ServiceUnavailable as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise fail(f"Bolt at {uri} not reachable: {exc}") from exc
            time.sleep(0.5)


def start_neo4j_or_skip(workdir: Path | str, **kwargs) -> Neo4jServer:
    """start_neo4j(), but without Java 17+/Maven: skip the test, or fail it under CI."""
    try:
        return start_neo4j(workdir, **kwargs)
    except Neo4jToolsMissing as exc:
        message = f"Neo4j tests need Java 17 and Maven: {exc}"
        if os.environ.get("CI"):
            raise RuntimeError(message) from exc
        pytest.skip(message)


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    server = start_neo4j_or_skip(tmp_path_factory.mktemp("neo4j"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def neo4j_clean(neo4j_server: Neo4jServer) -> Neo4jServer:
    neo4j_server.clean()
    return neo4j_server
