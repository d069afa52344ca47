"""The import commands: other datasets turned into a data directory."""

from __future__ import annotations

import contextlib
import json

import click

from chainkg.cli.base import cli, emit, shown, summary_format
from chainkg.errors import ChainKGError

__all__ = ["import_", "import_ckg", "import_table"]


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
            click.echo(shown(line), err=True)
        raise ChainKGError(f"{lines[-1]}; nothing was written to {out}"
                           + (f" ({len(lines)} problems)" if len(lines) > 1 else "")) from err


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
@summary_format
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
@summary_format
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
