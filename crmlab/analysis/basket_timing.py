"""When are baskets filled? The share of baskets holding each item by time of day.

:func:`time_of_day_profile` compares, item by item, the share of baskets that
contain it inside a window of hours (the evening, by default, on the web and
the app) with the share outside it: a ratio above 1 says the item leans to
the window, which suggests *when* to show which recommendation. Baskets are
built by :func:`crmlab.analysis.basket.basket_matrix`.

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis.basket_timing import time_of_day_profile
>>> orders = pd.DataFrame({"order_id": ["a", "b"], "channel": "web", "status": "completed",
...                        "order_ts": ["2024-01-01 21:00", "2024-01-02 09:30"]})
>>> items = pd.DataFrame({"order_id": ["a", "b", "b"], "sku": ["phone", "phone", "tv"]})
>>> profile = time_of_day_profile(orders, items, level="sku")
>>> dict(zip(profile["item"], profile["ratio"]))
{'phone': 1.0, 'tv': 0.0}
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._checks import as_datetimes, require_columns
from ..domain import COUNTED_STATUSES
from ._results import DEFAULT_CONFIDENCE, z_value
from .basket import basket_matrix

__all__ = ["time_of_day_profile"]


def _in_hours(hour: np.ndarray, hours: tuple[int, int]) -> np.ndarray:
    h0, h1 = hours
    if h0 <= h1:
        return (hour >= h0) & (hour <= h1)
    return (hour >= h0) | (hour <= h1)


def time_of_day_profile(
    orders: pd.DataFrame,
    order_items: pd.DataFrame,
    products: pd.DataFrame | None = None,
    *,
    level: str = "category",
    hours: tuple[int, int] = (19, 23),
    channels: Sequence[str] | None = ("web", "app"),
    statuses: Sequence[str] | None = COUNTED_STATUSES,
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Share of baskets containing each item inside a time-of-day window vs outside it.

    Parameters
    ----------
    orders : DataFrame
        Order headers with ``order_id``, ``order_ts`` (local time, datetime
        or ISO 8601 text), ``status``, and ``channel`` when ``channels`` is
        given.
    order_items, products : DataFrame
        As in :func:`crmlab.analysis.basket.basket_matrix`.
    level : {"category", "subcategory", "sku"}
        Item level.
    hours : (int, int)
        First and last hour of the window, both included: ``(19, 23)`` is
        19:00-23:59. A window like ``(22, 2)`` wraps around midnight.
    channels : sequence of str or None
        Keep only orders of these channels (``None`` = all).
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Order statuses that count (``None``: every order).
    confidence_level : float, default 0.95
        Coverage of the interval of the ratio.

    Returns
    -------
    DataFrame
        One row per item: ``item``, ``count_window``, ``count_other``
        (baskets containing the item), ``share_window``, ``share_other``
        (as shares of all baskets in / outside the window), ``ratio =
        share_window / share_other`` and its interval ``ci_low``/``ci_high``
        (Katz's log interval of a ratio of two proportions:
        ``se(log ratio) = sqrt(1/a - 1/n1 + 1/b - 1/n0)``; NaN when a count
        is 0). Sorted by ratio, descending.

    Raises
    ------
    ValueError
        On missing columns, bad hours, or when one side of the window has no
        basket.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": ["a", "b", "c", "d"], "channel": "app", "status": "completed",
    ...     "order_ts": pd.to_datetime(["2024-01-01 20:15", "2024-01-01 21:00", "2024-01-02 10:00",
    ...                                 "2024-01-02 11:00"])})
    >>> items = pd.DataFrame({"order_id": ["a", "b", "c", "d"], "sku": ["phone", "phone", "phone", "tv"]})
    >>> time_of_day_profile(orders, items, level="sku")[["item", "share_window", "share_other", "ratio"]]
        item  share_window  share_other  ratio
    0  phone           1.0          0.5    2.0
    1     tv           0.0          0.5    0.0
    """
    h0, h1 = (int(h) for h in hours)
    if not (0 <= h0 <= 23 and 0 <= h1 <= 23):
        raise ValueError(f"hours must be two hours of the day in 0..23, got {hours}")
    require_columns(orders, ["order_id", "order_ts"] + (["channel"] if channels is not None else []), table="orders")
    sel = orders
    if channels is not None:
        sel = sel[sel["channel"].isin(list(channels))]
    m = basket_matrix(order_items, products, level=level, orders=sel, statuses=statuses)
    ts = as_datetimes(sel.set_index(sel["order_id"].astype(str))["order_ts"], "orders.order_ts")
    ts = ts[~ts.index.duplicated()].reindex(m.index)
    if ts.isna().any():
        raise ValueError(f"orders column 'order_ts' has {int(ts.isna().sum())} missing value(s)")
    inside = _in_hours(ts.dt.hour.to_numpy(), (h0, h1))
    if inside.all() or not inside.any():
        raise ValueError(f"no basket {'outside' if inside.all() else 'inside'} the hours {hours}; "
                         "cannot compare the window with the rest of the day")
    x = m.to_numpy()
    cw, co = x[inside].sum(axis=0), x[~inside].sum(axis=0)
    sw, so = cw / inside.sum(), co / (~inside).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(so > 0, sw / np.where(so > 0, so, 1.0), np.inf)
    n1, n0 = inside.sum(), (~inside).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(1 / cw - 1 / n1 + 1 / co - 1 / n0)
    se = np.where((cw > 0) & (co > 0), se, np.nan)
    z = z_value(confidence_level)
    out = pd.DataFrame({"item": np.asarray(m.columns, dtype=str), "count_window": cw.astype(np.int64),
                        "count_other": co.astype(np.int64), "share_window": sw, "share_other": so, "ratio": ratio,
                        "ci_low": ratio * np.exp(-z * se), "ci_high": ratio * np.exp(z * se)})
    return out.sort_values(["ratio", "item"], ascending=[False, True], kind="stable").reset_index(drop=True)
