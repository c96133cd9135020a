"""Speed of the data layer: rfm_summary on CDNOW master and on ~10M simulated transactions, and the simulator itself.

Run: .venv/bin/python benchmarks/bench_summary.py   (prints figures; best of `repeat` runs; not a test)
"""
import argparse
import time

from clv_research.data import load_cdnow, simulate_transactions
from clv_research.features import rfm_summary


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter(); out = fn(); times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=1_800_000, help="simulated customers (~5.6 transactions each)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    master = load_cdnow("master")
    t, s = best_of(lambda: rfm_summary(master, "1997-09-30", "1998-06-30"), args.repeat)
    print(f"rfm_summary CDNOW master ({len(master):,} rows -> {len(s):,} customers): {t:.3f} s (target < 1 s)")

    t, (tx, truth) = best_of(lambda: simulate_transactions(args.customers, seed=7), 1)
    print(f"simulate_transactions {args.customers:,} customers -> {len(tx):,} transactions: {t:.1f} s")
    t, s = best_of(lambda: rfm_summary(tx, "2024-12-31", "2025-06-30"), args.repeat)
    print(f"rfm_summary simulated ({len(tx):,} rows -> {len(s):,} customers): {t:.2f} s")


if __name__ == "__main__":
    main()
