"""Spend RMSE and Gini of the stacked ensemble against its members and the forest on CDNOW master and sample, with the
paired-bootstrap interval of the stack's difference to the runner-up.

usage: .venv/bin/python benchmarks/bench_stack.py [--bootstrap N]
"""
import argparse
import time

import numpy as np

from clv_research.experiment import ScoringOptions, run_experiment
from clv_research.metrics import bootstrap_scores, difference_to_best
from clv_research.models import available_models

HEADLINE = ("spend_rmse", "spend_gini")


def runner_up_difference(r, metric: str, level: float) -> tuple[str, float, float, float]:
    "Runner-up of `metric` among the other models, and the stack's difference to it with its paired-bootstrap interval."
    others = r.metrics.drop(index="stack")
    best_other = others[metric].idxmin() if metric == "spend_rmse" else others[metric].idxmax()
    reps = bootstrap_scores(r.summary, {m: r.model_predictions(m) for m in ("stack", best_other)},
                            r.bootstrap["replicates"], r.bootstrap["seed"])
    vs = difference_to_best(r.metrics.loc[["stack", best_other]], reps, level, headline=(metric,))
    # difference_to_best is relative to the better of the two: express it as stack minus runner-up
    sign = -1.0 if vs.attrs["best"][metric] == "stack" else 1.0
    row = vs.loc[best_other if sign < 0 else "stack"]
    lo, hi = sorted((sign * row[f"{metric}_diff_lo"], sign * row[f"{metric}_diff_hi"]))
    return best_other, sign * row[f"{metric}_diff"], lo, hi


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", type=int, default=ScoringOptions().bootstrap, help="bootstrap replicates")
    args = parser.parse_args()
    models = ["pnbd_gg", "xgb_tweedie", "rf", "stack"]
    if "nn_ziln" in available_models(): models.insert(2, "nn_ziln")
    for dataset in ("cdnow", "cdnow-sample"):
        t0 = time.perf_counter()
        r = run_experiment(dataset, models=models, scoring=ScoringOptions(bootstrap=args.bootstrap))
        print(f"\n== {dataset} ({time.perf_counter() - t0:.0f} s; bootstrap {args.bootstrap} replicates) ==")
        print(r.metrics[[*HEADLINE, "spend_agg_err", "spend_coverage80", "spend_crps", "fit_seconds", "predict_seconds"]]
              .round(4).to_string())
        level = r.bootstrap["level"]
        for metric in HEADLINE:
            other, diff, lo, hi = runner_up_difference(r, metric, level)
            better = diff < 0 if metric == "spend_rmse" else diff > 0
            tied = lo <= 0 <= hi
            print(f"stack - {other} ({metric}): {diff:+.4f}, {level:.0%} paired-bootstrap interval [{lo:+.4f}, {hi:+.4f}]"
                  f" -> stack {'better' if better else 'worse'}{' (tied: 0 inside)' if tied else ''}")


if __name__ == "__main__":
    main()
