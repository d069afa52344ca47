"""Precision and recall of classification on the labelled registry sets in tests/data/classify.

    python scripts/classify_quality.py

Each set is loaded as a data directory would be (labels removed) and compared with its
labels per chain. ``dev`` is the set rules are developed on; ``holdout`` is kept apart
and only measured. Targets: precision 0.90, recall 0.85.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from classify_eval import quality  # noqa: E402


def main():
    for path in sorted((ROOT / "tests" / "data" / "classify").glob("*/registry_*.csv")):
        print(f"{path.parent.name}: {path.relative_to(ROOT)}")
        for chain, (p, r, n_pred, n_lab) in quality(path).items():
            print(f"  {chain:7} precision {p:.3f}  recall {r:.3f}  ({n_pred} predicted, {n_lab} labelled)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
