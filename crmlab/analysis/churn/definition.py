"""Defining churn for a retailer without contracts: gaps, the inactivity window, labels, failures.

A retailer never learns that a customer has left: there is no contract to
cancel, only orders that stop coming. Churn is therefore *defined*: a
customer has churned at a cutoff when no order follows within an inactivity
window, and the window is read off the distribution of inter-purchase gaps.

* :func:`interpurchase_gaps` - days between consecutive orders of a customer;
* :func:`suggest_window` - an inactivity window covering a share of the gaps,
  corrected for right truncation;
* :func:`churn_labels` - churned or not at a cutoff;
* :func:`failure_counts` - service failures per order and kind (the drivers
  whose hazard ratios :mod:`crmlab.analysis.churn.dropout` estimates);
* :func:`churn_by_failure` - the naive view: churn rates of customers with
  and without each failure, with intervals of the difference.

Functions that select orders take ``statuses`` (default
:data:`crmlab.domain.COUNTED_STATUSES`); dates are always parameters.

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis.churn.definition import churn_labels
>>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "status": "completed",
...     "order_ts": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-01-20"])})
>>> churn_labels(orders, cutoff="2024-01-31", window_days=30)["churned"].to_dict()
{'a': False, 'b': True}
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..._checks import as_datetimes, as_timestamp, positive_int, require_columns
from ...domain import COUNTED_STATUSES, FAILURE_KINDS
from .._churn_common import days, failure_kind, purchases
from .._results import DEFAULT_CONFIDENCE, z_value

__all__ = ["interpurchase_gaps", "suggest_window", "churn_labels", "failure_counts", "churn_by_failure"]


def interpurchase_gaps(orders: pd.DataFrame, *, statuses: Sequence[str] | None = COUNTED_STATUSES) -> pd.Series:
    """Days between consecutive orders of the same customer.

    Parameters
    ----------
    orders : DataFrame
        The ``orders`` table (``customer_id``, ``order_ts``, ``status``).
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Order statuses that count as purchases (``None`` keeps every order).

    Returns
    -------
    Series
        One value per repeat order, named ``gap_days`` and indexed by
        ``customer_id``: the days since the customer's previous order.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...                        "order_ts": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-03-01", "2024-02-01"]),
    ...                        "status": "completed"})
    >>> interpurchase_gaps(orders).tolist()
    [10.0, 50.0]
    """
    o = purchases(orders, statuses).sort_values(["customer_id", "order_ts"], kind="stable")
    gap = o.groupby("customer_id", sort=False)["order_ts"].diff()
    keep = gap.notna()
    return pd.Series(days(gap[keep]), index=pd.Index(o.loc[keep, "customer_id"].to_numpy(), name="customer_id"),
                     name="gap_days")


def suggest_window(
    orders: pd.DataFrame,
    quantile: float = 0.9,
    *,
    as_of: Any = None,
    correct_truncation: bool = True,
    statuses: Sequence[str] | None = COUNTED_STATUSES,
) -> int:
    """An inactivity window for defining churn, from the distribution of gaps.

    A customer is called churned after ``window`` days without an order; the
    window is chosen so that only ``1 - quantile`` of returning customers take
    longer than that to come back.

    Parameters
    ----------
    orders : DataFrame
        The ``orders`` table.
    quantile : float
        Share of inter-purchase gaps the window should cover (0.5-0.99).
    as_of : date-like, optional
        End of the observation period (default: the last order's time).
    correct_truncation : bool
        Correct for right truncation (see Notes); recommended.
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Order statuses that count as purchases.

    Returns
    -------
    int
        The window in days (the weighted quantile, rounded up).

    Notes
    -----
    A gap that starts ``F`` days before the end of the data can only be seen
    if it is shorter than ``F``: long gaps are under-represented, and the
    plain quantile of observed gaps is too short (on a two-year extract by a
    factor of about 1.6 at the 90th percentile). If the follow-up ``F`` is
    independent of the gap ``G``, an observed gap ``g`` has density
    ``f(g) P(F >= g)``, so weighting each observed gap by
    ``1 / P_hat(F >= g)`` - where ``P_hat`` is the share of all orders with
    at least ``g`` days of follow-up - recovers ``f`` (inverse-probability
    weighting for right truncation; Lagakos, Barraj & De Gruttola 1988).
    Gaps longer than the data span cannot be recovered at all.

    Examples
    --------
    >>> import pandas as pd
    >>> gaps = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    >>> orders = pd.DataFrame({"customer_id": [f"c{i}" for i in range(10) for _ in range(2)],
    ...     "order_ts": [pd.Timestamp("2024-01-01") + pd.Timedelta(days=d * k) for d in gaps for k in (0, 1)],
    ...     "status": "completed"})
    >>> suggest_window(orders, 0.9, correct_truncation=False)
    90
    """
    if not 0.5 <= quantile <= 0.99:
        raise ValueError(f"quantile: must be in [0.5, 0.99] (got {quantile!r})")
    o = purchases(orders, statuses).sort_values(["customer_id", "order_ts"], kind="stable")
    end = o["order_ts"].max() if as_of is None else as_timestamp(as_of, "as_of")
    nxt = o.groupby("customer_id", sort=False)["order_ts"].shift(-1)
    gap = days(nxt - o["order_ts"])
    seen = ~np.isnan(gap)
    if seen.sum() < 5:
        raise ValueError(f"orders: at least 5 repeat orders are needed to suggest a window (found {int(seen.sum())})")
    g = gap[seen]
    w = np.ones_like(g)
    if correct_truncation:
        follow = np.sort(days(end - o["order_ts"]))
        p_obs = 1.0 - np.searchsorted(follow, g, side="left") / len(follow)
        w = 1.0 / np.maximum(p_obs, 1.0 / len(follow))
    order = np.argsort(g, kind="stable")
    cw = np.cumsum(w[order]) / w.sum()
    q = g[order][min(np.searchsorted(cw, quantile, side="left"), len(g) - 1)]
    return int(np.ceil(q))


def churn_labels(
    orders: pd.DataFrame,
    *,
    cutoff: Any,
    window_days: int,
    as_of: Any = None,
    statuses: Sequence[str] | None = COUNTED_STATUSES,
) -> pd.DataFrame:
    """Churn labels at a cutoff: no order in the ``window_days`` after it.

    Parameters
    ----------
    orders : DataFrame
        The ``orders`` table.
    cutoff : date-like
        The scoring date. Customers with at least one order at or before
        ``cutoff`` are labelled.
    window_days : int
        Length of the outcome window ``(cutoff, cutoff + window_days]``.
    as_of : date-like, optional
        End of the data; the outcome window must end by then. Default: the
        day after the last order.
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Order statuses that count as purchases.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (sorted), with ``last_order`` (before the
        cutoff), ``n_orders_after`` (in the outcome window) and ``churned``
        (bool: ``n_orders_after == 0``).

    Raises
    ------
    ValueError
        If the outcome window ends after the end of the data (the label
        would not be observed), or no customer is active.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b", "c"],
    ...     "order_ts": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-01-20", "2024-06-30"]),
    ...     "status": "completed"})
    >>> churn_labels(orders, cutoff="2024-01-31", window_days=90)["churned"].to_dict()
    {'a': False, 'b': True}
    """
    cut = as_timestamp(cutoff, "cutoff")
    w = positive_int(window_days, "window_days")
    o = purchases(orders, statuses)
    end = cut + pd.Timedelta(days=w)
    if as_of is None:
        data_end = o["order_ts"].max().normalize() + pd.Timedelta(days=1)
    else:
        data_end = as_timestamp(as_of, "as_of")
    if end > data_end:
        raise ValueError(f"window_days: the outcome window ends {end.date()}, after the end of the data "
                         f"({data_end.date()}); choose an earlier cutoff or a shorter window")
    before = o[o["order_ts"] <= cut]
    if before.empty:
        raise ValueError(f"orders: no customer has an order at or before the cutoff {cut.date()}")
    last = before.groupby("customer_id")["order_ts"].max()
    after = o[(o["order_ts"] > cut) & (o["order_ts"] <= end)]
    n_after = after.groupby("customer_id").size().reindex(last.index, fill_value=0)
    out = pd.DataFrame({"last_order": last, "n_orders_after": n_after.astype(np.int64)})
    out["churned"] = out["n_orders_after"] == 0
    out.index.name = "customer_id"
    return out.sort_index()


def failure_counts(service_events: pd.DataFrame, kinds: Sequence[str] = FAILURE_KINDS) -> pd.DataFrame:
    """Count service failures per order and kind.

    Parameters
    ----------
    service_events : DataFrame
        The ``service_events`` table (``order_id``, ``event_type``, and
        ``resolved`` for complaints).
    kinds : sequence of str, default :data:`crmlab.domain.FAILURE_KINDS`
        Kinds to count; ``unresolved_complaint`` (complaint with
        ``resolved == False``) and ``resolved_complaint`` are derived from
        ``complaint`` events, other kinds are event types.

    Returns
    -------
    DataFrame
        Indexed by ``order_id``, one integer column per kind. Events without
        an ``order_id`` are left out (see
        :func:`~crmlab.analysis.churn.dropout.fit_dropout_model`, which
        attaches them to the customer's latest order).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"order_id": ["o1", "o1", "o2"], "event_type": ["late_delivery", "complaint", "complaint"],
    ...                    "resolved": pd.array([None, False, True], dtype="boolean")})
    >>> failure_counts(ev, ["late_delivery", "unresolved_complaint"]).to_dict("index")
    {'o1': {'late_delivery': 1, 'unresolved_complaint': 1}}
    """
    require_columns(service_events, ["order_id", "event_type"], table="service_events", non_empty=True)
    ev = service_events[service_events["order_id"].notna()]
    kind = failure_kind(ev)
    ev = ev.assign(kind=kind)[kind.isin(list(kinds))]
    if ev.empty:
        return pd.DataFrame(columns=list(kinds), index=pd.Index([], name="order_id"), dtype=np.int64)
    out = pd.crosstab(ev["order_id"], ev["kind"]).reindex(columns=list(kinds), fill_value=0)
    out.columns.name = None
    return out.astype(np.int64)


def churn_by_failure(
    labels: pd.DataFrame,
    service_events: pd.DataFrame,
    *,
    cutoff: Any,
    kinds: Sequence[str] = FAILURE_KINDS,
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Observed churn of customers with and without each kind of service failure (the naive view).

    Parameters
    ----------
    labels : DataFrame
        Churn labels at ``cutoff`` (:func:`churn_labels`: ``churned`` by ``customer_id``).
    service_events : DataFrame
        The ``service_events`` table (``customer_id``, ``event_ts``,
        ``event_type``, ``resolved``).
    cutoff : date-like
        The labels' cutoff: only failures at or before it count (a failure in
        the outcome window needs an order there, so it would mark
        non-churners).
    kinds : sequence of str, default :data:`crmlab.domain.FAILURE_KINDS`
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        Indexed by ``kind`` (each kind, then ``any``: at least one failure of
        the kinds): ``n_with``, ``n_without``, ``churn_with``,
        ``churn_without`` (churn rates), ``difference`` (with minus
        without) and its normal interval ``ci_low``, ``ci_high``
        (unpooled standard error).

    Notes
    -----
    A comparison, not an effect: customers who buy more have more orders,
    hence more failures, *and* churn less, so the difference mixes the
    failure's effect with purchase frequency (the frailty trap). The hazard
    ratios of :func:`~crmlab.analysis.churn.dropout.failure_hazard_ratios`
    separate the two.

    Examples
    --------
    >>> import pandas as pd
    >>> labels = pd.DataFrame({"churned": [True, True, False, False]}, index=list("abcd"))
    >>> ev = pd.DataFrame({"customer_id": ["c", "d"], "event_ts": pd.to_datetime(["2024-01-02", "2024-01-03"]),
    ...                    "event_type": ["late_delivery", "late_delivery"]})
    >>> t = churn_by_failure(labels, ev, cutoff="2024-02-01", kinds=["late_delivery"])
    >>> t.loc["late_delivery", ["n_with", "churn_with", "churn_without", "difference"]].tolist()
    [2.0, 0.0, 1.0, -1.0]
    """
    z = z_value(confidence_level)
    cut = as_timestamp(cutoff, "cutoff")
    require_columns(labels, ["churned"], table="labels", non_empty=True)
    require_columns(service_events, ["customer_id", "event_ts", "event_type"], table="service_events")
    ev = service_events[as_datetimes(service_events["event_ts"], "service_events.event_ts") <= cut]
    ev = ev.assign(kind=failure_kind(ev))
    ev = ev[ev["kind"].isin(list(kinds)) & ev["customer_id"].isin(labels.index)]
    had = pd.crosstab(ev["customer_id"], ev["kind"]).reindex(index=labels.index, columns=list(kinds), fill_value=0) > 0
    had["any"] = had.any(axis=1)
    y = labels["churned"].astype(bool).to_numpy()
    rows = {}
    for k in had.columns:
        m = had[k].to_numpy()
        n1, n0 = int(m.sum()), int((~m).sum())
        p1 = y[m].mean() if n1 else np.nan
        p0 = y[~m].mean() if n0 else np.nan
        se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0) if n1 and n0 else np.nan
        d = p1 - p0
        rows[k] = dict(n_with=n1, n_without=n0, churn_with=p1, churn_without=p0, difference=d,
                       ci_low=d - z * se, ci_high=d + z * se)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "kind"
    return out
