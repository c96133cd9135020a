"""Issue 13: the Dask path on a `distributed.LocalCluster` started here gives exactly the pandas results."""
import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from clv_research.boosting import customer_features
from clv_research.data import TransactionDataError, load_cdnow, load_transactions, simulate_world
from clv_research.features import rfm_summary
from clv_research.scale import simulate_to_parquet, write_customer_partitions


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


@pytest.fixture(scope="module")
def master():
    return load_transactions(load_cdnow("master"))[0]


def test_summary_and_features_on_cluster_equal_pandas_on_cdnow_master(client, master):
    lazy = dd.from_pandas(master, npartitions=4)
    want = rfm_summary(master, "1997-09-30", "1998-06-30")
    got = rfm_summary(lazy, "1997-09-30", "1998-06-30")
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs == want.attrs
    pd.testing.assert_frame_equal(customer_features(lazy, "1997-09-30"), customer_features(master, "1997-09-30"))


def test_simulated_dataset_on_cluster_equals_pandas(client, tmp_path):
    made = simulate_to_parquet(tmp_path / "sim", 4000, chunk_customers=1000, seed=3)
    lazy, report = load_transactions(tmp_path / "sim", engine="dask")
    assert (lazy.npartitions, report.rows_read) == (4, made["transactions"])
    log = lazy.compute().reset_index(drop=True)
    want = rfm_summary(log, "2024-12-31", "2025-06-30")
    pd.testing.assert_frame_equal(rfm_summary(lazy, "2024-12-31", "2025-06-30"), want)
    pd.testing.assert_frame_equal(customer_features(lazy, "2024-12-31"), customer_features(log, "2024-12-31"))
    on_cluster = rfm_summary(lazy, "2024-12-31", "2025-06-30", output="dask")
    pd.testing.assert_frame_equal(on_cluster.compute().sort_index(), want)


def test_report_counts_match_pandas_across_files(client, tmp_path, master):
    dirty = master.head(3000).copy()
    dirty.loc[dirty.index[:7], "amount"] = -1.0  # refunds
    dirty = pd.concat([dirty, dirty.iloc[100:120]])  # duplicates, in another file below
    dirty["customer_id"] = dirty["customer_id"].where(np.arange(len(dirty)) % 50 != 0, " " + dirty["customer_id"])
    files = tmp_path / "log"
    files.mkdir()
    dirty.iloc[:1500].to_parquet(files / "a.parquet", index=False)
    dirty.iloc[1500:].to_parquet(files / "b.parquet", index=False)
    lazy, report = load_transactions(files, engine="dask")
    got, want = lazy.compute(), load_transactions(dirty.reset_index(drop=True))
    assert report.to_dict() | {"source": ""} == want[1].to_dict() | {"source": ""}
    assert report.dropped_customers == want[1].dropped_customers
    key = ["customer_id", "date", "amount"]
    pd.testing.assert_frame_equal(got.sort_values(key).reset_index(drop=True), want[0].sort_values(key).reset_index(drop=True))


def test_bad_file_in_dataset_is_named(client, tmp_path, master):
    good = master.head(200)
    write_customer_partitions(dd.from_pandas(good, npartitions=1), tmp_path / "ok", 2)
    folder = tmp_path / "bad"
    folder.mkdir()
    good.to_parquet(folder / "part-0.parquet", index=False)
    good.drop(columns=["amount"]).assign(total=1.0).to_parquet(folder / "part-1.parquet", index=False)
    with pytest.raises(TransactionDataError, match=r"part-1.parquet.*amount"):
        load_transactions(folder, engine="dask")
    good.assign(date=np.where(np.arange(len(good)) == 17, "1997-02-30", good["date"].astype(str))).to_parquet(
        folder / "part-1.parquet", index=False)
    with pytest.raises(TransactionDataError, match=r"part-1.parquet: column 'date': 1 row\(s\), first row 17: '1997-02-30'"):
        load_transactions(folder, engine="dask")
    (folder / "part-1.parquet").write_bytes(b"not parquet")
    with pytest.raises(TransactionDataError, match=r"part-1.parquet could not be read as Parquet"):
        load_transactions(folder, engine="dask")
