"""Precision and recall of ``chainkg extract`` on the labelled articles in tests/data/extract,
then how often a found project's investment, expected output, status, month and segment are right.

    python scripts/extract_quality.py

``dev`` holds the articles the rules are developed on; ``holdout`` is kept apart and only
measured.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from extract_eval import attribute_quality, quality  # noqa: E402


def main():
    for folder in ("dev", "holdout"):
        print(f"{folder}: tests/data/extract/{folder}")
        for kind, (p, r, n_pred, n_lab) in quality(ROOT / "tests" / "data" / "extract" / folder).items():
            print(f"  {kind:9} precision {p:.3f}  recall {r:.3f}  ({n_pred} predicted, {n_lab} labelled)")
        print("  project attributes, over the found projects:")
        for attribute, (acc, p, r, n, stated, n_lab) in attribute_quality(
                ROOT / "tests" / "data" / "extract" / folder).items():
            print(f"    {attribute:10} accuracy {acc:.3f}  precision {p:.3f}  recall {r:.3f}"
                  f"  ({n} projects, {stated} stated, {n_lab} labelled)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
