"""Large-region check of the chain maps (a benchmark, not a timed test).

Builds two pages and opens both in the same headless Chromium (network blocked),
alternating, several times:

- **small**: the embedded 梁平区 data, integrated-circuit chain, with enterprises and
  projects (about 50 nodes);
- **large**: a SYNTHETIC region holding 5,000 enterprises (benchmarks/synthetic.py;
  nothing in it is real), all three chains, with enterprises and projects, at the
  default node cap, so the enterprises are folded into their segments;
- **unfolded** (for comparison only): the same region with the cap raised above
  5,000, every enterprise drawn.

The time measured is from navigation start until vis-network reports it has drawn
(``afterDrawing``; physics is off, so there is no stabilisation phase). It prints the
medians and the ratio large / small; the target is at most 5×. Exit status 1 when the
ratio misses the target.

    python benchmarks/viz_large.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

TARGET = 5.0


def build_pages(directory, n_enterprises):
    import chainkg
    from chainkg.visualize import write_chain_map
    from viz_support import synthetic_region_graph

    graph, region = synthetic_region_graph(n_enterprises)
    specs = {
        "small": (chainkg.load(), dict(region="梁平区", chains="ic")),
        "large": (graph, dict(region=region)),
        "unfolded": (graph, dict(region=region, max_nodes=n_enterprises * 2)),
    }
    pages = {}
    for name, (g, options) in specs.items():
        path = Path(directory) / f"{name}.html"
        start = time.perf_counter()
        cmap = write_chain_map(path, g, enterprises=True, projects=True, **options)
        pages[name] = {"path": path, "nodes": len(cmap.nodes), "edges": len(cmap.edges),
                       "folded": cmap.folded, "build_s": time.perf_counter() - start,
                       "bytes": path.stat().st_size, "drawn_ms": []}
    return pages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="Openings of each page (default 7).")
    parser.add_argument("--enterprises", type=int, default=5000, help="Synthetic enterprises (default 5000).")
    args = parser.parse_args(argv)

    from viz_support import Chromium, browser_missing

    if browser_missing():
        sys.exit(f"cannot run: {browser_missing()}")
    with tempfile.TemporaryDirectory() as tmp, Chromium() as browser:
        pages = build_pages(tmp, args.enterprises)
        browser.open(pages["small"]["path"])  # warm up the browser process once
        for _ in range(args.repeat):
            for page in pages.values():
                page["drawn_ms"].append(browser.open(page["path"]))
                offline = [u for u in browser.requests() if not u.startswith(("file:", "data:"))]
                assert not offline, offline
    print(f"chromium, {args.repeat} openings each; ms from navigation start to vis 'afterDrawing'")
    print(f"{'page':<9} {'nodes':>6} {'edges':>6} {'KiB':>6} {'build s':>8} {'median ms':>10}  all ms")
    for name, p in pages.items():
        print(f"{name:<9} {p['nodes']:>6} {p['edges']:>6} {p['bytes'] // 1024:>6} {p['build_s']:>8.2f} "
              f"{statistics.median(p['drawn_ms']):>10.0f}  {' '.join(f'{v:.0f}' for v in p['drawn_ms'])}")
    small, large = (statistics.median(pages[n]["drawn_ms"]) for n in ("small", "large"))
    unfolded = statistics.median(pages["unfolded"]["drawn_ms"])
    ratio = large / small
    print(f"large ({args.enterprises:,} enterprises, folded: {pages['large']['folded']}) / small = "
          f"{ratio:.2f}x (target <= {TARGET:g}x): {'ok' if ratio <= TARGET else 'MISSED'}")
    print(f"unfolded / small = {unfolded / small:.2f}x (for comparison; not a target)")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
