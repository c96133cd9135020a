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


BASE = {"bgnbd": np.array([0.2425945, 4.4136019, 0.7929199, 2.4258881]), "pnbd": np.array([0.55315, 10.57633, 0.60625, 11.67150])}
GG_BASE, K = np.array([6.25, 3.74, 15.44]), 5
TRUTH = {"purchase": np.linspace(-0.3, 0.3, K), "dropout": np.linspace(0.4, -0.2, K), "dropout_a": np.linspace(0.4, -0.2, K),
         "dropout_b": np.linspace(-0.1, 0.3, K), "spend": np.linspace(0.2, -0.2, K)}


def covariate_world(process, n, seed):
    "n customers with five covariates (four normal, one 0/1 dummy) and the effects TRUTH, ages 20-52 weeks."
    from clv_research.btyd_maths import draw_summary, gg_draw_mean_spend, linked_params
    rng = np.random.default_rng(seed)
    Z = np.column_stack([rng.normal(size=n), rng.random(n) < 0.4] + [rng.normal(size=n) for _ in range(K - 2)]).astype(float)
    T = rng.uniform(20, 52, n)
    from clv_research.btyd_maths import COVARIATE_LINKS
    truth = {g: TRUTH[g] for g in COVARIATE_LINKS[process]}
    x, t_x = draw_summary(process, linked_params(process, BASE[process], Z, truth), T, rng)
    out = pd.DataFrame({"frequency": x, "recency": t_x, "T": T, **{f"z{j}": Z[:, j] for j in range(K)}})
    out["monetary_value"] = gg_draw_mean_spend(linked_params("gg", GG_BASE, Z, {"spend": TRUTH["spend"]}), x, rng)
    return out


def covariate_study(n, seeds, repeat):
    "Fit seconds on one world of n customers, and the share of 95 % intervals covering the true coefficients over seeds."
    from clv_research.btyd import BetaGeo, GammaGamma, ParetoNBD
    cols = [f"z{j}" for j in range(K)]
    fits = {"BG/NBD": ("bgnbd", lambda d: BetaGeo(covariates=cols).fit(d)),
            "Pareto/NBD": ("pnbd", lambda d: ParetoNBD(covariates=cols).fit(d)),
            "Gamma-Gamma": ("pnbd", lambda d: GammaGamma(covariates=cols).fit(d))}
    print(f"\ncovariates: {K} columns; fit time on {n:,} customers (best of {repeat}); 95 % coverage of the "
          f"coefficients over {len(seeds)} seeds of 20,000 customers")
    for label, (process, fit) in fits.items():
        world = covariate_world(process, n, 0)
        sec, _ = best_of(lambda: fit(world), repeat)
        hits, total = 0, 0
        for seed in seeds:
            m = fit(covariate_world(process, 20_000, 1000 + seed))
            for name, v in m.params_.items():
                if ":" not in name: continue
                group, col = name.split(":")
                hits += abs(v - TRUTH[group][int(col[1:])]) <= 1.959964 * m.se_[name]; total += 1
        print(f"{label + ' + covariates':<26} {sec:7.2f} s   coverage {hits}/{total} = {hits / total:.3f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=40, help="seeds of the covariate recovery study (0: skip it)")
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
    if args.seeds: covariate_study(100_000, range(args.seeds), min(args.repeat, 2))


if __name__ == "__main__":
    main()
