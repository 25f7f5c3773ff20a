"""Researchers' path: real-format extracts are imported, validated and run through the notebooks.

Fixtures are made by the test: an Online Retail II-shaped CSV exported from a synthetic dataset
and a CDNOW-shaped whitespace text file. Notebooks 00, 02, 03 and 05 must run on both with
papermill (the sections an extract cannot support are skipped with a message), and report no truth.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import crmlab
from crmlab.extracts import export_online_retail, load_extract
from crmlab.runner import run_notebook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ["00_data_tour", "02_churn_case", "03_segmentation", "05_market_basket"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("extracts")
    synthetic = crmlab.make_retail_crm("classroom", seed=5, n_customers=2000)
    retail_file = export_online_retail(synthetic, tmp / "online_retail_II.csv")
    retail = crmlab.save_dataset(load_extract(retail_file, kind="online-retail"), tmp / "retail")
    done = synthetic.orders[synthetic.orders["status"] == "completed"]
    lines = [f"{c[1:]:>6} {t:%Y%m%d} {1:>3} {v:>9.2f}"
             for c, t, v in zip(done["customer_id"], done["order_ts"], done["order_value"])]
    (tmp / "CDNOW_master.txt").write_text("\n".join(lines) + "\n", encoding="ascii")
    cdnow = crmlab.save_dataset(load_extract(tmp / "CDNOW_master.txt", kind="cdnow"), tmp / "cdnow")
    return {"retail": retail, "cdnow": cdnow}


@pytest.mark.parametrize("kind", ["retail", "cdnow"])
def test_imported_extract_is_valid_and_has_no_truth(extracts, kind):
    data = crmlab.load_dataset(extracts[kind])
    assert data.truth is None
    assert {"orders", "order_items", "customers", "products"} <= set(data)


@pytest.mark.parametrize("kind", ["retail", "cdnow"])
@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_notebook_runs_on_an_extract(extracts, kind, stem, tmp_path):
    res = run_notebook(ROOT / "notebooks" / f"{stem}.ipynb", tmp_path, parameters={"data_dir": str(extracts[kind])},
                       html=False, timeout=600)
    assert res.results
    if stem == "03_segmentation":
        assert res.results["ari_vs_truth"] is None  # no truth on real data
        assert 0 < res.results["top20_revenue_share"] <= 1
    if stem == "02_churn_case":
        assert res.results["hazard_ratios"] is None and res.results["campaign_ate"] is None
        assert 0.5 <= res.results["auc"] <= 1


def test_notebook_stops_clearly_when_a_table_is_missing(extracts, tmp_path):
    from crmlab.runner import NotebookRunError

    with pytest.raises(NotebookRunError, match="needs the table"):
        run_notebook(ROOT / "notebooks" / "01_satisfaction_survey.ipynb", tmp_path,
                     parameters={"data_dir": str(extracts["retail"])}, html=False)
