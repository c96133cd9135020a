"""End to end outside the repository: a sweep YAML with no `notebook` (the packaged template), a relative timing-only
log and attribute table, `save_models: true`; then `clv-score` on the saved model reproduces the holdout prediction."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from clv_research.data import load_cdnow
from clv_research.experiment import Result


@pytest.fixture(scope="module")
def timing_sweep(tmp_path_factory):
    "A one-run sweep on the CDNOW sample without amounts, run by `python -m clv_research.sweep` from another folder."
    root = tmp_path_factory.mktemp("shop")
    log = load_cdnow("sample")[["customer_id", "date"]]
    log.to_csv(root / "visits.csv", index=False)
    ids = np.sort(log["customer_id"].unique())
    pd.DataFrame({"id": ids, "channel": np.where(np.arange(len(ids)) % 2, "web", "store")}).to_csv(root / "customers.csv", index=False)
    config = {"name": "shop", "parameters": {
        "dataset": "visits.csv", "calibration_end": "1997-09-30", "holdout_end": "1998-06-30",
        "attributes": {"path": "customers.csv", "customer_id": "id"},
        "models": ["bgnbd_gg", {"name": "hier_bgnbd_gg", "params": {"segment": "channel", "spend": False, "sampler": "map"}}],
        "model_params": {"bgnbd_gg": {"interval_draws": 100}}, "n_samples": 50, "bootstrap": 0, "save_models": True}}
    (root / "sweeps").mkdir()
    (root / "sweeps" / "shop.yml").write_text(yaml.safe_dump(config))
    for name in ("visits.csv", "customers.csv"): (root / name).rename(root / "sweeps" / name)
    done = subprocess.run([sys.executable, "-m", "clv_research.sweep", "sweeps/shop.yml", "--out", "out", "--quiet"],
                          cwd=root, capture_output=True, text=True, timeout=600)
    return root, done


def test_sweep_outside_repo_on_timing_only_log(timing_sweep):
    root, done = timing_sweep
    assert done.returncode == 0, done.stdout + done.stderr
    run = root / "out" / "shop" / "runs" / "default"
    result = Result.load(run)
    assert sorted(result.models) == ["bgnbd_gg", "hier_bgnbd_gg"]
    assert result.metrics.filter(like="spend_").isna().all().all() and result.metrics["purchases_mae"].notna().all()
    assert list(result.models["hier_bgnbd_gg"].segments_) == ["store", "web"]
    assert (root / "out" / "shop" / "index.html").exists()


def test_clv_score_reproduces_the_holdout_prediction(timing_sweep):
    root, _ = timing_sweep
    run = root / "out" / "shop" / "runs" / "default"
    held = Result.load(run, models=False).model_predictions("bgnbd_gg")
    out = root / "scores.parquet"
    args = [sys.executable, "-m", "clv_research.score", str(run / "models" / "bgnbd_gg.clvm"), "sweeps/visits.csv",
            "--as-of", "1997-09-30", "--horizon", "39", "--truncate", "--out", str(out)]
    done = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "timing only: no amounts" in done.stderr and "after_as_of: dropped" in done.stderr
    scores = pd.read_parquet(out)
    assert len(scores) == len(held) and "clv" not in scores.columns
    assert abs(scores["expected_purchases"].sum() - held["purchases"].sum()) < 1e-6 * held["purchases"].sum()
    again = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=300)
    assert again.returncode == 2 and "exists; pass force=True (--force)" in again.stderr
    hier = [sys.executable, "-m", "clv_research.score", str(run / "models" / "hier_bgnbd_gg.clvm"), "sweeps/visits.csv",
            "--as-of", "1998-06-30", "--attributes", "sweeps/customers.csv", "--attributes-id", "id", "--out", str(root / "h.csv")]
    done = subprocess.run(hier, cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert pd.read_csv(root / "h.csv")["lifecycle_stage"].isin(["new", "active", "at risk", "lapsed"]).all()
