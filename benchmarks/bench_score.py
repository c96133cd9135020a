"""clv-score end to end, and the saved size of each model, on CDNOW master and on 1M simulated customers.

Run: .venv/bin/python benchmarks/bench_score.py [--models bgnbd_gg pnbd_gg ...] [--customers 1000000]
(prints figures; not a test). Fits every registered model on CDNOW master as the default sweep does (the Bayesian
models with 2 chains x (500 + 500) as in nbs/reports/cdnow.yml), saves them as a sweep with `save_models: true`
does, and for each: the file size (and how much of it is library artefacts; for the Bayesian models also with
`compact=True`), `score_customers` as of 1997-09-30 over
39 weeks on the CDNOW log (truncated to that date) and whether its summed expected purchases equal the run's holdout
prediction. Then `clv-score` as a command (new process: start-up, model loading, log reading and cleaning, scoring,
writing) on CDNOW master and on a log of 1M simulated customers.
"""
import argparse
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from clv_research.data import simulate_world
from clv_research.experiment import ScoringOptions, run_experiment
from clv_research.features import rfm_summary, training_record
from clv_research.models import make_model
from clv_research.persist import read_manifest
from clv_research.score import score_customers

REPORT_SAMPLING = {"sampling": {"chains": 2, "draws": 500, "tune": 500}}  # as nbs/reports/cdnow.yml


def command(args, cwd) -> float:
    "Seconds of one `python -m clv_research.score ...` (a new process), after checking it succeeded."
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "clv_research.score", *map(str, args), "--quiet", "--force"],
                          cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0: raise RuntimeError(done.stderr)
    return seconds


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="*", default=None, help="registered models (default: all that run on CDNOW)")
    ap.add_argument("--customers", type=int, default=1_000_000, help="simulated customers for the large log")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench_score_"))

    params = {m: REPORT_SAMPLING for m in ("bayes_bgnbd_gg", "hier_bgnbd_gg", "hier_pnbd_gg")}
    t0 = time.perf_counter()
    result = run_experiment("cdnow", models=args.models or "all", model_params=params,
                            scoring=ScoringOptions(bootstrap=0, n_samples=0, tracking=False, on_error="record"))
    print(f"fitted {len(result.models)} models on CDNOW master in {time.perf_counter() - t0:.0f} s"
          + (f" (failed: {sorted(result.errors)})" if result.errors else ""))
    t0 = time.perf_counter()
    result.save(work / "run", models=True)
    print(f"saved them in {time.perf_counter() - t0:.1f} s\n")
    print(f"{'model':<16} {'file MB':>8} {'artefacts':>24} {'score s':>8} {'sum purchases':>14} {'holdout pred':>13}")
    for label in result.models:
        path = work / "run" / "models" / f"{label}.clvm"
        with zipfile.ZipFile(path) as z: sizes = {i.filename: i.compress_size for i in z.infolist()}
        kinds = {}
        for a in read_manifest(path)["artefacts"]: kinds[a["format"]] = kinds.get(a["format"], 0) + sizes[a["file"]]
        art = ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in kinds.items()) or "pickle only"
        t1 = time.perf_counter()
        scores = score_customers(path, "cdnow", as_of="1997-09-30", horizon=39, truncate=True, discount_rate=0.10)
        seconds = time.perf_counter() - t1
        held = result.model_predictions(label)["purchases"].sum()
        print(f"{label:<16} {path.stat().st_size / 1e6:8.2f} {art:>24} {seconds:8.2f} "
              f"{scores['expected_purchases'].sum():14.2f} {held:13.2f}")
        if "arviz-netcdf" in kinds:
            small = result.models[label].save(work / f"{label}.compact.clvm", compact=True)
            print(f"{'  compact=True':<16} {small.stat().st_size / 1e6:8.2f} {'(no pointwise log-lik)':>24}")

    bg = work / "run" / "models" / "bgnbd_gg.clvm"
    if bg.exists():
        s = command([bg, "cdnow", "--as-of", "1997-09-30", "--horizon", 39, "--truncate", "--out", work / "cdnow.csv"], work)
        print(f"\nclv-score bgnbd_gg CDNOW master as of 1997-09-30, 39 weeks, 10 % discount (command, new process): {s:.1f} s")
        s = command([bg, "cdnow", "--as-of", "1997-09-30", "--horizon", 39, "--truncate", "--no-intervals",
                     "--out", work / "cdnow_noiv.csv"], work)
        print(f"clv-score bgnbd_gg CDNOW master, the same without intervals: {s:.1f} s")
        master_csv = work / "cdnow_master.csv"
        from clv_research.data import load_cdnow
        load_cdnow("master").to_csv(master_csv, index=False)
        s = command([bg, master_csv, "--as-of", "1997-09-30", "--horizon", 39, "--truncate", "--out", work / "cdnow2.csv"], work)
        print(f"clv-score bgnbd_gg on the CDNOW master log as a CSV file (read and cleaned by load_transactions): {s:.1f} s")

    t0 = time.perf_counter()
    tx, _ = simulate_world("bgnbd", args.customers, seed=0)
    tx = tx[["customer_id", "date", "amount"]]
    log = work / "simulated.parquet"
    tx.to_parquet(log)
    summary = rfm_summary(tx, "2024-09-30")
    model = make_model("bgnbd_gg").fit(summary)
    model.save(work / "sim.clvm", training=summary)
    print(f"\n{args.customers:,} simulated customers, {len(tx):,} transactions (simulated, fitted at 2024-09-30 and saved "
          f"in {time.perf_counter() - t0:.0f} s; model file {(work / 'sim.clvm').stat().st_size / 1e3:.0f} kB)")
    for out, extra in (("sim.parquet", ["--no-intervals"]), ("sim.csv", ["--no-intervals"]), ("sim_iv.parquet", [])):
        s = command([work / "sim.clvm", log, "--as-of", "2025-06-30", "--horizon", 39, "--out", work / out, *extra], work)
        what = "without intervals" if extra else "with 80 % intervals (500 draws per customer)"
        print(f"clv-score bgnbd_gg as of 2025-06-30 (39 weeks after the fit), 39 weeks, {what} -> {out}: {s:.1f} s")
    print(f"\n(files in {work})")


if __name__ == "__main__":
    main()
