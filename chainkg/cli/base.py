"""The command group, its state and the options and helpers its commands share."""

from __future__ import annotations

import functools
import logging
import os
import sys

import click

from chainkg.errors import ChainKGError

__all__ = ["cli", "main", "State", "output_options", "emit", "shown", "scope_options", "settings_options", "neo4j_options",
           "backend_options", "neo4j_query", "one_region", "title_of", "summary_format", "neo4j_store", "progress_bar"]


class State:
    """What the group's options set up for its commands: the data directory, lazily loaded."""

    def __init__(self, data, debug, allow_outside=(), cache_dir=None, no_cache=False):
        self.data, self.debug, self.allow_outside = data, debug, tuple(allow_outside)
        self.cache_dir, self.no_cache = cache_dir, no_cache
        self._graph = None

    def load_cache(self):
        from chainkg.loaders.cache import LoadCache

        return LoadCache(self.cache_dir)

    def graph(self):
        if self._graph is None:
            import warnings

            from chainkg.errors import CacheWarning
            from chainkg.loaders import load

            progress = None
            if sys.stderr.isatty():
                def progress(name):
                    click.echo(shown(f"reading {name}…"), err=True)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", CacheWarning)
                self._graph = load(self.data, progress=progress, allow_outside=self.allow_outside,
                                   cache=None if self.no_cache else self.load_cache())
            for w in caught:
                if issubclass(w.category, CacheWarning):
                    click.echo(shown(f"warning: {w.message}"), err=True)
                else:
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)
            _mention_warnings(self._graph.meta.get("warnings") or [])
        return self._graph


def _mention_warnings(warnings):
    """One line on stderr: the data loaded, but something in it was not read."""
    if warnings:
        more = len(warnings) - 1
        rest = f" (and {more} more warning{'s' if more > 1 else ''})" if more else ""
        click.echo(f"warning: {warnings[0]}{rest}; run 'chainkg validate' for all", err=True)


class ChainKGGroup(click.Group):
    """Turns library errors into one-line messages (tracebacks only with --debug)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ChainKGError as err:
            state = ctx.obj
            if state is not None and state.debug:
                raise
            raise click.ClickException(shown(str(err))) from err


def shown(text):
    """Text for the terminal: data (names, file names) quoted in it may hold control characters."""
    from chainkg.render import terminal_safe

    return terminal_safe(text)


def output_options(f):
    """--format and --output, shared by every command that prints a result."""

    @click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json", "md", "xlsx"]),
                  default=None, help="Output format (default: table, or from --output's suffix).")
    @click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
                  help="Write to this file (atomically) instead of standard output.")
    @functools.wraps(f)
    def wrapper(*args, fmt, output, **kwargs):
        if fmt is None:
            suffix = (output or "").rsplit(".", 1)[-1].lower() if output and "." in output else ""
            fmt = {"csv": "csv", "json": "json", "md": "md", "xlsx": "xlsx"}.get(suffix, "table")
        if fmt == "xlsx" and not output:
            raise click.UsageError("--format xlsx needs --output FILE.xlsx")
        return f(*args, emit=functools.partial(emit, fmt=fmt, output=output), **kwargs)

    return wrapper


def emit(result, *, fmt, output, title=None):
    from chainkg.render import render, write_result

    if output:
        write_result(output, result, fmt, title=title)
        click.echo(f"wrote {output}", err=True)
        return
    text = render(result, fmt, title=title)
    if fmt == "csv" and sys.stdout.isatty():  # CSV is data, but a terminal must not obey it
        text = "\n".join(shown(line) for line in text.split("\n"))
    try:
        click.echo(text, nl=False)
        sys.stdout.flush()
    except OSError as err:  # a full disk behind a redirection, a closed pipe
        _discard_stdout()
        raise ChainKGError(f"cannot write to standard output: {err.strerror or err}") from err


def _discard_stdout():
    """Point standard output at /dev/null, so that the exit's flush does not fail again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (a test runner's buffer)
        pass


@click.group(cls=ChainKGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", "-d", type=click.Path(file_okay=False), envvar="CHAINKG_DATA",
              help="Data directory (default: the embedded 梁平区 dataset; env CHAINKG_DATA).")
@click.option("--allow-outside", multiple=True, metavar="DIR", envvar="CHAINKG_ALLOW_OUTSIDE",
              type=click.Path(file_okay=False),
              help="A directory outside the data directory that its manifest may name (a dataset "
                   "kept elsewhere), repeatable (env CHAINKG_ALLOW_OUTSIDE, separated by ':').")
@click.option("--no-cache", is_flag=True, envvar="CHAINKG_NO_CACHE",
              help="Read and validate every file, neither using nor writing the load cache "
                   "(env CHAINKG_NO_CACHE=1).")
@click.option("--cache-dir", type=click.Path(file_okay=False), envvar="CHAINKG_CACHE_DIR",
              help="Where the load cache lives (default: $XDG_CACHE_HOME/chainkg or ~/.cache/chainkg; "
                   "env CHAINKG_CACHE_DIR).")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(package_name="chainkg")
@click.pass_context
def cli(ctx, data, allow_outside, no_cache, cache_dir, debug):
    """chainkg: industrial-chain knowledge graph (产业链知识图谱) for investment planning.

    Loads chain templates, regions, enterprises and projects, finds the missing and
    weak links of a region's chains and the companies that could fill them.

    Example: chainkg info
    """
    ctx.obj = State(data, debug, allow_outside, cache_dir, no_cache)


def scope_options(multiple_regions=False):
    """--region and --chain, shared by the query commands."""

    def decorate(f):
        f = click.option("--chain", "-c", "chains", multiple=True,
                         help="Chain id or name (repeatable; default: all chains).")(f)
        return click.option("--region", "-r", "regions", multiple=True, required=multiple_regions,
                            help="Region code or name (default: the data's home region, "
                                 "梁平区 500155 for the embedded data)"
                                 + ("; repeat for each region." if multiple_regions else "."))(f)

    return decorate


WEIGHT_NAMES = {"demand": "w_demand", "supply": "w_supply", "closure": "w_closure",
                "centrality": "w_centrality", "availability": "w_availability", "feasibility": "w_feasibility",
                "anchor": "anchor_pull",
                "fit": "t_fit",
                "size": "t_size", "flags": "t_flags", "ties": "t_ties", "origin": "t_origin"}


def _setting_problem(name, value):
    """What is wrong with ``value`` for the setting ``name``, or None."""
    from chainkg.queries.settings import settings_problems

    problems = settings_problems({name: value})[1] if value is not None else []
    return problems[0][1] if problems else None


def _check_setting(ctx, param, value):
    """Click callback: a usage error when the value does not fit its setting."""
    message = _setting_problem(param.name, value)
    if message:
        raise click.BadParameter(message)
    return value


def settings_options(f):
    """Thresholds and weights of the queries (defaults from the manifest, then these)."""

    @click.option("--strategy", type=click.Choice(["balanced", "low-hanging", "long-jump"]),
                  help="Priority weight preset: low-hanging favours what related segments make feasible, "
                       "long-jump closure and centrality; --weight wins over it [default: balanced].")
    @click.option("--strong-min", type=click.IntRange(min=1),
                  help="Local enterprises for a segment to count as present [default: 3].")
    @click.option("--strong-share", type=click.FloatRange(min=0, max=1, min_open=True),
                  help="Where memberships give shares: the region's total share of a segment for it to "
                       "count as present, below it weak [default: 0.10].")
    @click.option("--decay", type=float, callback=_check_setting,
                  help="Weight of a segment one more supply step away, in (0, 1] [default: 0.5].")
    @click.option("--weight", "weights", multiple=True, metavar="TERM=W",
                  help="A score weight, repeatable. Priority terms [defaults]: demand [0.30], "
                       "supply [0.15], closure [0.25], centrality [0.15], availability [0.15], "
                       "feasibility [0.15], anchor [0.40]; "
                       "target terms: fit [0.35], size [0.20], flags [0.15], ties [0.15], origin [0.15].")
    @click.option("--anchor-min", "anchor_min", type=click.FloatRange(min=0), metavar="CNY",
                  help="Investment (元) from which a landed or producing project is an anchor "
                       "(链主/龙头) [default: 1e9, 10亿元].")
    @click.option("--prefer", "prefer", multiple=True, metavar="GROUP",
                  help="Preferred origin region group, repeatable [default: 长三角, 珠三角].")
    @functools.wraps(f)
    def wrapper(*args, strategy, strong_min, strong_share, decay, weights, prefer, anchor_min, **kwargs):
        settings = {"strategy": strategy, "strong_min": strong_min, "strong_share": strong_share, "decay": decay,
                    "anchor_min_cny": anchor_min,
                    "preferred_origins": list(prefer) or None}
        for item in weights:
            term, _, value = item.partition("=")
            if term.strip() not in WEIGHT_NAMES:
                raise click.BadParameter(f"unknown term {term!r} (one of {', '.join(WEIGHT_NAMES)})",
                                         param_hint="--weight")
            name = WEIGHT_NAMES[term.strip()]
            try:
                settings[name] = float(value)
            except ValueError:
                raise click.BadParameter(f"{item!r} is not TERM=NUMBER", param_hint="--weight") from None
            message = _setting_problem(name, settings[name])
            if message:
                raise click.BadParameter(f"{item!r}: {message}", param_hint="--weight")
        return f(*args, settings=settings, **kwargs)

    return wrapper


def neo4j_options(f):
    """--uri, --user and --database of a Neo4j server; the password comes from NEO4J_PASSWORD or a prompt."""
    f = click.option("--database", help="Database name (default: the user's home database).")(f)
    f = click.option("--user", "-u", default="neo4j", show_default=True, envvar="NEO4J_USER",
                     help="User name (env NEO4J_USER).")(f)
    return click.option("--uri", envvar="NEO4J_URI", metavar="URI",
                        help="bolt://localhost:7687, neo4j://host:7687 or neo4j+s://xxxx.databases.neo4j.io "
                             "for Aura (env NEO4J_URI). The password is read from NEO4J_PASSWORD, "
                             "else asked for without echo.")(f)


def backend_options(f):
    """--backend memory|neo4j, and --uri/--user/--database of the Neo4j database."""
    f = neo4j_options(f)
    return click.option("--backend", type=click.Choice(["memory", "neo4j"]), default="memory",
                        show_default=True,
                        help="Compute in memory, or by Cypher in a Neo4j database that "
                             "'chainkg export neo4j' wrote (give --uri).")(f)


def neo4j_query(state, name, regions, chains, settings, neo4j):
    """Run ``chainkg.queries.neo4j_backend.<name>`` on the database at --uri."""
    from chainkg.queries import neo4j_backend

    region = one_region(regions) or state.graph().home_region
    with neo4j_store(**neo4j) as store:
        return getattr(neo4j_backend, name)(store, region, list(chains) or None, **settings)


def one_region(regions):
    if len(regions) > 1:
        raise click.UsageError("give one --region (use 'chainkg compare' for several)")
    return regions[0] if regions else None


def title_of(graph, what, region_names):
    as_of = graph.meta.get("as_of")
    return f"{', '.join(map(str, region_names))} — {what}" + (f" (data as of {as_of})" if as_of else "")


def summary_format(f):
    """--format for commands whose -o names a directory rather than an output file."""
    return click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json", "md"]),
                        default="table", help="Format of the report (default: table).")(f)


def neo4j_store(uri, user, database):
    from chainkg.graph.neo4j_store import connect

    if not uri:
        raise click.UsageError("give --uri (e.g. bolt://localhost:7687) or set NEO4J_URI")
    password = os.environ.get("NEO4J_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise click.UsageError("set NEO4J_PASSWORD (there is no terminal to ask for the password)")
        password = click.prompt(f"Neo4j password for {user}", hide_input=True, err=True)
    # The driver logs each retry as a warning; the one-line error at the end says it all.
    logging.getLogger("neo4j").addHandler(logging.NullHandler())
    logging.getLogger("neo4j").propagate = False
    return connect(uri, user, password, database)


def progress_bar(what):
    """A tqdm bar on stderr, silent unless stderr is a terminal, fed by the library's callback."""
    from tqdm import tqdm

    bar = tqdm(unit="rows", desc=what, file=sys.stderr, disable=not sys.stderr.isatty(), leave=False)

    def update(rows, total, owner):
        bar.total = total
        bar.set_postfix_str(owner, refresh=False)
        bar.update(rows)

    update.close = bar.close
    return update


def main(argv=None):
    """Entry point of the ``chainkg`` console script."""
    cli.main(args=argv, prog_name="chainkg", standalone_mode=True)
