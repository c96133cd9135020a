"""End-to-end tests of `clv-sweep`: tiny sweeps on simulated data executed through papermill (each run starts a kernel,
a few seconds each)."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from clv_research.data import repo_root
from clv_research.metrics import SCORE_KEYS
from clv_research.models import available_models
from clv_research.sweep import load_sweep, main, run_sweep, study_table, templates_dir

REPORTS = repo_root() / "nbs" / "reports"  # the repository's sweep files
TEMPLATES = templates_dir()  # the packaged report templates
FAST = [m for m in ("zero", "historical_rate", "bgnbd_gg") if m in available_models()]


def write_config(folder: Path, grid: dict, name: str = "tiny", models=("zero",), **parameters) -> Path:
    "A sweep file on 300 simulated customers, absolute template paths, written into `folder`."
    config = {"name": name, "notebook": str(TEMPLATES / "experiment.ipynb"), "comparison": str(TEMPLATES / "comparison.ipynb"),
              "parameters": {**({} if "dataset" in grid else {"dataset": "simulated:300"}), "models": list(models),
                             "n_samples": 50,
                             "model_params": {"bgnbd_gg": {"interval_draws": 100}} if "bgnbd_gg" in models else {},
                             **parameters},
              "grid": grid}
    path = folder / f"{name}.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def mtimes(folder: Path, name: str = "metrics.json") -> dict:
    return {p.parent.name: p.stat().st_mtime_ns for p in sorted(folder.glob(f"runs/*/{name}"))}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    "A two-run sweep (two calibration ends, 13-week horizon), run once with two parallel jobs."
    root = tmp_path_factory.mktemp("tiny")
    yml = write_config(root, {"calibration_end": ["2024-09-30", "2024-12-31"], "horizon": [13]}, models=FAST)
    report = run_sweep(yml, out=root / "out", jobs=2, progress=False)
    return yml, root / "out", report


def test_end_to_end(tiny):
    yml, out, report = tiny
    assert report.ok, str(report)
    sweep = out / "tiny"
    ids = ["calibration_end-2024-09-30__horizon-13", "calibration_end-2024-12-31__horizon-13"]
    assert sorted(p.name for p in (sweep / "runs").iterdir()) == ids
    for rid in ids:
        run = sweep / "runs" / rid
        for name in ("run.ipynb", "run.html", "metrics.json", "predictions.parquet", "params.json", "timings.json",
                     "bootstrap.json"):
            assert (run / name).exists(), name
        metrics = json.loads((run / "metrics.json").read_text())
        assert sorted(metrics) == sorted(FAST)
        assert all(sorted(m) == sorted(SCORE_KEYS) for m in metrics.values())
        params = json.loads((run / "params.json").read_text())
        assert params["run"]["run_id"] == rid and params["experiment"]["horizon"] == 13
        assert len(pd.read_parquet(run / "predictions.parquet")) > 250
        html = (run / "run.html").read_text()
        assert "data:image/png;base64" in html and "run_experiment(" not in html
    assert not list(sweep.rglob("*.tmp*")) and not list(sweep.rglob(".*"))
    lb = pd.read_csv(sweep / "leaderboard.csv")
    assert len(lb) == 2 * len(FAST)
    assert {"run_id", "model", "fit_seconds", "calibration_end", *SCORE_KEYS} <= set(lb.columns)
    assert list(lb["run_id"].drop_duplicates()) == ids
    assert {f"{k}_{end}" for k in SCORE_KEYS for end in ("lo", "hi")} <= set(lb.columns)
    assert {"rank", "composite_rank", "spend_rmse_diff", "spend_rmse_diff_lo", "spend_rmse_tied"} <= set(lb.columns)
    for _, rows in lb.groupby("run_id"):
        assert rows["rank"].tolist() == list(range(1, len(rows) + 1)) and set(rows["rank_by"]) == {"composite"}
        assert rows["composite_rank"].is_monotonic_increasing
        has = rows["spend_rmse"].notna()
        assert (rows.loc[has, "spend_rmse_lo"] <= rows.loc[has, "spend_rmse"]).all()
        assert (rows.loc[has, "spend_rmse"] <= rows.loc[has, "spend_rmse_hi"]).all()
    index = (sweep / "index.html").read_text()
    assert "Leaderboard" in index and f'href="runs/{ids[0]}/run.html"' in index


def test_rerun_gives_identical_metrics(tiny, tmp_path, monkeypatch):
    yml, out, _ = tiny
    rid = "calibration_end-2024-09-30__horizon-13"
    monkeypatch.chdir(tmp_path)  # a relative --out must work although papermill runs notebooks in other folders
    assert main([str(yml), "--out", "relative_out", "--quiet", "--no-comparison", "--only", rid]) == 0
    for name in ("metrics.json", "bootstrap.json"):
        first, second = (o / "tiny" / "runs" / rid / name for o in (out, tmp_path / "relative_out"))
        assert first.read_bytes() == second.read_bytes(), name



def test_a_run_on_a_local_cluster_equals_the_run_here(tiny, tmp_path):
    "The same run as one task on a Dask LocalCluster of two worker processes (`--cluster local:2`) writes the same bytes."
    yml, out, _ = tiny
    rid = "calibration_end-2024-09-30__horizon-13"
    there = tmp_path / "there"
    assert main([str(yml), "--out", str(there), "--quiet", "--no-comparison", "--only", rid, "--cluster", "local:2"]) == 0
    for name in ("metrics.json", "bootstrap.json"):
        first, second = (o / "tiny" / "runs" / rid / name for o in (out, there))
        assert first.read_bytes() == second.read_bytes(), name
    assert (there / "tiny" / "runs" / rid / "run.html").exists()
    outcomes = json.loads((there / "tiny" / "outcomes.json").read_text())
    assert (outcomes["scheduler"], outcomes["workers"]) == ("local:2", 2)
    assert [(r["run_id"], r["status"]) for r in outcomes["runs"]] == [(rid, "done")]
    assert outcomes["runs"][0]["worker"].startswith("tcp://")
    assert json.loads((out / "tiny" / "outcomes.json").read_text())["scheduler"] is None

def test_skip_only_and_force(tiny, tmp_path):
    yml, out, _ = tiny
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    before = mtimes(copy / "tiny")
    rid = "calibration_end-2024-12-31__horizon-13"
    assert main([str(yml), "--out", str(copy), "--quiet", "--no-comparison"]) == 0
    assert mtimes(copy / "tiny") == before  # both runs skipped
    assert main([str(yml), "--out", str(copy), "--quiet", "--no-comparison", "--only", rid, "--force"]) == 0
    after = mtimes(copy / "tiny")
    assert after[rid] != before[rid]
    other = "calibration_end-2024-09-30__horizon-13"
    assert after[other] == before[other]


def test_refuses_to_overwrite_other_parameters(tiny, tmp_path, capsys):
    yml, out, _ = tiny
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    changed = yaml.safe_load(yml.read_text())
    changed["parameters"]["seed"] = 1  # a fixed parameter: the run ids stay the same
    yml2 = tmp_path / "tiny.yml"
    yml2.write_text(yaml.safe_dump(changed))
    before = mtimes(copy / "tiny")
    rid = "calibration_end-2024-09-30__horizon-13"
    assert main([str(yml2), "--out", str(copy), "--quiet", "--no-comparison", "--only", rid]) == 1
    err = capsys.readouterr().err
    assert "other parameters" in err and "--force" in err
    assert mtimes(copy / "tiny") == before
    assert main([str(yml2), "--out", str(copy), "--quiet", "--no-comparison", "--only", rid, "--force"]) == 0
    stored = json.loads((copy / "tiny" / "runs" / rid / "params.json").read_text())
    assert stored["run"]["parameters"]["seed"] == 1


def test_failure_is_isolated_and_resumable(tmp_path):
    yml = write_config(tmp_path, {"calibration_end": ["2024-09-30", "1990-01-01"], "horizon": [13]}, name="broken")
    out = tmp_path / "out"
    assert main([str(yml), "--out", str(out), "--quiet"]) == 1
    runs = out / "broken" / "runs"
    good, bad = runs / "calibration_end-2024-09-30__horizon-13", runs / "calibration_end-1990-01-01__horizon-13"
    assert (good / "metrics.json").exists() and (good / "run.html").exists()
    assert not (bad / "metrics.json").exists() and not (bad / "run.html").exists()
    error = json.loads((bad / "error.json").read_text())
    assert error["error_type"] == "ValueError" and "outside the data" in error["message"]
    assert error["traceback_tail"] and error["parameters"]["calibration_end"] == "1990-01-01"
    assert (bad / "run.ipynb").exists()  # the partial notebook, for debugging
    assert not list(out.rglob("*.tmp*"))
    assert len(pd.read_csv(out / "broken" / "leaderboard.csv")) == 1
    assert "Failed runs" in (out / "broken" / "index.html").read_text()
    good_mtime, error_mtime = (good / "metrics.json").stat().st_mtime_ns, (bad / "error.json").stat().st_mtime_ns
    assert main([str(yml), "--out", str(out), "--quiet", "--no-comparison"]) == 1  # resume: the good run is skipped
    assert (good / "metrics.json").stat().st_mtime_ns == good_mtime
    assert (bad / "error.json").stat().st_mtime_ns != error_mtime  # the failed run was retried


def test_cli_errors_and_entry_points(tmp_path, capsys):
    bad = tmp_path / "bad.yml"
    bad.write_text(f"name: t\nnotebook: {TEMPLATES / 'experiment.ipynb'}\ngrid:\n  datset: [cdnow]\n")
    assert main([str(bad), "--out", str(tmp_path)]) == 2
    assert "unknown parameter 'datset'" in capsys.readouterr().err
    yml = write_config(tmp_path, {"dataset": ["cdnow", "cdnow-sample"]})
    assert main([str(yml), "--out", str(tmp_path), "--only", "dataset-cdnow-master"]) == 2
    assert "is not a run of this sweep" in capsys.readouterr().err
    assert not (tmp_path / "tiny").exists()
    for cmd in ([sys.executable, "-m", "clv_research.sweep"], [str(Path(sys.executable).parent / "clv-sweep")]):
        done = subprocess.run([*cmd, str(yml), "--list"], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["dataset-cdnow", "dataset-cdnow-sample"]


def test_default_config_is_valid():
    config = load_sweep(REPORTS / "cdnow.yml")
    ids = [r.run_id for r in config.runs()]
    assert ids[:2] == ["reference__dataset-cdnow", "reference__dataset-cdnow-sample"] and len(ids) == 17
    studies = pd.DataFrame(study_table(config))
    assert studies.groupby("study", sort=False).size().to_dict() == {"reference": 2, "history": 3, "worlds": 6,
                                                                     "learning-curve": 7}
    shared = studies.loc[studies["run_id"] == "history__calibration_end-1997-09-30", "study"].tolist()
    assert shared == ["history", "learning-curve"]  # the all-customers point of the curve is the 1997-09-30 history run
    assert config.notebook == repo_root() / "nbs" / "reports" / "experiment.ipynb"  # the source, not the packaged copy


def test_packaged_templates_are_copies_of_the_sources():
    "The package ships nbs/reports' templates (make sync copies them), so a sweep outside the repository runs the same notebooks."
    for template in ("experiment.ipynb", "comparison.ipynb", "cdnow_data.ipynb"):
        assert (TEMPLATES / template).read_bytes() == (repo_root() / "nbs" / "reports" / template).read_bytes(), template


def test_templates_name_no_model():
    "Model-specific report content comes from the models' `report_sections`, so no template names a model or imports its module."
    from clv_research.models import MODEL_MODULES, make_model
    names = available_models()
    words = set(names) | {type(make_model(n)).__name__ for n in names} | set(MODEL_MODULES)
    for template in ("experiment.ipynb", "comparison.ipynb"):
        cells = json.loads((TEMPLATES / template).read_text())["cells"]
        text = "\n".join("".join(c["source"]) for c in cells)
        named = sorted(w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text))
        assert not named, f"{template} names {named}"


def test_studies_share_equal_runs_and_resume(tmp_path):
    "A sweep of two studies: the history study's reference point is the reference run, run once; a rerun skips all."
    yml = write_config(tmp_path, {}, name="studies", models=("zero",))
    config = yaml.safe_load(yml.read_text())
    del config["grid"]
    config["parameters"].update(calibration_end="2024-09-30", holdout_end="2025-06-30")
    config["studies"] = [{"name": "reference", "grid": {"dataset": ["simulated:300"]}},
                         {"name": "history", "parameters": {"dataset": "simulated:300"},
                          "grid": {"calibration_end": ["2024-09-30", "2024-12-31"]}},
                         {"name": "worlds", "parameters": {"models": "all", "exclude": [m for m in available_models()
                                                                                       if m not in ("zero", "oracle")]},
                          "grid": {"dataset": ["simulated:bgnbd:300", "simulated:pnbd:300:1"]}}]
    del config["parameters"]["dataset"]
    yml.write_text(yaml.safe_dump(config, sort_keys=False))
    report = run_sweep(yml, out=tmp_path / "out", jobs=2, progress=False)
    assert report.ok, str(report)
    index = (tmp_path / "out" / "studies" / "index.html").read_text()
    for heading in ("Studies", "history: against", "Ranks across all runs", "Distance to", "it does"):
        assert heading in index, heading
    assert "something is wrong" not in index
    ids = ["reference__dataset-simulated-300", "history__calibration_end-2024-12-31",
           "worlds__dataset-simulated-bgnbd-300", "worlds__dataset-simulated-pnbd-300-1"]
    assert [o.run.run_id for o in report.outcomes] == ids
    table = json.loads((tmp_path / "out" / "studies" / "studies.json").read_text())
    assert [(r["study"], r["run_id"]) for r in table][1:3] == [("history", ids[0]), ("history", ids[1])]
    lb = report.leaderboard
    assert lb.loc[lb["run_id"] == ids[1], "study"].unique().tolist() == ["history"]
    assert sorted(lb.loc[lb["run_id"] == ids[2], "model"]) == ["oracle", "zero"]  # the world carries the truth
    again = run_sweep(yml, out=tmp_path / "out", progress=False, comparison=False)
    assert [o.status for o in again.outcomes] == ["skipped"] * 4
