"""Realistic data faults, for practising data cleaning (``Scenario.faults``).

Modelled on what real extracts contain (Online Retail II: ~23% missing
customer ids, ~2% cancellations as negative quantities, ~3% duplicate rows):

* ``orders.customer_id`` missing for guest check-outs (``guest_share``);
* cancellation lines in ``order_items`` - a copy of a line with negative quantity;
* exact duplicate rows in ``order_items`` and ``orders``;
* mixed date formats in ``orders.order_ts`` and ``customers.signup_date``
  (ISO, ``DD/MM/YYYY HH:MM`` and ``YYYY年M月D日``), stored as text.

The faults are recorded in ``truth["faults"]`` (counts), so a cleaning exercise
can be checked. A faulty dataset does not pass :func:`crmlab.schema.validate_dataset`
- that is the point.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..config import Scenario
from ._streams import rng_for

__all__ = ["add_faults", "FAULT_RATES"]

FAULT_RATES = dict(guest_share=0.05, negative_lines=0.015, duplicate_items=0.03, duplicate_orders=0.01,
                   mixed_dates=0.2)


def _mixed_dates(rng: np.random.Generator, ts: pd.Series, share: float, with_time: bool) -> tuple[pd.Series, int]:
    iso = ts.dt.strftime("%Y-%m-%d %H:%M:%S" if with_time else "%Y-%m-%d")
    u = rng.random(len(ts))
    dmy = ts.dt.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")
    zh = ts.dt.year.astype(str) + "年" + ts.dt.month.astype(str) + "月" + ts.dt.day.astype(str) + "日"
    out = iso.where(u >= share / 2, dmy).where(~((u >= share / 2) & (u < share)), zh)
    return out.astype("str"), int((u < share).sum())


def add_faults(scenario: Scenario, tables: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Return faulty copies of the tables and a log of what was done."""
    rng = rng_for(scenario.seed, "faults")
    r = FAULT_RATES
    out = dict(tables)
    orders = tables["orders"].copy()
    items = tables["order_items"].copy()
    customers = tables["customers"].copy()
    log: dict[str, Any] = {"rates": dict(r)}

    guest = rng.random(len(orders)) < r["guest_share"]
    orders["customer_id"] = orders["customer_id"].where(~guest, None)
    log["orders_missing_customer_id"] = int(guest.sum())

    neg = np.flatnonzero(rng.random(len(items)) < r["negative_lines"])
    cancel = items.iloc[neg].copy()
    cancel["quantity"] = -cancel["quantity"]
    cancel["line_no"] = cancel["line_no"] + 100
    log["order_items_negative_quantity"] = int(len(cancel))

    dup_i = np.flatnonzero(rng.random(len(items)) < r["duplicate_items"])
    items = pd.concat([items, cancel, items.iloc[dup_i]], ignore_index=True)
    items = items.iloc[np.argsort(items["order_id"].to_numpy(), kind="stable")].reset_index(drop=True)
    log["order_items_duplicate_rows"] = int(len(dup_i))

    dup_o = np.flatnonzero(rng.random(len(orders)) < r["duplicate_orders"])
    orders_ts = orders["order_ts"]
    orders["order_ts"], n_mixed = _mixed_dates(rng, orders_ts, r["mixed_dates"], with_time=True)
    orders = pd.concat([orders, orders.iloc[dup_o]], ignore_index=True)
    orders = orders.iloc[np.argsort(orders["order_id"].to_numpy(), kind="stable")].reset_index(drop=True)
    log["orders_duplicate_rows"] = int(len(dup_o))
    log["orders_order_ts_non_iso"] = n_mixed

    customers["signup_date"], n_mixed_c = _mixed_dates(rng, customers["signup_date"], r["mixed_dates"], with_time=False)
    log["customers_signup_date_non_iso"] = n_mixed_c

    out.update(orders=orders, order_items=items, customers=customers)
    return out, log
