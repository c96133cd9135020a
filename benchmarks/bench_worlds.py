"""The simulated worlds: simulator speed per world, and every named model against the oracle (the ceiling).

Run: .venv/bin/python benchmarks/bench_worlds.py [--customers 10000] [--models bgnbd_gg pnbd_gg historical_rate oracle]
Prints, per world, the seconds to simulate it and each model's spend RMSE, Gini and top-10 % capture with its gap to
the oracle (RMSE excess in %, Gini and capture shortfall); exits non-zero if any model beats the oracle on spend RMSE.
"""
import argparse
import sys
import time

import pandas as pd

from clv_research.data import WORLDS, simulate_world
from clv_research.oracle import world_scores


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--models", nargs="+", default=["bgnbd_gg", "pnbd_gg", "historical_rate", "oracle"])
    ap.add_argument("--worlds", nargs="+", default=list(WORLDS))
    args = ap.parse_args(argv)
    models = list(dict.fromkeys([*args.models, "oracle"]))
    tables = []
    for world in args.worlds:
        t0 = time.perf_counter(); tx, _ = simulate_world(world, args.customers, seed=0); sim = time.perf_counter() - t0
        t0 = time.perf_counter(); table = world_scores(world, args.customers, models); run = time.perf_counter() - t0
        print(f"{world}: simulated {args.customers:,} customers ({len(tx):,} transactions) in {sim:.2f} s; models in {run:.1f} s")
        tables.append(table)
    table = pd.concat(tables, ignore_index=True)
    ceiling = table[table.model == "oracle"].set_index("world")
    table["rmse_excess_pct"] = 100 * (table.spend_rmse / table.world.map(ceiling.spend_rmse) - 1)
    table["gini_shortfall"] = table.world.map(ceiling.spend_gini) - table.spend_gini
    table["capture_shortfall"] = table.world.map(ceiling.spend_top10_capture) - table.spend_top10_capture
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 60):
        print(table.round(3).to_string(index=False))
    beaten = table[(table.model != "oracle") & (table.rmse_excess_pct < 0)]
    if len(beaten):
        print("a model beats the oracle on spend RMSE, something is wrong:\n", beaten.to_string(index=False))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
