"""nn_lstm against pnbd_gg on CDNOW master and sample over seeds: holdout aggregate error, Spearman, weekly-total MAPE, time.

usage: .venv/bin/python benchmarks/bench_lstm.py [--datasets cdnow cdnow-sample] [--seeds 0 1 2 3 4]
The weekly-total MAPE is the run's `purchases_weekly_mape` (clv_research.metrics.weekly_mape on the tracking curve):
sum over holdout weeks of |actual - predicted weekly total| / sum of actual, in %.
"""
import argparse
import time

import pandas as pd

from clv_research.experiment import ScoringOptions, run_experiment


def run(dataset: str, seed: int) -> list[dict]:
    "One experiment: pnbd_gg and nn_lstm with `seed`, the rows of the table."
    t0 = time.perf_counter()
    r = run_experiment(dataset, models=["pnbd_gg", "nn_lstm"], model_params={"nn_lstm": {"seed": seed}},
                       scoring=ScoringOptions(bootstrap=0))
    wall = time.perf_counter() - t0
    rows = []
    for label in ("pnbd_gg", "nn_lstm"):
        m = r.metrics.loc[label]
        rows.append(dict(dataset=dataset, seed=seed, model=label, agg_err_pct=100 * m["purchases_agg_err"],
                         spearman=m["purchases_spearman"], weekly_mape=m["purchases_weekly_mape"],
                         fit_seconds=m["fit_seconds"], fit_forecast_seconds=m["fit_seconds"] + m["predict_seconds"],
                         run_seconds=wall,
                         epochs=(r.models[label].params_.get("epochs") if label == "nn_lstm" else None)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=["cdnow", "cdnow-sample"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    args = ap.parse_args()
    rows = []
    for dataset in args.datasets:
        for seed in args.seeds:
            rows += run(dataset, seed)
            print(pd.DataFrame(rows[-2:]).to_string(index=False, float_format="%.3f"), flush=True)
    table = pd.DataFrame(rows)
    print("\nper run:\n" + table.to_string(index=False, float_format="%.3f"))
    lstm = table[table["model"] == "nn_lstm"]
    agg = lstm.groupby("dataset").agg(agg_err_mean=("agg_err_pct", "mean"), agg_err_std=("agg_err_pct", "std"),
                                      spearman_mean=("spearman", "mean"), weekly_mape_mean=("weekly_mape", "mean"),
                                      fit_forecast_seconds_mean=("fit_forecast_seconds", "mean"),
                                      fit_forecast_seconds_max=("fit_forecast_seconds", "max"))
    pnbd = table[table["model"] == "pnbd_gg"].groupby("dataset").agg(pnbd_agg_err=("agg_err_pct", "first"),
                                                                      pnbd_spearman=("spearman", "first"),
                                                                      pnbd_weekly_mape=("weekly_mape", "first"))
    wins = (lstm.set_index(["dataset", "seed"])["weekly_mape"]
            < table[table["model"] == "pnbd_gg"].set_index(["dataset", "seed"])["weekly_mape"]).groupby("dataset").mean()
    print("\nnn_lstm over seeds (agg error in %, std = seed-to-seed sample std):\n"
          + agg.join(pnbd).assign(weekly_mape_below_pnbd_share=wins).to_string(float_format="%.3f"))


if __name__ == "__main__":
    main()
