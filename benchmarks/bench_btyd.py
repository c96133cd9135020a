"""Speed and agreement of our BTYD fits against lifetimes 0.11.3 on the full CDNOW master, 39/39 split.

Run: .venv/bin/python benchmarks/bench_btyd.py   (prints figures; best of `repeat` runs; not a test)

lifetimes is a benchmark-only dependency (`.venv/bin/pip install lifetimes==0.11.3`); without it only our timings
are printed. Both sides fit the same compressed (frequency, recency, T) rows with counts as weights; our timings
include the compression of the 23,570-customer summary, lifetimes' do not.

Log-likelihoods are compared like with like. lifetimes reports a negative log-likelihood on time rescaled by
c = 1 / max(T), divided by the total weight (BG/NBD, Gamma-Gamma) or by the mean weight (Pareto/NBD); a density of
purchase times picks up a factor c^-x under rescaling, so the total on the original time scale is
-reported * divisor + ln(c) * sum(x). We also evaluate our likelihood at lifetimes' parameters. lifetimes' Pareto/NBD
starts Nelder-Mead from random parameters: we seed numpy's global generator for repeatability.
"""
import argparse
import os
import time
import warnings

import numpy as np

from clv_research.btyd import BetaGeo, GammaGamma, ParetoNBD, rows_from_summary
from clv_research.btyd_maths import bgnbd_loglik, gg_loglik, pack_spend_rows, pnbd_loglik
from clv_research.data import load_cdnow
from clv_research.features import rfm_summary


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter(); out = fn(); times.append(time.perf_counter() - t0)
    return min(times), out


def load_lifetimes():
    "lifetimes' three fitters, or None with a message if the package cannot be imported on this stack."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
        return BetaGeoFitter, ParetoNBDFitter, GammaGammaFitter
    except Exception as e:  # old package on a new numpy/pandas/scipy: report and go on without it
        print(f"lifetimes unavailable ({type(e).__name__}: {e}); install with .venv/bin/pip install lifetimes==0.11.3")
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)

    summary = rfm_summary(load_cdnow("master"), "1997-09-30", "1998-06-30")
    rows = rows_from_summary(summary)
    x, t_x, T, w = rows.x, rows.t_x, rows.T, rows.weight
    spend = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    xs, ms = spend["frequency"].to_numpy(float), spend["monetary_value"].to_numpy(float)
    print(f"CDNOW master 39/39: {len(summary):,} customers, {len(rows.x):,} distinct (x, t_x, T) rows, "
          f"{len(spend):,} repeaters with positive spend; repeat={args.repeat}; cpus={os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f} (other jobs share the machine)")

    ours = {}
    for label, cls in (("BG/NBD", BetaGeo), ("Pareto/NBD", ParetoNBD), ("Gamma-Gamma", GammaGamma)):
        ours[label] = best_of(lambda: cls().fit(summary), args.repeat)

    theirs = {}
    fitters = load_lifetimes()
    if fitters is not None:
        BGF, PNF, GGF = fitters
        np.random.seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for label, make in (("BG/NBD", lambda: BGF().fit(x, t_x, T, weights=w)),
                                ("Pareto/NBD", lambda: PNF().fit(x, t_x, T, weights=w)),
                                ("Gamma-Gamma", lambda: GGF().fit(xs, ms))):
                try:
                    theirs[label] = best_of(make, args.repeat)
                except Exception as e:
                    print(f"lifetimes {label} failed: {type(e).__name__}: {e}")

    print(f"\n{'model':<12} {'ours s':>8} {'lifetimes s':>12} {'speed-up':>9}   {'LL ours':>14} {'LL lifetimes':>14} "
          f"{'rel. diff':>10} {'our LL at their params':>23}")
    for label, (t_ours, model) in ours.items():
        ll_ours = model.log_likelihood_
        if label not in theirs:
            print(f"{label:<12} {t_ours:8.3f} {'-':>12} {'-':>9}   {ll_ours:14.4f}")
            continue
        t_theirs, fitter = theirs[label]
        p = fitter.params_
        if label == "Gamma-Gamma":
            ll_theirs = -fitter._negative_log_likelihood_ * len(xs)
            at_theirs = gg_loglik(np.array([[p["p"], p["q"], p["v"]]]), pack_spend_rows(xs, ms)[0])[0]
        else:
            divisor = w.sum() if label == "BG/NBD" else w.mean()
            ll_theirs = -fitter._negative_log_likelihood_ * divisor + np.log(fitter._scale) * (w * x).sum()
            if label == "BG/NBD": at_theirs = bgnbd_loglik(np.array([[p["r"], p["alpha"], p["a"], p["b"]]]), rows)[0]
            else: at_theirs = pnbd_loglik(np.array([[p["r"], p["alpha"], p["s"], p["beta"]]]), rows)[0]
        rel = (ll_ours - ll_theirs) / abs(ll_theirs)
        print(f"{label:<12} {t_ours:8.3f} {t_theirs:12.3f} {t_theirs / t_ours:8.1f}x   {ll_ours:14.4f} {ll_theirs:14.4f} "
              f"{rel:10.1e} {at_theirs:23.4f}")
    for label, (_, model) in ours.items():
        print(f"ours {label}: " + ", ".join(f"{k}={v:.5g} (se {model.se_[k]:.2g})" for k, v in model.params_.items()))
    for label, (_, fitter) in theirs.items():
        print(f"lifetimes {label}: " + ", ".join(f"{k}={v:.5g}" for k, v in fitter.params_.items()))
    print("\nTargets: BG/NBD no slower than lifetimes (0.26-0.30 s, nbs/reference.ipynb#peer-speed), Pareto/NBD < 1 s; "
          "log-likelihoods equal to 1e-6 relative (a positive rel. diff means ours is higher, i.e. a better optimum).")


if __name__ == "__main__":
    main()
