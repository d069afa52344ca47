"""How well target ranking separates companies: the share of distinct scores in each
segment's top 20 candidates (issue target: at least 80% where the data has size fields).

    python scripts/target_separation.py                  # the embedded data, home region
    python scripts/target_separation.py --data DIR --region 500155
"""

from __future__ import annotations

import argparse
import sys


def separation(graph, region=None, top=20):
    """[(segment, candidates in the top, distinct scores, share, candidates with a size field)]."""
    from chainkg.queries import rank_targets

    rows = []
    for chain in graph.chains:
        for leaf in graph.leaves(chain):
            t = rank_targets(graph, leaf, region, top=top)
            t = t[t["group"] == "new lead"]
            if len(t) >= 2:
                sized = int((t["size"] > 0).sum())
                rows.append((leaf, len(t), t["score"].round(9).nunique(), t["score"].round(9).nunique() / len(t), sized))
    return rows


def main(argv=None):
    import chainkg

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data")
    parser.add_argument("--region")
    args = parser.parse_args(argv)
    graph = chainkg.load(args.data) if args.data else chainkg.load()
    rows = separation(graph, args.region)
    for seg, n, distinct, share, sized in rows:
        print(f"{seg:45} {n:3} candidates  {distinct:3} distinct scores  {share:6.1%}  ({sized} with a size field)")
    if rows:
        total = sum(r[1] for r in rows)
        print(f"all: {sum(r[2] for r in rows)} distinct of {total} ({sum(r[2] for r in rows) / total:.1%}) "
              f"over {len(rows)} segments with two or more candidates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
