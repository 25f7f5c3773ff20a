"""The shared vocabulary of the retailer's data, and the rules every layer applies the same way.

The simulator writes these codes, the data contract allows them, the importers
map real extracts onto them and the analysis reads them: they are defined
once, here. So are two rules that must not differ between modules:

* **which orders count** as purchases (:data:`COUNTED_STATUSES`, used through
  :func:`counted_orders`; every analysis function that selects orders takes a
  ``statuses`` parameter with this default);
* **what an order is worth** (:func:`line_values`, :func:`order_values`).

The retail calendar lives here too, because the simulator plants its peaks and
the analysis marks and measures them: Chinese New Year's dates
(:data:`CHINESE_NEW_YEAR`), the fixed-date shopping festivals
(:data:`FESTIVAL_DAYS`), the promotion periods around them
(:data:`SALES_PERIODS`) and :func:`festival_dates`.

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

import datetime as dt
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
    "CHINESE_NEW_YEAR",
    "FESTIVAL_DAYS",
    "AC_PEAK_SEASON",
    "in_ac_peak",
    "SALES_PERIODS",
    "counted_orders",
    "line_values",
    "order_values",
    "festival_dates",
    "TIERED_CATEGORIES",
    "N_PRICE_TIERS",
    "price_tiers",
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


#: Chinese New Year's day (春节, first day of the lunar year), 2010-2031.
CHINESE_NEW_YEAR: dict[int, dt.date] = {
    2010: dt.date(2010, 2, 14), 2011: dt.date(2011, 2, 3), 2012: dt.date(2012, 1, 23),
    2013: dt.date(2013, 2, 10), 2014: dt.date(2014, 1, 31), 2015: dt.date(2015, 2, 19),
    2016: dt.date(2016, 2, 8), 2017: dt.date(2017, 1, 28), 2018: dt.date(2018, 2, 16),
    2019: dt.date(2019, 2, 5), 2020: dt.date(2020, 1, 25), 2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13), 2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23),
}

#: Fixed-date shopping festivals: code -> (month, day) of the peak day.
FESTIVAL_DAYS: dict[str, tuple[int, int]] = {"618": (6, 18), "double11": (11, 11), "double12": (12, 12)}

#: Promotion and holiday periods with fixed dates: code -> (month, first day, last day).
SALES_PERIODS: dict[str, tuple[int, int, int]] = {
    "labour_day": (5, 1, 5),
    "618": (6, 1, 18),
    "national_day": (10, 1, 7),
    "double11": (11, 1, 14),
    "double12": (12, 12, 12),
}


def festival_dates(first: str | dt.date | pd.Timestamp, last: str | dt.date | pd.Timestamp) -> pd.DataFrame:
    """The festival days between ``first`` and ``last`` (both included): Chinese New Year and :data:`FESTIVAL_DAYS`.

    Examples
    --------
    >>> festival_dates("2024-01-01", "2024-12-31")
               festival       date
    0  chinese_new_year 2024-02-10
    1               618 2024-06-18
    2          double11 2024-11-11
    3          double12 2024-12-12
    """
    a, b = pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize()
    rows = []
    for year in range(a.year, b.year + 1):
        if year in CHINESE_NEW_YEAR:
            rows.append(("chinese_new_year", pd.Timestamp(CHINESE_NEW_YEAR[year])))
        rows += [(code, pd.Timestamp(year, m, d)) for code, (m, d) in FESTIVAL_DAYS.items()]
    out = pd.DataFrame(rows, columns=["festival", "date"])
    out = out[(out["date"] >= a) & (out["date"] <= b)]
    return out.sort_values(["date", "festival"], kind="stable").reset_index(drop=True)


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


# ----------------------------------------------------------------------------- service promises
#: The air-conditioner peak season (空调旺季): the first half of July, when the course's Suning
#: case says the 24-hour installation promise becomes empty words ("旺季时间只有10-15天").
#: (first day, last day) as (month, day), both included.
AC_PEAK_SEASON: tuple[tuple[int, int], tuple[int, int]] = ((7, 1), (7, 15))


def in_ac_peak(ts) -> np.ndarray:
    """True for the dates that fall in the air-conditioner peak season (:data:`AC_PEAK_SEASON`).

    Examples
    --------
    >>> import pandas as pd
    >>> in_ac_peak(pd.Series(pd.to_datetime(["2024-07-03 10:00", "2024-07-16 09:00", "2025-07-15 23:00"]))).tolist()
    [True, False, True]
    """
    d = pd.to_datetime(pd.Series(ts))
    md = d.dt.month.to_numpy() * 100 + d.dt.day.to_numpy()
    (m0, d0), (m1, d1) = AC_PEAK_SEASON
    return (md >= m0 * 100 + d0) & (md <= m1 * 100 + d1)


# ----------------------------------------------------------------------------- price tiers (up-sell)
#: Categories whose products come in price tiers a customer can trade up or down between
#: (购买升级): the big-ticket appliances and devices. Small appliances and accessories mix
#: different products, so "a higher tier" means nothing there.
TIERED_CATEGORIES: tuple[str, ...] = ("tv", "fridge", "washer", "ac", "phone", "laptop")
#: Number of price tiers per tiered category.
N_PRICE_TIERS = 3


def price_tiers(products: pd.DataFrame, n_tiers: int = N_PRICE_TIERS,
                categories: Sequence[str] = TIERED_CATEGORIES) -> pd.Series:
    """Price tier of each product: 1 (cheapest third of its category's assortment) .. ``n_tiers``.

    Within each category of ``categories`` the products are ranked by
    ``list_price`` (ties by ``sku``) and cut into ``n_tiers`` groups of (nearly)
    equal numbers of products; the tier of rank ``r`` (0-based) among ``m``
    products is ``1 + floor(n_tiers * r / m)``. Products of other categories get
    ``<NA>``. The simulator plants the up-sell on these tiers and the up-sell
    estimators read them, so both use the same rule.

    Parameters
    ----------
    products : DataFrame
        ``sku``, ``category``, ``list_price``.
    n_tiers : int, default :data:`N_PRICE_TIERS`
    categories : sequence of str, default :data:`TIERED_CATEGORIES`

    Returns
    -------
    Series of Int64, aligned with ``products``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"sku": list("abcdef"), "category": ["tv"] * 5 + ["accessory"],
    ...                   "list_price": [999.0, 4999, 2999, 1999, 7999, 49]})
    >>> price_tiers(p).tolist()
    [1, 2, 2, 1, 3, <NA>]
    """
    missing = [c for c in ("sku", "category", "list_price") if c not in products.columns]
    if missing:
        raise ValueError(f"products is missing column(s): {', '.join(missing)}")
    out = pd.Series(pd.NA, index=products.index, dtype="Int64")
    sel = products["category"].isin(list(categories)).fillna(False).astype(bool)
    p = products.loc[sel, ["sku", "category", "list_price"]].sort_values(["category", "list_price", "sku"],
                                                                        kind="stable")
    rank = p.groupby("category").cumcount().to_numpy()
    size = p.groupby("category")["sku"].transform("size").to_numpy()
    out.loc[p.index] = 1 + (n_tiers * rank) // size
    return out
