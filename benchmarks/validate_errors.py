"""Benchmark of the error path: ``chainkg validate`` on bad tables against the same tables valid.

Builds data directories (the embedded 梁平 chains and regions, a SYNTHETIC enterprise
table) in three pairs, bad and valid:

- repeated unknown values: 200,000 enterprises whose segments are 10,000 unknown
  names, each used 20 times, against the same rows naming known segments;
- distinct unknown values: 20,000 enterprises, each naming a different unknown
  segment, against the same rows naming known segments;
- 8,000 columns: 3 enterprises in a table of 8,000 columns (the schema's and unmapped
  extras), against the same 3 rows under the schema's columns only.

Each run is ``python -m chainkg --data DIR validate`` in a fresh process, timed from
start to exit; bad and valid runs alternate so that machine noise hits both alike. It
prints the medians, the ratio bad/valid per case and PASS or FAIL against 3x.

    python benchmarks/validate_errors.py             # 5 runs of each
    python benchmarks/validate_errors.py --runs 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 3.0


def _segments():
    import chainkg

    return [s.id for c in chainkg.load().chains.values() for s in c.segments]


def write_dir(root, header, rows):
    """The embedded directory with its enterprise table replaced (and no projects that cite it)."""
    from chainkg.loaders.datadir import embedded_data_dir

    shutil.copytree(embedded_data_dir(), root)
    lines = [",".join(header)] + [",".join(r) for r in rows]
    (root / "enterprises.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "projects.csv").write_text("name,region,status,source\n", encoding="utf-8")
    return root


def enterprise_rows(n, segment_of):
    return [[f"syn{i}", f"合成企业{i}", "500155", segment_of(i), "lp-2025", "2025"] for i in range(n)]


HEADER = ["id", "name", "region", "segments", "source", "as_of"]


def build(base):
    """{case: (bad dir, valid dir)} under ``base``."""
    known = _segments()
    cases = {}
    for case, n, distinct in (("repeated unknown values", 200_000, 10_000),
                              ("distinct unknown values", 20_000, 20_000)):
        slug = case.split()[0]
        cases[case] = (
            write_dir(base / f"{slug}-bad", HEADER, enterprise_rows(n, lambda i: f"合成未知环节{i % distinct}")),
            write_dir(base / f"{slug}-valid", HEADER, enterprise_rows(n, lambda i: known[i % len(known)])))
    extra = [f"附加列{i}" for i in range(8000 - len(HEADER))]
    rows = enterprise_rows(3, lambda i: known[i])
    cases["8,000 columns"] = (write_dir(base / "wide-bad", HEADER + extra, [r + ["x"] * len(extra) for r in rows]),
                              write_dir(base / "wide-valid", HEADER, rows))
    return cases


def run_validate(data, expect_problems):
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "chainkg", "--data", str(data), "validate"],
                         capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if out.returncode != (1 if expect_problems else 0):
        raise SystemExit(f"unexpected exit {out.returncode} validating {data}:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", help="build the directories here and keep them")
    args = parser.parse_args(argv)

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="chainkg-validate-errors-"))
    try:
        if base.exists() and any(base.iterdir()):
            shutil.rmtree(base)
        base.mkdir(parents=True, exist_ok=True)
        cases = build(base)
        print(f"data: {base} (SYNTHETIC enterprise tables), {args.runs} runs of each, every run in a fresh process")
        failed = False
        for case, (bad, valid) in cases.items():
            wide = case.startswith("8,000")
            bad_s, valid_s = [], []
            for _ in range(args.runs):
                bad_s.append(run_validate(bad, expect_problems=not wide))
                valid_s.append(run_validate(valid, expect_problems=False))
            b, v = statistics.median(bad_s), statistics.median(valid_s)
            ok = b / v <= TARGET
            failed |= not ok
            print(f"{'PASS' if ok else 'FAIL'}  {case:24s} bad median {b:7.2f} s   valid median {v:6.2f} s   "
                  f"bad/valid {b / v:5.1f}x (target {TARGET:.0f}x)")
        return 1 if failed else 0
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
