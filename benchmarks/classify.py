"""Classification speed on SYNTHETIC registry rows, against a pyarrow read of the same file.

Writes a deterministic CSV of registry-style rows (default 1,000,000; 国标行业小类, a
经营范围 of 4–8 clauses, about 150 characters, drawn from standard registry items, and a
主营产品 on some rows; every name says it is synthetic), then, each pass in a fresh
process and interleaved:

- the baseline: ``pyarrow.csv.read_csv`` of the file;
- chainkg: the same read plus :func:`chainkg.loaders.classify.classify` of every row with
  the embedded rules, with peak memory.

Prints medians, rows/s and the ratio; targets: classification within 10x the read,
peak memory under 2 GB.

    python benchmarks/classify.py                     # 1M rows, 5 repeats
    python benchmarks/classify.py --rows 100000 --repeats 3
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from children import child_main, run_child

CLAUSES = [
    "集成电路设计", "集成电路芯片设计及服务", "集成电路制造", "集成电路芯片及产品制造", "半导体分立器件制造",
    "电子元器件制造", "电子专用材料制造", "电子专用设备制造", "半导体器件专用设备制造", "显示器件制造",
    "光电子器件制造", "电线、电缆制造", "汽车零部件及配件制造", "智能无人飞行器制造", "民用航空器零部件设计和生产",
    "通用航空服务", "航空运营支持服务", "食品生产", "食品销售（仅销售预包装食品）", "食用农产品初加工",
    "豆制品制造", "肉制品及副产品加工", "速冻食品制造", "调味品生产", "家禽饲养", "谷物种植", "水果种植",
    "低温仓储（不含危险化学品等需许可审批的项目）", "餐饮服务", "包装材料及制品销售", "塑料包装箱及容器制造",
    "软件开发", "信息系统集成服务", "电子产品销售", "电子元器件批发", "货物进出口", "技术进出口",
    "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广", "非居住房地产租赁", "企业管理咨询",
    "五金产品零售", "日用百货销售", "机械设备销售", "普通货物仓储服务（不含危险化学品等需许可审批的项目）",
]
PRODUCTS = ["", "", "", "功率器件", "预制菜", "植保无人机", "卤鸭", "显示模组", "汽车线束", "豆干", "光刻胶"]
INDUSTRIES = ["集成电路制造", "集成电路设计", "电子元器件制造", "其他电子设备制造", "应用软件开发", "豆制品制造",
              "肉制品及副产品加工", "其他航空航天器制造", "其他机械设备及电子产品批发", "", "正餐服务"]


def write_rows(path, n, seed=0):
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        f.write("企业名称,国标行业小类,经营范围,主营产品\n")
        for i in range(n):
            k = rng.randint(4, 8)
            scope = "一般项目：" + "；".join(rng.sample(CLAUSES, k)) + \
                "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
            f.write(f"合成企业{i}（SYNTHETIC）,{rng.choice(INDUSTRIES)},\"{scope}\",{rng.choice(PRODUCTS)}\n")


def child_read(path):
    from pyarrow import csv

    t = time.perf_counter()
    csv.read_csv(path)
    return {"seconds": time.perf_counter() - t}


def child_classify(path):
    from pyarrow import csv

    import chainkg
    from chainkg.loaders.classify import classify, load_rules
    from chainkg.loaders.report import Report

    rules = load_rules(chainkg.load().segments.values(), Report())
    rules.automaton()  # built once per data directory; not what is measured
    t = time.perf_counter()
    table = csv.read_csv(path).to_pandas()
    records = table.rename(columns={"国标行业小类": "industry", "经营范围": "scope", "主营产品": "products"})
    memberships, outcome = classify(records, rules)
    return {"seconds": time.perf_counter() - t, "memberships": len(memberships),
            "classified": int((outcome == "classified").sum())}


CHILDREN = {"read": child_read, "classify": child_classify}



def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(CHILDREN, *args.child)
    path = Path(tempfile.gettempdir()) / f"chainkg-synthetic-registry-{args.rows}.csv"
    if not path.exists():
        print(f"writing SYNTHETIC registry rows: {args.rows:,} -> {path}")
        write_rows(path, args.rows)
    print(f"{path} ({path.stat().st_size / 1e6:.0f} MB), {args.repeats} repeats, each pass in a fresh process")
    reads, runs = [], []
    for _ in range(args.repeats):
        reads.append(run_child(__file__, "read", path))
        runs.append(run_child(__file__, "classify", path))
    r = statistics.median(x["seconds"] for x in reads)
    c = statistics.median(x["seconds"] for x in runs)
    rss = max(x["peak_rss_mb"] for x in runs)
    print(f"baseline  pyarrow read_csv           median {r:7.2f} s")
    print(f"chainkg   read + classify            median {c:7.2f} s   {args.rows / c:,.0f} rows/s   peak {rss:6.0f} MB "
          f"({runs[0]['memberships']:,} memberships, {runs[0]['classified']:,} rows classified)")
    ratio = c / r
    for name, value, ok in (("classify / read", f"{ratio:.1f}x", ratio <= 10), ("peak memory", f"{rss:.0f} MB", rss < 2048)):
        print(f"{'PASS' if ok else 'MISS'}  {name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
