"""Importers of real extracts: formats, cleaning reports, clear errors, pseudonymisation, round trip.

Every fixture is a small file in a real extract's format, written by the test
to tmp_path, with planted faults whose counts the cleaning report must give.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab.cli import run_command as run
from crmlab.cli.extracts import add_subcommands
from crmlab.extracts import (
    EXTRACT_DEFAULTS,
    ExtractError,
    MappingError,
    export_online_retail,
    format_cleaning_report,
    load_extract,
    pseudonymize,
    read_cdnow,
    read_mapped,
    read_online_retail,
)
from crmlab.schema import ValidationError

HEADER = ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country"]
UK, AU, DE = "United Kingdom", "Australia", "Germany"

# One row per line of the file after the header (file line = index + 2); None is a blank line.
RETAIL_ROWS: list[list[str] | None] = [
    ["489434", "85048", "GLASS BALL", "12", "2009-12-01 07:45:00", "6.95", "13085.0", UK],           # 2
    ["489434", "79323P", "PINK LIGHTS", "12", "2009-12-01 07:45:00", "6.75", "13085.0", UK],         # 3
    ["489434", "79323P", "PINK LIGHTS", "12", "2009-12-01 07:45:00", "6.75", "13085.0", UK],         # 4 duplicate
    ["489435", "22350", "CAT BOWL", "12", "2009-12-01 07:46:00", "2.55", "13085.0", UK],             # 5
    ["489436", "48173C", "DOOR MAT", "10", "2009-12-01 09:06:00", "5.95", "13078.0", UK],            # 6
    ["489437", "21523", "", "6", "2009-12-01 09:08:00", "0.00", "", UK],                              # 7 no customer
    None,                                                                                              # 8 blank
    ["489438", "22111", "HOT WATER BOTTLE", "2", "2009-12-01 09:24:00", "4.25", "", UK],             # 9 no customer
    ["C489449", "22087", "PAPER BUNTING", "-12", "2009-12-01 10:33:00", "2.95", "16321.0", AU],      # 10 cancellation
    ["C489449", "85206A", "CREAM FELT", "-6", "2009-12-01 10:33:00", "1.65", "16321.0", AU],         # 11 cancellation
    ["489450", "21871", "SAVE THE PLANET MUG", "24", "2009-12-13 10:46:00", "1.25", "16321.0", AU],  # 12
    ["489451", "22065", "XMAS TREE", "-3", "2009-12-01 11:00:00", "1.25", "16321.0", AU],            # 13 neg. qty
    ["489452", "M", "Manual", "1", "2009-12-01 11:05:00", "-5.00", "16321.0", AU],                   # 14 neg. price
    ["489453", "POST", "POSTAGE", "1", "2010-01-04 12:00:00", "18.00", "12345.0", DE],               # 15 service
    ["489453", "22111", "HOT WATER BOTTLE", "0", "2010-01-04 12:00:00", "4.25", "12345.0", DE],      # 16 zero qty
]
#: reason fragment -> (rows, example lines) planted in RETAIL_ROWS
RETAIL_PLANTED = {
    "blank line": (1, [8]),
    "duplicate row": (1, [4]),
    "missing customer id": (2, [7, 9]),
    "negative quantity outside a cancellation": (1, [13]),
    "non-positive price": (1, [14]),
    "zero quantity": (1, [16]),
    "cancellation (invoice starts with C)": (2, [10, 11]),
}


def csv_text(rows, header=HEADER, sep=",") -> str:
    out = [sep.join(header)]
    for r in rows:
        out.append("" if r is None else sep.join(f'"{v}"' if sep in v else v for v in r))
    return "\n".join(out) + "\n"


def write_retail(tmp_path: Path, rows=RETAIL_ROWS, name="online_retail_II.csv", header=HEADER) -> Path:
    p = tmp_path / name
    p.write_text(csv_text(rows, header), encoding="utf-8")
    return p


def steps_by_reason(report: dict) -> dict[str, tuple[int, list[int]]]:
    out: dict[str, tuple[int, list[int]]] = {}
    for s in report["steps"]:
        if s["action"] in ("dropped", "fixed", "note"):
            n, lines = out.get(s["reason"], (0, []))
            out[s["reason"]] = (n + s["rows"], lines + s["lines"])
    return out


def find(steps: dict, fragment: str) -> tuple[int, list[int]]:
    hits = [v for k, v in steps.items() if fragment in k]
    assert len(hits) == 1, f"expected one step about {fragment!r}, got {list(steps)}"
    return hits[0]


def cli(argv: list[str]) -> int:
    """The extract commands, hooked into a small parser as the lead will hook them into crmlab.cli."""
    parser = argparse.ArgumentParser(prog="crmlab")
    add_subcommands(parser.add_subparsers(dest="command"))
    return run(parser.parse_args(argv))


# ============================================================================ Online Retail
def check_retail(data: crmlab.Dataset, report: dict | None = None) -> None:
    report = report or data.manifest["cleaning"]
    steps = steps_by_reason(report)
    for fragment, (n, lines) in RETAIL_PLANTED.items():
        assert find(steps, fragment) == (n, lines), fragment
    assert report["input_rows"] == len(RETAIL_ROWS)
    assert report["dropped_rows"] == 7 and report["kept_rows"] == len(RETAIL_ROWS) - 7
    prof = report["profile"]
    assert prof["missing_customer_id_share"] == round(2 / 14, 4)
    assert prof["duplicate_row_share"] == round(1 / 14, 4)
    assert prof["cancelled_line_share"] == round(2 / 14, 4)
    o = data.orders.set_index("order_id")
    assert sorted(o.index) == ["489434", "489435", "489436", "489450", "489453", "C489449"]
    assert o.loc["C489449", "status"] == "cancelled" and (o.drop("C489449")["status"] == "completed").all()
    assert set(o["channel"]) == {"web"} and o["store_id"].isna().all()
    assert o.loc["489434", "customer_id"] == "13085"  # 13085.0 -> 13085
    assert o.loc["489434", "order_value"] == pytest.approx(12 * 6.95 + 12 * 6.75)
    assert o.loc["489450", "order_ts"] == pd.Timestamp("2009-12-13 10:46:00")
    items = data.order_items
    c = items[items.order_id == "C489449"]
    assert c["quantity"].tolist() == [12, 6] and c["line_no"].tolist() == [1, 2]
    assert (items["discount"] == 0).all()
    assert len(items) == 8
    cust = data.customers.set_index("customer_id")
    assert sorted(cust.index) == ["12345", "13078", "13085", "16321"]
    assert cust.loc["16321", "signup_date"] == pd.Timestamp("2009-12-01")
    assert cust.loc["12345", "country"] == DE
    for col, value in EXTRACT_DEFAULTS["customers"].items():
        assert (cust[col].isna() if value is None else cust[col] == value).all(), col
    prod = data.products.set_index("sku")
    assert prod.loc["POST", "category"] == "service" and prod.loc["85048", "category"] == "accessory"
    assert prod.loc["79323P", "name"] == "PINK LIGHTS" and prod.loc["79323P", "list_price"] == 6.75
    assert data.truth is None
    assert set(data) == {"customers", "products", "orders", "order_items"}


def test_online_retail_csv_cleaning_report_counts_what_was_planted(tmp_path):
    check_retail(read_online_retail(write_retail(tmp_path)))


def test_online_retail_gzip_and_parquet_give_the_same_result(tmp_path):
    p = tmp_path / "retail.csv.gz"
    p.write_bytes(gzip.compress(csv_text(RETAIL_ROWS).encode("utf-8")))
    check_retail(load_extract(p, kind="online-retail"))
    df = pd.read_csv(write_retail(tmp_path), dtype={"Invoice": str, "StockCode": str}, skip_blank_lines=False)
    df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"])
    df.to_parquet(tmp_path / "retail.parquet")
    data = load_extract(tmp_path / "retail.parquet", kind="online-retail")
    steps = steps_by_reason(data.manifest["cleaning"])
    assert find(steps, "missing customer id")[0] == 2 and find(steps, "duplicate row")[0] == 1
    # Parquet has no lines: positions are rows counted from 1
    assert find(steps, "missing customer id")[1] == [6, 8]
    assert len(data.orders) == 6


def test_online_retail_first_version_columns_and_us_dates(tmp_path):
    header = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
    rows = [["536365", "85123A", "WHITE HANGING HEART", "6", "12/1/2010 8:26", "2.55", "17850", UK],
            ["536366", "22633", "HAND WARMER", "6", "12/13/2010 08:28", "1.85", "17850", UK]]
    p = tmp_path / "Online Retail.csv"
    p.write_text("\ufeff" + csv_text(rows, header), encoding="utf-8")  # with a byte-order mark, as UCI's
    data = read_online_retail(p)
    assert data.orders["order_ts"].tolist() == [pd.Timestamp("2010-12-01 08:26"), pd.Timestamp("2010-12-13 08:28")]
    assert data.manifest["source"]["options"]["date_format"] == "%m/%d/%Y %H:%M"
    assert data.customers["customer_id"].tolist() == ["17850"]


def test_start_end_drop_and_report_out_of_range_dates(tmp_path):
    data = read_online_retail(write_retail(tmp_path), start="2009-12-02", end="2009-12-31")
    n, lines = find(steps_by_reason(data.manifest["cleaning"]), "date outside")
    assert (n, lines) == (10, [2, 3, 5, 6, 10])  # 2-3, 5-6, 10-11, 13-14 before; 15-16 after
    assert data.orders["order_id"].tolist() == ["489450"]


def test_excel_workbook_with_two_sheets(tmp_path):
    pytest.importorskip("openpyxl", reason="openpyxl is not installed: add 'openpyxl>=3.1' to the dependencies")
    rows = [r for r in RETAIL_ROWS if r is not None]
    df = pd.DataFrame(rows, columns=HEADER)
    df["Quantity"] = df["Quantity"].astype(int)
    df["Price"] = df["Price"].astype(float)
    df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"])
    df["Customer ID"] = pd.to_numeric(df["Customer ID"])  # Excel stores 13085.0, blanks as empty cells
    df["Invoice"] = [int(v) if v.isdigit() else v for v in df["Invoice"]]
    p = tmp_path / "online_retail_II.xlsx"
    with pd.ExcelWriter(p) as xw:
        df.iloc[:6].to_excel(xw, sheet_name="Year 2009-2010", index=False)
        df.iloc[6:].to_excel(xw, sheet_name="Year 2010-2011", index=False)
    data = read_online_retail(p)
    assert data.manifest["source"]["files"][0]["sheets"] == ["Year 2009-2010", "Year 2010-2011"]
    steps = steps_by_reason(data.manifest["cleaning"])
    assert find(steps, "missing customer id")[0] == 2
    by_file = {s["file"]: s["lines"] for s in data.manifest["cleaning"]["steps"] if s["reason"] ==
               "missing customer id"}
    # line numbers of each sheet: header = row 1
    assert by_file == {"online_retail_II.xlsx, sheet 'Year 2009-2010'": [7],
                       "online_retail_II.xlsx, sheet 'Year 2010-2011'": [2]}
    assert sorted(data.orders.order_id) == ["489434", "489435", "489436", "489450", "489453", "C489449"]
    assert data.orders.set_index("order_id").loc["489434", "customer_id"] == "13085"
    only = read_online_retail(p, sheet="Year 2010-2011")
    assert "489434" not in set(only.orders.order_id)


# ============================================================================ CDNOW
CDNOW_LINES = [
    " 00001 19970101  1   11.77",  # 1
    " 00002 19970112  1   12.00",  # 2
    " 00002 19970112  5   77.00",  # 3
    " 00002 19970112  5   77.00",  # 4 identical: kept with a note
    "",                            # 5 blank
    " 00003 19970102  0    0.00",  # 6 zero CDs: dropped
    " 00003 19970330  2    0.00",  # 7 zero amount: kept with a note
    " 00004 19970401  1   -3.00",  # 8 negative amount: dropped
    " 00004 19980628  3   40.47",  # 9
]


def write_cdnow(tmp_path: Path, lines=CDNOW_LINES, name="CDNOW_master.txt", newline="\r\n") -> Path:
    p = tmp_path / name
    p.write_bytes((newline.join(lines) + newline).encode("ascii"))
    return p


def test_cdnow_import_and_report(tmp_path):
    data = read_cdnow(write_cdnow(tmp_path))
    steps = steps_by_reason(data.manifest["cleaning"])
    assert find(steps, "blank line") == (1, [5])
    assert find(steps, "zero or negative number of CDs") == (1, [6])
    assert find(steps, "negative dollar amount") == (1, [8])
    assert find(steps, "identical to an earlier line") == (1, [4])
    assert find(steps, "zero dollar amount kept") == (1, [7])
    o = data.orders
    assert o["order_id"].tolist() == ["L0000001", "L0000002", "L0000003", "L0000004", "L0000007", "L0000009"]
    assert o["order_value"].tolist() == [11.77, 12.0, 77.0, 77.0, 0.0, 40.47]
    it = data.order_items.set_index("order_id")
    assert it.loc["L0000003", "quantity"] == 5 and it.loc["L0000003", "unit_price"] == pytest.approx(15.4)
    assert data.products["sku"].tolist() == ["CD"]
    assert data.customers["customer_id"].tolist() == ["00001", "00002", "00003", "00004"]


def test_cdnow_header_line_is_skipped_and_lines_still_count_from_the_top(tmp_path):
    lines = [" customer_id  date number_of_cds  dollar_value"] + CDNOW_LINES
    data = read_cdnow(write_cdnow(tmp_path, lines, newline="\n"))
    assert data.manifest["source"]["files"][0]["header_line"] is True
    assert find(steps_by_reason(data.manifest["cleaning"]), "negative dollar amount") == (1, [9])
    assert len(data.orders) == 6


# ============================================================================ YAML mapping, GBK, Chinese headers
MAPPING = """\
name: 苏宁门店与网店订单 (test extract)
category: phone
tables:
  orders:
    file: 订单.csv
    encoding: gbk
    columns: {order_id: 订单号, customer_id: 会员编号, order_ts: 下单时间, channel: 渠道, status: 状态}
    date_format: "%Y/%m/%d %H:%M"
    values:
      channel: {门店: store, 网站: web, APP: app}
      status: {完成: completed, 取消: cancelled, 退货: returned}
    defaults: {store_id: null}
  order_items:
    file: 订单明细.csv
    encoding: gbk
    columns: {order_id: 订单号, sku: 商品编码, quantity: 数量, unit_price: 单价}
  customers:
    file: 会员.csv
    encoding: gbk
    columns: {customer_id: 会员编号, signup_date: 注册日期, gender: 性别,
              name: 姓名, phone: 手机, email: 邮箱}
    date_format: "%Y年%m月%d日"
    values:
      gender: {男: male, 女: female, 未知: null}
"""
ORDERS_ZH = [
    ["订单号", "会员编号", "下单时间", "渠道", "状态"],
    ["SN1001", "VIP-ALPHA-01", "2024/03/01 10:05", "门店", "完成"],     # 2
    ["SN1002", "VIP-BRAVO-02", "2024/03/02 11:00", "网站", "取消"],     # 3
    ["SN1003", "", "2024/03/02 12:30", "APP", "完成"],                 # 4 guest order: dropped with its 2 lines
    ["SN1004", "VIP-ALPHA-01", "2024/04/11 20:15", "APP", "退货"],      # 5
]
ITEMS_ZH = [
    ["订单号", "商品编码", "数量", "单价"],
    ["SN1001", "PH0001", "1", "3999.00"],    # 2
    ["SN1001", "AC0002", "2", "99.50"],      # 3
    ["SN1001", "AC0002", "2", "99.50"],      # 4 duplicate
    ["SN1002", "PH0001", "1", "3899.00"],    # 5
    ["SN1003", "TV0003", "1", "2599.00"],    # 6 guest
    ["SN1003", "AC0002", "1", "99.50"],      # 7 guest
    ["SN1004", "PH0001", "1", "3999.00"],    # 8
]
CUSTOMERS_ZH = [
    ["会员编号", "注册日期", "性别", "姓名", "手机", "邮箱"],
    ["VIP-ALPHA-01", "2023年05月06日", "男", "张伟强", "13800138000", "zhangweiqiang@example.cn"],
    ["VIP-BRAVO-02", "2024年01月15日", "未知", "李秀英", "13912345678", "lixiuying@example.cn"],
]
PII = ["VIP-ALPHA-01", "VIP-BRAVO-02", "张伟强", "李秀英", "13800138000", "13912345678",
       "zhangweiqiang@example.cn", "lixiuying@example.cn"]


def write_table(path: Path, rows, encoding="gbk") -> Path:
    path.write_bytes(("\n".join(",".join(r) for r in rows) + "\n").encode(encoding))
    return path


def write_mapped(tmp_path: Path, mapping: str = MAPPING, orders=ORDERS_ZH, items=ITEMS_ZH,
                 customers=CUSTOMERS_ZH, encoding="gbk") -> Path:
    d = tmp_path / "extract"
    d.mkdir(exist_ok=True)
    write_table(d / "订单.csv", orders, encoding)
    write_table(d / "订单明细.csv", items, encoding)
    write_table(d / "会员.csv", customers, encoding)
    (d / "mapping.yml").write_text(mapping, encoding="utf-8")
    return d / "mapping.yml"


def test_gbk_csv_with_chinese_headers_via_mapping(tmp_path):
    data = read_mapped(write_mapped(tmp_path))
    o = data.orders.set_index("order_id")
    assert list(o.index) == ["SN1001", "SN1002", "SN1004"]
    assert o["channel"].tolist() == ["store", "web", "app"]
    assert o["status"].tolist() == ["completed", "cancelled", "returned"]
    assert o.loc["SN1004", "order_ts"] == pd.Timestamp("2024-04-11 20:15")
    assert o["store_id"].isna().all()
    items = data.order_items
    assert items.loc[items.order_id == "SN1001", "line_no"].tolist() == [1, 2]
    assert len(items) == 4 and (items["discount"] == 0).all()
    c = data.customers.set_index("customer_id")
    assert c.loc["VIP-ALPHA-01", "gender"] == "male" and pd.isna(c.loc["VIP-BRAVO-02", "gender"])
    assert c.loc["VIP-ALPHA-01", "signup_date"] == pd.Timestamp("2023-05-06")
    assert c.loc["VIP-ALPHA-01", "signup_channel"] == "store"  # derived: channel of the first order
    p = data.products.set_index("sku")
    assert set(p.index) == {"PH0001", "AC0002"} and set(p["category"]) == {"phone"}  # mapping's category
    assert p.loc["PH0001", "list_price"] == 3999.0  # median of 3999, 3899, 3999
    steps = steps_by_reason(data.manifest["cleaning"])
    assert find(steps, "missing customer id") == (1, [4])
    assert find(steps, "line of an order dropped above") == (2, [6, 7])
    assert find(steps, "duplicate row") == (1, [4])
    assert data.manifest["source"]["mapping"] == "mapping.yml"
    assert data.manifest["cleaning"]["profile"]["missing_customer_id_share"] == 0.25


def test_mapping_as_dict_with_parquet_tsv_and_loyalty(tmp_path):
    (tmp_path / "o.csv").write_text("no,cust,ts,ch\n1,A,2024-01-02 10:00:00,web\n2,B,2024-01-03 11:00:00,app\n"
                                    "3,A,2024-02-01 09:30:00,store\n", encoding="utf-8")
    pd.DataFrame({"no": ["1", "2", "3"], "sku": ["X1", "X2", "X1"], "q": [1, 3, 2],
                  "p": [10.0, 2.5, 12.0]}).to_parquet(tmp_path / "i.parquet")
    (tmp_path / "vip.tsv").write_text("cust\tsince\tlevel\tpts\nA\t2024-01-15\t金卡\t120\n", encoding="utf-8")
    spec = {"category": "small_appliance", "tables": {
        "orders": {"file": "o.csv", "columns": {"order_id": "no", "customer_id": "cust", "order_ts": "ts",
                                               "channel": "ch"}, "defaults": {"status": "completed"}},
        "order_items": {"file": "i.parquet", "columns": {"order_id": "no", "sku": "sku", "quantity": "q",
                                                         "unit_price": "p"}},
        "loyalty": {"file": "vip.tsv", "columns": {"customer_id": "cust", "enrol_date": "since", "tier": "level",
                                                   "points_balance": "pts"}, "values": {"tier": {"金卡": "gold"}}}}}
    data = load_extract(tmp_path, mapping=spec)
    assert list(data) == ["customers", "products", "orders", "order_items", "loyalty"]
    c = data.customers.set_index("customer_id")
    assert c["is_member"].to_dict() == {"A": True, "B": False}
    assert c["signup_channel"].to_dict() == {"A": "web", "B": "app"}
    assert data.loyalty["tier"].tolist() == ["gold"] and data.loyalty["points_balance"].tolist() == [120]
    p = data.products.set_index("sku")
    assert p.loc["X1", "list_price"] == 11.0 and set(p["category"]) == {"small_appliance"}
    assert data.order_items.loc[data.order_items.order_id == "1", "line_no"].tolist() == [1]
    steps = {(s["action"], s["column"]) for s in data.manifest["cleaning"]["steps"]}
    assert ("derived", "customers.is_member") in steps and ("filled", "orders.status") in steps


def test_cli_import_csv_writes_a_valid_folder_and_the_report(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli(["import", "csv", "--map", str(write_mapped(tmp_path)), "--out", str(out), "--format", "csv"]) == 0
    printed = capsys.readouterr().out
    assert "missing customer id" in printed and "line of an order dropped above" in printed
    loaded = crmlab.load_dataset(out)
    assert loaded.truth is None and set(loaded) == {"customers", "products", "orders", "order_items"}
    report = json.loads((out / "cleaning_report.json").read_text(encoding="utf-8"))
    assert report["dropped_rows"] == 4 and report["source"]["kind"] == "csv"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is False and manifest["source"]["kind"] == "csv"
    assert "/" not in json.dumps(manifest["source"]["files"])  # file names only, no machine paths
    # validate works on it through the main CLI too
    from crmlab.cli import main

    assert main(["validate", str(out)]) == 0


def test_cli_import_online_retail_and_cdnow(tmp_path, capsys):
    out = tmp_path / "uci"
    assert cli(["import", "online-retail", str(write_retail(tmp_path)), "--out", str(out), "-q"]) == 0
    assert capsys.readouterr().out == ""
    report = json.loads((out / "cleaning_report.json").read_text(encoding="utf-8"))
    check_retail(crmlab.load_dataset(out), report)  # the written tables and report are what was imported
    out2 = tmp_path / "cd"
    assert cli(["import", "cdnow", str(write_cdnow(tmp_path)), "--out", str(out2)]) == 0
    assert len(crmlab.load_dataset(out2).orders) == 6
    # exit 2: the output folder exists and is not empty; --force replaces it
    assert cli(["import", "cdnow", str(write_cdnow(tmp_path)), "--out", str(out2), "-q"]) == 2
    assert "not empty" in capsys.readouterr().err
    assert cli(["import", "cdnow", str(write_cdnow(tmp_path)), "--out", str(out2), "-q", "--force"]) == 0


def test_format_cleaning_report_lists_every_step():
    r = {"kind": "online-retail", "input_rows": 200, "dropped_rows": 3, "kept_rows": 197, "output_rows": {"orders": 9},
         "steps": [{"action": "dropped", "reason": "missing customer id", "rows": 3, "column": "Customer ID",
                    "file": "x.csv", "lines": [4, 9, 12]},
                   {"action": "filled", "reason": "channel", "rows": 9, "column": "orders.channel", "file": None,
                    "lines": []}]}
    text = format_cleaning_report(r)
    assert "x.csv:4, 9, 12" in text and "1.5%" in text and "orders.channel" in text and "orders 9" in text


# ============================================================================ bad inputs: clear errors, nothing written
def _retail_with(tmp_path, line_no: int, column: str, value: str) -> Path:
    rows = [list(r) for r in RETAIL_ROWS if r is not None][:6]
    rows[line_no - 2][HEADER.index(column)] = value
    return write_retail(tmp_path, rows)


def bad_missing_column(tmp_path):
    header = [h for h in HEADER if h != "Price"]
    rows = [[v for h, v in zip(HEADER, r) if h != "Price"] for r in RETAIL_ROWS if r is not None]
    p = write_retail(tmp_path, rows, header=header)
    return ["online-retail", str(p)], ["online_retail_II.csv", "Price", "missing required column"]


def bad_wrong_type(tmp_path):
    p = _retail_with(tmp_path, 3, "Quantity", "twelve")
    return ["online-retail", str(p)], ["online_retail_II.csv", "column 'Quantity'", "not a number", "line 3: 'twelve'"]


def bad_dates(tmp_path):
    p = _retail_with(tmp_path, 4, "InvoiceDate", "2009-13-45 25:00")
    return ["online-retail", str(p)], ["column 'InvoiceDate'", "not a date", "line 4: '2009-13-45 25:00'"]


def bad_ambiguous_dates(tmp_path):
    header = HEADER
    rows = [["1", "A", "x", "1", "1/2/2010 8:26", "1.0", "7", UK],
            ["2", "A", "x", "1", "3/4/2010 9:00", "1.0", "7", UK]]
    return ["online-retail", str(write_retail(tmp_path, rows, header=header))], ["ambiguous", "--date-format"]


def bad_gbk_as_utf8(tmp_path):
    m = write_mapped(tmp_path, mapping=MAPPING.replace("    encoding: gbk\n", "", 1))
    return ["csv", "--map", str(m)], ["订单.csv", "not valid utf-8", "line 1", "gbk"]


def bad_truncated_csv(tmp_path):
    text = csv_text([r for r in RETAIL_ROWS if r is not None][:5])
    p = tmp_path / "online_retail_II.csv"
    p.write_text(text[: text.rindex("2009-12-01 09:06")], encoding="utf-8")  # cut inside the last line
    return ["online-retail", str(p)], ["online_retail_II.csv", "truncated", "last line (6)"]


def bad_truncated_gzip(tmp_path):
    data = gzip.compress(csv_text(RETAIL_ROWS).encode("utf-8"))
    p = tmp_path / "online_retail_II.csv.gz"
    p.write_bytes(data[: len(data) // 2])
    return ["online-retail", str(p)], ["online_retail_II.csv.gz", "truncated or corrupt gzip"]


def bad_duplicate_keys(tmp_path):
    orders = [list(r) for r in ORDERS_ZH]
    orders[4][0] = "SN1002"  # line 5 repeats the key of line 3 with other values
    return ["csv", "--map", str(write_mapped(tmp_path, orders=orders))], \
        ["订单.csv", "订单号 [orders.order_id]", "duplicate", "line 3: 'SN1002'", "line 5: 'SN1002'"]


def bad_unknown_customer(tmp_path):
    orders = [list(r) for r in ORDERS_ZH]
    orders[4][1] = "VIP-NOBODY-99"
    return ["csv", "--map", str(write_mapped(tmp_path, orders=orders))], \
        ["订单.csv", "会员编号 [orders.customer_id]", "not found in customers", "line 5: 'VIP-NOBODY-99'"]


def bad_empty_file(tmp_path):
    p = tmp_path / "online_retail_II.csv"
    p.write_text("", encoding="utf-8")
    return ["online-retail", str(p)], ["online_retail_II.csv", "empty"]


def bad_header_only(tmp_path):
    return ["online-retail", str(write_retail(tmp_path, []))], ["online_retail_II.csv", "no data rows"]


def bad_directory(tmp_path):
    (tmp_path / "a_folder").mkdir()
    return ["cdnow", str(tmp_path / "a_folder")], ["a_folder", "is a folder, not a file"]


def bad_mapping_column(tmp_path):
    wrong = MAPPING.replace("customer_id: 会员编号, order_ts", "customer_id: 会员号, order_ts")
    m = write_mapped(tmp_path, mapping=wrong)
    return ["csv", "--map", str(m)], ["tables.orders.columns.customer_id", "'会员号' is not in 订单.csv",
                                      "its columns are: 订单号, 会员编号, 下单时间, 渠道, 状态"]


def bad_mapping_table(tmp_path):
    m = write_mapped(tmp_path, mapping=MAPPING.replace("  customers:", "  customer:"))
    return ["csv", "--map", str(m)], ["tables.customer", "unknown table", "customers"]


def bad_mapping_file(tmp_path):
    m = write_mapped(tmp_path, mapping=MAPPING.replace("file: 会员.csv", "file: members.csv"))
    return ["csv", "--map", str(m)], ["tables.customers.file", "members.csv", "no such file"]


def bad_mapping_required(tmp_path):
    m = write_mapped(tmp_path, mapping=MAPPING.replace(", channel: 渠道", ""))
    return ["csv", "--map", str(m)], ["tables.orders", "required column 'channel'", "defaults:"]


def bad_cdnow_fields(tmp_path):
    lines = CDNOW_LINES[:3] + [" 00009 19970101  1   11.77  extra"]
    return ["cdnow", str(write_cdnow(tmp_path, lines))], ["CDNOW_master.txt", "line 4"]


def bad_cdnow_short_line(tmp_path):
    lines = CDNOW_LINES[:3] + [" 00009 19970101  1", " 00010 19970101  1   11.77"]
    return ["cdnow", str(write_cdnow(tmp_path, lines))], ["dollar amount (field 4)", "missing values", "line 4"]


BAD = [bad_missing_column, bad_wrong_type, bad_dates, bad_ambiguous_dates, bad_gbk_as_utf8, bad_truncated_csv,
       bad_truncated_gzip, bad_duplicate_keys, bad_unknown_customer, bad_empty_file, bad_header_only,
       bad_directory, bad_mapping_column, bad_mapping_table, bad_mapping_file, bad_mapping_required,
       bad_cdnow_fields, bad_cdnow_short_line]


@pytest.mark.parametrize("case", BAD, ids=[f.__name__[4:] for f in BAD])
def test_bad_input_is_one_clear_message_exit_1_and_nothing_written(tmp_path, capsys, case):
    args, fragments = case(tmp_path)
    out = tmp_path / "out"
    assert cli(["import", *args, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    for f in fragments:
        assert f in err, f"{f!r} not in the message:\n{err}"
    assert "Traceback" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]  # no temporary folder left


@pytest.mark.parametrize("case,expected", [(bad_wrong_type, ValidationError), (bad_gbk_as_utf8, ExtractError),
                                           (bad_mapping_column, MappingError), (bad_directory, ExtractError)],
                         ids=["validation", "encoding", "mapping", "folder"])
def test_api_raises_value_errors_of_the_documented_classes(tmp_path, case, expected):
    args, _ = case(tmp_path)
    with pytest.raises(expected) as info:
        if args[0] == "csv":
            load_extract(mapping=args[2])
        else:
            load_extract(args[1], kind=args[0])
    assert isinstance(info.value, ValueError)  # predictable faults are ValueErrors
    if expected is not ValidationError:
        assert isinstance(info.value, crmlab.DatasetError)  # ... and DatasetErrors, for the CLI's exit code 1


def test_api_argument_errors():
    with pytest.raises(ValueError, match="kind must be"):
        load_extract("x.csv")
    with pytest.raises(ValueError, match="category must be one of"):
        load_extract("x.csv", kind="cdnow", category="toys")
    with pytest.raises(ValueError, match="salt"):
        load_extract("x.csv", kind="cdnow", pseudonymize=True)
    with pytest.raises(ValueError, match="at least 8 characters"):  # refused before the file is looked for
        load_extract("x.csv", kind="cdnow", pseudonymize=True, salt="short")
    with pytest.raises(ValueError, match="end: 'soon' is not a date"):
        load_extract("x.csv", kind="cdnow", end="soon")
    with pytest.raises(MappingError, match="folder its file names are relative to"):
        read_mapped({"tables": {}})


def test_cli_usage_errors_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CRMLAB_SALT", raising=False)
    p = str(write_cdnow(tmp_path))
    out = str(tmp_path / "out")
    assert cli(["import", "cdnow", p, "--out", out, "--pseudonymize"]) == 2
    err = capsys.readouterr().err
    assert "--salt" in err and "CRMLAB_SALT" in err
    assert cli(["import", "cdnow", p, "--out", out, "--salt", "long-enough-secret"]) == 2
    assert "only used with --pseudonymize" in capsys.readouterr().err
    assert cli(["import", "cdnow", p, "--out", out, "--category", "toys"]) == 2
    assert "category must be one of" in capsys.readouterr().err
    assert not Path(out).exists()


# ============================================================================ pseudonymisation
def _all_text(folder: Path) -> str:
    parts = []
    for f in sorted(folder.iterdir()):
        parts.append(f.read_bytes().decode("utf-8", errors="replace"))
        if f.suffix == ".parquet":
            parts.append(pd.read_parquet(f).to_csv())
    return "\n".join(parts)


def test_pseudonymize_replaces_identifiers_everywhere_and_keeps_keys(tmp_path, monkeypatch):
    m = str(write_mapped(tmp_path))
    monkeypatch.setenv("CRMLAB_SALT", "classroom-secret-2025")
    for fmt in ("csv", "parquet"):
        out = tmp_path / f"pseudo-{fmt}"
        assert cli(["import", "csv", "--map", m, "--out", str(out), "--pseudonymize", "--format", fmt, "-q"]) == 0
        text = _all_text(out)
        leaked = [s for s in PII if s in text]
        assert not leaked, f"original identifiers in the output: {leaked}"
        data = crmlab.load_dataset(out)  # validates: foreign keys still resolve
        assert set(data.orders.customer_id) <= set(data.customers.customer_id)
        assert data.customers.customer_id.str.fullmatch(r"P[0-9a-f]{16}").all()
        assert data.customers.email.str.fullmatch(r"E[0-9a-f]{12}").all()
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert "customers.customer_id" in manifest["source"]["pseudonymized"]["columns"]
        assert "classroom-secret-2025" not in text  # the salt is never written


def test_pseudonyms_are_stable_for_a_salt_and_differ_between_salts(tmp_path):
    m = write_mapped(tmp_path)
    a = load_extract(mapping=m, pseudonymize=True, salt="salt-number-one")
    b = load_extract(mapping=m, pseudonymize=True, salt="salt-number-one")
    c = load_extract(mapping=m, pseudonymize=True, salt="salt-number-two")
    pd.testing.assert_frame_equal(a.customers, b.customers)
    assert not set(a.customers.customer_id) & set(c.customers.customer_id)
    plain = load_extract(mapping=m)
    # the same customer gets the same pseudonym in every table
    mapping = dict(zip(plain.customers.customer_id, a.customers.customer_id))
    assert a.orders.customer_id.tolist() == plain.orders.customer_id.map(mapping).tolist()


def test_pseudonymize_hand_built_tables():
    t = {"customers": pd.DataFrame({"customer_id": ["17850", "13085"], "name": ["Ann", "Bo"]}),
         "orders": pd.DataFrame({"order_id": ["1", "2", "3"], "customer_id": ["13085", "17850", "13085"]}),
         "survey": pd.DataFrame({"response_id": ["R1"], "customer_id": [None], "comment": ["call me, Ann"]})}
    d = pseudonymize(t, "0123456789")
    c = d.customers.customer_id.tolist()
    assert d.orders.customer_id.tolist() == [c[1], c[0], c[1]] and len(set(c)) == 2
    assert "comment" not in d.survey.columns and d.survey.customer_id.isna().all()
    with pytest.raises(ValueError, match="at least 8"):
        pseudonymize(t, "short")


# ============================================================================ round trip
def _expected_lines(data: crmlab.Dataset) -> pd.DataFrame:
    m = data.order_items.merge(data.orders[["order_id", "customer_id", "order_ts", "status"]], on="order_id")
    m["order_id"] = np.where(m["status"].eq("cancelled"), "C" + m["order_id"], m["order_id"])
    m["price"] = (m["quantity"] * m["unit_price"] - m["discount"].fillna(0)) / m["quantity"]
    return m.sort_values(["order_id", "line_no"]).reset_index(drop=True)


def _check_round_trip(original: crmlab.Dataset, back: crmlab.Dataset) -> None:
    assert back.manifest["cleaning"]["dropped_rows"] == 0
    exp = _expected_lines(original)
    o = original.orders.assign(order_id=np.where(original.orders.status.eq("cancelled"),
                                                 "C" + original.orders.order_id, original.orders.order_id))
    got_o = back.orders.set_index("order_id").sort_index()
    o = o.set_index("order_id").sort_index()
    assert list(got_o.index) == list(o.index)
    assert (got_o["customer_id"] == o["customer_id"]).all()
    assert (got_o["order_ts"] == o["order_ts"]).all()
    assert (got_o["status"] == o["status"].replace("returned", "completed")).all()
    got = back.order_items.sort_values(["order_id", "line_no"]).reset_index(drop=True)
    assert got["order_id"].tolist() == exp["order_id"].tolist()
    assert got["sku"].tolist() == exp["sku"].tolist()
    assert got["quantity"].tolist() == exp["quantity"].tolist()
    np.testing.assert_allclose(got["unit_price"], exp["price"], rtol=1e-12)


def test_round_trip_through_online_retail_csv(tmp_path, tiny):
    path = export_online_retail(tiny, tmp_path / "tiny_retail.csv")
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(HEADER)
    back = read_online_retail(path, drop_duplicates=False)
    _check_round_trip(tiny, back)
    # the simulator writes one line per product and order, so nothing looks like a duplicate
    assert not tiny.order_items.duplicated(["order_id", "sku"]).any()
    assert not any("identical to an earlier line" in k for k in steps_by_reason(back.manifest["cleaning"]))
    assert read_online_retail(path).manifest["cleaning"]["dropped_rows"] == 0


def test_round_trip_through_excel(tmp_path, tiny):
    pytest.importorskip("openpyxl", reason="openpyxl is not installed: add 'openpyxl>=3.1' to the dependencies")
    keep = set(tiny.orders.order_id.iloc[:300])
    small = crmlab.Dataset({"orders": tiny.orders[tiny.orders.order_id.isin(keep)],
                            "order_items": tiny.order_items[tiny.order_items.order_id.isin(keep)],
                            "products": tiny.products})
    path = export_online_retail(small, tmp_path / "tiny.xlsx")
    back = read_online_retail(path, drop_duplicates=False)
    assert len(back.manifest["source"]["files"][0]["sheets"]) >= 1
    _check_round_trip(small, back)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cleaning_report_recovers_planted_faults(tmp_path, seed):
    """Truth recovery: faults planted at random in an exported synthetic extract are counted exactly."""
    data = crmlab.make_retail_crm("tiny", seed=seed, n_customers=300)
    path = export_online_retail(data, tmp_path / "clean.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    twins = df.duplicated().to_numpy()  # natural: same product, quantity and price twice in one order
    rng = np.random.default_rng(seed)
    invoices = df["Invoice"].unique()
    guests = set(rng.choice(invoices[~pd.Series(invoices).str.startswith("C")], 15, replace=False))
    guest = df["Invoice"].isin(guests).to_numpy()
    free = np.flatnonzero(~guest & ~df.duplicated(keep=False).to_numpy())
    picks = rng.choice(free, 60, replace=False)
    zero_price, adjust, dups = picks[:20], picks[20:30], picks[30:]
    df.loc[guest, "Customer ID"] = ""
    df.loc[zero_price, "Price"] = "0.0"
    df.loc[adjust, "Quantity"] = "-" + df.loc[adjust, "Quantity"].str.lstrip("-")
    df.loc[adjust, "Invoice"] = "A" + df.loc[adjust, "Invoice"]  # a stock adjustment, not a cancellation
    df = pd.concat([df, df.loc[dups]]).sort_index(kind="stable").reset_index(drop=True)
    df.to_csv(tmp_path / "faulty.csv", index=False)
    back = read_online_retail(tmp_path / "faulty.csv")
    steps = steps_by_reason(back.manifest["cleaning"])
    measured = {"duplicates": find(steps, "duplicate row")[0], "guest lines": find(steps, "missing customer id")[0],
                "adjustments": find(steps, "negative quantity outside")[0],
                "zero prices": find(steps, "non-positive price")[0]}
    planted = {"duplicates": 30 + int(twins.sum()), "guest lines": int((guest & ~twins).sum()),
               "adjustments": 10, "zero prices": 20}
    assert measured == planted, f"seed {seed}: measured {measured}, planted {planted} (exact match required)"
    assert set(back.orders.order_id).isdisjoint(guests)
