"""Helpers shared by the churn family of methods (``churn/``, ``survival``, ``clv/bgnbd``, ``uplift``).

Private to :mod:`crmlab.analysis`: which orders count as purchases (through
:func:`crmlab.domain.counted_orders`), time differences in days, binary labels
and scores, equal-count score bins, and the failure kind of a service event.
The input checks themselves are those of :mod:`crmlab._checks`.

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis._churn_common import purchases, bins_by_score
>>> orders = pd.DataFrame({"customer_id": ["a", "a"], "order_ts": ["2024-01-01", "2024-01-05"],
...                        "status": ["completed", "cancelled"]})
>>> purchases(orders)["order_ts"].dt.day.tolist()
[1]
>>> bins_by_score(pd.Series([0.1, 0.9, 0.5, 0.3]).to_numpy(), 2).tolist()
[2, 1, 1, 2]
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..domain import COUNTED_STATUSES, counted_orders
from .._checks import as_datetimes, require_columns

__all__ = [
    "DAYS_PER_YEAR",
    "days",
    "purchases",
    "binary",
    "scores",
    "bins_by_score",
    "failure_kind",
]

#: Days per year used to express times in years.
DAYS_PER_YEAR = 365.25
_SECONDS_PER_DAY = 86_400.0


def days(delta: pd.Series | pd.Timedelta) -> Any:
    """Timedelta(s) as float days (an ndarray for a Series)."""
    if isinstance(delta, pd.Series):
        return delta.dt.total_seconds().to_numpy(float) / _SECONDS_PER_DAY
    return delta.total_seconds() / _SECONDS_PER_DAY


def purchases(
    orders: pd.DataFrame,
    statuses: Sequence[str] | None = COUNTED_STATUSES,
    *,
    columns: Sequence[str] = (),
) -> pd.DataFrame:
    """The orders that count (:func:`crmlab.domain.counted_orders`) with a customer and a parsed ``order_ts``.

    Parameters
    ----------
    orders : DataFrame
        The ``orders`` table (``customer_id``, ``order_ts``; ``status`` if present).
    statuses : sequence of str or None
        Statuses that count; ``None`` keeps every order.
    columns : sequence of str
        Further columns the caller needs.

    Raises
    ------
    ValueError
        A column is missing, the table is empty, or ``order_ts`` holds text that is not ISO 8601.
    """
    require_columns(orders, ["customer_id", "order_ts", *columns], table="orders", non_empty=True)
    o = counted_orders(orders, statuses)
    o = o[o["customer_id"].notna() & o["order_ts"].notna()]
    return o.assign(order_ts=as_datetimes(o["order_ts"], "orders.order_ts"))


def binary(y: Any, name: str) -> np.ndarray:
    """A non-empty 1-d array of 0/1 (or bool) values, as float."""
    arr = np.asarray(y)
    if arr.ndim != 1 or len(arr) == 0:
        raise ValueError(f"{name}: expected a non-empty 1-d array")
    if pd.isna(arr).any():
        raise ValueError(f"{name}: contains missing values")
    vals = set(np.unique(arr.astype(float)).tolist())
    if not vals <= {0.0, 1.0}:
        raise ValueError(f"{name}: must be binary (0/1 or bool)")
    return arr.astype(float)


def scores(s: Any, n: int, name: str) -> np.ndarray:
    """A 1-d float array of length ``n`` without missing values."""
    arr = np.asarray(s, dtype=float)
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(f"{name}: expected a 1-d array of length {n}")
    if np.isnan(arr).any():
        raise ValueError(f"{name}: contains missing values")
    return arr


def bins_by_score(s: np.ndarray, n_bins: int) -> np.ndarray:
    """Equal-count bins after a stable sort by descending score: bin 1 holds the highest scores."""
    if not isinstance(n_bins, (int, np.integer)) or isinstance(n_bins, bool) or n_bins < 2:
        raise ValueError(f"n_bins: must be an integer >= 2 (got {n_bins!r})")
    if len(s) < n_bins:
        raise ValueError(f"need at least n_bins={n_bins} customers (got {len(s)})")
    order = np.argsort(-s, kind="stable")
    b = np.empty(len(s), np.int64)
    for i, part in enumerate(np.array_split(order, n_bins)):
        b[part] = i + 1
    return b


def failure_kind(service_events: pd.DataFrame) -> pd.Series:
    """Failure kind of each service event: its ``event_type``, with complaints split by ``resolved``.

    A ``complaint`` with ``resolved == False`` is an ``unresolved_complaint``
    (a kind of :data:`crmlab.domain.FAILURE_KINDS`), one with ``resolved ==
    True`` a ``resolved_complaint``; a complaint with a missing ``resolved``
    stays ``complaint``.
    """
    kind = service_events["event_type"].astype("str")
    if "resolved" in service_events.columns:
        res = service_events["resolved"].astype("boolean")
        unresolved = (kind == "complaint") & (res == False)  # noqa: E712  (NA stays NA -> False below)
        resolved = (kind == "complaint") & (res == True)  # noqa: E712
        kind = kind.where(~unresolved.fillna(False).to_numpy(bool), "unresolved_complaint")
        kind = kind.where(~resolved.fillna(False).to_numpy(bool), "resolved_complaint")
    return kind
