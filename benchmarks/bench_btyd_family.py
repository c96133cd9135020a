"""Speed of the newer BTYD fits against lifetimes 0.11.3 where it has the model, CDNOW master 39/39; covariate fits.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_btyd_family.py [--repeat 3]   (prints figures; not a test)

Both sides fit the same compressed rows with counts as weights: (frequency, recency, T) for MBG/NBD, and the discrete
(frequency, recency, opportunities) rows of daily opportunities for BG/BB (CDNOW purchase days fall on a daily grid).
Our timings include the compression, lifetimes' do not. lifetimes has no Gamma-Gompertz/NBD and no covariates: those
lines print our time alone. The covariate line fits BG/NBD, Pareto/NBD and Gamma-Gamma with five covariates on
100,000 simulated customers.
"""
import argparse
import contextlib
import io
import os
import time
import warnings

import numpy as np
import pandas as pd

from clv_research.btyd import BetaGeoBetaBinom, GammaGompertzNBD, ModifiedBetaGeo, ParetoNBD, rows_from_summary
from clv_research.data import load_donations
from clv_research.data import load_cdnow
from clv_research.features import rfm_summary


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter(); out = fn(); times.append(time.perf_counter() - t0)
    return min(times), out


def timed_or_failure(fn, repeat):
    "best_of, or (seconds to the failure, the exception) when the fit raises."
    t0 = time.perf_counter()
    try: return best_of(fn, repeat)
    except Exception as e: return time.perf_counter() - t0, e


def lifetimes_fitters():
    "lifetimes' fitters by our label, or {} if the package cannot be imported."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from lifetimes import BetaGeoBetaBinomFitter, ModifiedBetaGeoFitter
        return {"MBG/NBD": ModifiedBetaGeoFitter, "BG/BB": BetaGeoBetaBinomFitter}
    except Exception as e:
        print(f"lifetimes unavailable ({type(e).__name__}: {e}); install with .venv/bin/pip install lifetimes==0.11.3")
        return {}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    summary = rfm_summary(load_cdnow("master"), "1997-09-30", "1998-06-30")
    print(f"CDNOW master 39/39: {len(summary):,} customers; repeat={args.repeat}; cpus={os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f} (other jobs share the machine)")
    rows = rows_from_summary(summary)
    daily = summary.assign(recency=np.round(summary["recency"] * 7), T=np.round(summary["T"] * 7))  # purchase days
    drows = rows_from_summary(daily)
    don = load_donations()
    donors = don.loc[don.index.repeat(don["weights"])].rename(columns={"periods": "T"})
    ours = {"MBG/NBD": best_of(lambda: ModifiedBetaGeo().fit(summary), args.repeat),
            "BG/BB daily": best_of(lambda: BetaGeoBetaBinom().fit(daily), args.repeat),
            "BG/BB donations": best_of(lambda: BetaGeoBetaBinom().fit(donors), args.repeat),
            "Gamma-Gompertz/NBD": best_of(lambda: GammaGompertzNBD().fit(summary), args.repeat),
            "(Pareto/NBD, ours)": best_of(lambda: ParetoNBD().fit(summary), args.repeat)}
    lt = lifetimes_fitters()
    theirs = {}
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # lifetimes prints scipy's result on failure
        warnings.simplefilter("ignore")
        if "MBG/NBD" in lt:
            theirs["MBG/NBD"] = best_of(lambda: lt["MBG/NBD"]().fit(rows.x, rows.t_x, rows.T, weights=rows.weight),
                                        args.repeat)
        if "BG/BB" in lt:
            theirs["BG/BB daily"] = timed_or_failure(
                lambda: lt["BG/BB"]().fit(drows.x, drows.t_x, drows.T, weights=drows.weight), 1)
            theirs["BG/BB donations"] = best_of(lambda: lt["BG/BB"]().fit(don["frequency"], don["recency"], don["periods"],
                                                                           weights=don["weights"]), args.repeat)
    print(f"\n{'model':<22} {'ours s':>8} {'lifetimes s':>12} {'speed-up':>9}   parameters (ours | lifetimes)")
    for label, (sec, model) in ours.items():
        ts, tm = theirs.get(label, (np.nan, None))
        mine = " ".join(f"{v:.4f}" for v in model.params_.values())
        other = ("" if tm is None else f"failed after {ts:.2f} s: {type(tm).__name__}" if isinstance(tm, Exception)
                 else " ".join(f"{v:.4f}" for v in tm.params_.values))
        print(f"{label:<22} {sec:8.3f} {ts:12.3f} {ts / sec:8.1f}x   {mine} | {other}")


if __name__ == "__main__":
    main()
