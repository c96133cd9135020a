"""Speed of the gradient-boosted CLV models: customer_features, BoostedCLV fitting and predictive draws on CDNOW master
(5-fold cross-fitting) and on one million simulated customers (one cross-fitting fold: 80 % of the customers).

Run: .venv/bin/python benchmarks/bench_boosting.py   (prints figures; not a test; timings are noisy on a shared machine)
"""
import argparse
import time

from clv_research.boosting import SUMMARY_FEATURES, customer_features
from clv_research.data import load_cdnow, simulate_transactions
from clv_research.experiment import SIMULATED_PERIOD, SIMULATED_SPLIT, cross_fit, fold_ids
from clv_research.features import rfm_summary
from clv_research.models import HOLDOUT_COLUMNS, make_model


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def with_features(model, transactions, calibration_end, holdout_end):
    "Summary with the model's transaction features joined, as run_experiment builds it."
    summary = rfm_summary(transactions, calibration_end, holdout_end)
    return summary.join(model.transaction_features(transactions, calibration_end))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=1_000_000, help="simulated customers")
    ap.add_argument("--model", default="xgb_tweedie", help="registered boosted model")
    ap.add_argument("--n-jobs", type=int, default=1, help="XGBoost threads (the model default is 1)")
    ap.add_argument("--skip-master", action="store_true")
    ap.add_argument("--skip-simulated", action="store_true", help="time the CDNOW master only")
    args = ap.parse_args(argv)

    if not args.skip_master:
        master = load_cdnow("master")
        t_feat, feats = timed(lambda: customer_features(master, "1997-09-30"))
        print(f"customer_features CDNOW master ({len(master):,} rows -> {len(feats):,} customers x "
              f"{feats.shape[1]} columns): {t_feat:.2f} s")
        model = make_model(args.model, n_jobs=args.n_jobs)
        master_summary = with_features(model, master, "1997-09-30", "1998-06-30")
        t_all, crossed = timed(lambda: cross_fit(lambda: make_model(args.model, n_jobs=args.n_jobs), master_summary,
                                                 folds=5, seed=0))
        print(f"{args.model} CDNOW master: features + 5-fold training {t_all:.1f} s (target < 60 s)")
        master_calib = master_summary.drop(columns=list(HOLDOUT_COLUMNS))
        t_draw, _ = timed(lambda: crossed.sample_predictive(master_calib, 39, n=200, seed=0))
        print(f"sample_predictive, 200 draws for {len(master_calib):,} customers (out of fold): {t_draw:.1f} s (target < 10 s)")
    if args.skip_simulated: return

    t_sim, (tx, _) = timed(lambda: simulate_transactions(args.customers, *SIMULATED_PERIOD, seed=0))
    print(f"simulate_transactions {args.customers:,} customers -> {len(tx):,} transactions: {t_sim:.1f} s")
    cal, hold = SIMULATED_SPLIT
    t_feat, feats = timed(lambda: customer_features(tx, cal))
    print(f"customer_features simulated: {len(feats):,} customers x {feats.shape[1]} columns in {t_feat:.1f} s")
    model = make_model(args.model, n_jobs=args.n_jobs)
    summary = rfm_summary(tx, cal, hold).join(feats.drop(columns=list(SUMMARY_FEATURES)))
    train = summary[fold_ids(summary.index, 5, 0) != 0]
    t_fit, fitted = timed(lambda: model.fit(train))
    print(f"{args.model} (n_jobs={args.n_jobs}) fit on one fold ({len(train):,} customers; spend, purchases and 2 "
          f"quantile boosters; trees {fitted.params_['n_trees']}): {t_fit:.1f} s")
    calib = summary.drop(columns=["frequency_holdout", "spend_holdout", "duration_holdout"])
    t_pred, _ = timed(lambda: (fitted.predict(calib, 39), fitted.predict_interval(calib, 39)))
    print(f"predict + predict_interval for {len(calib):,} customers: {t_pred:.1f} s")
    t_draw, _ = timed(lambda: fitted.sample_predictive(calib.iloc[:100_000], 39, n=200, seed=0))
    print(f"sample_predictive, 200 draws for 100,000 customers: {t_draw:.1f} s")
    print(f"features + training on {args.customers:,} simulated customers: {t_feat + t_fit:.1f} s "
          f"(5-fold cross-fitting ~ {t_feat + 5 * t_fit:.0f} s)")


if __name__ == "__main__":
    main()
