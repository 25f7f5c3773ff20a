"""Stylized facts of a retail dataset: the numbers realism is judged by.

Works on any dataset that follows the data contract (synthetic or a real
extract); facts whose tables are missing are reported as ``None``. Never
reads the truth.

Examples
--------
>>> import pandas as pd
>>> orders = pd.DataFrame({"order_id": ["a", "b", "c"], "customer_id": ["x", "x", "y"],
...                        "order_ts": ["2024-01-01", "2024-01-11", "2024-01-05"],
...                        "status": ["completed", "completed", "cancelled"], "order_value": [10.0, 30.0, 5.0]})
>>> facts = stylized_facts({"orders": orders})
>>> facts["n_purchasers"], facts["median_interpurchase_days"], facts["cancelled_share"]
(1, 10.0, 0.3333)
>>> FACT_LABELS["n_purchasers"]
'customers with a completed order'
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..domain import COUNTED_STATUSES, order_values
from ._tables import get_table, order_times, purchases

__all__ = ["stylized_facts", "FACT_LABELS"]

#: Human-readable label of each fact (for tables and plots).
FACT_LABELS: dict[str, str] = {
    "n_customers": "customers",
    "n_purchasers": "customers with a completed order",
    "n_orders": "orders",
    "date_min": "first order",
    "date_max": "last order",
    "one_time_buyer_share": "one-time buyers (share of purchasers)",
    "top20_revenue_share": "revenue share of the top 20% of customers",
    "orders_per_customer": "orders per purchaser (mean)",
    "median_interpurchase_days": "median days between orders",
    "p90_interpurchase_days": "90th percentile of days between orders",
    "lines_per_order": "lines per order (mean)",
    "single_line_share": "single-line orders (share)",
    "cancelled_share": "cancelled orders (share)",
    "returned_share": "returned orders (share)",
    "seasonality_peak_ratio": "revenue of the best month / mean month",
    "november_ratio": "November revenue / mean month",
    "app_share_first_year": "app share of orders, first 12 months",
    "app_share_last_year": "app share of orders, last 12 months",
    "survey_top2box": "survey top-2-box share (all 1-5 items)",
    "survey_mean_item": "survey mean item score",
    "late_delivery_rate": "late deliveries per delivered order",
}


def stylized_facts(data: Mapping[str, pd.DataFrame] | Any, *,
                   statuses: Sequence[str] | None = COUNTED_STATUSES) -> dict[str, Any]:
    """Compute the stylized facts of a dataset.

    Parameters
    ----------
    data : Dataset or mapping of table name -> DataFrame
        Needs at least ``orders``; ``order_items``, ``customers`` and
        ``survey`` add more facts.
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Orders that count as purchases (for purchasers, revenue, seasonality
        and inter-purchase times); ``None`` counts every order.

    Returns
    -------
    dict
        Keys of :data:`FACT_LABELS`; a fact that cannot be computed is ``None``.

    Examples
    --------
    >>> import crmlab
    >>> facts = stylized_facts(crmlab.make_retail_crm("tiny", seed=1))
    >>> 0 < facts["one_time_buyer_share"] < 1
    True
    """
    out: dict[str, Any] = {k: None for k in FACT_LABELS}
    orders = get_table(data, "orders")
    customers = get_table(data, "customers")
    items = get_table(data, "order_items")
    survey = get_table(data, "survey")
    if customers is not None:
        out["n_customers"] = int(len(customers))
    if orders is None or orders.empty:
        return out
    orders = orders.assign(order_ts=order_times(orders))
    done = purchases(orders, statuses)
    out["n_orders"] = int(len(orders))
    ts = orders["order_ts"]
    out["date_min"] = str(ts.min().date())
    out["date_max"] = str(ts.max().date())
    per = done.groupby("customer_id").size()
    out["n_purchasers"] = int(len(per))
    if len(per):
        out["one_time_buyer_share"] = round(float((per == 1).mean()), 4)
        out["orders_per_customer"] = round(float(per.mean()), 3)
    value = _order_values(done, items)
    if value is not None and len(value):
        rev = value.groupby(done["customer_id"]).sum().sort_values(ascending=False)
        k = max(1, int(np.ceil(0.2 * len(rev))))
        out["top20_revenue_share"] = round(float(rev.iloc[:k].sum() / rev.sum()), 4)
        month = done["order_ts"].dt.to_period("M")
        by_month = value.groupby(month).sum()
        # only complete months
        by_month = by_month.iloc[1:-1] if len(by_month) > 3 else by_month
        if len(by_month):
            out["seasonality_peak_ratio"] = round(float(by_month.max() / by_month.mean()), 3)
            nov = by_month[by_month.index.month == 11]
            if len(nov):
                out["november_ratio"] = round(float(nov.mean() / by_month.mean()), 3)
    d = done.sort_values(["customer_id", "order_ts"])
    gaps = d.groupby("customer_id")["order_ts"].diff().dt.total_seconds().dropna() / 86400
    if len(gaps):
        out["median_interpurchase_days"] = round(float(gaps.median()), 1)
        out["p90_interpurchase_days"] = round(float(gaps.quantile(0.9)), 1)
    if items is not None and len(items):
        lines = items.groupby("order_id").size()
        out["lines_per_order"] = round(float(lines.mean()), 3)
        out["single_line_share"] = round(float((lines == 1).mean()), 4)
    if "status" in orders:
        out["cancelled_share"] = round(float(orders["status"].eq("cancelled").mean()), 4)
        out["returned_share"] = round(float(orders["status"].eq("returned").mean()), 4)
    if "channel" in orders:
        t = orders["order_ts"]
        first = orders[t < t.min() + pd.Timedelta(days=365)]
        last = orders[t > t.max() - pd.Timedelta(days=365)]
        out["app_share_first_year"] = round(float(first["channel"].eq("app").mean()), 4)
        out["app_share_last_year"] = round(float(last["channel"].eq("app").mean()), 4)
    events = get_table(data, "service_events")
    if events is not None and "channel" in orders:
        delivered = int((orders["channel"] != "store").sum())
        if delivered:
            out["late_delivery_rate"] = round(float(events["event_type"].eq("late_delivery").sum() / delivered), 4)
    if survey is not None and len(survey):
        cols = [c for c in survey.columns if c.split("_")[0] in ("adv", "price", "service", "quality")
                and c.split("_")[-1].isdigit()]
        if cols:
            vals = survey[cols].to_numpy(float).ravel()
            vals = vals[~np.isnan(vals)]
            out["survey_top2box"] = round(float((vals >= 4).mean()), 4)
            out["survey_mean_item"] = round(float(vals.mean()), 3)
    return out


def _order_values(orders: pd.DataFrame, items: pd.DataFrame | None) -> pd.Series | None:
    try:
        return order_values(orders, items)
    except ValueError:
        return None
