"""Bad-input corpus: every malformed transaction file either raises TransactionDataError with a message that names
the problem, or is cleaned with the action counted in the CleaningReport. Never a bare pandas/numpy traceback. Wrong
arguments of `run_experiment` likewise fail with a message that names the argument."""
import gzip

import numpy as np
import pandas as pd
import pytest

from clv_research.data import TransactionDataError, load_transactions
from clv_research.features import rfm_summary

GOOD = "customer,when,total\nA,2024-01-05,10.00\nA,2024-02-01,12.50\nB,2024-01-20,7.25\nB,2024-03-03,30.00\n"
COLS = dict(customer_id="customer", date="when", amount="total")


def write(tmp_path, text, name="tx.csv", mode="w"):
    path = tmp_path / name
    if mode == "wb": path.write_bytes(text)
    else: path.write_text(text)
    return path


def steps(report):
    return dict(zip(report.to_frame().step, report.to_frame().rows))


# (id, file text or bytes, load kwargs, substring the error must contain)
RAISES = [
    ("empty file", "", {}, "file is empty"),
    ("header only", "customer,when,total\n", {}, "header but no rows"),
    ("missing column", "customer,when\nA,2024-01-05\n", {}, "column 'total' (amount) not found"),
    ("misspelt column", GOOD.replace("total", "totl"), {}, "did you mean 'totl'"),
    ("unparseable dates", GOOD.replace("2024-02-01", "next tuesday"), {}, "line 3: 'next tuesday'"),
    ("mixed date formats", GOOD.replace("2024-01-20", "20/01/2024"), {}, "line 4: '20/01/2024'"),
    ("non-numeric amount", GOOD.replace("12.50", "twelve"), {}, "column 'total': 1 row(s), first line 3: 'twelve'"),
    ("currency symbols", GOOD.replace("12.50", "$12.50"), {}, "remove currency symbols"),
    ("missing customer id", GOOD.replace("B,2024-01-20", ",2024-01-20"), {}, "line 4: <empty> have no customer id"),
    ("missing date", GOOD.replace("2024-01-20", ""), {}, "have no date"),
    ("wrong delimiter", GOOD.replace(",", ";"), {}, "looks ';'-delimited: pass sep=';'"),
    ("non-UTF-8 bytes", GOOD.replace("A,", "Andr\xe9,").encode("latin-1"), {}, "not valid UTF-8 text at byte"),
    ("all rows refunds", GOOD.replace(",1", ",-1").replace(",7", ",-7").replace(",30", ",-30"), {}, "all 4 rows were removed"),
    ("missing amount, dropping disabled", GOOD.replace("7.25", ""), {"drop_missing_amount": False}, "have no amount"),
    ("unknown suffix", GOOD, {"_name": "tx.xlsx"}, "cannot tell the format"),
    ("column mapped twice", GOOD, {"amount": "customer"}, "mapped twice"),
]


@pytest.mark.parametrize("case,text,kwargs,message", RAISES, ids=[r[0] for r in RAISES])
def test_raises_with_actionable_message(tmp_path, case, text, kwargs, message):
    kwargs = dict(kwargs)
    name = kwargs.pop("_name", "tx.csv")
    path = write(tmp_path, text, name, "wb" if isinstance(text, bytes) else "w")
    with pytest.raises(TransactionDataError) as err:
        load_transactions(path, **{**COLS, **kwargs})
    assert message in str(err.value), str(err.value)
    assert isinstance(err.value, ValueError)


def test_missing_file(tmp_path):
    with pytest.raises(TransactionDataError, match="file not found"):
        load_transactions(tmp_path / "nope.csv", **COLS)


def test_negative_amount_dropped_and_counted(tmp_path):
    tx, rep = load_transactions(write(tmp_path, GOOD.replace("7.25", "-7.25")), **COLS)
    assert len(tx) == 3 and steps(rep)["nonpositive_amount"] == 1 and rep.rows_dropped == 1
    kept, rep = load_transactions(write(tmp_path, GOOD.replace("7.25", "-7.25")), drop_nonpositive=False, **COLS)
    assert len(kept) == 4 and steps(rep)["nonpositive_amount"] == 0


def test_nan_amount_dropped_and_counted(tmp_path):
    tx, rep = load_transactions(write(tmp_path, GOOD.replace("7.25", "")), **COLS)
    assert len(tx) == 3 and steps(rep)["missing_amount"] == 1


def test_duplicate_rows_dropped_and_counted(tmp_path):
    text = GOOD + "A,2024-02-01,12.50\n"
    tx, rep = load_transactions(write(tmp_path, text), **COLS)
    assert len(tx) == 4 and steps(rep)["duplicate_rows"] == 1
    tx, rep = load_transactions(write(tmp_path, text), drop_duplicates=False, **COLS)
    assert len(tx) == 5 and "duplicate_rows" not in steps(rep)


def test_one_customer_only(tmp_path):
    tx, rep = load_transactions(write(tmp_path, "customer,when,total\nA,2024-01-05,10\nA,2024-02-05,11\n"), **COLS)
    s = rfm_summary(tx, "2024-01-31", "2024-02-05")
    assert len(s) == 1 and s.frequency.iloc[0] == 0 and s.frequency_holdout.iloc[0] == 1


def test_dates_after_holdout_end_are_counted(tmp_path):
    text = GOOD + "A,2031-01-01,99.00\n"
    tx, rep = load_transactions(write(tmp_path, text), **COLS)
    s = rfm_summary(tx, "2024-01-31", "2024-03-31")
    assert s.attrs["excluded"]["purchase_days_after_holdout"] == 1
    assert s.spend_holdout.sum() == pytest.approx(42.5)
    tx, rep = load_transactions(write(tmp_path, text), end="2024-12-31", **COLS)
    assert steps(rep)["after_end"] == 1 and len(tx) == 4


def test_whitespace_ids_are_stripped_and_counted(tmp_path):
    tx, rep = load_transactions(write(tmp_path, GOOD.replace("B,2024-01-20", " B ,2024-01-20")), **COLS)
    assert tx.customer_id.nunique() == 2 and steps(rep)["strip_customer_id"] == 1


def test_other_formats_and_options(tmp_path):
    frame = pd.read_csv(write(tmp_path, GOOD))
    frame.to_parquet(tmp_path / "tx.parquet")
    a, _ = load_transactions(tmp_path / "tx.parquet", **COLS)
    with gzip.open(tmp_path / "tx.csv.gz", "wt") as f: f.write(GOOD)
    b, _ = load_transactions(tmp_path / "tx.csv.gz", **COLS)
    c, _ = load_transactions(write(tmp_path, GOOD.replace(",", "\t"), "tx.tsv"), **COLS)
    d, _ = load_transactions(write(tmp_path, GOOD.replace("2024-01-05", "05/01/2024").replace("2024-02-01", "01/02/2024")
                                   .replace("2024-01-20", "20/01/2024").replace("2024-03-03", "03/03/2024")),
                             date_format="%d/%m/%Y", **COLS)
    for other in (b, c, d):
        pd.testing.assert_frame_equal(a[["customer_id", "date", "amount"]], other[["customer_id", "date", "amount"]])


def test_latin1_file_loads_with_encoding(tmp_path):
    path = write(tmp_path, GOOD.replace("A,", "Andr\xe9,").encode("latin-1"), mode="wb")
    tx, _ = load_transactions(path, encoding="latin-1", **COLS)
    assert "Andr\xe9" in set(tx.customer_id)


def test_caller_frame_not_mutated():
    frame = pd.DataFrame({"c": ["1", "1", "2"], "d": ["2024-01-01", "2024-01-01", "2024-02-01"], "a": [1.0, 1.0, -3.0]})
    before = frame.copy()
    load_transactions(frame, customer_id="c", date="d", amount="a")
    pd.testing.assert_frame_equal(frame, before)


def test_numeric_yyyymmdd_dates_parse():
    frame = pd.DataFrame({"c": [1, 2], "d": [19970101, 19970315], "a": [1.0, 2.0]})
    tx, _ = load_transactions(frame, customer_id="c", date="d", amount="a")
    assert tx.date.tolist() == [pd.Timestamp("1997-01-01"), pd.Timestamp("1997-03-15")]
    assert tx.customer_id.tolist() == ["1", "2"]


def test_summary_argument_errors():
    tx = pd.DataFrame({"customer_id": ["a", "a"], "date": pd.to_datetime(["2024-01-01", "2024-02-01"]), "amount": [1.0, 2.0]})
    with pytest.raises(ValueError, match="outside the data"): rfm_summary(tx, "2023-01-01")
    with pytest.raises(ValueError, match="must come after"): rfm_summary(tx, "2024-01-15", "2024-01-10")
    with pytest.raises(ValueError, match="time_unit"): rfm_summary(tx, "2024-01-15", time_unit="Q")
    with pytest.raises(ValueError, match="is not a date"): rfm_summary(tx, "soon")
    with pytest.warns(UserWarning, match="after the last transaction"): rfm_summary(tx, "2024-01-15", "2025-01-01")


# run_experiment arguments a user can get wrong: (kwargs, substring the ValueError must contain)
EXPERIMENT_RAISES = [
    ({"protocol": "future"}, "protocol='future' must be one of ['crossfit', 'forward']"),
    ({"time_unit": "Q"}, "time_unit='Q'"),
    ({"n_samples": 0}, "n_samples is a scoring option: pass scoring=ScoringOptions(n_samples=...)"),
    ({"scoring": {"n_samples": 0}}, "scoring must be a ScoringOptions"),
    ({"models": []}, "models is empty"),
    ({"models": ["bgndb_gg"]}, "unknown model 'bgndb_gg'"),
    ({"calibration_end": "1997-09-30", "holdout_end": "1998-06-30", "horizon": 20}, "horizon=20 differs"),
    ({"customers": 99}, "customers=99 is below 100"),
    ({"customers": 0}, "customers=0 is below 100"),
    ({"customers": 2358}, "customers=2358 is more than the 2357 customers of the data"),
    ({"customers": "1000"}, "customers='1000' must be a whole number of customers or None (all)"),
    ({"customers": True}, "customers=True must be a whole number"),
]


@pytest.mark.parametrize("kwargs,message", EXPERIMENT_RAISES, ids=[m for _, m in EXPERIMENT_RAISES])
def test_experiment_arguments_are_named(kwargs, message):
    from clv_research.experiment import run_experiment
    kwargs = {"models": ["zero"], **kwargs}
    with pytest.raises(ValueError) as err:
        run_experiment("cdnow-sample", **kwargs)
    assert message in str(err.value), str(err.value)


def test_scoring_options_are_checked():
    from clv_research.experiment import ExperimentError, ScoringOptions
    for kwargs, message in (({"on_error": "ignore"}, "on_error='ignore'"), ({"level": 80}, "level=80"),
                            ({"n_samples": -1}, "n_samples=-1"), ({"tracking": "no"}, "tracking='no'")):
        with pytest.raises(ExperimentError, match=message): ScoringOptions(**kwargs)


@pytest.mark.parametrize("kwargs,message", [
    ({"bootstrap": 99}, "bootstrap=99 must be 0 (no intervals) or an integer of at least 100"),
    ({"bootstrap": 1}, "bootstrap=1 must be 0 (no intervals) or an integer of at least 100"),
    ({"bootstrap": -1}, "bootstrap=-1 must be 0"),
    ({"bootstrap_level": 0}, "bootstrap_level=0 must be a number between 0 and 1"),
    ({"bootstrap_level": 1.0}, "bootstrap_level=1.0 must be a number between 0 and 1"),
    ({"bootstrap_level": 95}, "bootstrap_level=95 must be a number between 0 and 1")])
def test_bootstrap_options_are_named(kwargs, message):
    from clv_research.experiment import ExperimentError, ScoringOptions
    with pytest.raises(ExperimentError) as err: ScoringOptions(**kwargs)
    assert message in str(err.value), str(err.value)


def test_bootstrap_functions_name_bad_arguments():
    from clv_research.metrics import bootstrap_scores, score_intervals
    summary = pd.DataFrame({"frequency_holdout": [0, 1.0], "spend_holdout": [0, 5.0]}, index=["a", "b"])
    pred = pd.DataFrame({"purchases": [0.5, 0.5], "spend": [2.0, 3.0]}, index=["a", "b"])
    with pytest.raises(ValueError, match="`replicates` must be at least 1"): bootstrap_scores(summary, {"m": pred}, 0)
    with pytest.raises(ValueError, match="`predictions\\['m'\\]` lacks 1 of the summary's 2 customers"):
        bootstrap_scores(summary, {"m": pred.iloc[:1]})
    reps = bootstrap_scores(summary, {"m": pred}, 100)
    for level in (0, 1, 1.2, -0.5):
        with pytest.raises(ValueError, match=f"level={level!r} must be a number strictly between 0 and 1"):
            score_intervals(reps, level)


def test_unknown_rank_by_lists_the_allowed_values(tmp_path):
    from clv_research.data import repo_root
    from clv_research.metrics import rank_models
    from clv_research.sweep import SweepConfigError, leaderboard, load_sweep
    config = {"name": "t", "notebook": str(repo_root() / "clv_research" / "templates" / "experiment.ipynb"), "rank_by": "gini",
              "parameters": {"models": ["zero"]}}
    with pytest.raises(SweepConfigError) as err: load_sweep(config)
    assert "rank_by = 'gini' is not valid; allowed: ['composite', 'purchases_mae'" in str(err.value)
    with pytest.raises(SweepConfigError, match="rank_by='rmse' is not valid; allowed: \\['composite'"): leaderboard(tmp_path, rank_by="rmse")
    with pytest.raises(ValueError, match="rank_by='x' is not a metric; allowed: \\['composite'"):
        rank_models(pd.DataFrame({"spend_rmse": [1.0]}), "x")


def test_unknown_world_names_the_allowed_worlds():
    from clv_research.experiment import ExperimentError, load_dataset, run_experiment
    with pytest.raises(ExperimentError) as err: load_dataset("simulated:pareto:1000")
    assert ("dataset='simulated:pareto:1000': unknown world 'pareto'; worlds: ['bgnbd', 'pnbd', 'segments', 'regular', "
            "'seasonal', 'spend_rate']") in str(err.value)
    with pytest.raises(ExperimentError, match="takes no loading options"): load_dataset("simulated:bgnbd:200", sep=";")
    with pytest.raises(ExperimentError, match="simulated:<world>:<customers>"): load_dataset("simulated:bgnbd:many")


def test_oracle_named_on_cdnow_fails_in_that_model():
    "The oracle named explicitly on data without truth columns fails (recorded), the other models go on."
    from clv_research.experiment import ScoringOptions, run_experiment
    res = run_experiment("cdnow-sample", models=["zero", "oracle"],
                         scoring=ScoringOptions(n_samples=0, tracking=False, bootstrap=0, on_error="record"))
    assert list(res.errors) == ["oracle"] and "truth column" in res.errors["oracle"]["message"]
    assert res.params["left_out_needs_truth"] == []


def test_bad_studies_name_the_study_and_key():
    from clv_research.data import repo_root
    from clv_research.sweep import SweepConfigError, load_sweep
    base = {"name": "t", "notebook": str(repo_root() / "clv_research" / "templates" / "experiment.ipynb"),
            "parameters": {"models": ["zero"]}}
    for studies, message in (
            ([{"name": "lc", "grid": {"customers": [50.5]}}], "studies.lc.grid.customers[0] = 50.5 is not valid"),
            ([{"name": "lc", "grid": {"subset_seed": ["a"]}}], "studies.lc.grid.subset_seed[0] = 'a' is not valid"),
            ([{"name": "w", "parameters": {"protocol": "x"}, "grid": {}}], "studies.w.parameters.protocol = 'x'"),
            ([{"grid": {}}], "studies[0]: each study is a mapping with a 'name'"),
            ([{"name": "w", "grid": [{"dataset": ["cdnow"]}, "x"]}], "studies.w.grid[1] must be a mapping of lists")):
        with pytest.raises(SweepConfigError) as err: load_sweep({**base, "studies": studies})
        assert message in str(err.value), str(err.value)
