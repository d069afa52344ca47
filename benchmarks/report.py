"""Speed of ``chainkg report`` at national scale (SYNTHETIC data).

Builds a synthetic graph (benchmarks/synthetic.py; nothing in it is real; default
1,000,000 enterprises over 2,844 county-level regions and the three embedded chains),
then for its home region and the three chains times, over several runs:

- **analysis**: :func:`chainkg.report.build_brief` (gaps, coverage, targets of the top
  gaps, pipeline, ledgers); the first call, which also builds the graph's fact cube, is
  shown apart;
- **rendering**: the brief written as HTML, DOCX, XLSX and PDF (Chromium printing the
  HTML page), each format timed.

It prints medians, the page count and file sizes; the target is rendering (all four
formats) at most 3× analysis. Exit status 1 when it misses the target.

    python benchmarks/report.py                         # 1M enterprises, 5 runs
    python benchmarks/report.py --enterprises 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TARGET = 3.0
FORMATS = ("html", "docx", "xlsx", "pdf")


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--counties", type=int, default=2844)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from synthetic import synthetic_graph

    from chainkg.report import build_brief, write_report

    graph, built = _timed(synthetic_graph, args.enterprises, args.counties)
    region = graph.home_region
    print(f"SYNTHETIC graph: {args.enterprises:,} enterprises, {args.counties:,} counties "
          f"(built in {built:.1f} s); region {region}, chains ic, food, lowalt")
    _, first = _timed(build_brief, graph, region)
    analysis, rendering = [], {f: [] for f in FORMATS}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            brief, seconds = _timed(build_brief, graph, region)
            analysis.append(seconds)
            for fmt in FORMATS:
                rendering[fmt].append(_timed(write_report, Path(tmp) / f"brief.{fmt}", brief)[1])
        sizes = {f: (Path(tmp) / f"brief.{f}").stat().st_size for f in FORMATS}
        pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", (Path(tmp) / "brief.pdf").read_bytes()))
    rows = sum(len(c.gaps) + len(c.targets) + len(c.enterprises) for c in brief.chains) + len(brief.projects)
    a = statistics.median(analysis)
    r = {f: statistics.median(v) for f, v in rendering.items()}
    total = sum(r.values())
    print(f"analysis (build_brief): first call {first:.3f} s (builds the fact cube), "
          f"median of {args.repeat} later calls {a:.3f} s; {rows:,} table rows")
    for f in FORMATS:
        print(f"rendering {f:5s} median {r[f]:.3f} s, {sizes[f] / 1024:,.0f} KiB"
              + (f", {pages} A4 pages" if f == "pdf" else ""))
    ratio = total / a
    ok = ratio <= TARGET
    print(f"{'PASS' if ok else 'MISS'}  rendering, all four formats: {total:.3f} s = {ratio:.2f}x analysis "
          f"(target <= {TARGET:g}x)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
