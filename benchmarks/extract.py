"""Text extraction speed on a SYNTHETIC 20 MB text, against reading and splitting the same file.

Builds the text by repeating the labelled articles of tests/data/extract (dev and holdout,
themselves illustrative) with a blank line between copies, to about 20 MB of UTF-8 and a
copy of half the size; the files say they are synthetic. Then, each pass in a fresh
process and interleaved:

- the baseline: reading the 20 MB file's bytes, decoding them with
  :func:`chainkg.loaders.text.decode_text` (the checks ``extract`` makes) and cutting the
  text at every 。 (``len(text.split("。"))``): the least any sentence-by-sentence reader does;
- chainkg: the same read and decode plus :func:`chainkg.loaders.text.extract` of the whole
  text over the embedded chains (loaded before the clock starts), with peak memory;
- the same extraction of the 10 MB file, to see whether time grows linearly.

Prints medians, MB/s, the ratio to the baseline, the 20 MB / 10 MB time ratio (linear
time gives about 2) and peak memory. No target is set for the ratio; the lines below say
PASS or MISS for linear time (20 MB within 2.5x the 10 MB time) and peak memory under 4 GB.
The repeated articles make the facts repeat too, so the figures say nothing about an
unusual text's mix of lists and projects.

    python benchmarks/extract.py                  # 20 MB and 10 MB, 5 repeats
    python benchmarks/extract.py --mb 2 --repeats 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from children import child_main, run_child

ARTICLES = Path(__file__).resolve().parents[1] / "tests" / "data" / "extract"
HEADER = "（SYNTHETIC：以下文本由测试语料重复拼接而成，仅供测速，不是真实报道。）\n\n"


def write_text(path, megabytes):
    """Repeat the corpus articles to ``megabytes`` MB of UTF-8; return the copies written."""
    articles = [p.read_text(encoding="utf-8").strip() for p in sorted(ARTICLES.glob("*/*.txt"))]
    block = "\n\n".join(articles) + "\n\n"
    size = len(block.encode("utf-8"))
    copies = max(1, round(megabytes * 1e6 / size))
    path.write_text(HEADER + block * copies, encoding="utf-8")
    return copies * len(articles)


def child_read(path):
    from chainkg.loaders.text import decode_text

    t = time.perf_counter()
    text = decode_text(Path(path).read_bytes(), Path(path).name)
    pieces = len(text.split("。"))
    return {"seconds": time.perf_counter() - t, "pieces": pieces}


def child_extract(path):
    import chainkg
    from chainkg.loaders.text import decode_text, extract

    graph = chainkg.load()  # the embedded chains: loaded once, not what is measured
    t = time.perf_counter()
    text = decode_text(Path(path).read_bytes(), Path(path).name)
    facts = extract(text, graph, source="synthetic", year="2025").facts
    return {"seconds": time.perf_counter() - t, "facts": len(facts)}


CHILDREN = {"read": child_read, "extract": child_extract}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=20.0, help="size of the large text (the small one is half)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(CHILDREN, *args.child)
    paths = {}
    for mb in (args.mb, args.mb / 2):
        path = Path(tempfile.gettempdir()) / f"chainkg-synthetic-text-{mb:g}mb.txt"
        articles = write_text(path, mb)
        paths[mb] = path
        print(f"SYNTHETIC text: {articles:,} copies of corpus articles -> {path} ({path.stat().st_size / 1e6:.1f} MB)")
    big, small = paths[args.mb], paths[args.mb / 2]
    print(f"{args.repeats} repeats, each pass in a fresh process")
    reads, runs, halves = [], [], []
    for _ in range(args.repeats):
        reads.append(run_child(__file__, "read", big))
        runs.append(run_child(__file__, "extract", big))
        halves.append(run_child(__file__, "extract", small))
        print(f"  pass {len(runs)}: read {reads[-1]['seconds']:.2f} s, extract {runs[-1]['seconds']:.1f} s "
              f"({args.mb:g} MB), {halves[-1]['seconds']:.1f} s ({args.mb / 2:g} MB)", flush=True)
    mb_big, mb_small = big.stat().st_size / 1e6, small.stat().st_size / 1e6
    r = statistics.median(x["seconds"] for x in reads)
    e = statistics.median(x["seconds"] for x in runs)
    h = statistics.median(x["seconds"] for x in halves)
    rss = max(x["peak_rss_mb"] for x in runs)
    print(f"baseline  read + decode + split at 。  {mb_big:5.1f} MB  median {r:8.2f} s  {mb_big / r:8.1f} MB/s   "
          f"peak {max(x['peak_rss_mb'] for x in reads):6.0f} MB")
    print(f"chainkg   read + decode + extract      {mb_big:5.1f} MB  median {e:8.2f} s  {mb_big / e:8.3f} MB/s   "
          f"peak {rss:6.0f} MB ({runs[0]['facts']:,} facts)")
    print(f"chainkg   read + decode + extract      {mb_small:5.1f} MB  median {h:8.2f} s  {mb_small / h:8.3f} MB/s   "
          f"peak {max(x['peak_rss_mb'] for x in halves):6.0f} MB ({halves[0]['facts']:,} facts)")
    print(f"extract / baseline: {e / r:.0f}x")
    growth = (e / h) / (mb_big / mb_small)
    for name, value, ok in (
            (f"linear time: {mb_big:.1f} MB / {mb_small:.1f} MB", f"{e / h:.2f}x for {mb_big / mb_small:.2f}x the text",
             growth <= 1.25),
            ("peak memory", f"{rss:.0f} MB", rss < 4096)):
        print(f"{'PASS' if ok else 'MISS'}  {name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
