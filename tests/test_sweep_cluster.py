"""`clv-sweep --cluster/--scheduler`: the runs of a sweep as tasks on a Dask cluster started by the test (each run still
starts a kernel, a few seconds each)."""
import json
import os
import time

import dask
import nbformat
import pytest
import yaml
from distributed import LocalCluster

from clv_research import sweep
from clv_research.sweep import main, run_sweep, templates_dir

TEMPLATES = templates_dir()
GOOD, BAD = "dataset-cdnow-sample", "dataset-missing.csv"


@pytest.fixture(scope="module")
def cluster():
    "Two single-threaded worker processes; a task whose worker dies is given up at once (no retry on the other)."
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as lc:
            yield lc


def cdnow_sweep(folder):
    "Two runs: the CDNOW sample with two cheap models and a small bootstrap, and a dataset file that does not exist."
    config = {"name": "dist", "notebook": str(TEMPLATES / "experiment.ipynb"), "comparison": None,
              "parameters": {"models": ["historical_rate", "bgnbd_gg"], "n_samples": 50, "bootstrap": 100,
                             "model_params": {"bgnbd_gg": {"interval_draws": 100}}},
              "grid": {"dataset": ["cdnow-sample", "missing.csv"]}}
    path = folder / "dist.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_cluster_runs_equal_local_runs_and_failures_stay_isolated(tmp_path, cluster):
    yml = cdnow_sweep(tmp_path)
    here, there = tmp_path / "here", tmp_path / "there"
    assert main([str(yml), "--out", str(here), "--quiet", "--only", GOOD]) == 0
    assert main([str(yml), "--out", str(there), "--quiet", "--cluster", "local:2"]) == 1  # the missing file fails
    runs = there / "dist" / "runs"
    for name in ("metrics.json", "bootstrap.json"):
        assert (here / "dist" / "runs" / GOOD / name).read_bytes() == (runs / GOOD / name).read_bytes(), name
    assert (runs / GOOD / "run.html").exists() and not (runs / BAD / "metrics.json").exists()
    error = json.loads((runs / BAD / "error.json").read_text())
    assert "missing.csv" in error["message"] and error["parameters"]["dataset"] == "missing.csv"
    outcomes = json.loads((there / "dist" / "outcomes.json").read_text())
    assert (outcomes["scheduler"], outcomes["workers"]) == ("local:2", 2)
    assert [(r["run_id"], r["status"]) for r in outcomes["runs"]] == [(GOOD, "done"), (BAD, "failed")]
    assert outcomes["runs"][0]["worker"].startswith("tcp://")
    assert json.loads((here / "dist" / "outcomes.json").read_text())["scheduler"] is None
    again = run_sweep(yml, out=there, progress=False, scheduler=cluster.scheduler_address)  # resume on another cluster
    assert [o.status for o in again.outcomes] == ["skipped", "failed"]
    assert f"on {cluster.scheduler_address} (2 workers)" in str(again)


def dying_template(folder):
    "A template whose run kills the worker process executing it (the kernel's parent) when `die` is true."
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "clv-research", "display_name": "Python (clv-research)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("output_dir = None\nrun_info = {}\ndie = False", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import json, os, pathlib, signal\n"
                                          "if die:\n    os.kill(os.getppid(), signal.SIGKILL)\n    os._exit(1)\n"
                                          "pathlib.Path(output_dir, 'metrics.json').write_text(json.dumps({'zero': {'spend_rmse': 1.0}}))")]
    path = folder / "dying.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_run_that_kills_its_worker_is_recorded_and_the_others_finish(tmp_path, cluster):
    config = {"name": "dying", "notebook": str(dying_template(tmp_path)), "comparison": None, "grid": {"die": [False, True]}}
    yml = tmp_path / "dying.yml"
    yml.write_text(yaml.safe_dump(config))
    report = run_sweep(yml, out=tmp_path / "out", progress=False, scheduler=cluster.scheduler_address)
    assert [o.status for o in report.outcomes] == ["done", "failed"], str(report)
    runs = tmp_path / "out" / "dying" / "runs"
    assert (runs / "die-false" / "metrics.json").exists() and (runs / "die-false" / "run.html").exists()
    error = json.loads((runs / "die-true" / "error.json").read_text())
    assert error["error_type"] == "KilledWorker" and "worker executing this run died" in error["message"]
    assert (runs / "die-true" / "run.ipynb").exists() and not list(runs.glob("*/.run.tmp*"))  # the partial notebook
    assert "failed die-true: KilledWorker" in str(report)


def test_cli_where_to_run(tmp_path, capsys, monkeypatch, cluster):
    yml = cdnow_sweep(tmp_path)
    monkeypatch.setattr(sweep, "CONNECT_SECONDS", 1)
    started = time.perf_counter()
    assert main([str(yml), "--out", str(tmp_path), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "cannot reach a Dask scheduler at --scheduler 'tcp://127.0.0.1:1' within 1 s" in capsys.readouterr().err
    assert time.perf_counter() - started < 10
    for argv, says in ((["--cluster", "local:0"], "positive number of workers, got '0'"),
                       (["--cluster", "local:x"], "positive number of workers, got 'x'"),
                       (["--cluster", "lan"], "expected 'local'"),
                       (["--jobs", "2", "--cluster", "local:2"], "cannot be combined"),
                       (["--jobs", "1", "--scheduler", cluster.scheduler_address], "cannot be combined")):
        assert main([str(yml), "--out", str(tmp_path), *argv]) == 2, argv
        assert says in capsys.readouterr().err, argv
    with pytest.raises(SystemExit) as e:
        main([str(yml), "--scheduler", cluster.scheduler_address, "--cluster", "local"])
    assert e.value.code == 2 and "not allowed with argument" in capsys.readouterr().err
    assert not (tmp_path / "dist").exists()  # nothing ran
    args = sweep._parser().parse_args([str(yml), "--cluster", "local:2"])
    assert (args.cluster, args.scheduler, args.jobs) == ("local:2", None, None)
