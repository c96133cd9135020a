"""Speed benchmark of clv_research.bayes against pymc-marketing, both sides in one process.

Complete-pooling BG/NBD on the full CDNOW master, 39/39 split, 4 chains x (1000 tune + 1000 draws), nutpie:
  ours  : HierarchicalCLV(pooling="complete", spend=False)  (compressed numba log density, nutpie via from_pyfunc)
  theirs: pymc_marketing.clv.BetaGeoModel(...).fit(method="mcmc", nuts_sampler="nutpie")
Then our partial pooling by cohort (same settings); optionally (--pnbd) the report's Pareto/NBD + Gamma-Gamma fit
(hier_pnbd_gg: partial pooling by cohort, 2 chains x (500 + 500), as nbs/reports/cdnow.yml runs it), and (--large)
mode + Laplace on 1M simulated customers.

Wall and CPU seconds are reported; the machine is shared, so CPU seconds are the steadier comparison. Our numba kernels
are compiled once per machine and cached on disk: the cold row is a fresh interpreter with an empty cache (compile
included), "1st fit in process" loads the cache, and the plain row is a warm refit (what a sweep pays per fit).
Usage: .venv/bin/python benchmarks/bench_bayes.py [--skip-pmm] [--pnbd] [--large] [--chains 4] [--draws 1000] [--tune 1000]
"""
import argparse
import os
import resource
import time
import warnings

warnings.filterwarnings("ignore")

import numpy as np
import pandas as pd

from clv_research.bayes import HierarchicalCLV, simulated_summary
from clv_research.models import make_model
from clv_research.data import load_cdnow
from clv_research.features import rfm_summary


def cpu_seconds() -> float:
    "User + system CPU seconds of this process and its threads."
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn):
    "Run fn(); return (result, wall seconds, cpu seconds)."
    c0, t0 = cpu_seconds(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, cpu_seconds() - c0


def ours(summary, pooling, args):
    sampling = dict(chains=args.chains, draws=args.draws, tune=args.tune, seed=0)
    m, wall, cpu = timed(lambda: HierarchicalCLV(pooling=pooling, spend=False, sampling=sampling).fit(summary))
    d = m.diagnostics_
    return dict(side=f"ours ({pooling})", wall=wall, cpu=cpu, compile=d["compile_seconds"], sampling=d["sampling_seconds"],
                post=d["postprocess_seconds"], steps=d["mean_steps"], rhat=d["max_rhat"], ess_bulk=d["min_ess_bulk"],
                divergences=d["divergences"], r=m.params_.get("r", m.params_.get("r[population]")),
                alpha=m.params_.get("alpha", m.params_.get("alpha[population]")))


def cold_fit(args):
    "Our complete-pooling fit in a fresh interpreter with an empty numba cache: includes compiling the kernels."
    import json, subprocess, sys, tempfile
    code = ("import json, time, warnings; warnings.filterwarnings('ignore'); t0 = time.perf_counter()\n"
            "from clv_research.bayes import HierarchicalCLV\nfrom clv_research.data import load_cdnow\n"
            "from clv_research.features import rfm_summary\n"
            "s = rfm_summary(load_cdnow('master'), '1997-09-30', '1998-06-30'); t1 = time.perf_counter()\n"
            f"m = HierarchicalCLV(pooling='complete', spend=False, sampling=dict(chains={args.chains}, draws={args.draws}, "
            f"tune={args.tune})).fit(s)\n"
            "print(json.dumps({**m.diagnostics_, 'wall': time.perf_counter() - t1, 'import_and_data': t1 - t0}))")
    with tempfile.TemporaryDirectory() as cache:
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**os.environ, "NUMBA_CACHE_DIR": cache})
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    d = json.loads(out.stdout.strip().splitlines()[-1])
    return dict(wall=d["wall"], cpu=(c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime), compile=d["compile_seconds"],
                sampling=d["sampling_seconds"], post=d["postprocess_seconds"], steps=d["mean_steps"], rhat=d["max_rhat"],
                ess_bulk=d["min_ess_bulk"], divergences=d["divergences"], r=np.nan, alpha=np.nan)


def pymc_marketing(summary, args):
    import arviz as az
    import nutpie
    from pymc_marketing.clv import BetaGeoModel
    data = pd.DataFrame({"customer_id": np.arange(len(summary)), "frequency": summary["frequency"].to_numpy(),
                         "recency": summary["recency"].to_numpy(), "T": summary["T"].to_numpy()})
    # compile-only timing on the same PyMC model (what fit() compiles before sampling)
    probe = BetaGeoModel(data=data)
    probe.build_model()
    _, compile_wall, _ = timed(lambda: nutpie.compile_pymc_model(probe.model))

    def fit():
        m = BetaGeoModel(data=data)
        m.build_model()
        return m, m.fit(method="mcmc", nuts_sampler="nutpie", chains=args.chains, draws=args.draws, tune=args.tune,
                        random_seed=0, progressbar=False)
    (m, idata), wall, cpu = timed(fit)
    post = idata.posterior
    st = idata.sample_stats
    return dict(side="pymc-marketing (complete)", wall=wall, cpu=cpu, compile=compile_wall, sampling=wall - compile_wall,
                post=np.nan, steps=float(st["n_steps"].mean()) if "n_steps" in st else np.nan,
                rhat=float(az.rhat(post[["r", "alpha", "a", "b"]]).to_array().max()),
                ess_bulk=float(az.ess(post[["r", "alpha", "a", "b"]]).to_array().min()),
                divergences=int(st["diverging"].sum()), r=float(post["r"].mean()), alpha=float(post["alpha"].mean()))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--skip-pmm", action="store_true", help="do not run pymc-marketing")
    p.add_argument("--pnbd", action="store_true", help="also time the report's hier_pnbd_gg fit on the master")
    p.add_argument("--large", action="store_true", help="also time mode + Laplace and predictions on 1M customers")
    p.add_argument("--chains", type=int, default=4)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--tune", type=int, default=1000)
    args = p.parse_args()
    print(f"cores: {os.cpu_count()}  load average at start: {os.getloadavg()}")
    summary = rfm_summary(load_cdnow("master"), "1997-09-30", "1998-06-30")
    print(f"CDNOW master 39/39: {len(summary):,} customers; {args.chains} chains x ({args.tune} tune + {args.draws} draws)")
    rows = [{**cold_fit(args), "side": "ours (complete, cold numba cache)"}]
    rows.append({**ours(summary, "complete", args), "side": "ours (complete, 1st fit in process)"})
    rows.append(ours(summary, "complete", args))             # warm: what every fit after the first one costs
    rows.append(ours(summary, "partial", args))
    if not args.skip_pmm:
        rows.append(pymc_marketing(summary, args))
    res = pd.DataFrame(rows).set_index("side")
    pd.set_option("display.width", 200)
    print(res.round(3).to_string())
    base = res.loc["ours (complete)"]
    cold = res.loc["ours (complete, cold numba cache)"]
    if not args.skip_pmm:
        pmm = res.loc["pymc-marketing (complete)"]
        print(f"speed-up, complete pooling (pymc-marketing / ours): wall {pmm.wall / base.wall:.1f}x, "
              f"cpu {pmm.cpu / base.cpu:.1f}x, sampling only {pmm.sampling / base.sampling:.1f}x; "
              f"against our cold-cache fit (kernels compiled first): wall {pmm.wall / cold.wall:.1f}x")
    part = res.loc["ours (partial)"]
    print(f"partial / complete (ours): wall {part.wall / base.wall:.2f}x, cpu {part.cpu / base.cpu:.2f}x")
    if args.pnbd:
        report_sampling = {"chains": 2, "draws": 500, "tune": 500}   # as in nbs/reports/cdnow.yml
        m, wall, cpu = timed(lambda: make_model("hier_pnbd_gg", sampling=report_sampling).fit(summary))
        d = m.diagnostics_
        print(f"hier_pnbd_gg (partial by cohort, 2 x (500 + 500), master): wall {wall:.1f} s, cpu {cpu:.1f} s, "
              f"sampling {d['sampling_seconds']:.1f} s, post-processing {d['postprocess_seconds']:.1f} s, "
              f"mean steps {d['mean_steps']:.1f}, divergences {d['divergences']}, max R-hat {d['max_rhat']:.3f}")
    if args.large:
        big, _ = simulated_summary(1_000_000, seed=7)
        def fit_predict():
            m = HierarchicalCLV(segment="segment", pooling="partial", sampler="map",
                                sampling={"prediction_draws": 20}).fit(big)
            return m, m.predict(big, 39)
        (m, pred), wall, cpu = timed(fit_predict)
        print(f"1M simulated customers ({m.diagnostics_['n_unique_rows']:,} distinct rows), partial pooling, map + "
              f"Laplace, fit + predict: wall {wall:.1f} s, cpu {cpu:.1f} s")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
