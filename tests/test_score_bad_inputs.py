"""Every bad input of clv-score named in issue 12 exits with code 2 and a message naming the argument, row or file,
and writes nothing (an existing output is only replaced with --force)."""
import json
import zipfile

import pandas as pd
import pytest

from clv_research.data import load_cdnow
from clv_research.features import rfm_summary
from clv_research.models import make_model
from clv_research.score import main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("score")
    log = load_cdnow("sample")
    summary = rfm_summary(log, "1997-09-30")
    model = make_model("bgnbd_gg", interval_draws=50).fit(summary)
    model.save(root / "m.clvm", training=summary)
    log[log["date"] <= "1997-12-31"].to_csv(root / "log.csv", index=False)
    ids = sorted(log["customer_id"].unique())
    pd.DataFrame({"customer_id": ids, "channel": "web"}).to_csv(root / "attrs.csv", index=False)
    pd.DataFrame({"customer_id": ids[:2] + ids[:1], "channel": "web"}).to_csv(root / "dup.csv", index=False)
    pd.DataFrame({"customer_id": ["x1", ids[0]], "channel": "web"}).to_csv(root / "unknown.csv", index=False)
    (root / "notes.clvm").write_text("not a model")
    with zipfile.ZipFile(root / "m.clvm") as z: parts = {n: z.read(n) for n in z.namelist()}
    parts["manifest.json"] = json.dumps({**json.loads(parts["manifest.json"]), "schema_version": 7}).encode()
    with zipfile.ZipFile(root / "newer.clvm", "w") as z:
        for n, b in parts.items(): z.writestr(n, b)
    return root


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


CASES = {
    "as-of before the calibration end": (["m.clvm", "log.csv", "--as-of", "1997-06-30"], "as_of=1997-06-30 is before the calibration end"),
    "log dated after --as-of": (["m.clvm", "log.csv", "--as-of", "1997-10-31"], "are dated after as_of=1997-10-31"),
    "not a model file": (["notes.clvm", "log.csv"], "notes.clvm is not a clv-research model file"),
    "newer schema": (["newer.clvm", "log.csv"], "newer.clvm: schema version 7 is newer"),
    "missing model file": (["none.clvm", "log.csv"], "model file not found"),
    "horizon not positive": (["m.clvm", "log.csv", "--horizon", "0"], "horizon=0.0 must be a positive"),
    "duplicate attribute rows": (["m.clvm", "log.csv", "--attributes", "dup.csv"], "customer '1' is on line 2 and line 4"),
    "unknown attribute customers": (["m.clvm", "log.csv", "--attributes", "unknown.csv"], "not in the transactions, e.g. ['x1']"),
    "missing column": (["m.clvm", "log.csv", "--date", "day"], "column 'day' (date) not found"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_names_the_problem(case, files, capsys, monkeypatch):
    monkeypatch.chdir(files)
    argv, message = CASES[case]
    code, err = run(capsys, *argv, "--out", "scores.csv")
    assert code == 2 and message in err, err
    assert not (files / "scores.csv").exists()


def test_output_is_not_overwritten_without_force(files, capsys, monkeypatch):
    monkeypatch.chdir(files)
    (files / "old.csv").write_text("keep me")
    code, err = run(capsys, "m.clvm", "log.csv", "--out", "old.csv")
    assert code == 2 and "old.csv exists; pass force=True (--force)" in err and (files / "old.csv").read_text() == "keep me"
    code, err = run(capsys, "m.clvm", "log.csv", "--out", "old.csv", "--force")
    assert code == 0, err
    assert len(pd.read_csv(files / "old.csv")) == 2_349  # 8 customers whose only rows have amount 0 are cleaned away
    code, err = run(capsys, "m.clvm", "log.csv", "--out", "scores.xlsx")
    assert code == 2 and "write a .csv or .parquet file" in err
