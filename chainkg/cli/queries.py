"""The query commands: gaps, coverage, feasibility, targets, pipeline, compare, whatif, paths."""

from __future__ import annotations

import click

from chainkg.cli.base import (backend_options, cli, neo4j_query, one_region, output_options, scope_options,
                              settings_options, title_of)

__all__ = ["gaps", "coverage", "feasibility_command", "targets", "pipeline", "compare", "whatif", "upstream",
           "downstream", "path"]


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
        result = neo4j_query(state, "gaps_neo4j", regions, chains, settings, neo4j)
        return emit(result, title=f"{result.completeness['region_name'].iloc[0]} — gap analysis "
                                  f"(Neo4j {neo4j['uri']}; no priority scores)")
    graph = state.graph()
    result = run_gaps(graph, list(regions) or None, list(chains) or None, all_regions=all_regions,
                      **settings)
    emit(result, title=title_of(graph, "gap analysis", result.completeness["region_name"].unique()))


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
        result = neo4j_query(state, "coverage_neo4j", regions, chains, settings, neo4j)
        return emit(result, title=f"{result.completeness['region_name'].iloc[0]} — coverage "
                                  f"(Neo4j {neo4j['uri']})")
    graph = state.graph()
    result = run_coverage(graph, one_region(regions), list(chains) or None, **settings)
    emit(result, title=title_of(graph, "coverage", result.completeness["region_name"].unique()))


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

    emit(run_pipeline(state.graph(), one_region(regions), list(chains) or None))


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
