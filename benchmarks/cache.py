"""The load cache on national-scale SYNTHETIC data: ``chainkg gaps`` read from a snapshot.

Generates (or reuses) the deterministic synthetic directory of benchmarks/national.py
(default: 1,000,000 enterprises over 2,844 county-level regions; every row is labelled
synthetic), fills a load cache of its own with one run, then times, each pass in a fresh
process and interleaved so that machine noise hits all alike:

- ``python -c "import chainkg"``: the interpreter and the package, the floor of any command;
- the query itself: ``gaps`` on the home region, timed inside a process that has the
  graph loaded already (as the command calls it, with the table rendered);
- ``chainkg --data DIR gaps`` with the snapshot in the cache (whole process);
- ``chainkg --no-cache --data DIR gaps``, parsing and validating every file (whole process).

It prints medians and the ratio of the cached command to import + query; target: at most 2.

    python benchmarks/cache.py                        # 1M enterprises, 5 runs each
    python benchmarks/cache.py --enterprises 100000   # a quicker look
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from children import child_main, run_child
from synthetic import national_arguments, national_dir



def child_query(data):
    """The gaps query and its rendering, as ``chainkg gaps`` runs them, on a loaded graph."""
    import chainkg
    from chainkg.queries import gaps
    from chainkg.render import render

    graph = chainkg.load(data)
    t, cpu = time.perf_counter(), time.process_time()
    render(gaps(graph), "table")
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu}


CHILDREN = {"query": child_query}


def timed(argv, env):
    """(wall, CPU) seconds of ``argv`` from its start to its exit; its output is thrown away."""
    before, t = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall, after = time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = national_arguments(parser).parse_args(argv)

    if args.child:
        return child_main(CHILDREN, *args.child)

    data = national_dir(args.data, args.enterprises, args.counties)

    with tempfile.TemporaryDirectory(prefix="chainkg-cache-bench-") as cache_dir:
        env = {**os.environ, "CHAINKG_CACHE_DIR": cache_dir}
        env.pop("CHAINKG_NO_CACHE", None)
        command = [sys.executable, "-m", "chainkg", "--data", str(data), "gaps"]
        # Files written moments ago are hashed again on the next run (see
        # chainkg.loaders.cache.RACY_SECONDS): let them age before filling the cache.
        newest = max(f.stat().st_mtime for f in data.iterdir())
        time.sleep(max(0.0, newest + 2.5 - time.time()))
        first = timed(command, env)[0]
        print(f"data: {data} (synthetic); first command (reads, validates, snapshots): {first:.2f} s; "
              f"{args.runs} runs each, every one in a fresh process")
        runs = {"import": [], "query": [], "cached": [], "no_cache": []}
        for _ in range(args.runs):
            runs["import"].append(timed([sys.executable, "-c", "import chainkg"], env))
            query = run_child(__file__, "query", data)
            runs["query"].append((query["seconds"], query["cpu"]))
            runs["cached"].append(timed(command, env))
            runs["no_cache"].append(timed([*command[:3], "--no-cache", *command[3:]], env))

    # Wall time is what a user waits; CPU time (user + system) moves less on a shared machine.
    med = {(k, i): statistics.median(r[i] for r in v) for k, v in runs.items() for i in (0, 1)}
    for name, what in (("import", 'python -c "import chainkg"'), ("query", "gaps itself (graph loaded)"),
                       ("cached", "chainkg gaps, from the snapshot"), ("no_cache", "chainkg --no-cache gaps")):
        print(f"{what:34} median wall {med[name, 0]:6.2f} s (min {min(r[0] for r in runs[name]):.2f}, "
              f"max {max(r[0] for r in runs[name]):.2f})   cpu {med[name, 1]:6.2f} s")
    for i, clock in ((0, "wall"), (1, "cpu")):
        ratio = med["cached", i] / (med["import", i] + med["query", i])
        print(f"{'PASS' if ratio <= 2 else 'MISS'}  {clock}: cached / (import + query) = {ratio:.2f}x "
              f"(target 2x); no-cache / cached = {med['no_cache', i] / med['cached', i]:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
