"""The chainkg command line: a thin layer over the library.

Each command parses options, calls one public function, renders the result and turns
:class:`~chainkg.errors.ChainKGError` into ``Error: …`` with exit status 1. Usage
errors exit 2. Tracebacks appear only with ``--debug``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import sys

import click

from chainkg.errors import ChainKGError

__all__ = ["cli", "main"]


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
                    click.echo(_shown(f"reading {name}…"), err=True)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", CacheWarning)
                self._graph = load(self.data, progress=progress, allow_outside=self.allow_outside,
                                   cache=None if self.no_cache else self.load_cache())
            for w in caught:
                if issubclass(w.category, CacheWarning):
                    click.echo(_shown(f"warning: {w.message}"), err=True)
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
            raise click.ClickException(_shown(str(err))) from err


def _shown(text):
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
        text = "\n".join(_shown(line) for line in text.split("\n"))
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


@cli.command()
@output_options
@click.pass_obj
def info(state, emit):
    """Counts by kind, by chain and by region, with sources and as-of dates.

    Example: chainkg info --format md
    """
    from chainkg.graph.summary import summarize

    graph = state.graph()
    s = summarize(graph)
    emit(s, title=f"{s.name} (as of {s.as_of})" if s.name else None)


@cli.command()
@click.option("--chain", "-c", help="Only this chain (id or name, e.g. ic or 集成电路).")
@output_options
@click.pass_obj
def segments(state, chain, emit):
    """The segment tree of each chain with stages, weights and aliases.

    Example: chainkg segments --chain ic
    """
    from chainkg.graph.summary import segment_tree

    graph = state.graph()
    emit(segment_tree(graph, graph.resolve_chain(chain) if chain else None))


@cli.command()
@click.option("--region", "-r", help="Only enterprises of this region and below.")
@click.option("--unclassified", is_flag=True, help="List enterprises that matched no segment.")
@click.option("--trade-only", is_flag=True, help="List enterprises that only trade in a chain's goods.")
@output_options
@click.pass_obj
def classify(state, region, unclassified, trade_only, emit):
    """How each enterprise came to its segments: method, evidence, confidence.

    Registry exports (企业名称, 国标行业, 经营范围, 主营产品, no segments column) are
    classified when loaded; this lists every membership with the words or industry code
    it rests on. Correct a row by copying it into overrides.csv in the data directory
    (enterprise, segment, note; an empty segment means none): it wins over every rule.

    Example: chainkg --data mydata classify --unclassified -o check.xlsx
    """
    from chainkg.queries.classification import classification

    if unclassified and trade_only:
        raise click.UsageError("use only one of --unclassified or --trade-only")
    which = "unclassified" if unclassified else "trade_only" if trade_only else "memberships"
    emit(classification(state.graph(), region=region, which=which))


@cli.command()
@output_options
@click.pass_obj
def validate(state, emit):
    """Check a data directory and list every problem with its location.

    Exits 1 when there is any problem.

    Example: chainkg --data mydata validate
    """
    import pandas as pd

    from chainkg.loaders import validate as validate_dir

    report = validate_dir(state.data, allow_outside=state.allow_outside)
    for line in report.warning_lines():
        click.echo(_shown(line), err=True)
    if emit.keywords["fmt"] == "json":
        emit(report)
    elif report.valid:
        warned = f", {len(report.warnings)} warning{'s' if len(report.warnings) > 1 else ''}" \
            if report.warnings else ""
        click.echo(f"ok: {len(report.files)} files, no problems{warned}")
        for f in report.files:
            click.echo(_shown(f"  {f}"))
    else:
        problems = pd.DataFrame([p.__dict__ for p in report.problems])
        if emit.keywords["fmt"] == "table" and not emit.keywords["output"]:
            for line in report.lines():
                click.echo(_shown(line))
        else:
            emit(problems)
        click.echo(f"{report.count} problem{'s' if report.count != 1 else ''} found", err=True)
    if not report.valid:
        sys.exit(1)


@cli.group()
def cache():
    """The load cache: validated data directories, read back while their files are unchanged.

    A command that loads a data directory snapshots it once it passes validation; later
    commands on the same, unchanged files read the snapshot instead of parsing and
    validating again. Any change to one of its files, or another chainkg version, makes
    a fresh load. ``chainkg --no-cache`` bypasses it.

    Example: chainkg cache info
    """


@cache.command("info")
@output_options
@click.pass_obj
def cache_info(state, emit):
    """Where the load cache is, and each snapshot in it: data directory, version, size.

    Example: chainkg cache info --format json
    """
    import pandas as pd

    store = state.load_cache()
    entries = pd.DataFrame(store.entries(), columns=["file", "data", "version", "written", "bytes"])
    size = int(entries["bytes"].fillna(0).sum())
    emit(entries, title=f"load cache {store.directory}: {len(entries)} snapshot"
                        f"{'' if len(entries) == 1 else 's'}, {size / 1e6:.1f} MB")


@cache.command("clear")
@click.pass_obj
def cache_clear(state):
    """Remove every snapshot from the load cache (and nothing else in its directory).

    Example: chainkg cache clear
    """
    store = state.load_cache()
    count, freed = store.clear()
    click.echo(_shown(f"removed {count} file{'' if count == 1 else 's'} ({freed / 1e6:.1f} MB) "
                      f"from {store.directory}"))


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


def _neo4j_query(state, name, regions, chains, settings, neo4j):
    """Run ``chainkg.queries.neo4j_backend.<name>`` on the database at --uri."""
    from chainkg.queries import neo4j_backend

    region = _one_region(regions) or state.graph().home_region
    with _neo4j_store(**neo4j) as store:
        return getattr(neo4j_backend, name)(store, region, list(chains) or None, **settings)


@cli.command()
@click.option("--all-regions", is_flag=True, help="Every county-level region instead of --region.")
@scope_options()
@settings_options
@backend_options
@output_options
@click.pass_obj
def gaps(state, regions, chains, all_regions, settings, backend, emit, **neo4j):
    """Completeness and the ranked missing and weak segments of a region's chains.

    For each chain: completeness as a range (completeness_low: leaves known present or
    weak; completeness_high: also unresolved and unknown leaves) with the evidence share,
    coverage and sources; then every segment that is weak, planned, missing or unknown,
    ranked, with its status and a note: missing is a confirmed gap (a census source
    covers the region and chain), unknown (待摸底) means no census covers it, so check
    first; planned names its projects. Then the action (补链 fill between present
    segments, 延链 extend on one side, 建链 build from nothing, 强链 strengthen), the
    priority score and each term (demand, supply, closure, centrality, availability,
    anchor: the pull of a landed or producing 链主 project downstream; normalised to
    0–1), local counts and candidate enterprises elsewhere.

    With --backend neo4j --uri … the statuses, actions and completeness are computed by
    Cypher in a database that 'chainkg export neo4j' wrote (without priority scores).

    Example: chainkg gaps --region 梁平区 --chain ic --format md
    """
    from chainkg.queries import gaps as run_gaps

    if all_regions and regions:
        raise click.UsageError("use only one of --region or --all-regions")
    if backend == "neo4j":
        if all_regions:
            raise click.UsageError("--all-regions works with --backend memory only")
        result = _neo4j_query(state, "gaps_neo4j", regions, chains, settings, neo4j)
        return emit(result, title=f"{result.completeness['region_name'].iloc[0]} — gap analysis "
                                  f"(Neo4j {neo4j['uri']}; no priority scores)")
    graph = state.graph()
    result = run_gaps(graph, list(regions) or None, list(chains) or None, all_regions=all_regions,
                      **settings)
    emit(result, title=_title(graph, "gap analysis", result.completeness["region_name"].unique()))


@cli.command()
@scope_options()
@settings_options
@backend_options
@output_options
@click.pass_obj
def coverage(state, regions, chains, settings, backend, emit, **neo4j):
    """The status of every segment of a region's chains, as a tree.

    Statuses: present, weak, planned (a project targets it), unresolved (present at a
    level above, which leaf unknown), missing (a census source covers the region and
    chain and lists none) and unknown (待摸底: no census covers it). Completeness is a
    range with the evidence behind it, as in gaps.

    Example: chainkg coverage --chain 集成电路
    """
    from chainkg.queries import coverage as run_coverage

    if backend == "neo4j":
        result = _neo4j_query(state, "coverage_neo4j", regions, chains, settings, neo4j)
        return emit(result, title=f"{result.completeness['region_name'].iloc[0]} — coverage "
                                  f"(Neo4j {neo4j['uri']})")
    graph = state.graph()
    result = run_coverage(graph, _one_region(regions), list(chains) or None, **settings)
    emit(result, title=_title(graph, "coverage", result.completeness["region_name"].unique()))


@cli.command("feasibility")
@click.option("--region", "-r", help="Region code or name (default: home region).")
@click.option("--chain", "-c", "chains", multiple=True, help="Chain id or name, repeatable (default: all).")
@click.option("--level", type=click.Choice(["district", "city", "province", "country"]),
              help="Region level of the region x segment matrix [default: district].")
@click.option("--supply-blend", "supply_blend", type=click.FloatRange(0, 1),
              help="Weight of the templates' supply adjacency in the proximity, 0-1 [default: 0.3].")
@output_options
@click.pass_obj
def feasibility_command(state, region, chains, level, supply_blend, emit):
    """Relatedness of each segment to what a region already has (economic complexity).

    For every leaf: the region's enterprises in it, RCA (Balassa), presence M = RCA >= 1,
    density (how much of the segment's neighbourhood the region has, by proximity), distance
    (1 - density), opportunity gain and the segment's complexity (PCI), as py-ecomplexity
    defines them, on the region x segment matrix of the loaded data. With fewer than 30
    regions with enterprises the figures are empty and a note says why.

    Example: chainkg --data national feasibility --region 梁平区 --chain ic
    """
    from chainkg.queries.relatedness import feasibility

    emit(feasibility(state.graph(), region, list(chains) or None, feasibility_level=level,
                     feasibility_supply=supply_blend))


@cli.command()
@click.option("--segment", "-s", required=True, help="Segment id, name or alias (e.g. 晶圆制造).")
@click.option("--top", "-n", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many companies to list.")
@click.option("--region", "-r", help="The region looking for companies (default: home region).")
@settings_options
@output_options
@click.pass_obj
def targets(state, segment, top, region, settings, emit):
    """Companies outside the region that could fill a segment, ranked and explained.

    Each score term is shown (fit, size, flags, ties, origin) with the reasons in words.

    Example: chainkg targets --segment 逻辑与晶圆代工 --top 10
    """
    from chainkg.queries import rank_targets

    emit(rank_targets(state.graph(), segment, region, top, **settings))


@cli.command()
@scope_options()
@output_options
@click.pass_obj
def pipeline(state, regions, chains, emit):
    """Projects by status: counts, investment and rates against signed projects.

    Rates are given as a cumulative funnel (landed includes started and producing
    projects) and as stage rates in the convention of pipeline reports (落地率 counts
    every landed project, 开工率 and 投产率 projects at that stage now). Aggregate
    figures the sources report are listed beside them.

    Example: chainkg pipeline --format md
    """
    from chainkg.queries import pipeline as run_pipeline

    emit(run_pipeline(state.graph(), _one_region(regions), list(chains) or None))


@cli.command()
@scope_options(multiple_regions=True)
@settings_options
@output_options
@click.pass_obj
def compare(state, regions, chains, settings, emit):
    """Regions side by side per chain: completeness, statuses, enterprises, projects.

    Completeness is a range (low and high ends, evidence share, coverage, sources). A
    warnings table comes first when the regions rest on different kinds of evidence (a
    census beside mentions; facts naming segments above the leaves beside leaf-level
    facts): compare the ranges then, not one figure.

    Example: chainkg compare --region 梁平区 --region 上海市 --chain ic
    """
    from chainkg.queries import compare as run_compare

    emit(run_compare(state.graph(), list(regions), list(chains) or None, **settings))


@cli.command()
@click.option("--add-enterprise", "add_enterprises", multiple=True, metavar='"NAME,SEGMENT[,REGION]"',
              help="A hypothetical enterprise, repeatable (region defaults to --region).")
@click.option("--add-projects", type=click.Path(exists=True, dir_okay=False),
              help="A projects table (CSV/XLSX/Parquet, same columns as projects.csv).")
@scope_options()
@settings_options
@output_options
@click.pass_obj
def whatif(state, add_enterprises, add_projects, regions, chains, settings, emit):
    """The gap analysis before and after adding enterprises or projects, and the difference.

    Example: chainkg whatif --add-enterprise "某晶圆厂,逻辑与晶圆代工"
    """
    from chainkg.loaders.facts import read_table_for
    from chainkg.queries import whatif as run_whatif
    from chainkg.queries.common import resolve_regions
    from chainkg.queries.whatif import HYPOTHETICAL, parse_enterprise_spec

    if not add_enterprises and not add_projects:
        raise click.UsageError("give --add-enterprise or --add-projects")
    graph = state.graph()
    region = resolve_regions(graph, list(regions) or None)[0]
    ents = [parse_enterprise_spec(spec, region) for spec in add_enterprises]
    projects = read_table_for(graph, "projects", add_projects,
                              defaults={"source": HYPOTHETICAL})["projects"] if add_projects else None
    emit(run_whatif(graph, ents, projects, list(regions) or None, list(chains) or None, **settings))


@cli.command()
@click.argument("segment")
@output_options
@click.pass_obj
def upstream(state, segment, emit):
    """Every segment that supplies SEGMENT, directly or through others, nearest first.

    Example: chainkg upstream 封测
    """
    from chainkg.queries import upstream as run_upstream

    emit(run_upstream(state.graph(), segment))


@cli.command()
@click.argument("segment")
@output_options
@click.pass_obj
def downstream(state, segment, emit):
    """Every segment that SEGMENT supplies, directly or through others, nearest first.

    Example: chainkg downstream 硅片
    """
    from chainkg.queries import downstream as run_downstream

    emit(run_downstream(state.graph(), segment))


@cli.command()
@click.argument("source")
@click.argument("target")
@output_options
@click.pass_obj
def path(state, source, target, emit):
    """The shortest supply paths from SOURCE to TARGET.

    Example: chainkg path 硅片 汽车电子
    """
    from chainkg.queries import supply_paths

    emit(supply_paths(state.graph(), source, target))


def _one_region(regions):
    if len(regions) > 1:
        raise click.UsageError("give one --region (use 'chainkg compare' for several)")
    return regions[0] if regions else None


def _title(graph, what, region_names):
    as_of = graph.meta.get("as_of")
    return f"{', '.join(map(str, region_names))} — {what}" + (f" (data as of {as_of})" if as_of else "")


@cli.group()
def export():
    """Write the graph elsewhere: files for Gephi/Cytoscape, or a Neo4j database.

    Example: chainkg export graphml -o liangping.graphml
    """


def _graph_file_command(fmt, title, audience):
    """``chainkg export FMT``: the property graph as a file (see chainkg.graph.files)."""

    @export.command(name=fmt, help=f"The typed property graph as {title} for {audience}.\n\n"
                    "Keeps node kinds, relation types and properties; --region and --chain "
                    "narrow it.\n\n"
                    f"Example: chainkg export {fmt} --region 梁平区 --chain ic -o liangping-ic.{fmt}")
    @click.option("--region", "-r", "regions", multiple=True,
                  help="Only this region, the regions below it and their facts (repeatable; "
                       "default: every region).")
    @click.option("--chain", "-c", "chains", multiple=True,
                  help="Chain id or name (repeatable; default: all chains).")
    @click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
                  help=f"The .{fmt} file to write (atomically).")
    @click.pass_obj
    def command(state, regions, chains, output):
        from chainkg.graph.files import write_graph_file

        g = write_graph_file(state.graph(), output, fmt, list(regions) or None, list(chains) or None)
        click.echo(f"wrote {output}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges", err=True)

    return command


for _spec in (("graphml", "GraphML", "Gephi, Cytoscape and yEd"), ("gexf", "GEXF", "Gephi"),
              ("json", "node-link JSON", "networkx and web tools")):
    _graph_file_command(*_spec)


@cli.command()
@scope_options()
@click.option("--enterprises", is_flag=True, help="Draw the region's enterprises beside their segments.")
@click.option("--projects", is_flag=True, help="Draw the region's projects beside the segments they target.")
@click.option("--max-nodes", type=click.IntRange(min=10), default=2000, show_default=True,
              help="Most nodes the page may hold; above it enterprises, then projects, then the "
                   "deepest segments are folded into their parents.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="The .html file to write (atomically).")
@settings_options
@click.pass_obj
def viz(state, regions, chains, enterprises, projects, max_nodes, output, settings):
    """An interactive map of a region's chains, coloured by gap status, as one HTML file.

    Opens offline in any browser: segments by stage from upstream to downstream,
    coloured present / weak / planned / missing / unresolved, sized by local
    enterprises; hover for status, action and top enterprises; search by name.

    Example: chainkg viz --region 梁平区 --chain ic --enterprises -o liangping-ic.html
    """
    from chainkg.visualize import write_chain_map

    cmap = write_chain_map(output, state.graph(), _one_region(regions), list(chains) or None,
                           enterprises=enterprises, projects=projects, max_nodes=max_nodes, **settings)
    click.echo(f"wrote {output}: {len(cmap.nodes)} nodes, {len(cmap.edges)} edges", err=True)
    for notice in cmap.header["notices"]:
        click.echo(_shown(notice), err=True)


@cli.command()
@click.option("--region", "-r", help="Region code or name (default: the home region, 梁平区 for the embedded data).")
@click.option("--chain", "-c", "chains", multiple=True,
              help="Chain id or name, repeatable (default: ic, food and lowalt).")
@click.option("--format", "-f", "fmt", type=click.Choice(["html", "pdf", "docx", "xlsx"]),
              help="Report format (default: from --output's suffix).")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="The .html, .pdf, .docx or .xlsx file to write (atomically).")
@settings_options
@click.pass_obj
def report(state, region, chains, fmt, output, settings):
    """The planner's brief (两图两库两清单) of a region's chains, as HTML, PDF, DOCX or XLSX.

    For each chain: the panorama (产业链全景图) coloured by status, the ranked gaps
    with action (补链/强链/延链/建链), priority and its two largest terms in words, the
    target companies of the top gaps (already engaged ones marked), the region's
    enterprises; then the project ledger reconciled with the reported figures, and the
    sources, settings and method. HTML is one offline page printable to A4; PDF is that
    page printed by headless Chromium; DOCX opens in Word and WPS; XLSX has one sheet
    per list.

    Example: chainkg report --region 梁平区 -o liangping.pdf
    """
    from chainkg.report import build_brief, report_format, write_report

    fmt = report_format(output, fmt)
    brief = build_brief(state.graph(), region, list(chains) or None, **settings)
    write_report(output, brief, fmt)
    click.echo(f"wrote {output}: {brief.region_name}, {len(brief.chains)} chains", err=True)


@contextlib.contextmanager
def _import_failure(fmt, out):
    """A failed import writes nothing: say so, list every problem (JSON on standard output
    with ``-f json``), instead of pointing at a directory to validate that does not exist."""
    try:
        yield
    except ChainKGError as err:
        report = getattr(err, "report", None)
        lines = report.lines() if report is not None else [str(err)]
        if fmt == "json":
            problems = report.to_dict()["problems"] if report is not None else [
                {"message": getattr(err, "message", str(err)), "file": getattr(err, "file", None),
                 "row": getattr(err, "row", None), "column": getattr(err, "column", None)}]
            click.echo(json.dumps({"written_to": None, "problems": problems}, ensure_ascii=False, default=str))
        for line in lines[:-1]:
            click.echo(_shown(line), err=True)
        raise ChainKGError(f"{lines[-1]}; nothing was written to {out}"
                           + (f" ({len(lines)} problems)" if len(lines) > 1 else "")) from err


def _report_format(f):
    """--format for commands whose -o names a directory rather than an output file."""
    return click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json", "md"]),
                        default="table", help="Format of the report (default: table).")(f)


def _neo4j_store(uri, user, database):
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


def _progress_bar(what):
    """A tqdm bar on stderr, silent unless stderr is a terminal, fed by the library's callback."""
    from tqdm import tqdm

    bar = tqdm(unit="rows", desc=what, file=sys.stderr, disable=not sys.stderr.isatty(), leave=False)

    def update(rows, total, owner):
        bar.total = total
        bar.set_postfix_str(owner, refresh=False)
        bar.update(rows)

    update.close = bar.close
    return update


@export.command(name="neo4j")
@neo4j_options
@click.option("--batch-size", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Rows per UNWIND statement and transaction.")
@click.option("--region", "-r", "regions", multiple=True,
              help="Only this region, those below it and their facts (repeatable).")
@click.option("--chain", "-c", "chains", multiple=True, help="Only this chain (repeatable).")
@click.option("--dry-run", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write the Cypher statements and parameters (JSON Lines) to FILE; do not connect.")
@_report_format
@click.pass_obj
def export_neo4j(state, uri, user, database, batch_size, regions, chains, dry_run, fmt):
    """Write the graph to a Neo4j database with batched, idempotent MERGE statements.

    Creates uniqueness constraints, then UNWIND … MERGE batches per label and relation
    type in retried transactions. Rerunning, or rerunning after an interrupted run,
    leaves exactly one copy of everything. Reports nodes and relationships created and
    matched and properties set.

    Example: NEO4J_PASSWORD=… chainkg export neo4j --uri bolt://localhost:7687 --user neo4j
    """
    from chainkg.graph.neo4j_store import write_dry_run

    graph = state.graph()
    scope = {"regions": list(regions) or None, "chains": list(chains) or None}
    if dry_run:
        summary = write_dry_run(graph, dry_run, batch_size=batch_size, **scope)
    else:
        progress = _progress_bar("export")
        try:
            with _neo4j_store(uri, user, database) as store:
                summary = store.export(graph, batch_size=batch_size, progress=progress, **scope)
        finally:
            progress.close()
    emit(summary, fmt=fmt, output=None, title=summary.line() if fmt == "table" else None)


@export.command(name="neo4j-import")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--region", "-r", "regions", multiple=True,
              help="Only this region, those below it and their facts (repeatable).")
@click.option("--chain", "-c", "chains", multiple=True, help="Only this chain (repeatable).")
@click.option("--overwrite", is_flag=True,
              help="Replace a bundle chainkg wrote before in DIRECTORY (and nothing else).")
@_report_format
@click.pass_obj
def export_neo4j_import(state, directory, regions, chains, overwrite, fmt):
    """Write a bulk-import bundle (CSV files for neo4j-admin database import full).

    DIRECTORY gets one CSV file per label and relationship kind, constraints.cypher and
    IMPORT.txt with the exact neo4j-admin command. The path for very large graphs.

    Example: chainkg export neo4j-import bundle/ && cat bundle/IMPORT.txt
    """
    from chainkg.graph.neo4j_bundle import write_import_bundle

    summary = write_import_bundle(state.graph(), directory, regions=list(regions) or None,
                                  chains=list(chains) or None, overwrite=overwrite)
    emit(summary, fmt=fmt, output=None,
         title=f"wrote {directory} (see {directory}/IMPORT.txt)" if fmt == "table" else None)


@cli.group(name="import")
def import_():
    """Turn data in other shapes into a chainkg data directory, with a report.

    Example: chainkg import ckg ChainKnowledgeGraph/data -o ckgdata --home-region 500155
    """


@import_.command(name="ckg")
@click.argument("source", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False),
              help="The data directory to create (written atomically).")
@click.option("--mapping", "-m", type=click.Path(exists=True, dir_okay=False),
              help="Industry -> segment mapping YAML (default: the embedded Shenwan 2021 one).")
@click.option("--home-region", help="Home region written to the manifest (code).")
@click.option("--as-of", help="As-of date of the data (default: month of the latest listing).")
@click.option("--force", is_flag=True,
              help="Replace the output directory if it holds an earlier import (and nothing else).")
@_report_format
def import_ckg(source, out, mapping, home_region, as_of, force, fmt):
    """Import the ChainKnowledgeGraph dataset (JSON Lines) as a data directory.

    Listed companies whose Shenwan industry maps to a chain segment become enterprises
    with an inferred region; their products narrow the segment to a leaf where the
    words allow it. The report counts what was loaded, merged, renamed and skipped.

    Example: chainkg import ckg ChainKnowledgeGraph/data -o ckgdata --home-region 500155
    """
    from chainkg.loaders.ckg import import_ckg as run

    with _import_failure(fmt, out):
        result = run(source, out, mapping=mapping, home_region=home_region, as_of=as_of, force=force)
    emit(result, fmt=fmt, output=None, title=f"wrote {result.written_to}" if fmt == "table" else None)


@import_.command(name="table")
@click.argument("mapping", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False),
              help="The data directory to create (written atomically).")
@click.option("--home-region", help="Home region written to the manifest (code).")
@click.option("--force", is_flag=True,
              help="Replace the output directory if it holds an earlier import (and nothing else).")
@_report_format
@click.pass_obj
def import_table(state, mapping, out, home_region, force, fmt):
    """Import node and edge tables (CSV/XLSX) through a mapping file.

    With the global --data, the import builds on that data directory: the output holds
    its chain templates and regions (beside a chain the mapping defines), so the tables
    may name them; without it, the embedded ones.

    Example: chainkg import table supply/mapping.yaml -o supplydata
    """
    from chainkg.loaders.mapping import import_mapped_tables

    with _import_failure(fmt, out):
        result = import_mapped_tables(mapping, out, home_region=home_region, force=force, base=state.data)
    emit(result, fmt=fmt, output=None, title=f"wrote {result.written_to}" if fmt == "table" else None)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--write", "--write-presence", "datadir", type=click.Path(exists=True, file_okay=False),
              help="Append the facts at or above --threshold (presence, figures, projects) to this data directory.")
@click.option("--threshold", type=float, default=0.8, show_default=True,
              help="Lowest confidence of a fact that --write writes.")
@click.option("--region", "-r", help="The region the text speaks of (default: the home region).")
@click.option("--source", help="Source id the rows cite (default: the file's name).")
@click.option("--as-of", default="", help="As-of date of the text's facts.")
@output_options
@click.pass_obj
def extract(state, file, datadir, threshold, region, source, as_of, emit):
    """Find chain segments, industries and company projects in Chinese text.

    Reports what it mapped to template segments and what it could not.

    Example: chainkg extract article.txt --write mydata --region 梁平区
    """
    from chainkg.loaders.text import extract_file

    emit(extract_file(file, data=state.data, write_to=datadir, region=region, threshold=threshold,
                      source=source, as_of=as_of, allow_outside=state.allow_outside))


def main(argv=None):
    """Entry point of the ``chainkg`` console script."""
    cli.main(args=argv, prog_name="chainkg", standalone_mode=True)
