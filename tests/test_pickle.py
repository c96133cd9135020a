"""Every registered model, fitted, survives a pickle round trip with identical predictions (saving models builds on it)."""
import pickle

import numpy as np
import pandas as pd
import pytest

from clv_research.data import load_cdnow, simulate_world
from clv_research.features import rfm_summary
from clv_research.models import HOLDOUT_COLUMNS, available_models, make_model

CALIBRATION_END, HOLDOUT_END, HORIZON = "1997-09-30", "1998-06-30", 39.0
# cheap settings: the round trip is what is tested here, not the fit (MAP + Laplace instead of NUTS)
CHEAP = {"bayes_bgnbd_gg": {"sampler": "map"}, "hier_bgnbd_gg": {"sampler": "map"}, "hier_pnbd_gg": {"sampler": "map"}}


@pytest.fixture(scope="module")
def cdnow_sample():
    tx = load_cdnow("sample")
    return tx, rfm_summary(tx, CALIBRATION_END, HOLDOUT_END), CALIBRATION_END


@pytest.fixture(scope="module")
def simulated_world():
    "A small simulated world: the only data a model that needs the true parameters (the oracle) can fit."
    tx, _ = simulate_world("bgnbd", 500, seed=1)
    return tx, rfm_summary(tx, "2024-09-30", "2025-06-30"), "2024-09-30"


def fitted(name, transactions, summary, calibration_end):
    "A fitted model and the frame it predicts from (holdout columns dropped, extra features joined)."
    model = make_model(name, **CHEAP.get(name, {}))
    seen = transactions[transactions["date"] <= calibration_end]
    extra = model.transaction_features(seen, calibration_end, "W")
    full = summary if extra is None else summary.join(extra, how="left")
    calib = full.drop(columns=list(HOLDOUT_COLUMNS))
    full.attrs.update(summary.attrs); calib.attrs.update(summary.attrs)  # as the experiment runner does
    return model.fit(full if model.supervised else calib), calib


def outputs(model, calib) -> list[pd.DataFrame]:
    "Everything the model predicts about `calib`: point predictions, intervals and predictive draws."
    out = [model.predict(calib, HORIZON)]
    if model.has_intervals: out.append(model.predict_interval(calib, HORIZON))
    if model.has_samples:
        draws = model.sample_predictive(calib, HORIZON, n=20, seed=3)
        out += [pd.DataFrame(draws[k]) for k in sorted(draws)]
    return out


@pytest.mark.parametrize("name", available_models())
def test_fitted_model_survives_pickle(name, request):
    data = request.getfixturevalue("simulated_world" if make_model(name).needs_truth else "cdnow_sample")
    model, calib = fitted(name, *data)
    before = outputs(model, calib)
    restored = pickle.loads(pickle.dumps(model))
    assert type(restored) is type(model) and restored.get_params().keys() == model.get_params().keys()
    for a, b in zip(before, outputs(restored, calib), strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert np.isfinite(before[0]["purchases"].fillna(0)).all()
