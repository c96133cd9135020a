"""Every registered model, fitted, survives a pickle round trip with identical predictions (saving models builds on it)."""
import pickle

import numpy as np
import pandas as pd
import pytest

from clv_research.data import load_cdnow
from clv_research.features import rfm_summary
from clv_research.models import HOLDOUT_COLUMNS, available_models, make_model

CALIBRATION_END, HOLDOUT_END, HORIZON = "1997-09-30", "1998-06-30", 39.0
# cheap settings: the round trip is what is tested here, not the fit (MAP + Laplace instead of NUTS)
CHEAP = {"bayes_bgnbd_gg": {"sampler": "map"}, "hier_bgnbd_gg": {"sampler": "map"}, "hier_pnbd_gg": {"sampler": "map"}}


@pytest.fixture(scope="module")
def cdnow_sample():
    tx = load_cdnow("sample")
    return tx, rfm_summary(tx, CALIBRATION_END, HOLDOUT_END)


def fitted(name, transactions, summary):
    "A fitted model and the frame it predicts from (holdout columns dropped, extra features joined)."
    model = make_model(name, **CHEAP.get(name, {}))
    extra = model.transaction_features(transactions[transactions["date"] <= CALIBRATION_END], CALIBRATION_END, "W")
    full = summary if extra is None else summary.join(extra, how="left")
    calib = full.drop(columns=list(HOLDOUT_COLUMNS))
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
def test_fitted_model_survives_pickle(name, cdnow_sample):
    model, calib = fitted(name, *cdnow_sample)
    before = outputs(model, calib)
    restored = pickle.loads(pickle.dumps(model))
    assert type(restored) is type(model) and restored.get_params().keys() == model.get_params().keys()
    for a, b in zip(before, outputs(restored, calib), strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert np.isfinite(before[0]["purchases"].fillna(0)).all()
