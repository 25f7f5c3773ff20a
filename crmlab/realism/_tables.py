"""What the realism checks read from a dataset: its tables, and the orders that count as purchases.

The realism functions take a :class:`~crmlab.dataset.Dataset` or any mapping
of table name -> DataFrame (a real extract may lack tables, and its dates may
still be text); these two helpers are the one place that decides how.

Examples
--------
>>> import pandas as pd
>>> orders = pd.DataFrame({"order_id": ["a", "b", "c"], "customer_id": ["x", None, "y"],
...                        "order_ts": ["2024-01-01", "2024-01-02", "2024-01-03"],
...                        "status": ["completed", "completed", "cancelled"]})
>>> get_table({"orders": orders}, "survey") is None
True
>>> purchases(get_table({"orders": orders}, "orders"))["order_id"].tolist()
['a']
"""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from .._checks import as_datetimes
from ..domain import COUNTED_STATUSES, counted_orders

__all__ = ["get_table", "order_times", "purchases"]


def get_table(data: Any, name: str) -> pd.DataFrame | None:
    """Table ``name`` of ``data`` (a Dataset or a mapping), or None when it has none."""
    try:
        t = data[name]
    except (KeyError, TypeError):
        return None
    return t if isinstance(t, pd.DataFrame) else None


def order_times(orders: pd.DataFrame) -> pd.Series:
    """``orders.order_ts`` as datetimes; text in any format pandas reads, the rest ``NaT`` (faulty extracts)."""
    return as_datetimes(orders["order_ts"], "orders.order_ts", errors="coerce")


def purchases(orders: pd.DataFrame, statuses: Sequence[str] | None = COUNTED_STATUSES) -> pd.DataFrame:
    """The orders that count (:func:`crmlab.domain.counted_orders`) and have a customer id.

    ``order_ts`` is returned as datetimes (:func:`order_times`).
    """
    o = orders.dropna(subset=["customer_id"])
    return counted_orders(o.assign(order_ts=order_times(o)), statuses)
