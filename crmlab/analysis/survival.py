"""Survival analysis: time to churn, Kaplan-Meier curves, the log-rank test, Cox hazard ratios.

Everything about durations lives here, whichever method family uses it:

* :func:`survival_frame` - customer-level time from the first order to
  observed churn (administratively censored), from the orders table;
* :func:`kaplan_meier` - Kaplan-Meier curves with a pointwise confidence
  band, by group, optionally with frequency weights (e.g. points of a loyalty
  lot); :func:`example_customers` draws a small sample to compute it by hand;
* :func:`logrank_test` - equality of survival curves (:class:`LogrankResult`);
* :func:`counting_process` - the ``(start, stop]`` layout for time-varying
  covariates;
* :func:`cox_hazard_ratios` - Cox proportional-hazards hazard ratios.

The estimators are those of :mod:`statsmodels.duration` (``SurvfuncRight``,
``survdiff``, ``PHReg``); ``lifelines`` is not used (it pins pandas < 3).

**Time-varying covariates.** A service failure raises a customer's churn
hazard *from the moment it happens*. Putting "ever had a failure" into a Cox
model as a fixed covariate credits the failure with the time the customer
survived before it (immortal time bias). The remedy is the counting-process
layout: one row per customer and period during which the covariates are
constant, ``(start, stop]``, with the event flag on the last row (Andersen &
Gill 1982).

Examples
--------
>>> import pandas as pd
>>> subjects = pd.DataFrame({"id": [1, 2], "start": [0.0, 0.0], "stop": [10.0, 8.0], "event": [1, 0]})
>>> events = pd.DataFrame({"id": [1, 1], "time": [3.0, 6.0], "kind": ["late", "late"]})
>>> cp = counting_process(subjects, events, kinds=["late"])
>>> print(cp[["id", "start", "stop", "event", "late"]].to_string(index=False))
 id  start  stop  event  late
  1    0.0   3.0      0     0
  1    3.0   6.0      0     1
  1    6.0  10.0      1     2
  2    0.0   8.0      0     0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._checks import as_timestamp, check_confidence_level, positive_int, require_columns
from ..domain import COUNTED_STATUSES
from ._churn_common import binary, days, purchases
from ._results import DEFAULT_CONFIDENCE, Result, z_value

__all__ = [
    "survival_frame",
    "kaplan_meier",
    "example_customers",
    "LogrankResult",
    "logrank_test",
    "counting_process",
    "cox_hazard_ratios",
]


# ============================================================================ time to churn
def survival_frame(
    orders: pd.DataFrame,
    *,
    as_of: Any,
    window_days: int,
    statuses: Sequence[str] | None = COUNTED_STATUSES,
) -> pd.DataFrame:
    """Customer-level time from the first order to observed churn.

    Churn is observed at the first order that is followed by at least
    ``window_days`` without an order; the churn time is that order's time
    (the customer's "last" order). A gap can only be seen to exceed the
    window if it starts at least ``window_days`` before ``as_of``, so every
    customer is followed until ``as_of - window_days`` (administrative
    censoring, independent of the churn process).

    Parameters
    ----------
    orders : DataFrame
        The ``orders`` table.
    as_of : date-like
        End of the data (exclusive).
    window_days : int
        Inactivity window that defines churn.
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Statuses that count as activity (``None`` = every order).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``first_order``, ``duration_days``
        (``min(T, C)``: days from the first order to churn or censoring),
        ``churned`` (bool: churn observed), ``n_orders`` (orders up to the
        churn or censoring time). Customers whose first order is later than
        ``as_of - window_days`` carry no information and are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c"], "status": "completed",
    ...     "order_ts": pd.to_datetime(["2024-01-01", "2024-01-21", "2024-02-01", "2024-03-20", "2024-04-10"])})
    >>> sf = survival_frame(orders, as_of="2024-06-01", window_days=60)
    >>> sf[["duration_days", "churned"]]  # doctest: +NORMALIZE_WHITESPACE
                 duration_days  churned
    customer_id
    a                     20.0     True
    b                      0.0     True
    c                     13.0    False
    """
    end = as_timestamp(as_of, "as_of")
    w = positive_int(window_days, "window_days")
    o = purchases(orders, statuses)
    o = o[o["order_ts"] < end].sort_values(["customer_id", "order_ts"], kind="stable")
    horizon = end - pd.Timedelta(days=w)
    first = o.groupby("customer_id", sort=False)["order_ts"].transform("min")
    o = o[first <= horizon]
    if o.empty:
        raise ValueError(f"orders: no customer has a first order at least window_days={w} days before as_of")
    nxt = o.groupby("customer_id", sort=False)["order_ts"].shift(-1).fillna(end)
    long_gap = (days(nxt - o["order_ts"]) >= w) & (o["order_ts"] <= horizon).to_numpy()
    o = o.assign(long_gap=long_gap, first=first.loc[o.index])
    g = o.groupby("customer_id", sort=True)
    first_o = g["first"].first()
    churn_ts = o[o["long_gap"]].groupby("customer_id")["order_ts"].min().reindex(first_o.index)
    churned = churn_ts.notna()
    stop = churn_ts.where(churned, horizon)
    n_orders = o.assign(stop=o["customer_id"].map(stop)).query("order_ts <= stop").groupby("customer_id").size()
    out = pd.DataFrame({
        "first_order": first_o,
        "duration_days": days(stop - first_o),
        "churned": churned.to_numpy(bool),
        "n_orders": n_orders.reindex(first_o.index).fillna(0).astype(np.int64),
    }, index=first_o.index)
    out.index.name = "customer_id"
    return out


# ============================================================================ Kaplan-Meier
def kaplan_meier(
    frame: pd.DataFrame,
    group: str | pd.Series | None = None,
    *,
    duration: str = "duration_days",
    event: str = "churned",
    weights: str | pd.Series | np.ndarray | None = None,
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Kaplan-Meier survival curves, optionally by group and with frequency weights.

    Parameters
    ----------
    frame : DataFrame
        One row per subject with a duration and an event flag
        (:func:`survival_frame`).
    group : str or Series, optional
        Column of ``frame`` or a Series aligned on its index; one curve per
        value. Subjects with a missing group are dropped.
    duration, event : str
        Column names (``event``: 1/True = the event happened at the duration,
        0/False = censored there).
    weights : str, Series or array, optional
        Frequency weights: a column of ``frame``, a Series aligned on its
        index or an array in row order; non-negative. A row of weight ``w``
        counts as ``w`` subjects (e.g. the points of a loyalty lot, to get a
        points-weighted curve). Without weights every row counts once.
    confidence_level : float, default 0.95
        Level of the pointwise confidence band.

    Returns
    -------
    DataFrame
        One row per group and distinct event time, plus a first row at time
        0: ``group`` (if grouped), ``time``, ``n_at_risk``, ``n_events``
        (integers; weighted sums, as floats, with ``weights``),
        ``survival`` (``S(t)`` just after ``time``), ``ci_low``, ``ci_high``.

    Notes
    -----
    ``S(t) = prod_{t_j <= t} (1 - d_j / n_j)`` with ``d_j`` events among
    ``n_j`` at risk (Kaplan & Meier 1958), computed by
    :class:`statsmodels.duration.survfunc.SurvfuncRight` (``freq_weights``
    with ``weights``). The band uses Greenwood's variance of ``log S``,
    ``sum_{t_j <= t} d_j / (n_j (n_j - d_j))``, on the log(-log) scale, so it
    stays inside [0, 1]: ``S^exp(+-z se / log S)``. With weights, ``d_j`` and
    ``n_j`` are weighted sums: the band is that of the data with each row
    repeated ``weight`` times, which treats every unit of weight (every
    point) as an independent subject and is too narrow when whole lots
    share one fate.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"duration_days": [1, 2, 2, 3, 4], "churned": [1, 1, 0, 1, 0]})
    >>> km = kaplan_meier(f)
    >>> km[["time", "n_at_risk", "n_events", "survival"]].round(4).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'time': [0.0, 1.0, 2.0, 3.0], 'n_at_risk': [5, 5, 4, 2], 'n_events': [0, 1, 1, 1],
     'survival': [1.0, 0.8, 0.6, 0.3]}
    >>> kaplan_meier(f.iloc[:4], weights=pd.Series([1, 1, 1, 2]))["survival"].round(4).tolist()
    [1.0, 0.8, 0.6, 0.0]
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    require_columns(frame, [duration, event], table="frame", non_empty=True)
    z = z_value(confidence_level)
    w_all = _weights(frame, weights)
    out = []
    for key, idx in _group_values(frame, group):
        sub = frame.loc[idx]
        t = sub[duration].to_numpy(float)
        d = binary(sub[event].to_numpy(), event).astype(int)
        if np.isnan(t).any() or (t < 0).any():
            raise ValueError(f"{duration}: durations must be non-negative and not missing")
        w = None if w_all is None else w_all.loc[idx].to_numpy(float)
        sf = SurvfuncRight(t, d, freq_weights=w)
        s = np.asarray(sf.surv_prob, float)
        n_risk = np.asarray(sf.n_risk, float)
        n_ev = np.asarray(sf.n_events, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            se_log = np.sqrt(np.cumsum(n_ev / (n_risk * (n_risk - n_ev))))  # Greenwood
            log_s = np.log(s)
            lo = np.where(s > 0, s ** np.exp(z * se_log / np.abs(log_s)), np.nan)
            hi = np.where(s > 0, s ** np.exp(-z * se_log / np.abs(log_s)), np.nan)
        lo = np.where((s >= 1) | (s <= 0), s, lo)
        hi = np.where((s >= 1) | (s <= 0), s, hi)
        total = len(t) if w is None else float(w.sum())
        counts = (np.int64 if w is None else float)
        tab = pd.DataFrame({
            "time": np.r_[0.0, sf.surv_times],
            "n_at_risk": np.r_[total, n_risk].astype(counts),
            "n_events": np.r_[0, n_ev].astype(counts),
            "survival": np.r_[1.0, s],
            "ci_low": np.r_[1.0, lo],
            "ci_high": np.r_[1.0, hi],
        })
        if tab["time"].iloc[1:].eq(0).any():  # events at time 0: merge into the first row
            tab = tab.iloc[1:].reset_index(drop=True)
        if key is not None:
            tab.insert(0, "group", key)
        out.append(tab)
    return pd.concat(out, ignore_index=True)


def _weights(frame: pd.DataFrame, weights: str | pd.Series | np.ndarray | None) -> pd.Series | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        require_columns(frame, [weights], table="frame")
        w = frame[weights]
    elif isinstance(weights, pd.Series):
        w = weights.reindex(frame.index)
    else:
        arr = np.asarray(weights, float)
        if arr.shape != (len(frame),):
            raise ValueError(f"weights: expected {len(frame)} values (one per row of frame), got shape {arr.shape}")
        w = pd.Series(arr, index=frame.index)
    w = pd.to_numeric(w, errors="coerce").astype(float)
    if w.isna().any() or np.isinf(w).any() or (w < 0).any():
        raise ValueError("weights: must be non-negative numbers for every row of frame")
    return w


def _group_values(frame: pd.DataFrame, group: str | pd.Series | None) -> list[tuple[Any, pd.Index]]:
    if group is None:
        return [(None, frame.index)]
    if isinstance(group, str):
        g = require_columns(frame, [group], table="frame")[group]
    else:
        g = pd.Series(group).reindex(frame.index)
    g = g[g.notna()]
    if g.empty:
        raise ValueError("group: no subject has a group value")
    return [(k, g.index[g.to_numpy() == k]) for k in sorted(g.unique(), key=str)]


def example_customers(
    frame: pd.DataFrame,
    n: int = 10,
    *,
    duration: str = "duration_days",
    event: str = "churned",
    random_state: int = 0,
) -> pd.DataFrame:
    """A small teaching sample: ``n`` customers with churn at time 0, churn later, and censoring.

    Kaplan-Meier is easiest to follow by hand on a handful of customers that
    show every case: one-time buyers (churn observed at day 0, a tie),
    customers who churned after some repeat orders, and customers still
    active at the end of the follow-up (censored). This draws about a fifth,
    half and three tenths of the sample from these three groups (filling up
    from the others when one is short) and rounds durations to whole days.

    Parameters
    ----------
    frame : DataFrame
        One row per customer with a duration and an event flag
        (:func:`survival_frame`).
    n : int, default 10
        Size of the sample (at most ``len(frame)``).
    duration, event : str
        Column names.
    random_state : int
        Seed of the draw.

    Returns
    -------
    DataFrame
        ``n`` rows of ``frame`` (same index), columns ``duration`` (whole days,
        int) and ``event`` (bool), sorted by duration (events before censored
        customers at the same day).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"duration_days": [0, 0, 0, 5.2, 40.7, 90, 120, 300, 365, 365, 200, 10],
    ...                   "churned": [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0]}, index=list("abcdefghijkl"))
    >>> ten = example_customers(f, 10)
    >>> len(ten), int((ten["duration_days"] == 0).sum()), int((~ten["churned"]).sum())
    (10, 2, 3)
    >>> ten["duration_days"].is_monotonic_increasing
    True
    """
    require_columns(frame, [duration, event], table="frame", non_empty=True)
    n = positive_int(n, "n")
    if n > len(frame):
        raise ValueError(f"n: {n} customers asked for, frame has {len(frame)}")
    t = frame[duration].to_numpy(float)
    d = binary(frame[event].to_numpy(), event).astype(bool)
    strata = [np.flatnonzero(d & (t == 0)), np.flatnonzero(d & (t > 0)), np.flatnonzero(~d)]
    want = [round(0.2 * n), n - round(0.2 * n) - round(0.3 * n), round(0.3 * n)]
    rng = np.random.default_rng(random_state)
    take = [min(w, len(s)) for w, s in zip(want, strata)]
    for i in (1, 2, 0):  # fill up a short stratum from the others
        take[i] = min(len(strata[i]), take[i] + n - sum(take))
    rows = np.concatenate([rng.choice(s, size=k, replace=False) for s, k in zip(strata, take) if k > 0])
    out = frame.iloc[rows][[duration, event]].copy()
    out[duration] = np.floor(out[duration].to_numpy(float)).astype(np.int64)
    out[event] = binary(out[event].to_numpy(), event).astype(bool)
    return out.sort_values([duration, event], ascending=[True, False], kind="stable")


# ============================================================================ log-rank
@dataclass(frozen=True, repr=False)
class LogrankResult(Result):
    """Log-rank test of equal survival curves (:func:`logrank_test`).

    Attributes
    ----------
    chi2 : float
        Test statistic.
    df : int
        Degrees of freedom (number of groups - 1).
    p_value : float
    """

    chi2: float
    df: int
    p_value: float


def logrank_test(
    frame: pd.DataFrame,
    group: str | pd.Series,
    *,
    duration: str = "duration_days",
    event: str = "churned",
) -> LogrankResult:
    """Log-rank test that the survival curves of the groups are equal.

    Parameters
    ----------
    frame : DataFrame
        One row per subject (:func:`survival_frame`).
    group : str or Series
        As in :func:`kaplan_meier`; at least two groups.
    duration, event : str
        Column names.

    Returns
    -------
    LogrankResult
        ``chi2``, ``df`` and ``p_value``
        (:func:`statsmodels.duration.survfunc.survdiff`).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"duration_days": [1, 2, 3, 4, 10, 12, 14, 16], "churned": 1, "g": list("aaaabbbb")})
    >>> r = logrank_test(f, "g")
    >>> r.df, round(r.p_value, 4)
    (1, 0.0067)
    """
    from statsmodels.duration.survfunc import survdiff

    require_columns(frame, [duration, event], table="frame", non_empty=True)
    parts = _group_values(frame, group)
    if len(parts) < 2:
        raise ValueError("group: at least two groups are needed for a log-rank test")
    idx = np.concatenate([np.asarray(i) for _, i in parts])
    labels = np.concatenate([np.full(len(i), n) for n, (_, i) in enumerate(parts)])
    sub = frame.loc[idx]
    chi2, p = survdiff(sub[duration].to_numpy(float), binary(sub[event].to_numpy(), event).astype(int), labels)
    return LogrankResult(chi2=float(chi2), df=len(parts) - 1, p_value=float(p))


# ============================================================================ Cox regression
def counting_process(
    subjects: pd.DataFrame,
    events: pd.DataFrame,
    *,
    kinds: Sequence[str],
    id_col: str = "id",
    start_col: str = "start",
    stop_col: str = "stop",
    event_col: str = "event",
    time_col: str = "time",
    kind_col: str = "kind",
) -> pd.DataFrame:
    """Split each subject's follow-up at the times its covariates change.

    Parameters
    ----------
    subjects : DataFrame
        One row per subject: id, entry time, exit time, event flag (1 = the
        outcome happened at the exit time).
    events : DataFrame
        Covariate-changing events: id, time, kind. Each event adds 1 to the
        cumulative count of its kind from its time on; events at or before
        entry count from entry, events at or after exit are ignored.
    kinds : sequence of str
        The kinds to count (one output column each).

    Returns
    -------
    DataFrame with ``id, start, stop, event`` and one count column per kind,
    sorted by id and start. Extra subject columns are carried along.
    """
    s = subjects.rename(columns={id_col: "id", start_col: "start", stop_col: "stop", event_col: "event"})
    e = events.rename(columns={id_col: "id", time_col: "time", kind_col: "kind"})[["id", "time", "kind"]]
    e = e[e["kind"].isin(kinds)].merge(s[["id", "start", "stop"]], on="id", how="inner")
    e = e[e["time"] < e["stop"]]
    e = e.assign(time=np.maximum(e["time"].to_numpy(float), e["start"].to_numpy(float)))
    counts = (
        pd.crosstab([e["id"], e["time"]], e["kind"]).reindex(columns=list(kinds), fill_value=0)
        if len(e) else pd.DataFrame(columns=list(kinds), index=pd.MultiIndex.from_arrays([[], []], names=["id", "time"]))
    )
    counts = counts.reset_index().rename(columns={"time": "start"})
    breaks = counts.loc[counts["start"] > counts["id"].map(s.set_index("id")["start"]), ["id", "start"]]
    rows = pd.concat([s[["id", "start"]], breaks], ignore_index=True).drop_duplicates()
    rows = rows.sort_values(["id", "start"], kind="stable").reset_index(drop=True)
    nxt = rows.groupby("id")["start"].shift(-1)
    stop = rows["id"].map(s.set_index("id")["stop"])
    rows["stop"] = nxt.fillna(stop).to_numpy(float)
    last = nxt.isna()
    rows["event"] = np.where(last, rows["id"].map(s.set_index("id")["event"]), 0).astype(int)
    rows = rows.merge(counts, on=["id", "start"], how="left")
    rows[list(kinds)] = rows[list(kinds)].fillna(0).astype(int)
    rows[list(kinds)] = rows.groupby("id")[list(kinds)].cumsum()
    extra = [c for c in s.columns if c not in ("id", "start", "stop", "event")]
    if extra:
        rows = rows.merge(s[["id", *extra]], on="id", how="left")
    rows = rows[rows["stop"] > rows["start"]].reset_index(drop=True)
    return rows.rename(columns={"id": id_col, "start": start_col, "stop": stop_col, "event": event_col})


def _at_risk_rows(data: pd.DataFrame, start: str, stop: str, event: str) -> pd.DataFrame:
    """Rows of a ``(start, stop]`` layout that are at risk at some time; a clear error for impossible rows."""
    a, b = data[start].to_numpy(float), data[stop].to_numpy(float)
    if np.isnan(a).any() or np.isnan(b).any() or (a < 0).any():
        raise ValueError(f"{start}/{stop}: times must be non-negative and not missing")
    if (b < a).any():
        raise ValueError(f"{stop}: {int((b < a).sum())} row(s) end before they start")
    empty = b == a
    if (empty & (data[event].to_numpy(float) != 0)).any():
        raise ValueError(f"{event}: an event on a row with {start} == {stop}; (start, stop] is empty there")
    return data[~empty] if empty.any() else data


def cox_hazard_ratios(
    data: pd.DataFrame,
    covariates: Sequence[str],
    *,
    start: str | None = "start",
    stop: str = "stop",
    event: str = "event",
    offset: str | None = None,
    strata: str | None = None,
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Fit a Cox proportional-hazards model and return hazard ratios.

    Uses :class:`statsmodels.duration.hazard_regression.PHReg` (works with
    pandas 3; ``lifelines`` does not). ``start`` gives delayed entry, which
    is what the counting-process layout (:func:`counting_process`) needs:
    a row covers the interval ``(start, stop]`` and is in the risk set of an
    event at time ``t`` exactly when ``start < t <= stop``. (``PHReg`` itself
    keeps a row in the risk set at ``t = entry``; the helper passes the next
    floating-point number above ``start`` as the entry time, so that a
    subject whose follow-up is split at an event time is not counted twice
    there. Splitting rows without a covariate change therefore leaves the
    estimates unchanged.) Rows with ``start == stop`` are never at risk and
    are dropped.

    Parameters
    ----------
    data : DataFrame
        One row per subject, or per subject and period.
    covariates : sequence of str
        Covariate columns.
    start, stop, event : str
        Entry time (``None``: every subject enters at 0), exit time and
        event flag columns.
    offset : str, optional
        Column added to the linear predictor with coefficient 1 (e.g. a
        known log hazard).
    strata : str, optional
        Column of strata with their own baseline hazards.
    confidence_level : float, default 0.95
        Level of the Wald intervals.

    Returns
    -------
    DataFrame
        Indexed by ``covariate``: ``hazard_ratio, ci_low, ci_high, p_value``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 2, 2000)
    >>> t = rng.exponential(1 / np.where(x == 1, 2.0, 1.0))
    >>> d = pd.DataFrame({"stop": np.minimum(t, 3.0), "event": (t < 3.0).astype(int), "x": x})
    >>> hr = cox_hazard_ratios(d, ["x"], start=None)
    >>> bool(1.8 < hr.loc["x", "hazard_ratio"] < 2.2), list(hr.columns)
    (True, ['hazard_ratio', 'ci_low', 'ci_high', 'p_value'])
    """
    from statsmodels.duration.hazard_regression import PHReg

    level = check_confidence_level(confidence_level)
    require_columns(data, [*covariates, stop, event, *(c for c in (start, offset, strata) if c is not None)],
                    table="data", non_empty=True)
    if start is not None:
        data = _at_risk_rows(data, start, stop, event)
    X = data[list(covariates)].to_numpy(float)
    kw = {}
    if start is not None:
        # (start, stop]: a row is at risk at t when start < t <= stop. PHReg counts a row at t = entry
        # as at risk, so a row starting exactly at an event time would be counted twice (once with the
        # row that ends there); entry = the next float above start excludes it and changes nothing else.
        kw["entry"] = np.nextafter(data[start].to_numpy(float), np.inf)
    if offset is not None:
        kw["offset"] = data[offset].to_numpy(float)
    if strata is not None:
        kw["strata"] = data[strata].to_numpy()
    res = PHReg(data[stop].to_numpy(float), X, status=data[event].to_numpy(int), **kw).fit()
    ci = np.exp(res.conf_int(alpha=1 - level))
    return pd.DataFrame(
        {"hazard_ratio": np.exp(res.params), "ci_low": ci[:, 0], "ci_high": ci[:, 1], "p_value": res.pvalues},
        index=pd.Index(list(covariates), name="covariate"),
    )
