"""Run every bad input the test suite knows through the CLI and count what happened.

    python scripts/bad_inputs.py            # a summary line per outcome
    python scripts/bad_inputs.py -v         # and one line per case

The cases are data: the ``CASES`` lists of ``tests/test_bad_*.py`` (``BadInput`` rows) and
the located problems of ``tests/test_validation.py``. Each runs in a directory of its own,
on the test suite's small demo data directory with the case's changes, from a working
directory that holds a file chainkg does not own, beside another such directory. Outcomes:

- ``traceback``: an exception escaped the CLI (a bug);
- ``silent``: the command exited 0 where the case expects an error;
- ``wrong``: an error, but not the message or location the case expects, or a success
  whose check failed;
- ``handled``: the expected located error, or the expected checked success;
- ``touched``: a file outside the data and output directories was changed or deleted.

Exit status 1 unless every case is handled and nothing outside was touched.
"""

from __future__ import annotations

import argparse
import collections
import importlib
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks")]

from helpers import BadInput, assert_case, demo_data_files, run_case, untouched  # noqa: E402


def validation_cases():
    """tests/test_validation.py's located problems as BadInput rows (``chainkg validate``)."""
    module = importlib.import_module("test_validation")
    for case_id, changes, (_, file, row, column, path, message) in module.CASES:
        location = ":".join(str(p) for p in (file, row, column) if p is not None)
        yield BadInput(f"validation/{case_id}", changes, message=message,
                       location=f"{location}: {path}" if path else location)


def all_cases():
    yield from validation_cases()
    for path in sorted((ROOT / "tests").glob("test_bad_*.py")):
        module = importlib.import_module(path.stem)
        for case in module.CASES:
            yield BadInput(**{**case.__dict__, "id": f"{path.stem.removeprefix('test_bad_')}/{case.id}"})


def judge(case, root):
    outcome, result, _ = run_case(case, root, demo_data_files())
    if untouched(root):
        return "touched", f"changed or deleted: {', '.join(untouched(root))}"
    if outcome == "traceback":
        return "traceback", f"{type(result.exception).__name__}: {result.exception}"
    if outcome == "accepted" and case.exit_code:
        return "silent", "exit 0"
    try:
        assert_case(case, Path(root) / "again", demo_data_files())
    except AssertionError as err:
        return "wrong", str(err).splitlines()[0][:200]
    return "handled", (result.output.strip().splitlines() or [""])[0][:160]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per case")
    args = parser.parse_args(argv)
    counts = collections.Counter()
    with tempfile.TemporaryDirectory(prefix="chainkg-bad-inputs-") as tmp:
        for number, case in enumerate(all_cases()):
            outcome, detail = judge(case, Path(tmp) / str(number))
            counts[outcome] += 1
            if args.verbose or outcome != "handled":
                print(f"{outcome:9}  {case.id:45}  {detail}")
    total = sum(counts.values())
    print(f"{total} cases: " + ", ".join(f"{counts[k]} {k}" for k in
                                          ("handled", "traceback", "silent", "wrong", "touched")))
    return 0 if counts["handled"] == total else 1


if __name__ == "__main__":
    sys.exit(main())
