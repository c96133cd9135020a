"""Every registered model, fitted, survives save/load_model with identical predictions, library objects in their own format."""
import zipfile

import pandas as pd
import pytest

from clv_research.experiment import cross_fit
from clv_research.models import available_models, make_model
from clv_research.persist import load_model, read_manifest

from test_pickle import CHEAP, HORIZON, cdnow_sample, fitted, outputs, simulated_world  # noqa: F401 (fixtures)

LIBRARY_FORMAT = {"xgb": "xgboost-ubj", "hier": "arviz-netcdf", "bayes": "arviz-netcdf"}


@pytest.mark.parametrize("name", available_models())
def test_fitted_model_survives_save_and_load(name, request, tmp_path):
    data = request.getfixturevalue("simulated_world" if make_model(name).needs_truth else "cdnow_sample")
    model, calib = fitted(name, *data)
    path = model.save(tmp_path / f"{name}.clvm", training=calib)
    restored = load_model(path)
    assert type(restored) is type(model)
    for a, b in zip(outputs(model, calib), outputs(restored, calib), strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    manifest = read_manifest(path)
    assert manifest["model"] == name and manifest["training"]["customers"] == len(calib)
    expected = LIBRARY_FORMAT.get(name.split("_")[0])
    if expected:
        assert expected in {a["format"] for a in manifest["artefacts"]}, manifest["artefacts"]
        with zipfile.ZipFile(path) as z: assert any(n.startswith("artefacts/") for n in z.namelist())


def test_cross_fitted_boosted_model_survives(cdnow_sample, tmp_path):
    transactions, summary, cal = cdnow_sample
    small = {"tuning": {"grid": None}, "booster": {"n_estimators": 50}}
    model, _ = fitted("xgb_tweedie", transactions, summary, cal)
    full = summary.join(model.transaction_features(transactions[transactions.date <= cal], cal, "W"))
    cf = cross_fit(lambda: make_model("xgb_tweedie", **small), full, folds=3)
    path = cf.save(tmp_path / "cf.clvm", training=summary)
    back = load_model(path)
    assert read_manifest(path)["cross_fitted"] == {"folds": 3}
    assert sum(a["format"] == "xgboost-ubj" for a in read_manifest(path)["artefacts"]) >= 3
    pd.testing.assert_frame_equal(back.predict(full, HORIZON), cf.predict(full, HORIZON), check_exact=True)
