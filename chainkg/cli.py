"""The chainkg command line: a thin layer over the library.

Each command parses options, calls one public function, renders the result and turns
:class:`~chainkg.errors.ChainKGError` into ``Error: …`` with exit status 1. Usage
errors exit 2. Tracebacks appear only with ``--debug``.
"""

from __future__ import annotations

import functools
import sys

import click

from chainkg.errors import ChainKGError, ValidationError

__all__ = ["cli", "main"]


class State:
    """What the group's options set up for its commands: the data directory, lazily loaded."""

    def __init__(self, data, debug):
        self.data, self.debug = data, debug
        self._graph = None

    def graph(self):
        if self._graph is None:
            from chainkg.loaders import load

            progress = None
            if sys.stderr.isatty():
                def progress(name):
                    click.echo(f"reading {name}…", err=True)
            self._graph = load(self.data, progress=progress)
        return self._graph


class ChainKGGroup(click.Group):
    """Turns library errors into one-line messages (tracebacks only with --debug)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ChainKGError as err:
            state = ctx.obj
            if state is not None and state.debug:
                raise
            raise click.ClickException(str(err)) from err


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
    from chainkg.render import render, write_atomic

    text = render(result, fmt, title=title)
    if output:
        write_atomic(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@click.group(cls=ChainKGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", "-d", type=click.Path(file_okay=False), envvar="CHAINKG_DATA",
              help="Data directory (default: the embedded 梁平区 dataset; env CHAINKG_DATA).")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(package_name="chainkg")
@click.pass_context
def cli(ctx, data, debug):
    """chainkg: industrial-chain knowledge graph (产业链知识图谱) for investment planning.

    Loads chain templates, regions, enterprises and projects, finds the missing and
    weak links of a region's chains and the companies that could fill them.

    Example: chainkg info
    """
    ctx.obj = State(data, debug)


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
@output_options
@click.pass_obj
def validate(state, emit):
    """Check a data directory and list every problem with its location.

    Exits 1 when there is any problem.

    Example: chainkg --data mydata validate
    """
    import pandas as pd

    from chainkg.loaders import validate as validate_dir

    report = validate_dir(state.data)
    if emit.keywords["fmt"] == "json":
        emit(_ReportResult(report))
    elif report.valid:
        click.echo(f"ok: {len(report.files)} files, no problems")
        for f in report.files:
            click.echo(f"  {f}")
    else:
        problems = pd.DataFrame([p.__dict__ for p in report.problems])
        if emit.keywords["fmt"] == "table" and not emit.keywords["output"]:
            for line in report.lines():
                click.echo(line)
        else:
            emit(problems)
        click.echo(f"{report.count} problem{'s' if report.count != 1 else ''} found", err=True)
    if not report.valid:
        sys.exit(1)


@cli.group()
def export():
    """Write the graph elsewhere: files for Gephi/Cytoscape, or a Neo4j database.

    Example: chainkg export graphml -o liangping.graphml
    """


def _report_format(f):
    """--format for commands whose -o names a directory rather than an output file."""
    return click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json", "md"]),
                        default="table", help="Format of the report (default: table).")(f)


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
@click.option("--force", is_flag=True, help="Replace the output directory if it exists.")
@_report_format
def import_ckg(source, out, mapping, home_region, as_of, force, fmt):
    """Import the ChainKnowledgeGraph dataset (JSON Lines) as a data directory.

    Listed companies whose Shenwan industry maps to a chain segment become enterprises
    with an inferred region; the report counts what was loaded, merged and skipped.

    Example: chainkg import ckg ChainKnowledgeGraph/data -o ckgdata --home-region 500155
    """
    from chainkg.loaders.ckg import import_ckg as run

    result = run(source, out, mapping=mapping, home_region=home_region, as_of=as_of, force=force)
    emit(result, fmt=fmt, output=None, title=f"wrote {result.written_to}" if fmt == "table" else None)


@import_.command(name="table")
@click.argument("mapping", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False),
              help="The data directory to create (written atomically).")
@click.option("--home-region", help="Home region written to the manifest (code).")
@click.option("--force", is_flag=True, help="Replace the output directory if it exists.")
@_report_format
def import_table(mapping, out, home_region, force, fmt):
    """Import node and edge tables (CSV/XLSX) through a mapping file.

    Example: chainkg import table supply/mapping.yaml -o supplydata
    """
    from chainkg.loaders.mapping import import_mapped_tables

    result = import_mapped_tables(mapping, out, home_region=home_region, force=force)
    emit(result, fmt=fmt, output=None, title=f"wrote {result.written_to}" if fmt == "table" else None)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--write-presence", "datadir", type=click.Path(exists=True, file_okay=False),
              help="Append the presence rows found to this data directory.")
@click.option("--region", "-r", help="The region the text speaks of (default: the home region).")
@click.option("--source", help="Source id the rows cite (default: the file's name).")
@click.option("--as-of", default="", help="As-of date of the text's facts.")
@output_options
@click.pass_obj
def extract(state, file, datadir, region, source, as_of, emit):
    """Find chain segments, industries and company projects in Chinese text.

    Reports what it mapped to template segments and what it could not.

    Example: chainkg extract article.txt --write-presence mydata --region 梁平区
    """
    from chainkg.loaders.text import extract_file

    emit(extract_file(file, data=state.data, write_presence_to=datadir, region=region,
                      source=source, as_of=as_of))


class _ReportResult:
    def __init__(self, report):
        self.report = report

    def to_dict(self):
        return self.report.to_dict()


def main(argv=None):
    """Entry point of the ``chainkg`` console script."""
    try:
        cli.main(args=argv, prog_name="chainkg", standalone_mode=True)
    except ValidationError as err:  # only reached with --debug
        raise err
