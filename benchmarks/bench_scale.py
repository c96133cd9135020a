"""Issue 13: load + summary + features of 10M and 100M simulated transactions, pandas in memory against Dask on a local cluster.

    .venv/bin/python benchmarks/bench_scale.py                      # 10M and 100M transactions (about 40 minutes)
    .venv/bin/python benchmarks/bench_scale.py --sizes 10M          # one size
    .venv/bin/python benchmarks/bench_scale.py --no-pandas-above 10M  # skip the in-memory path on the larger logs

For each size it simulates the log once into a `customer_bucket` Parquet dataset under --data (reused by later runs),
then times, each in a fresh process: the pandas path (`pd.read_parquet` -> `load_transactions` -> `rfm_summary` ->
`customer_features`, all in memory) and the Dask path on a `LocalCluster` of --workers single-threaded processes
(`load_transactions(engine="dask")` with its counted report -> `rfm_summary(output="dask")` -> `customer_features`
per partition, both written to Parquet). Peak memory is the highest sum of the resident memory of the process and all
of its children (scheduler, nannies, workers), sampled every 0.1 s. It also counts the unique (x, t_x, T) rows the BTYD
models fit on and fits BG/NBD on them. Last, it runs `bench_xgb_dask.py`: `xgb_tweedie` on 1M simulated customers,
fitted in pandas and with xgboost.dask on the same local cluster (`--no-xgb` skips it).
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION_END, HOLDOUT_END = "2025-12-31", "2026-12-31"
PANDAS_LIMIT_GB = 20  # of this 24 GB machine: the in-memory path is stopped above it
WORLD = dict(start="2024-01-01", end="2026-12-31", acquisition_days=364)  # the `segments` world over three years


class PeakMemory:
    "Highest summed RSS of this process and its descendants, sampled in a thread; above `limit` bytes, `on_limit()`."

    def __init__(self, every: float = 0.1, limit: float | None = None, on_limit=None):
        self.every, self.peak, self._stop = every, 0, threading.Event()
        self.limit, self.on_limit = limit, on_limit

    def _rss(self) -> int:
        me = psutil.Process()
        total = 0
        for p in [me, *me.children(recursive=True)]:
            try: total += p.memory_info().rss
            except psutil.Error: pass
        return total

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, self._rss())
            if self.limit and self.peak > self.limit: self.on_limit(self.peak)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def parse_size(text: str) -> int:
    return int(float(text[:-1]) * {"K": 1e3, "M": 1e6}[text[-1].upper()]) if text[-1].isalpha() else int(text)


def simulate(size: int, data: Path, workers: int) -> dict:
    "The simulated log of about `size` transactions (made once; its manifest tells the real counts)."
    from distributed import Client, LocalCluster
    from clv_research.data import DEFAULT_SEGMENTS, simulate_transactions
    from clv_research.scale import simulate_to_parquet
    folder = data / f"log-{size}"
    manifest = folder.with_suffix(".json")
    if manifest.exists(): return json.loads(manifest.read_text())
    pilot, _ = simulate_transactions(20_000, segments=DEFAULT_SEGMENTS, seed=1, **WORLD)
    per_customer = len(pilot) / 20_000
    n_customers = int(round(size / per_customer))
    chunk = max(1000, int(round(1_000_000 / per_customer)))  # about 1M transactions per bucket
    started = time.perf_counter()
    with PeakMemory() as peak:
        with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster):
            made = simulate_to_parquet(folder, n_customers, chunk_customers=chunk, seed=0, segments=DEFAULT_SEGMENTS, **WORLD)
    made["simulate_seconds"], made["simulate_peak_gb"] = round(time.perf_counter() - started, 1), round(peak.peak / 2**30, 2)
    made["parquet_mb"] = round(sum(f.stat().st_size for f in folder.rglob("*.parquet")) / 2**20, 1)
    manifest.write_text(json.dumps(made, indent=1))
    return made


def run_pandas(folder: str) -> dict:
    "The in-memory path; run in a child process so that its peak memory is its own."
    import pandas as pd
    from clv_research.boosting import customer_features
    from clv_research.data import load_transactions
    from clv_research.features import rfm_summary
    times, step = {}, ["read"]
    def give_up(rss):  # before the machine swaps or the kernel kills something else
        print("RESULT " + json.dumps({"failed": f"stopped at {rss / 2**30:.1f} GB of memory during '{step[0]}' "
                                      f"(limit {PANDAS_LIMIT_GB} GB), after {json.dumps({k: round(v, 1) for k, v in times.items()})}"}), flush=True)
        os._exit(3)
    with PeakMemory(limit=PANDAS_LIMIT_GB * 2**30, on_limit=give_up) as peak:
        t = time.perf_counter()
        raw = pd.read_parquet(folder).drop(columns=["customer_bucket"])
        times["read"] = time.perf_counter() - t
        step[0] = "load"
        t = time.perf_counter()
        tx, report = load_transactions(raw)
        del raw
        times["load"] = time.perf_counter() - t
        step[0] = "summary"
        t = time.perf_counter()
        summary = rfm_summary(tx, CALIBRATION_END, HOLDOUT_END)
        times["summary"] = time.perf_counter() - t
        step[0] = "features"
        t = time.perf_counter()
        features = customer_features(tx, CALIBRATION_END)
        times["features"] = time.perf_counter() - t
    return {"seconds": round(sum(times.values()), 1), "steps": {k: round(v, 1) for k, v in times.items()},
            "peak_gb": round(peak.peak / 2**30, 2), "customers": len(summary), "feature_columns": features.shape[1],
            "rows_out": report.rows_out}


def run_dask(folder: str, out: str, workers: int, memory_limit: str) -> dict:
    "The Dask path on a fresh local cluster; summary and features written to Parquet under `out`."
    import shutil
    from distributed import Client, LocalCluster
    from clv_research.boosting import customer_features
    from clv_research.data import load_transactions
    from clv_research.features import rfm_summary
    from clv_research.scale import map_customer_partitions
    shutil.rmtree(out, ignore_errors=True)
    times = {}
    with PeakMemory() as peak:
        with LocalCluster(n_workers=workers, threads_per_worker=1, memory_limit=memory_limit,
                          dashboard_address=None) as cluster, Client(cluster):
            t = time.perf_counter()
            tx, report = load_transactions(folder, engine="dask")
            times["load (counted report)"] = time.perf_counter() - t
            t = time.perf_counter()
            summary = rfm_summary(tx, CALIBRATION_END, HOLDOUT_END, output="dask")
            summary.to_parquet(f"{out}/summary")
            times["summary"] = time.perf_counter() - t
            t = time.perf_counter()
            seen = tx[tx["date"] <= CALIBRATION_END]
            features = map_customer_partitions(seen, customer_features, CALIBRATION_END, output="dask")
            features.to_parquet(f"{out}/features")
            times["features"] = time.perf_counter() - t
            t = time.perf_counter()
            unique = len(summary[["frequency", "recency", "T"]].drop_duplicates())
            customers = len(summary)
            times["unique rows"] = time.perf_counter() - t
    return {"seconds": round(sum(v for k, v in times.items() if k != "unique rows"), 1),
            "steps": {k: round(v, 1) for k, v in times.items()}, "peak_gb": round(peak.peak / 2**30, 2),
            "customers": customers, "unique_xtT_rows": unique, "rows_out": report.rows_out,
            "partitions": tx.npartitions}


def run_btyd(out: str) -> dict:
    "BG/NBD fitted on the compressed (x, t_x, T) rows of the Dask summary."
    import pandas as pd
    from clv_research.btyd import BetaGeo
    summary = pd.read_parquet(f"{out}/summary", columns=["frequency", "recency", "T"])
    t = time.perf_counter()
    model = BetaGeo().fit(summary)
    seconds = time.perf_counter() - t
    return {"customers": len(summary), "unique_rows": model.n_rows_, "fit_seconds": round(seconds, 1),
            "params": {k: round(float(v), 4) for k, v in model.params_.items()}}


def child(kind: str, *args) -> dict:
    "Run one measurement in a fresh Python process (its own peak memory, no state from the previous one)."
    code = (f"import json, sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import bench_scale as b; "
            f"print('RESULT ' + json.dumps(b.run_{kind}(*{list(args)!r})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"failed": f"exit code {proc.returncode}: " + " | ".join(tail)}
    return json.loads(line[len("RESULT "):])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", nargs="+", default=["10M", "100M"], help="transactions per log (default 10M 100M)")
    p.add_argument("--data", default="/tmp/clv-scale", help="where the simulated logs and outputs go")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--memory-limit", default="3GiB", help="per Dask worker (it spills to disk above this)")
    p.add_argument("--no-pandas-above", default=None, help="skip the in-memory path above this many transactions")
    p.add_argument("--no-xgb", action="store_true", help="skip bench_xgb_dask.py (three fits of 1M customers, ~15 min)")
    args = p.parse_args()
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    cap = parse_size(args.no_pandas_above) if args.no_pandas_above else None
    results = {}
    for text in args.sizes:
        size = parse_size(text)
        made = simulate(size, data, args.workers)
        print(f"== {text}: {made['transactions']:,} transactions of {made['customers']:,} customers in "
              f"{made['partitions']} buckets, {made['parquet_mb']} MB of Parquet (simulated in {made['simulate_seconds']} s, "
              f"peak {made.get('simulate_peak_gb', '?')} GB)", flush=True)
        folder, out = made["path"], str(data / f"out-{size}")
        row = {"log": made, "dask": child("dask", folder, out, args.workers, args.memory_limit)}
        print("   dask:  ", json.dumps(row["dask"]), flush=True)
        row["btyd"] = child("btyd", out)
        print("   bgnbd on unique rows:", json.dumps(row["btyd"]), flush=True)
        if cap is None or size <= cap:
            row["pandas"] = child("pandas", folder)
            print("   pandas:", json.dumps(row["pandas"]), flush=True)
        results[text] = row
    (data / "bench_scale.json").write_text(json.dumps(results, indent=1))
    print(f"results: {data / 'bench_scale.json'}")
    if not args.no_xgb:  # the boosted model on 1M+ customers: pandas fit against the xgboost.dask fit
        print("== xgb_tweedie on 1M customers: benchmarks/bench_xgb_dask.py", flush=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_xgb_dask.py"), "--workers", str(args.workers)], check=True)


if __name__ == "__main__":
    main()
