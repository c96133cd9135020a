"""`clv-sweep --cluster/--scheduler`: the runs of a sweep as tasks on a Dask cluster started by the test (each run still
starts a kernel, a few seconds each)."""
import json
import time

import dask
import nbformat
import pytest
import yaml
from distributed import LocalCluster

from clv_research import sweep
from clv_research.sweep import main, run_sweep, templates_dir

TEMPLATES = templates_dir()


@pytest.fixture(scope="module")
def cluster():
    "Two single-threaded worker processes; a task whose worker dies is given up at once (Dask retries it 3 times by default)."
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as lc:
            yield lc


def failing_template(folder):
    "A template whose run raises when `mode` is 'raise' and kills the worker process executing it (the kernel's parent) when 'die'."
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "clv-research", "display_name": "Python (clv-research)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("output_dir = None\nrun_info = {}\nmode = 'ok'", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import json, os, pathlib, signal\n"
                                          "if mode == 'raise':\n    raise ValueError('this run fails')\n"
                                          "if mode == 'die':\n    os.kill(os.getppid(), signal.SIGKILL)\n    os._exit(1)\n"
                                          "pathlib.Path(output_dir, 'metrics.json').write_text(json.dumps({'zero': {'spend_rmse': 1.0}}))")]
    path = folder / "dying.ipynb"
    nbformat.write(nb, path)
    return path


def test_failed_runs_and_dead_workers_are_recorded_and_the_others_finish(tmp_path, cluster):
    config = {"name": "failing", "notebook": str(failing_template(tmp_path)), "comparison": None,
              "grid": {"mode": ["die", "raise", "ok"]}}
    yml = tmp_path / "failing.yml"
    yml.write_text(yaml.safe_dump(config))
    report = run_sweep(yml, out=tmp_path / "out", progress=False, scheduler=cluster.scheduler_address)
    assert [o.status for o in report.outcomes] == ["failed", "failed", "done"], str(report)
    runs = tmp_path / "out" / "failing" / "runs"
    assert (runs / "mode-ok" / "metrics.json").exists() and (runs / "mode-ok" / "run.html").exists()
    raised = json.loads((runs / "mode-raise" / "error.json").read_text())
    assert (raised["error_type"], raised["message"]) == ("ValueError", "this run fails")
    died = json.loads((runs / "mode-die" / "error.json").read_text())
    assert died["error_type"] == "KilledWorker" and "worker executing this run died" in died["message"]
    assert all((runs / r / "run.ipynb").exists() for r in ("mode-raise", "mode-die"))  # the partial notebooks
    assert not list(runs.glob("*/.run.tmp*")) and not (runs / "mode-die" / "metrics.json").exists()
    assert "failed mode-die: KilledWorker" in str(report) and "failed mode-raise: ValueError" in str(report)
    assert f"on {cluster.scheduler_address} (2 workers)" in str(report)
    outcomes = json.loads((tmp_path / "out" / "failing" / "outcomes.json").read_text())
    assert (outcomes["scheduler"], outcomes["workers"]) == (cluster.scheduler_address, 2)
    assert outcomes["runs"][2]["worker"].startswith("tcp://127.0.0.1:")
    again = run_sweep(yml, out=tmp_path / "out", progress=False, only="mode-ok", scheduler=cluster.scheduler_address)
    assert [o.status for o in again.outcomes] == ["skipped"]


def test_cli_where_to_run(tmp_path, capsys, monkeypatch, cluster):
    yml = tmp_path / "dist.yml"
    yml.write_text(yaml.safe_dump({"name": "dist", "notebook": str(TEMPLATES / "experiment.ipynb"), "comparison": None,
                                   "parameters": {"models": ["zero"]}, "grid": {"dataset": ["cdnow-sample"]}}))
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
