"""Commands about the data directory itself: info, segments, classify, validate, cache, extract."""

from __future__ import annotations

import sys

import click

from chainkg.cli.base import cli, output_options, shown

__all__ = ["info", "segments", "classify", "validate", "cache", "cache_info", "cache_clear", "extract"]


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
        click.echo(shown(line), err=True)
    if emit.keywords["fmt"] == "json":
        emit(report)
    elif report.valid:
        warned = f", {len(report.warnings)} warning{'s' if len(report.warnings) > 1 else ''}" \
            if report.warnings else ""
        click.echo(f"ok: {len(report.files)} files, no problems{warned}")
        for f in report.files:
            click.echo(shown(f"  {f}"))
    else:
        problems = pd.DataFrame([p.__dict__ for p in report.problems])
        if emit.keywords["fmt"] == "table" and not emit.keywords["output"]:
            for line in report.lines():
                click.echo(shown(line))
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
    click.echo(shown(f"removed {count} file{'' if count == 1 else 's'} ({freed / 1e6:.1f} MB) "
                      f"from {store.directory}"))


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
