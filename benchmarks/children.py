"""Running each pass of a benchmark in a fresh process, and reporting from inside it.

A benchmark script calls :func:`run_child` with a kind and an argument; the child (the
same script, with ``--child KIND ARG``) calls :func:`child_main`, which runs the named
function and prints its result, with the process's peak memory, as one JSON line.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys


def run_child(script, kind, arg):
    """Run ``script --child kind arg`` in a fresh interpreter; return the dict it printed."""
    out = subprocess.run([sys.executable, str(script), "--child", kind, str(arg)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def child_main(children, kind, arg):
    """In the child: run ``children[kind](arg)`` and print its result with ``peak_rss_mb``."""
    result = children[kind](arg)
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))
    return 0


def peak_rss_mb():
    """This process's own peak resident memory, in MB.

    Linux's ``VmHWM`` belongs to the process's address space, which ``exec`` makes anew.
    ``ru_maxrss`` does not: a child started by ``subprocess`` (vfork and exec) starts from
    its parent's high-water mark, so a benchmark that wrote 8 GB of data before its
    passes saw 8 GB in every one of them. ``ru_maxrss`` is the fallback elsewhere.
    """
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
