"""Run chainkg's benchmarks, each in a process of its own, at their default sizes.

    python benchmarks/run.py                 # all of them, in the order below
    python benchmarks/run.py national viz_large
    python benchmarks/run.py --list

Each benchmark prints its own medians, ratios and PASS/MISS lines (see its docstring);
this script runs them in turn and ends with one line per benchmark: its exit status and
wall time. Benchmarks use synthetic data (benchmarks/synthetic.py), never real figures.
The Neo4j benchmark starts the test server (Java 17 and Maven); the map benchmark needs
Chromium and ChromeDriver (``bash scripts/setup-test-env.sh`` installs them).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = {
    "national": "load + gaps --all-regions at 1,000,000 enterprises vs a pandas floor",
    "cache": "chainkg gaps from the load cache at 1,000,000 enterprises vs import + the query",
    "neo4j_export": "batched Neo4j export vs a per-row MERGE loop",
    "viz_large": "a 5,000-enterprise map vs a 50-node page in headless Chromium",
    "validate_errors": "validating files full of errors vs the same files valid",
    "classify": "classifying 1,000,000 registry rows vs a pyarrow read of them",
    "extract": "extracting facts from a 20 MB text (and 10 MB) vs reading and splitting it",
    "report": "the brief (HTML, DOCX, XLSX, PDF) of one region at 1,000,000 enterprises vs its analysis",
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, what in BENCHMARKS.items():
            print(f"{name:14}  {what}")
        return 0
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r} (known: {', '.join(BENCHMARKS)})")
    summary = []
    for name in args.names or BENCHMARKS:
        print(f"== {name}: {BENCHMARKS[name]}", flush=True)
        start = time.perf_counter()
        status = subprocess.run([sys.executable, str(HERE / f"{name}.py")]).returncode
        summary.append((name, status, time.perf_counter() - start))
    print("\n== summary")
    for name, status, seconds in summary:
        print(f"{'ok    ' if status == 0 else 'FAILED'}  {name:14} {seconds:7.0f} s  (exit {status})")
    return 0 if all(status == 0 for _, status, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
