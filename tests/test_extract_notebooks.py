"""Researchers' path: real-format extracts are imported, validated and run through the notebooks.

Fixtures are made by the test from a synthetic dataset: an Online Retail II-shaped CSV and Excel
workbook, a CDNOW-shaped whitespace text file, and a retailer's GBK-encoded CSV export with Chinese
headers and codes, imported through a YAML mapping. Notebooks 00, 02, 03 and 05 must run on both with
papermill (the sections an extract cannot support are skipped with a message), and report no truth.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import crmlab
from crmlab.extracts import export_online_retail, load_extract
from crmlab.notebook.runner import run_notebook

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
    xlsx_file = export_online_retail(synthetic, tmp / "online_retail_II.xlsx")
    xlsx = crmlab.save_dataset(load_extract(xlsx_file, kind="online-retail"), tmp / "xlsx")
    gbk = crmlab.save_dataset(load_extract(_gbk_export(synthetic, tmp / "gbk"), kind="csv"), tmp / "gbk_ds")
    return {"retail": retail, "cdnow": cdnow, "xlsx": xlsx, "gbk": gbk}


def _gbk_export(data, folder: Path) -> Path:
    """A retailer's own export: GBK CSVs with Chinese headers and codes, plus a mapping file."""
    folder.mkdir()
    ch = {"store": "门店", "web": "网站", "app": "APP"}
    st = {"completed": "完成", "cancelled": "取消", "returned": "退货"}
    o = data.orders
    orders = pd.DataFrame({"订单号": o["order_id"], "会员编号": o["customer_id"],
                           "下单时间": o["order_ts"].dt.strftime("%Y/%m/%d %H:%M"),
                           "渠道": o["channel"].map(ch), "状态": o["status"].map(st)})
    it = data.order_items
    items = pd.DataFrame({"订单号": it["order_id"], "商品编码": it["sku"], "数量": it["quantity"],
                          "单价": it["unit_price"]})
    c = data.customers
    customers = pd.DataFrame({"会员编号": c["customer_id"], "注册日期": c["signup_date"].dt.strftime("%Y年%m月%d日"),
                              "性别": c["gender"].map({"male": "男", "female": "女"})})
    for name, df in (("订单", orders), ("订单明细", items), ("会员", customers)):
        df.to_csv(folder / f"{name}.csv", index=False, encoding="gbk")
    (folder / "mapping.yml").write_text(MAPPING, encoding="utf-8")
    return folder / "mapping.yml"


MAPPING = """\
name: 苏宁订单导出
tables:
  orders:
    file: 订单.csv
    encoding: gbk
    columns: {order_id: 订单号, customer_id: 会员编号, order_ts: 下单时间, channel: 渠道, status: 状态}
    date_format: "%Y/%m/%d %H:%M"
    values:
      channel: {门店: store, 网站: web, APP: app}
      status: {完成: completed, 取消: cancelled, 退货: returned}
  order_items:
    file: 订单明细.csv
    encoding: gbk
    columns: {order_id: 订单号, sku: 商品编码, quantity: 数量, unit_price: 单价}
  customers:
    file: 会员.csv
    encoding: gbk
    columns: {customer_id: 会员编号, signup_date: 注册日期, gender: 性别}
    date_format: "%Y年%m月%d日"
    values:
      gender: {男: male, 女: female}
"""


@pytest.mark.parametrize("kind", ["retail", "cdnow", "xlsx", "gbk"])
def test_imported_extract_is_valid_and_has_no_truth(extracts, kind):
    data = crmlab.load_dataset(extracts[kind])
    assert data.truth is None
    assert {"orders", "order_items", "customers"} <= set(data)


@pytest.mark.parametrize("kind,stem", [("xlsx", "00_data_tour"), ("xlsx", "05_market_basket"),
                                       ("gbk", "00_data_tour"), ("gbk", "02_churn_case"), ("gbk", "03_segmentation"),
                                       ("gbk", "05_market_basket")])
def test_notebooks_run_on_excel_and_gbk_extracts(extracts, kind, stem, tmp_path):
    res = run_notebook(ROOT / "notebooks" / f"{stem}.ipynb", tmp_path, parameters={"data_dir": str(extracts[kind])},
                       html=False, timeout=600)
    assert res.results


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
    from crmlab.notebook.execute import NotebookRunError

    with pytest.raises(NotebookRunError, match="needs the table"):
        run_notebook(ROOT / "notebooks" / "01_satisfaction_survey.ipynb", tmp_path,
                     parameters={"data_dir": str(extracts["retail"])}, html=False)
