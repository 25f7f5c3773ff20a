"""Synthetic data in a real extract's layout: the Online Retail II file.

A dataset written by :func:`export_online_retail` reads back with
:func:`crmlab.extracts.read_online_retail`, so the importers (and teaching
material about them) can be tried on data whose truth is known.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from .._checks import as_datetimes, require_columns
from .._fs import atomic_path
from ..dataset import Dataset
from ..domain import line_values
from ..io import csv_safe
from .sources import EXCEL_SUFFIXES, PARQUET_SUFFIXES, ExtractError

__all__ = ["export_online_retail"]


def export_online_retail(data: Dataset | Mapping[str, pd.DataFrame], path: str | os.PathLike, *,
                         country: str = "China") -> Path:
    """Write a dataset's orders in the Online Retail II layout (CSV, ``.csv.gz``, Parquet or Excel).

    Parameters
    ----------
    data : Dataset or mapping with ``orders``, ``order_items`` (and ``products`` for descriptions)
    path : path-like
        Target file; the suffix chooses the format. Excel (``.xlsx``, needs
        openpyxl) gets one sheet per calendar year, ``Year 2024``, ...
    country : str, default "China"
        Value of the ``Country`` column.

    Returns
    -------
    Path
        The written file (written to a temporary file, then renamed).

    Notes
    -----
    One line per order line: ``Invoice`` = order id (``C`` + order id for a
    cancelled order, with negative quantity), ``Price`` = net unit price
    ``(quantity x unit_price - discount) / quantity``. What does not round-trip
    through :func:`read_online_retail`: channel, store, payment and coupon
    (every order comes back as ``web``), the discount (folded into the price),
    status ``returned`` (comes back ``completed``), the ``C`` prefix of
    cancelled orders' ids, customers without orders and products never sold,
    and every customer attribute. Text cells that a spreadsheet would run as
    a formula (starting with ``= + - @``, tab or CR) are written with a
    leading ``'`` (:func:`crmlab.io.csv_safe`), in CSV and Excel files.

    Examples
    --------
    >>> import crmlab, tempfile, pathlib
    >>> from crmlab.extracts import read_online_retail
    >>> p = export_online_retail(crmlab.make_retail_crm("tiny", seed=1), pathlib.Path(tempfile.mkdtemp()) / "x.csv")
    >>> read_online_retail(p).orders.channel.unique().tolist()
    ['web']
    """
    tables = data.tables if isinstance(data, Dataset) else dict(data)
    for t in ("orders", "order_items"):
        if t not in tables:
            raise ValueError(f"export_online_retail needs the table {t!r}")
    orders = require_columns(tables["orders"], ["order_id", "customer_id", "order_ts", "status"], table="orders")
    items = require_columns(tables["order_items"], ["order_id", "line_no", "sku", "quantity", "unit_price"],
                            table="order_items")
    products = tables.get("products")
    m = items.merge(orders[["order_id", "customer_id", "order_ts", "status"]], on="order_id", how="inner",
                    validate="many_to_one")
    if len(m) < len(items):
        raise ValueError("order_items has lines of orders that are not in orders")
    cancel = m["status"].eq("cancelled").to_numpy()
    q = m["quantity"].astype("int64")
    price = line_values(m) / q
    desc = m["sku"].map(products.set_index("sku")["name"]) if products is not None and "name" in products else m["sku"]
    out = pd.DataFrame({
        "Invoice": np.where(cancel, "C" + m["order_id"].astype("str"), m["order_id"].astype("str")),
        "StockCode": m["sku"].astype("str"),
        "Description": desc.astype("str"),
        "Quantity": np.where(cancel, -q, q),
        "InvoiceDate": as_datetimes(m["order_ts"], "orders.order_ts").astype("datetime64[s]"),
        "Price": price.astype(float),
        "Customer ID": m["customer_id"].astype("str"),
        "Country": country,
    })
    order = np.lexsort((m["line_no"].to_numpy(), m["order_id"].astype("str").to_numpy(),
                        out["InvoiceDate"].to_numpy()))
    out = out.iloc[order].reset_index(drop=True)
    target = Path(path).expanduser()
    low = target.name.lower()
    if not low.endswith(PARQUET_SUFFIXES):
        out = csv_safe(out)  # text cells a spreadsheet would run as formulas get a leading quote
    with atomic_path(target) as tmp:
        if low.endswith(EXCEL_SUFFIXES):
            try:
                with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                    for year, part in out.groupby(out["InvoiceDate"].dt.year, sort=True):
                        part.to_excel(xw, sheet_name=f"Year {year}", index=False)
            except ImportError:
                raise ExtractError("writing Excel files needs the package openpyxl (pip install 'openpyxl>=3.1')") \
                    from None
        elif low.endswith(PARQUET_SUFFIXES):
            out.to_parquet(tmp, index=False)
        else:
            csv_out = out.assign(InvoiceDate=out["InvoiceDate"].dt.strftime("%Y-%m-%d %H:%M:%S"))
            csv_out.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n",
                           compression="gzip" if low.endswith(".gz") else None)
    return target
