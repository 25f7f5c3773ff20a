"""The shared vocabulary of the retailer's data, and the rules every layer applies the same way.

The simulator writes these codes, the data contract allows them, the importers
map real extracts onto them and the analysis reads them: they are defined
once, here. So are two rules that must not differ between modules:

* **which orders count** as purchases (:data:`COUNTED_STATUSES`, used through
  :func:`counted_orders`; every analysis function that selects orders takes a
  ``statuses`` parameter with this default);
* **what an order is worth** (:func:`line_values`, :func:`order_values`).

Codes are English snake_case so that tables and plots need no CJK font;
Chinese display names come from the locale.

Examples
--------
>>> import pandas as pd
>>> from crmlab.domain import counted_orders, order_values
>>> orders = pd.DataFrame({"order_id": ["o1", "o2"], "status": ["completed", "cancelled"]})
>>> counted_orders(orders)["order_id"].tolist()
['o1']
>>> items = pd.DataFrame({"order_id": ["o1", "o1"], "quantity": [1, 2], "unit_price": [100.0, 5.0],
...                       "discount": [10.0, None]})
>>> order_values(orders, items).tolist()
[100.0, 0.0]
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "CATEGORIES",
    "MAIN_CATEGORIES",
    "CHANNELS",
    "ORDER_STATUSES",
    "COUNTED_STATUSES",
    "PAYMENTS",
    "EVENT_TYPES",
    "FAILURE_KINDS",
    "STORE_FORMATS",
    "TIERS",
    "counted_orders",
    "line_values",
    "order_values",
]

#: Product categories of the data contract, in a fixed order used everywhere.
CATEGORIES: tuple[str, ...] = (
    "tv",
    "fridge",
    "washer",
    "ac",
    "phone",
    "laptop",
    "small_appliance",
    "accessory",
    "service",
)

#: Categories whose main item can be bought as the first line of an order.
MAIN_CATEGORIES: tuple[str, ...] = CATEGORIES[:8]

#: Sales channels: physical stores (incl. community stores), the website, the app.
CHANNELS: tuple[str, ...] = ("store", "web", "app")

#: Order statuses.
ORDER_STATUSES: tuple[str, ...] = ("completed", "cancelled", "returned")

#: The orders that count as purchases unless a caller says otherwise.
COUNTED_STATUSES: tuple[str, ...] = ("completed",)

#: Payment methods.
PAYMENTS: tuple[str, ...] = ("alipay", "wechat_pay", "bank_card", "suning_pay", "cash", "installment")

#: Service event codes (index = code in the simulator).
EVENT_TYPES: tuple[str, ...] = (
    "late_delivery",
    "failed_delivery",
    "failed_installation",
    "price_change_cancel",
    "expired_coupon",
    "complaint",
)

#: Kinds of service failure whose churn hazard ratio is planted and estimated, in the order of
#: ``truth.json``'s ``churn.hazard_ratios``; ``unresolved_complaint`` is a ``complaint`` event
#: with ``resolved == False``.
FAILURE_KINDS: tuple[str, ...] = (
    "price_change_cancel",
    "failed_delivery",
    "failed_installation",
    "unresolved_complaint",
    "expired_coupon",
    "late_delivery",
)

#: Store formats.
STORE_FORMATS: tuple[str, ...] = ("flagship", "standard", "community")

#: Loyalty tiers, lowest first.
TIERS: tuple[str, ...] = ("standard", "gold", "platinum")


def counted_orders(orders: pd.DataFrame, statuses: Sequence[str] | None = COUNTED_STATUSES) -> pd.DataFrame:
    """The orders that count as purchases: those whose ``status`` is in ``statuses``.

    Parameters
    ----------
    orders : DataFrame
        The orders table (any extra columns are kept).
    statuses : sequence of str or None, default :data:`COUNTED_STATUSES`
        Statuses to keep; ``None`` keeps every order. A table without a
        ``status`` column (some real extracts) is returned whole.
    """
    if statuses is None or "status" not in orders.columns:
        return orders
    if isinstance(statuses, str):
        statuses = (statuses,)
    return orders[orders["status"].isin(list(statuses)).fillna(False).astype(bool)]


def line_values(order_items: pd.DataFrame) -> pd.Series:
    """Net value of each order line: ``quantity * unit_price - discount`` (missing discount = 0)."""
    missing = [c for c in ("order_id", "quantity", "unit_price") if c not in order_items.columns]
    if missing:
        raise ValueError(f"order_items is missing column(s): {', '.join(missing)}")
    disc = order_items["discount"].astype(float).fillna(0.0) if "discount" in order_items else 0.0
    return order_items["quantity"].astype(float) * order_items["unit_price"].astype(float) - disc


def order_values(orders: pd.DataFrame, order_items: pd.DataFrame | None = None) -> pd.Series:
    """Value per order: ``orders.order_value``, filled in from the lines where it is missing.

    Real extracts often lack ``order_value``; it is then the sum of :func:`line_values`
    of the order's lines (0 for an order without lines).

    Raises
    ------
    ValueError
        Neither ``orders.order_value`` nor ``order_items`` is available.
    """
    if "order_value" in orders:
        value = orders["order_value"].astype(float)
        if not value.isna().any():
            return value
    elif order_items is None:
        raise ValueError("orders has no 'order_value' column; pass order_items to compute order values")
    else:
        value = pd.Series(np.nan, index=orders.index)
    if order_items is not None:
        by_order = line_values(order_items).groupby(order_items["order_id"]).sum()
        value = value.fillna(orders["order_id"].map(by_order))
    return value.fillna(0.0)
