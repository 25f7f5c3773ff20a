"""Service promises and complaint handling: compliance rates, complaints after failures, service recovery.

The Suning case promises delivery within 12 hours and installation within 24
hours (12小时送货上门、24小时安装到位). The order record says which promise applies
(``orders.home_delivery``, ``orders.installation``), the service events say
when it was missed (``late_delivery``, ``failed_installation``). Complaint
handling (投诉处理) follows the chain failure -> complaint -> resolution ->
follow-up call (回访, ``service_events.followed_up``).

* :func:`promise_compliance` - share of promises missed, by any grouping, with
  Wilson intervals; :func:`rate_difference` - the difference of two groups'
  rates with Newcombe's interval.
* :func:`complaint_after_failure` - how many customers with a failure complain
  (the "only 2-10% of dissatisfied customers complain" myth, tested).
* :func:`complaint_outcomes` - complaint, resolution and follow-up rates.
* :func:`recovery_events` and :func:`recovery_hazard_ratios` - does resolving
  a complaint, or calling back, change churn? Hazard ratios from the
  latent-dropout model of :mod:`crmlab.analysis.churn.dropout`, adjusted for
  the failures behind the complaints.

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis.service import promise_compliance
>>> orders = pd.DataFrame({"order_id": ["o1", "o2", "o3", "o4"], "channel": ["web", "web", "store", "app"],
...                        "home_delivery": [True, True, True, False]})
>>> events = pd.DataFrame({"order_id": ["o2"], "event_type": ["late_delivery"]})
>>> promise_compliance(orders, events)[["n_due", "n_missed", "miss_rate"]].round(3)
     n_due  n_missed  miss_rate
all      3         1      0.333
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._checks import require_columns
from ._proportions import newcombe_difference, wilson_interval
from ._results import DEFAULT_CONFIDENCE, Estimate, Result
from .churn.dropout import DropoutFit, fit_dropout_model

__all__ = ["PROMISES", "RECOVERY_KINDS", "promise_compliance", "rate_difference", "ComplaintShare",
           "complaint_after_failure", "complaint_outcomes", "recovery_events", "recovery_hazard_ratios"]

#: promise -> (column of ``orders`` saying that it applies, event type that says it was missed)
PROMISES: dict[str, tuple[str, str]] = {
    "delivery": ("home_delivery", "late_delivery"),
    "installation": ("installation", "failed_installation"),
}

#: Kinds of the service-recovery hazard model: the failures, the complaint split by its resolution,
#: and the follow-up call (回访) after a resolved complaint.
RECOVERY_KINDS: tuple[str, ...] = ("price_change_cancel", "failed_delivery", "failed_installation", "expired_coupon",
                                   "late_delivery", "unresolved_complaint", "resolved_complaint", "followup")

_FAILURES = ("late_delivery", "failed_delivery", "failed_installation", "price_change_cancel", "expired_coupon")


def _groups(orders: pd.DataFrame, by: Any) -> pd.Series:
    if by is None:
        return pd.Series("all", index=orders.index)
    if isinstance(by, str):
        require_columns(orders, [by], table="orders")
        return orders[by]
    return pd.Series(by, index=orders.index) if not isinstance(by, pd.Series) else by.reindex(orders.index)


def promise_compliance(orders: pd.DataFrame, service_events: pd.DataFrame, *, promise: str = "delivery",
                       by: str | pd.Series | np.ndarray | None = None,
                       confidence_level: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Share of service promises missed, overall or by group.

    Parameters
    ----------
    orders : DataFrame
        ``order_id`` and the promise's column (``home_delivery`` for
        ``promise="delivery"``, ``installation`` for ``"installation"``).
    service_events : DataFrame
        ``order_id, event_type``.
    promise : {"delivery", "installation"}
        The 12-hour delivery promise (missed = ``late_delivery``) or the
        24-hour installation promise (missed = ``failed_installation``).
    by : str, Series or array, optional
        A column of ``orders`` or values aligned with it (channel, city tier,
        peak season ...). Default: one row ``"all"``.
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        One row per group: ``n_due`` (orders the promise applied to),
        ``n_missed``, ``miss_rate`` with Wilson ``ci_low``/``ci_high``, and
        ``compliance`` = 1 - ``miss_rate``. Groups with no order due are left out.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": list("abcd"), "installation": [True, True, True, True],
    ...                        "tier": [1, 1, 5, 5]})
    >>> events = pd.DataFrame({"order_id": ["c", "d"], "event_type": ["failed_installation"] * 2})
    >>> promise_compliance(orders, events, promise="installation", by="tier")[["n_due", "miss_rate"]]
          n_due  miss_rate
    tier                  
    1         2        0.0
    5         2        1.0
    """
    if promise not in PROMISES:
        raise ValueError(f"promise must be one of {sorted(PROMISES)}, got {promise!r}")
    col, event = PROMISES[promise]
    require_columns(orders, ["order_id", col], table="orders")
    require_columns(service_events, ["order_id", "event_type"], table="service_events")
    due = orders[col].astype("boolean").fillna(False).to_numpy(bool)
    missed_ids = service_events.loc[service_events["event_type"] == event, "order_id"]
    missed = orders["order_id"].isin(missed_ids).to_numpy() & due
    g = _groups(orders, by)
    frame = pd.DataFrame({"group": g.to_numpy(), "due": due, "missed": missed})[due]
    table = frame.groupby("group", sort=True).agg(n_due=("due", "size"), n_missed=("missed", "sum"))
    table = table.astype("int64")
    table["miss_rate"] = table["n_missed"] / table["n_due"]
    lo, hi = wilson_interval(table["n_missed"].to_numpy(), table["n_due"].to_numpy(), confidence_level)
    table["ci_low"], table["ci_high"] = lo, hi
    table["compliance"] = 1 - table["miss_rate"]
    table.index.name = by if isinstance(by, str) else (getattr(by, "name", None) if by is not None else None)
    return table


def rate_difference(table: pd.DataFrame, a: Any, b: Any, *, k: str = "n_missed", n: str = "n_due",
                    confidence_level: float = DEFAULT_CONFIDENCE) -> Estimate:
    """Rate of row ``a`` minus rate of row ``b`` of a count table, with Newcombe's interval.

    Examples
    --------
    >>> t = pd.DataFrame({"n_missed": [30, 10], "n_due": [100, 100]}, index=["peak", "rest"])
    >>> e = rate_difference(t, "peak", "rest")
    >>> round(e.estimate, 2), e.excludes(0)
    (0.2, True)
    """
    est, lo, hi = newcombe_difference(float(table.loc[a, k]), float(table.loc[a, n]), float(table.loc[b, k]),
                                      float(table.loc[b, n]), confidence_level)
    return Estimate(est, lo, hi, confidence_level)


@dataclasses.dataclass(frozen=True)
class ComplaintShare(Result):
    """Share of failures (or of customers with a failure) followed by a complaint.

    Attributes
    ----------
    estimate : float
        Complaints / failures.
    ci_low, ci_high : float
        Wilson interval.
    n_failed : int
        Failed orders (``per="order"``) or customers with a failure (``per="customer"``).
    n_complained : int
    per : str
    confidence_level : float
    """

    estimate: float
    ci_low: float
    ci_high: float
    n_failed: int
    n_complained: int
    per: str
    confidence_level: float = DEFAULT_CONFIDENCE


def _failed_orders(service_events: pd.DataFrame, kinds: Sequence[str]) -> pd.DataFrame:
    """Orders with at least one failure of ``kinds``: order_id, customer_id, first failure time, complained."""
    require_columns(service_events, ["order_id", "customer_id", "event_ts", "event_type"], table="service_events")
    ev = service_events[service_events["order_id"].notna()]
    fail = ev[ev["event_type"].isin(list(kinds))]
    first = fail.groupby("order_id", sort=True).agg(customer_id=("customer_id", "first"),
                                                    failed_ts=("event_ts", "min"))
    complained = ev.loc[ev["event_type"] == "complaint", "order_id"].unique()
    return first.assign(complained=first.index.isin(complained))


def complaint_after_failure(service_events: pd.DataFrame, *, per: str = "customer",
                            kinds: Sequence[str] = _FAILURES,
                            confidence_level: float = DEFAULT_CONFIDENCE) -> ComplaintShare:
    """How many failures lead to a complaint: the "2-10% complain" figure, tested.

    Parameters
    ----------
    service_events : DataFrame
        ``order_id, customer_id, event_ts, event_type``.
    per : {"customer", "order"}
        ``"customer"``: each customer's first failed order counts once
        (did they complain about it?), so the observations are independent
        customers. ``"order"``: every failed order.
    kinds : sequence of str
        Event types that count as failures (default: all but complaints).
    confidence_level : float, default 0.95

    Examples
    --------
    >>> ev = pd.DataFrame({"order_id": ["a", "a", "b", "c"], "customer_id": ["x", "x", "y", "y"],
    ...                    "event_ts": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-02-01", "2024-03-01"]),
    ...                    "event_type": ["late_delivery", "complaint", "late_delivery", "failed_delivery"]})
    >>> r = complaint_after_failure(ev)
    >>> r.n_failed, r.n_complained, r.estimate
    (2, 1, 0.5)
    >>> complaint_after_failure(ev, per="order").n_failed
    3
    """
    if per not in ("customer", "order"):
        raise ValueError(f"per must be 'customer' or 'order', got {per!r}")
    failed = _failed_orders(service_events, kinds)
    if per == "customer":
        failed = failed.reset_index().sort_values(["failed_ts", "order_id"], kind="stable")
        failed = failed.drop_duplicates("customer_id", keep="first")
    n, k = len(failed), int(failed["complained"].sum())
    lo, hi = wilson_interval(k, n, confidence_level)
    return ComplaintShare(k / n if n else float("nan"), float(lo), float(hi), n, k, per, confidence_level)


def complaint_outcomes(service_events: pd.DataFrame, *,
                       confidence_level: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Complaint handling in numbers: how many complaints were resolved and followed up.

    Returns
    -------
    DataFrame
        Rows ``resolved`` (share of complaints) and ``followed_up`` (share of
        resolved complaints that got a follow-up call; NaN without the
        ``followed_up`` column): ``n``, ``k``, ``share``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> ev = pd.DataFrame({"event_type": ["complaint"] * 4 + ["late_delivery"],
    ...                    "resolved": [True, True, True, False, None], "followed_up": [True, False, True, False, None]})
    >>> complaint_outcomes(ev)[["n", "k", "share"]]
                 n  k     share
    resolved     4  3  0.750000
    followed_up  3  2  0.666667
    """
    require_columns(service_events, ["event_type", "resolved"], table="service_events")
    c = service_events[service_events["event_type"] == "complaint"]
    res = c["resolved"].astype("boolean")
    rows = {"resolved": (int(res.notna().sum()), int(res.fillna(False).sum()))}
    if "followed_up" in c:
        fu = c.loc[res.fillna(False).to_numpy(bool), "followed_up"].astype("boolean")
        rows["followed_up"] = (int(fu.notna().sum()), int(fu.fillna(False).sum()))
    else:
        rows["followed_up"] = (0, 0)
    out = pd.DataFrame(rows, index=["n", "k"]).T
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = out["k"] / out["n"].where(out["n"] > 0)
    lo, hi = wilson_interval(out["k"].to_numpy(), out["n"].to_numpy(), confidence_level)
    out["ci_low"], out["ci_high"] = lo, hi
    return out


def recovery_events(service_events: pd.DataFrame) -> pd.DataFrame:
    """The service events with each follow-up call as an event of its own (``event_type == "followup"``).

    A complaint with ``followed_up == True`` gets a second row, type
    ``followup``, at the same time and order, so that a hazard model can give
    the call its own coefficient (see :data:`RECOVERY_KINDS`).

    Examples
    --------
    >>> ev = pd.DataFrame({"event_id": ["e1", "e2"], "event_type": ["complaint", "late_delivery"],
    ...                    "resolved": [True, None], "followed_up": [True, None]})
    >>> recovery_events(ev)["event_type"].tolist()
    ['complaint', 'late_delivery', 'followup']
    """
    if "followed_up" not in service_events:
        return service_events
    calls = (service_events["event_type"] == "complaint") & service_events["followed_up"].astype("boolean").fillna(False)
    extra = service_events[calls.to_numpy(bool)].assign(event_type="followup")
    extra["resolved"] = pd.array([pd.NA] * len(extra), dtype="boolean")
    if "event_id" in extra:
        extra["event_id"] = extra["event_id"].astype(str) + "-F"
    return pd.concat([service_events, extra], ignore_index=True)


def recovery_hazard_ratios(orders: pd.DataFrame, service_events: pd.DataFrame, *, as_of: Any,
                           kinds: Sequence[str] = RECOVERY_KINDS,
                           confidence_level: float = DEFAULT_CONFIDENCE) -> DropoutFit:
    """Churn hazard ratios of failures, resolved and unresolved complaints and follow-up calls.

    Fits the latent-dropout model (:func:`crmlab.analysis.churn.fit_dropout_model`)
    on :func:`recovery_events`: the complaint kinds are compared with the
    failures behind them held fixed, because every failure kind has its own
    coefficient. ``fit.ratio("unresolved_complaint", "resolved_complaint")``
    is the effect of leaving a complaint unresolved; the ``followup`` hazard
    ratio the effect of a call-back on top of a resolution.
    """
    return fit_dropout_model(orders, recovery_events(service_events), as_of=as_of, kinds=list(kinds),
                             confidence_level=confidence_level)
