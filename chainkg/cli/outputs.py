"""Commands that write the graph elsewhere: export (files, Neo4j), viz, report."""

from __future__ import annotations

import click

from chainkg.cli.base import (cli, emit, neo4j_options, neo4j_store, one_region, progress_bar,
                              scope_options, settings_options, shown, summary_format)

__all__ = ["export", "viz", "report", "export_neo4j", "export_neo4j_import"]


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

    cmap = write_chain_map(output, state.graph(), one_region(regions), list(chains) or None,
                           enterprises=enterprises, projects=projects, max_nodes=max_nodes, **settings)
    click.echo(f"wrote {output}: {len(cmap.nodes)} nodes, {len(cmap.edges)} edges", err=True)
    for notice in cmap.header["notices"]:
        click.echo(shown(notice), err=True)


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


@export.command(name="neo4j")
@neo4j_options
@click.option("--batch-size", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Rows per UNWIND statement and transaction.")
@click.option("--region", "-r", "regions", multiple=True,
              help="Only this region, those below it and their facts (repeatable).")
@click.option("--chain", "-c", "chains", multiple=True, help="Only this chain (repeatable).")
@click.option("--dry-run", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write the Cypher statements and parameters (JSON Lines) to FILE; do not connect.")
@summary_format
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
        progress = progress_bar("export")
        try:
            with neo4j_store(uri, user, database) as store:
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
@summary_format
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
