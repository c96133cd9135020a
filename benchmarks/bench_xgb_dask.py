"""Fit time of a boosted model on many simulated customers: the pandas fit against the `xgboost.dask` fit on a local
cluster (2 workers x 1 thread by default), with how close the two models' predictions are and the per-partition predict.

Run: .venv/bin/python benchmarks/bench_xgb_dask.py [--customers 1000000] [--model xgb_tweedie] [--partitions 8] [--repeat]
(prints figures; not a test; timings are noisy on a shared machine)
"""
import argparse
import time

import numpy as np
from dask import dataframe as dd
from distributed import Client, LocalCluster

from clv_research.data import simulate_world
from clv_research.experiment import SIMULATED_SPLIT
from clv_research.features import rfm_summary
from clv_research.models import HOLDOUT_COLUMNS, make_model


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def closeness(a, b) -> str:
    "Relative difference of the totals and correlation of two prediction frames, per column."
    return ", ".join(f"{c}: total {b[c].sum() / a[c].sum() - 1:+.2%}, corr {np.corrcoef(a[c], b[c])[0, 1]:.4f}" for c in a)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--model", default="xgb_tweedie", help="registered boosted model")
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-pandas", action="store_true")
    ap.add_argument("--repeat", action="store_true", help="fit again on a fresh cluster: are the predictions identical?")
    args = ap.parse_args(argv)

    cal, hold = SIMULATED_SPLIT
    t_sim, (tx, _) = timed(lambda: simulate_world("bgnbd", args.customers, seed=0))
    model = make_model(args.model)
    t_sum, summary = timed(lambda: rfm_summary(tx, cal, hold).join(model.transaction_features(tx[tx["date"] <= cal], cal)))
    print(f"simulate_world bgnbd {args.customers:,} customers -> {len(tx):,} transactions: {t_sim:.1f} s; "
          f"summary + features ({summary.shape[0]:,} x {summary.shape[1]}): {t_sum:.1f} s")
    del tx
    calib = summary.drop(columns=list(HOLDOUT_COLUMNS))
    fits = {}
    if not args.skip_pandas:
        for split in ("random", "hash"):
            t, fits[split] = timed(lambda: make_model(args.model, tuning={"split": split}).fit(summary))
            print(f"pandas fit (tuning.split={split!r}): {t:.1f} s, trees {fits[split].params_['n_trees']}")
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster):
        frame = dd.from_pandas(summary, npartitions=args.partitions)
        t, fitted = timed(lambda: make_model(args.model).fit(frame))
        print(f"dask fit ({args.workers} workers x 1 thread, {args.partitions} partitions): {t:.1f} s, "
              f"trees {fitted.params_['n_trees']}")
        t_pred, dask_pred = timed(lambda: fitted.predict(dd.from_pandas(calib, npartitions=args.partitions), 39).compute())
        print(f"dask predict per partition, {len(calib):,} customers: {t_pred:.1f} s")
    pred = fitted.predict(calib, 39)
    if args.repeat:
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster):
            again = make_model(args.model).fit(dd.from_pandas(summary, npartitions=args.partitions))
        same = again.predict(calib, 39).equals(pred)
        print(f"second dask fit on a fresh cluster: trees {again.params_['n_trees']}, predictions identical: {same}")
    assert np.array_equal(dask_pred.to_numpy(), pred.to_numpy())
    for split, other in fits.items():
        print(f"dask fit against pandas fit ({split}): {closeness(other.predict(calib, 39), pred)}")


if __name__ == "__main__":
    main()
