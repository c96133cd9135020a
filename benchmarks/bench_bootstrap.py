"""Speed of the paired bootstrap: every model of the default CDNOW master run (23,570 customers), 1,000 replicates.

Run: .venv/bin/python benchmarks/bench_bootstrap.py   (prints figures; best of `repeat` runs; not a test)

It reads the saved master run of the default report (`reports/cdnow/runs/dataset-cdnow`, written by `make report`)
rather than fitting the twelve models again; `--run FOLDER` names another saved run. Runs saved before the bootstrap
existed have no per-customer CRPS column: for models with intervals a stand-in column of the same size is added, so
the work timed is the work of a fresh run. Target: under 30 s on the 2-core machine.
"""
import argparse
import time
from pathlib import Path

import numpy as np

from clv_research.data import repo_root
from clv_research.experiment import Result
from clv_research.metrics import bootstrap_scores, difference_to_best, score_intervals


def predictions_of(result: Result) -> dict:
    "label -> predictions frame with a per-customer CRPS column for every model that has intervals."
    out = {}
    for label in result.labels:
        p = result.model_predictions(label)
        if "spend_crps" not in p and "spend_lo" in p and p["spend_lo"].notna().all():
            p = p.assign(spend_crps=np.abs(result.summary["spend_holdout"] - p["spend"]))
        out[label] = p
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--run", type=Path, default=repo_root() / "reports" / "cdnow" / "runs" / "dataset-cdnow")
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--chunk", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)

    result = Result.load(args.run)
    preds = predictions_of(result)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        reps = bootstrap_scores(result.summary, preds, args.replicates, seed=0, chunk=args.chunk)
        score_intervals(reps)
        difference_to_best(result.metrics, reps)
        times.append(time.perf_counter() - t0)
    print(f"paired bootstrap, {len(preds)} models x {len(result.summary):,} customers x {args.replicates:,} replicates "
          f"(chunk {args.chunk}): {min(times):.1f} s (best of {args.repeat}; target < 30 s)")


if __name__ == "__main__":
    main()
