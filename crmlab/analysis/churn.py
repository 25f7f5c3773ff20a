"""Churn analysis for a non-contractual retailer.

A retailer never learns that a customer has left: there is no contract to
cancel, only orders that stop coming. This module turns order histories into
the quantities a retention analyst needs:

* **Defining churn** - inter-purchase gaps and a data-driven inactivity
  window (:func:`interpurchase_gaps`, :func:`suggest_window`), churn labels at
  a cutoff (:func:`churn_labels`).
* **Survival** - time from the first order to observed churn, Kaplan-Meier
  curves and the log-rank test (:func:`survival_frame`,
  :func:`kaplan_meier`, :func:`logrank_test`).
* **Drivers** - the churn hazard ratio of each kind of service failure,
  estimated from observable data only (:func:`failure_counts`,
  :func:`fit_dropout_model`, :func:`dropout_loglik`,
  :func:`failure_hazard_ratios`).
* **Prediction** - features at a cutoff, out-of-time validation, AUC,
  top-decile lift, gains and calibration tables (:func:`churn_features`,
  :func:`out_of_time_split`, :func:`train_churn_model`,
  :func:`predict_churn`, :func:`evaluate_churn_model`, :func:`gains_table`,
  :func:`calibration_table`).
* **BG/NBD** - "buy till you die" model and the probability that a customer
  is still alive (:func:`rfm_summary`, :func:`bgnbd_loglik`,
  :func:`bgnbd_fit`, :func:`bgnbd_p_alive`, :func:`bgnbd_expected_purchases`).
* **Retention campaign** - average treatment effect of a randomised offer,
  uplift by group, cross-fitted T-learner uplift scores, Qini table, profit of
  targeting by risk versus by uplift, and the retention-profit formula
  (:func:`campaign_effect`, :func:`uplift_by_group`, :func:`tlearner_uplift`,
  :func:`qini_table`, :func:`targeting_comparison`, :func:`retention_profit`).

All functions take tables that follow the data contract
(:mod:`crmlab.schema`) and work on real extracts as well as on synthetic
data. Dates such as ``cutoff`` and ``as_of`` are always parameters; nothing
depends on the wall clock.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers"
the easy way: an alternative to the Pareto/NBD model. *Marketing Science*
24(2), 275-284.

Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your
customers: who are they and what will they do next? *Management Science*
33(1), 1-24.

Ascarza, E. (2018). Retention futility: targeting high-risk customers might
be ineffective. *Journal of Marketing Research* 55(1), 80-98.

Neslin, S. A., Gupta, S., Kamakura, W., Lu, J. & Mason, C. H. (2006).
Defection detection: measuring and understanding the predictive accuracy of
customer churn models. *Journal of Marketing Research* 43(2), 204-211.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

__all__ = [
    "FAILURE_KINDS",
    "interpurchase_gaps",
    "suggest_window",
    "churn_labels",
    "churn_features",
    "OutOfTimeSplit",
    "out_of_time_split",
    "train_churn_model",
    "predict_churn",
    "evaluate_churn_model",
    "gains_table",
    "calibration_table",
    "survival_frame",
    "kaplan_meier",
    "logrank_test",
    "failure_counts",
    "DropoutFit",
    "fit_dropout_model",
    "dropout_loglik",
    "failure_hazard_ratios",
    "rfm_summary",
    "bgnbd_loglik",
    "bgnbd_fit",
    "bgnbd_p_alive",
    "bgnbd_expected_purchases",
    "campaign_effect",
    "uplift_by_group",
    "tlearner_uplift",
    "qini_table",
    "targeting_comparison",
    "retention_profit",
]

#: Kinds of service failure whose churn hazard ratio is estimated, in the
#: order of the truth file's ``churn.hazard_ratios``. ``unresolved_complaint``
#: is a ``complaint`` event with ``resolved == False``.
FAILURE_KINDS: tuple[str, ...] = (
    "price_change_cancel",
    "failed_delivery",
    "failed_installation",
    "unresolved_complaint",
    "expired_coupon",
    "late_delivery",
)

_DAYS_PER_YEAR = 365.25
_SECONDS_PER_DAY = 86_400.0


# ============================================================================ helpers
def _require(df: pd.DataFrame | None, table: str, columns: Sequence[str]) -> pd.DataFrame:
    """Check that ``df`` is a non-empty DataFrame with ``columns``; raise ValueError otherwise."""
    if df is None or not isinstance(df, pd.DataFrame):
        raise ValueError(f"{table}: expected a DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{table}: missing required column(s): {', '.join(missing)}")
    if len(df) == 0:
        raise ValueError(f"{table}: the table is empty")
    return df


def _timestamp(value: Any, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {value!r} is not a date") from None
    if ts is pd.NaT:
        raise ValueError(f"{name}: a date is required")
    return ts


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or value <= 0:
        raise ValueError(f"{name}: must be a positive whole number of days (got {value!r})")
    return int(value)


def _days(delta: pd.Series | pd.Timedelta) -> Any:
    """Timedelta(s) -> float days."""
    if isinstance(delta, pd.Series):
        return delta.dt.total_seconds().to_numpy(float) / _SECONDS_PER_DAY
    return delta.total_seconds() / _SECONDS_PER_DAY


def _select_orders(orders: pd.DataFrame, statuses: Sequence[str] | None) -> pd.DataFrame:
    cols = ["customer_id", "order_ts"] + (["status"] if statuses is not None else [])
    _require(orders, "orders", cols)
    o = orders
    if statuses is not None:
        o = o[o["status"].isin(list(statuses))]
    o = o[o["customer_id"].notna() & o["order_ts"].notna()]
    return o.assign(order_ts=pd.to_datetime(o["order_ts"]))


def _binary(y: Any, name: str) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1 or len(arr) == 0:
        raise ValueError(f"{name}: expected a non-empty 1-d array")
    if pd.isna(arr).any():
        raise ValueError(f"{name}: contains missing values")
    vals = set(np.unique(arr.astype(float)).tolist())
    if not vals <= {0.0, 1.0}:
        raise ValueError(f"{name}: must be binary (0/1 or bool)")
    return arr.astype(float)


def _score(s: Any, n: int, name: str) -> np.ndarray:
    arr = np.asarray(s, dtype=float)
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(f"{name}: expected a 1-d array of length {n}")
    if np.isnan(arr).any():
        raise ValueError(f"{name}: contains missing values")
    return arr


# ============================================================================ churn definition
def interpurchase_gaps(orders: pd.DataFrame, *, statuses: Sequence[str] | None = ("completed",)) -> pd.Series:
    """Days between consecutive orders of the same customer.

    Parameters
    ----------
    orders : DataFrame
        The ``orders`` table (``customer_id``, ``order_ts``, ``status``).
    statuses : sequence of str or None
        Order statuses that count as purchases (default completed orders
        only; ``None`` keeps every order).

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
    o = _select_orders(orders, statuses).sort_values(["customer_id", "order_ts"], kind="stable")
    gap = o.groupby("customer_id", sort=False)["order_ts"].diff()
    keep = gap.notna()
    return pd.Series(_days(gap[keep]), index=pd.Index(o.loc[keep, "customer_id"].to_numpy(), name="customer_id"),
                     name="gap_days")


def suggest_window(
    orders: pd.DataFrame,
    quantile: float = 0.9,
    *,
    as_of: Any = None,
    correct_truncation: bool = True,
    statuses: Sequence[str] | None = ("completed",),
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
    statuses : sequence of str or None
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
    o = _select_orders(orders, statuses).sort_values(["customer_id", "order_ts"], kind="stable")
    end = o["order_ts"].max() if as_of is None else _timestamp(as_of, "as_of")
    nxt = o.groupby("customer_id", sort=False)["order_ts"].shift(-1)
    gap = _days(nxt - o["order_ts"])
    seen = ~np.isnan(gap)
    if seen.sum() < 5:
        raise ValueError(f"orders: at least 5 repeat orders are needed to suggest a window (found {int(seen.sum())})")
    g = gap[seen]
    w = np.ones_like(g)
    if correct_truncation:
        follow = np.sort(_days(end - o["order_ts"]))
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
    statuses: Sequence[str] | None = ("completed",),
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
    statuses : sequence of str or None
        Order statuses that count as purchases (default: completed).

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
    cut = _timestamp(cutoff, "cutoff")
    w = _positive_int(window_days, "window_days")
    o = _select_orders(orders, statuses)
    end = cut + pd.Timedelta(days=w)
    data_end = (o["order_ts"].max().normalize() + pd.Timedelta(days=1)) if as_of is None else _timestamp(as_of, "as_of")
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


# ============================================================================ failures
def failure_counts(service_events: pd.DataFrame, kinds: Sequence[str] = FAILURE_KINDS) -> pd.DataFrame:
    """Count service failures per order and kind.

    Parameters
    ----------
    service_events : DataFrame
        The ``service_events`` table (``order_id``, ``event_type``, and
        ``resolved`` for complaints).
    kinds : sequence of str
        Kinds to count; ``unresolved_complaint`` (complaint with
        ``resolved == False``) and ``resolved_complaint`` are derived from
        ``complaint`` events, other kinds are event types.

    Returns
    -------
    DataFrame
        Indexed by ``order_id``, one integer column per kind. Events without
        an ``order_id`` are left out (see :func:`fit_dropout_model`, which
        attaches them to the customer's latest order).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"order_id": ["o1", "o1", "o2"], "event_type": ["late_delivery", "complaint", "complaint"],
    ...                    "resolved": pd.array([None, False, True], dtype="boolean")})
    >>> failure_counts(ev, ["late_delivery", "unresolved_complaint"]).to_dict("index")
    {'o1': {'late_delivery': 1, 'unresolved_complaint': 1}}
    """
    _require(service_events, "service_events", ["order_id", "event_type"])
    ev = service_events[service_events["order_id"].notna()]
    kind = _event_kind(ev)
    ev = ev.assign(kind=kind)[kind.isin(list(kinds))]
    if ev.empty:
        return pd.DataFrame(columns=list(kinds), index=pd.Index([], name="order_id"), dtype=np.int64)
    out = pd.crosstab(ev["order_id"], ev["kind"]).reindex(columns=list(kinds), fill_value=0)
    out.columns.name = None
    return out.astype(np.int64)


def _event_kind(ev: pd.DataFrame) -> pd.Series:
    kind = ev["event_type"].astype("str")
    if "resolved" in ev.columns:
        res = ev["resolved"].astype("boolean")
        unresolved = (kind == "complaint") & (res == False)  # noqa: E712  (NA stays NA -> False below)
        resolved = (kind == "complaint") & (res == True)  # noqa: E712
        kind = kind.where(~unresolved.fillna(False).to_numpy(bool), "unresolved_complaint")
        kind = kind.where(~resolved.fillna(False).to_numpy(bool), "resolved_complaint")
    return kind


# ============================================================================ features
def churn_features(
    orders: pd.DataFrame,
    service_events: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    cutoff: Any,
    lookback_days: int | None = None,
    statuses: Sequence[str] = ("completed",),
) -> pd.DataFrame:
    """Customer features for churn prediction, using data up to ``cutoff`` only.

    Parameters
    ----------
    orders : DataFrame
        The ``orders`` table (``customer_id, order_ts, status, channel``;
        ``order_value`` if present).
    service_events : DataFrame
        The ``service_events`` table (may be empty).
    customers : DataFrame, optional
        The ``customers`` table; adds age, gender, city tier and sign-up
        channel. ``is_member`` is not used: it describes the end of the data
        window and would leak the future.
    cutoff : date-like
        Features use orders and events at or before ``cutoff``.
    lookback_days : int, optional
        Only use the last ``lookback_days`` of history (all history if None).
    statuses : sequence of str
        Statuses that count as purchases for recency/frequency/monetary.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (customers with at least one purchase in
        the history), all columns numeric:

        ``recency_days``, ``frequency``, ``tenure_days``, ``purchase_rate``
        (purchases per year of tenure, tenure floored at 30 days),
        ``orders_last_90d``, ``orders_last_180d``, ``monetary``,
        ``total_spend`` (if ``order_value`` is present), ``n_cancelled``,
        ``n_returned``, ``share_web``, ``share_app``, one ``n_<kind>`` count
        per failure kind plus ``n_complaints``, ``failures_last_180d``, and
        from ``customers``: ``age``, ``female``, ``city_tier``,
        ``signup_web``, ``signup_app``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": ["o1", "o2", "o3"], "customer_id": ["a", "a", "b"],
    ...     "order_ts": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-15"]),
    ...     "status": "completed", "channel": ["web", "app", "store"], "order_value": [100.0, 300.0, 50.0]})
    >>> events = pd.DataFrame({"order_id": ["o2"], "customer_id": ["a"], "event_ts": pd.to_datetime(["2024-02-02"]),
    ...     "event_type": ["late_delivery"], "resolved": pd.array([None], dtype="boolean")})
    >>> f = churn_features(orders, events, cutoff="2024-03-01")
    >>> f.loc["a", ["recency_days", "frequency", "monetary", "n_late_delivery"]].tolist()
    [29.0, 2.0, 200.0, 1.0]
    """
    cut = _timestamp(cutoff, "cutoff")
    _require(orders, "orders", ["customer_id", "order_ts", "status", "channel"])
    o = orders.assign(order_ts=pd.to_datetime(orders["order_ts"]))
    o = o[o["customer_id"].notna() & (o["order_ts"] <= cut)]
    if lookback_days is not None:
        o = o[o["order_ts"] > cut - pd.Timedelta(days=_positive_int(lookback_days, "lookback_days"))]
    buy = o[o["status"].isin(list(statuses))]
    if buy.empty:
        raise ValueError(f"orders: no purchases at or before the cutoff {cut.date()}")
    g = buy.groupby("customer_id")
    first, last = g["order_ts"].min(), g["order_ts"].max()
    f = pd.DataFrame(index=first.index.sort_values())
    f.index.name = "customer_id"
    f["recency_days"] = _days(cut - last.reindex(f.index))
    f["frequency"] = g.size().reindex(f.index).astype(float)
    f["tenure_days"] = _days(cut - first.reindex(f.index))
    f["purchase_rate"] = f["frequency"] / np.maximum(f["tenure_days"], 30.0) * _DAYS_PER_YEAR
    for d in (90, 180):
        recent = buy[buy["order_ts"] > cut - pd.Timedelta(days=d)]
        f[f"orders_last_{d}d"] = recent.groupby("customer_id").size().reindex(f.index, fill_value=0).astype(float)
    if "order_value" in buy.columns:
        f["monetary"] = g["order_value"].mean().reindex(f.index).fillna(0.0)
        f["total_spend"] = g["order_value"].sum().reindex(f.index).fillna(0.0)
    oo = o[o["customer_id"].isin(f.index)]
    for st in ("cancelled", "returned"):
        f[f"n_{st}"] = oo[oo["status"] == st].groupby("customer_id").size().reindex(f.index, fill_value=0).astype(float)
    n_all = oo.groupby("customer_id").size().reindex(f.index)
    for ch in ("web", "app"):
        f[f"share_{ch}"] = (oo[oo["channel"] == ch].groupby("customer_id").size().reindex(f.index, fill_value=0)
                            / n_all).astype(float)
    f = f.join(_failure_features(service_events, f.index, cut, lookback_days))
    if customers is not None:
        f = f.join(_customer_features(customers, cut), how="left")
    return f.astype(float)


def _failure_features(events: pd.DataFrame | None, index: pd.Index, cut: pd.Timestamp,
                      lookback_days: int | None) -> pd.DataFrame:
    cols = [f"n_{k}" for k in FAILURE_KINDS] + ["n_complaints", "failures_last_180d"]
    out = pd.DataFrame(0.0, index=index, columns=cols)
    if events is None or len(events) == 0:
        return out
    _require(events, "service_events", ["customer_id", "event_ts", "event_type"])
    ev = events.assign(event_ts=pd.to_datetime(events["event_ts"]))
    ev = ev[(ev["event_ts"] <= cut) & ev["customer_id"].isin(index)]
    if lookback_days is not None:
        ev = ev[ev["event_ts"] > cut - pd.Timedelta(days=lookback_days)]
    if ev.empty:
        return out
    kind = _event_kind(ev)
    for k in FAILURE_KINDS:
        out[f"n_{k}"] = ev[kind == k].groupby("customer_id").size().reindex(index, fill_value=0).astype(float)
    out["n_complaints"] = ev[ev["event_type"] == "complaint"].groupby("customer_id").size().reindex(
        index, fill_value=0).astype(float)
    fails = ev[kind.isin([k for k in FAILURE_KINDS if k != "unresolved_complaint"])]
    fails = fails[fails["event_ts"] > cut - pd.Timedelta(days=180)]
    out["failures_last_180d"] = fails.groupby("customer_id").size().reindex(index, fill_value=0).astype(float)
    return out


def _customer_features(customers: pd.DataFrame, cut: pd.Timestamp) -> pd.DataFrame:
    _require(customers, "customers", ["customer_id"])
    c = customers.drop_duplicates("customer_id").set_index("customer_id")
    out = pd.DataFrame(index=c.index)
    if "birth_year" in c.columns:
        out["age"] = cut.year - pd.to_numeric(c["birth_year"], errors="coerce").astype(float)
    if "gender" in c.columns:
        out["female"] = np.where(c["gender"].isna(), np.nan, (c["gender"] == "female").astype(float))
    if "city_tier" in c.columns:
        out["city_tier"] = pd.to_numeric(c["city_tier"], errors="coerce").astype(float)
    if "signup_channel" in c.columns:
        for ch in ("web", "app"):
            out[f"signup_{ch}"] = (c["signup_channel"] == ch).astype(float)
    return out


# ============================================================================ prediction
@dataclass
class OutOfTimeSplit:
    """Training and test sets for out-of-time validation of a churn model.

    Attributes
    ----------
    X_train, X_test : DataFrame
        Features at ``train_cutoff`` and ``test_cutoff``.
    y_train, y_test : Series
        Churn labels (bool) aligned with the features.
    train_cutoff, test_cutoff : Timestamp
        ``as_of - 2 * window_days`` and ``as_of - window_days``.
    window_days : int
    """

    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame
    y_test: pd.Series
    train_cutoff: pd.Timestamp
    test_cutoff: pd.Timestamp
    window_days: int


def out_of_time_split(
    orders: pd.DataFrame,
    service_events: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    as_of: Any,
    window_days: int,
    lookback_days: int | None = None,
) -> OutOfTimeSplit:
    """Build train and test sets one outcome window apart.

    The training set has features at ``as_of - 2 * window_days`` and labels
    from the following window; the test set has features at
    ``as_of - window_days`` and labels from ``(as_of - window_days, as_of]``.
    The two label windows do not overlap, so a model trained on the first is
    tested on a period it has never seen - as it will be used.

    Parameters
    ----------
    orders, service_events, customers : DataFrame
        Tables of the data contract (``customers`` optional).
    as_of : date-like
        End of the data; the test labels end here.
    window_days : int
        Churn window. The history before the training cutoff must be long
        enough: with two years of data, ``window_days`` should be at most
        about 270 days.
    lookback_days : int, optional
        Passed to :func:`churn_features`.

    Returns
    -------
    OutOfTimeSplit
    """
    end = _timestamp(as_of, "as_of")
    w = _positive_int(window_days, "window_days")
    test_cut = end - pd.Timedelta(days=w)
    train_cut = end - pd.Timedelta(days=2 * w)
    _require(orders, "orders", ["customer_id", "order_ts", "status"])
    first = pd.to_datetime(orders["order_ts"]).min()
    if train_cut <= first:
        raise ValueError(f"window_days: the training cutoff {train_cut.date()} is not after the first order "
                         f"({first.date()}); use a shorter window or a later as_of")
    o = orders[pd.to_datetime(orders["order_ts"]) <= end]
    sets = []
    for cut in (train_cut, test_cut):
        X = churn_features(o, service_events, customers, cutoff=cut, lookback_days=lookback_days)
        y = churn_labels(o, cutoff=cut, window_days=w, as_of=end)["churned"]
        idx = X.index.intersection(y.index)
        sets += [X.loc[idx], y.loc[idx]]
    return OutOfTimeSplit(sets[0], sets[1], sets[2], sets[3], train_cut, test_cut, w)


def _signed_log1p(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def train_churn_model(
    features: pd.DataFrame,
    labels: pd.Series | pd.DataFrame,
    model: Literal["logistic", "gbm"] = "logistic",
    random_state: int = 0,
):
    """Fit a churn classifier.

    Parameters
    ----------
    features : DataFrame
        Numeric features indexed by customer (:func:`churn_features`).
    labels : Series or DataFrame
        Churn labels indexed by customer (bool); a DataFrame must have a
        ``churned`` column (:func:`churn_labels`). Only customers present in
        both are used.
    model : {"logistic", "gbm"}
        ``logistic``: median imputation, ``sign(x) log(1 + |x|)`` of every
        feature, standardisation and an L2-penalised logistic regression
        (C = 1). ``gbm``: histogram gradient boosting (200 trees of at most
        15 leaves, learning rate 0.05, at least 40 customers per leaf).
    random_state : int
        Seed of the gradient-boosting model.

    Returns
    -------
    sklearn Pipeline
        Fitted; ``feature_names_in_`` holds the feature names. Score new
        customers with :func:`predict_churn`.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    X, y = _align(features, labels)
    if len(np.unique(y)) < 2:
        raise ValueError("labels: both churners and non-churners are needed to train a model")
    if model == "logistic":
        est = Pipeline([
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("log", FunctionTransformer(_signed_log1p)),
            ("scale", StandardScaler()),
            ("clf", LogisticRegression(C=1.0, max_iter=2000)),
        ])
    elif model == "gbm":
        est = Pipeline([
            ("clf", HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                                   min_samples_leaf=40, l2_regularization=1.0,
                                                   early_stopping=False, random_state=random_state)),
        ])
    else:
        raise ValueError(f"model: must be 'logistic' or 'gbm' (got {model!r})")
    return est.fit(X, y)


def _align(features: pd.DataFrame, labels: pd.Series | pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    if not isinstance(features, pd.DataFrame) or features.shape[1] == 0:
        raise ValueError("features: expected a DataFrame with at least one column")
    if isinstance(labels, pd.DataFrame):
        if "churned" not in labels.columns:
            raise ValueError("labels: missing required column: churned")
        labels = labels["churned"]
    idx = features.index.intersection(labels.index)
    if len(idx) < 20:
        raise ValueError(f"features/labels: only {len(idx)} customers in common; at least 20 are needed")
    return features.loc[idx], _binary(labels.loc[idx].to_numpy(), "labels").astype(int)


def predict_churn(model, features: pd.DataFrame) -> pd.Series:
    """Predicted churn probability of each customer.

    Parameters
    ----------
    model : fitted estimator from :func:`train_churn_model`
    features : DataFrame
        Must contain the training features (extra columns are ignored).

    Returns
    -------
    Series
        ``churn_probability`` indexed like ``features``.
    """
    names = list(getattr(model, "feature_names_in_", features.columns))
    missing = [c for c in names if c not in features.columns]
    if missing:
        raise ValueError(f"features: missing column(s) the model was trained on: {', '.join(missing)}")
    p = model.predict_proba(features[names])[:, 1]
    return pd.Series(p, index=features.index, name="churn_probability")


def evaluate_churn_model(y_true: Any, score: Any, *, top_share: float = 0.1) -> dict[str, float]:
    """Discrimination and calibration summary of churn scores.

    Parameters
    ----------
    y_true : array-like of bool/0-1
        Observed churn.
    score : array-like of float
        Higher = more likely to churn (a probability for the Brier score).
    top_share : float
        Share of customers in the "top decile" (0.1).

    Returns
    -------
    dict
        ``auc`` (area under the ROC curve), ``top_decile_lift`` (churn rate
        among the ``top_share`` highest scores / overall churn rate),
        ``top_decile_rate``, ``base_rate``, ``gini`` (``2 auc - 1``),
        ``brier`` (mean squared error of the score as a probability; NaN if
        scores lie outside [0, 1]) and ``n``.

    Notes
    -----
    AUC is the probability that a random churner scores higher than a random
    non-churner (ties count 1/2). Top-decile lift is the measure of Neslin et
    al. (2006): how many times more churners a campaign aimed at the top 10%
    reaches than a random one.

    Examples
    --------
    >>> r = evaluate_churn_model([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], [.9, .4, .5, .1, .1, .1, .1, .1, .1, .1])
    >>> round(r["auc"], 4), r["top_decile_lift"]
    (0.9375, 5.0)
    """
    from sklearn.metrics import roc_auc_score

    y = _binary(y_true, "y_true")
    s = _score(score, len(y), "score")
    if y.min() == y.max():
        raise ValueError("y_true: both churners and non-churners are needed")
    if not 0 < top_share < 1:
        raise ValueError(f"top_share: must be in (0, 1) (got {top_share!r})")
    auc = float(roc_auc_score(y, s))
    k = max(int(round(top_share * len(y))), 1)
    top = np.argsort(-s, kind="stable")[:k]
    base = float(y.mean())
    brier = float(np.mean((s - y) ** 2)) if (s.min() >= 0 and s.max() <= 1) else float("nan")
    return dict(auc=auc, gini=2 * auc - 1, top_decile_lift=float(y[top].mean() / base),
                top_decile_rate=float(y[top].mean()), base_rate=base, brier=brier, n=int(len(y)))


def _bins_by_score(s: np.ndarray, n_bins: int) -> np.ndarray:
    """Bin 1 = highest scores; equal-count bins after a stable sort."""
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 2:
        raise ValueError(f"n_bins: must be an integer >= 2 (got {n_bins!r})")
    if len(s) < n_bins:
        raise ValueError(f"need at least n_bins={n_bins} customers (got {len(s)})")
    order = np.argsort(-s, kind="stable")
    b = np.empty(len(s), np.int64)
    for i, part in enumerate(np.array_split(order, n_bins)):
        b[part] = i + 1
    return b


def gains_table(y: Any, score: Any, n_bins: int = 10) -> pd.DataFrame:
    """Gains and lift by score bin (bin 1 = highest scores).

    Parameters
    ----------
    y : array-like of bool/0-1
        Observed churn.
    score : array-like of float
        Churn score (higher = riskier).
    n_bins : int
        Number of equal-count bins (10 = deciles).

    Returns
    -------
    DataFrame
        Indexed by ``bin`` (1..n_bins) with ``n``, ``n_churners``,
        ``churn_rate``, ``lift`` (bin rate / overall rate),
        ``cum_share_customers``, ``cum_share_churners`` (the gains curve) and
        ``cum_lift``.

    Examples
    --------
    >>> t = gains_table([1, 1, 0, 1, 0, 0, 0, 0, 0, 0], [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], n_bins=5)
    >>> t["lift"].round(3).tolist()
    [3.333, 1.667, 0.0, 0.0, 0.0]
    >>> t["cum_share_churners"].round(3).tolist()
    [0.667, 1.0, 1.0, 1.0, 1.0]
    """
    yy = _binary(y, "y")
    s = _score(score, len(yy), "score")
    if yy.sum() == 0:
        raise ValueError("y: no churners; lift is undefined")
    b = _bins_by_score(s, n_bins)
    df = pd.DataFrame({"bin": b, "y": yy, "s": s})
    t = df.groupby("bin").agg(n=("y", "size"), n_churners=("y", "sum"), min_score=("s", "min"),
                              max_score=("s", "max"))
    base = yy.mean()
    t["n_churners"] = t["n_churners"].astype(np.int64)
    t["churn_rate"] = t["n_churners"] / t["n"]
    t["lift"] = t["churn_rate"] / base
    t["cum_share_customers"] = t["n"].cumsum() / t["n"].sum()
    t["cum_share_churners"] = t["n_churners"].cumsum() / t["n_churners"].sum()
    t["cum_lift"] = t["cum_share_churners"] / t["cum_share_customers"]
    return t


def calibration_table(y: Any, prob: Any, n_bins: int = 10) -> pd.DataFrame:
    """Predicted versus observed churn rate by bin of predicted probability.

    Parameters
    ----------
    y : array-like of bool/0-1
        Observed churn.
    prob : array-like of float in [0, 1]
        Predicted churn probabilities.
    n_bins : int
        Number of equal-count bins (bin 1 = highest probabilities).

    Returns
    -------
    DataFrame
        Indexed by ``bin`` with ``n``, ``mean_predicted``, ``observed_rate``,
        ``difference`` (observed - predicted) and ``se`` (binomial standard
        error of the observed rate). ``attrs["ece"]`` holds the expected
        calibration error ``sum_b n_b |observed_b - predicted_b| / n``.

    Examples
    --------
    >>> t = calibration_table([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], n_bins=2)
    >>> t[["mean_predicted", "observed_rate"]].round(2).to_dict("list")
    {'mean_predicted': [0.85, 0.15], 'observed_rate': [1.0, 0.0]}
    """
    yy = _binary(y, "y")
    p = _score(prob, len(yy), "prob")
    if p.min() < 0 or p.max() > 1:
        raise ValueError("prob: probabilities must lie in [0, 1]")
    b = _bins_by_score(p, n_bins)
    df = pd.DataFrame({"bin": b, "y": yy, "p": p})
    t = df.groupby("bin").agg(n=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean"))
    t["difference"] = t["observed_rate"] - t["mean_predicted"]
    t["se"] = np.sqrt(t["observed_rate"] * (1 - t["observed_rate"]) / t["n"])
    t.attrs["ece"] = float((t["n"] * t["difference"].abs()).sum() / t["n"].sum())
    return t


# ============================================================================ survival
def survival_frame(
    orders: pd.DataFrame,
    *,
    as_of: Any,
    window_days: int,
    statuses: Sequence[str] | None = ("completed",),
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
    statuses : sequence of str or None
        Statuses that count as activity (completed orders; None = all).

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
    >>> survival_frame(orders, as_of="2024-06-01", window_days=60)[["duration_days", "churned"]]
                 duration_days  churned
    customer_id
    a                     20.0     True
    b                      0.0     True
    c                     13.0    False
    """
    end = _timestamp(as_of, "as_of")
    w = _positive_int(window_days, "window_days")
    o = _select_orders(orders, statuses)
    o = o[o["order_ts"] < end].sort_values(["customer_id", "order_ts"], kind="stable")
    horizon = end - pd.Timedelta(days=w)
    first = o.groupby("customer_id", sort=False)["order_ts"].transform("min")
    o = o[first <= horizon]
    if o.empty:
        raise ValueError(f"orders: no customer has a first order at least window_days={w} days before as_of")
    nxt = o.groupby("customer_id", sort=False)["order_ts"].shift(-1).fillna(end)
    long_gap = (_days(nxt - o["order_ts"]) >= w) & (o["order_ts"] <= horizon).to_numpy()
    o = o.assign(long_gap=long_gap, first=first.loc[o.index])
    g = o.groupby("customer_id", sort=True)
    first_o = g["first"].first()
    churn_ts = o[o["long_gap"]].groupby("customer_id")["order_ts"].min().reindex(first_o.index)
    churned = churn_ts.notna()
    stop = churn_ts.where(churned, horizon)
    n_orders = o.assign(stop=o["customer_id"].map(stop)).query("order_ts <= stop").groupby("customer_id").size()
    out = pd.DataFrame({
        "first_order": first_o,
        "duration_days": _days(stop - first_o),
        "churned": churned.to_numpy(bool),
        "n_orders": n_orders.reindex(first_o.index).fillna(0).astype(np.int64),
    }, index=first_o.index)
    out.index.name = "customer_id"
    return out


def kaplan_meier(
    frame: pd.DataFrame,
    group: str | pd.Series | None = None,
    *,
    duration: str = "duration_days",
    event: str = "churned",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Kaplan-Meier survival curves, optionally by group.

    Parameters
    ----------
    frame : DataFrame
        One row per subject with a duration and an event flag
        (:func:`survival_frame`).
    group : str or Series, optional
        Column of ``frame`` or a Series aligned on its index; one curve per
        value. Subjects with a missing group are dropped.
    duration, event : str
        Column names.
    ci : float
        Level of the pointwise confidence band.

    Returns
    -------
    DataFrame
        One row per group and distinct event time, plus a first row at time
        0: ``group`` (if grouped), ``time``, ``n_at_risk``, ``n_events``,
        ``survival``, ``ci_low``, ``ci_high``.

    Notes
    -----
    ``S(t) = prod_{t_j <= t} (1 - d_j / n_j)`` with ``d_j`` events among
    ``n_j`` at risk (Kaplan & Meier 1958), computed by
    :class:`statsmodels.duration.survfunc.SurvfuncRight`. The band uses
    Greenwood's variance on the log(-log) scale, so it stays inside [0, 1]:
    ``S^exp(+-z se / log S)`` with ``se`` the standard error of ``log S``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"duration_days": [1, 2, 2, 3, 4], "churned": [1, 1, 0, 1, 0]})
    >>> km = kaplan_meier(f)
    >>> km[["time", "n_at_risk", "n_events", "survival"]].round(4).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'time': [0.0, 1.0, 2.0, 3.0], 'n_at_risk': [5, 5, 4, 2], 'n_events': [0, 1, 1, 1],
     'survival': [1.0, 0.8, 0.6, 0.3]}
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    _require(frame, "frame", [duration, event])
    if not 0 < ci < 1:
        raise ValueError(f"ci: must be in (0, 1) (got {ci!r})")
    z = stats.norm.ppf(0.5 + ci / 2)
    groups = _group_values(frame, group)
    out = []
    for key, idx in groups:
        sub = frame.loc[idx]
        t = sub[duration].to_numpy(float)
        d = _binary(sub[event].to_numpy(), event).astype(int)
        if np.isnan(t).any() or (t < 0).any():
            raise ValueError(f"{duration}: durations must be non-negative and not missing")
        sf = SurvfuncRight(t, d)
        s = np.asarray(sf.surv_prob, float)
        se = np.asarray(sf.surv_prob_se, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            se_log = se / s
            log_s = np.log(s)
            lo = np.where(s > 0, s ** np.exp(z * se_log / np.abs(log_s)), np.nan)
            hi = np.where(s > 0, s ** np.exp(-z * se_log / np.abs(log_s)), np.nan)
        lo = np.where((s >= 1) | (s <= 0), s, lo)
        hi = np.where((s >= 1) | (s <= 0), s, hi)
        tab = pd.DataFrame({
            "time": np.r_[0.0, sf.surv_times],
            "n_at_risk": np.r_[len(t), sf.n_risk].astype(np.int64),
            "n_events": np.r_[0, sf.n_events].astype(np.int64),
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


def _group_values(frame: pd.DataFrame, group: str | pd.Series | None) -> list[tuple[Any, pd.Index]]:
    if group is None:
        return [(None, frame.index)]
    if isinstance(group, str):
        if group not in frame.columns:
            raise ValueError(f"frame: missing group column: {group}")
        g = frame[group]
    else:
        g = pd.Series(group).reindex(frame.index)
    g = g[g.notna()]
    if g.empty:
        raise ValueError("group: no subject has a group value")
    return [(k, g.index[g.to_numpy() == k]) for k in sorted(g.unique(), key=str)]


def logrank_test(
    frame: pd.DataFrame,
    group: str | pd.Series,
    *,
    duration: str = "duration_days",
    event: str = "churned",
) -> dict[str, float]:
    """Log-rank test that the survival curves of the groups are equal.

    Returns
    -------
    dict
        ``chi2``, ``df`` (number of groups - 1) and ``p_value``
        (:func:`statsmodels.duration.survfunc.survdiff`).
    """
    from statsmodels.duration.survfunc import survdiff

    _require(frame, "frame", [duration, event])
    parts = _group_values(frame, group)
    if len(parts) < 2:
        raise ValueError("group: at least two groups are needed for a log-rank test")
    idx = np.concatenate([np.asarray(i) for _, i in parts])
    labels = np.concatenate([np.full(len(i), n) for n, (_, i) in enumerate(parts)])
    sub = frame.loc[idx]
    chi2, p = survdiff(sub[duration].to_numpy(float), _binary(sub[event].to_numpy(), event).astype(int), labels)
    return dict(chi2=float(chi2), df=len(parts) - 1, p_value=float(p))


# ============================================================================ failure hazard ratios
@dataclass
class DropoutFit:
    """A fitted Pareto/NBD model with failure-dependent dropout (see :func:`fit_dropout_model`).

    Attributes
    ----------
    hazard_ratios : DataFrame
        Indexed by failure kind: ``hazard_ratio``, ``ci_low``, ``ci_high``,
        ``se_log`` (standard error of the log hazard ratio), ``n_events``
        (failures observed).
    classes : DataFrame
        One row per latent class: ``share``, ``r``, ``alpha`` (purchase-rate
        Gamma, rate per year), ``s``, ``beta`` (dropout-rate Gamma),
        ``mean_purchase_rate`` (``r / alpha``, orders per year) and
        ``mean_dropout_rate`` (``s / beta``, per year, before failures).
    loglik : float
    n_customers : int
    converged : bool
    as_of : Timestamp
    """

    hazard_ratios: pd.DataFrame
    classes: pd.DataFrame
    loglik: float
    n_customers: int
    converged: bool
    as_of: pd.Timestamp
    theta: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))


def _histories(orders: pd.DataFrame, service_events: pd.DataFrame | None, as_of: pd.Timestamp,
               kinds: Sequence[str], statuses: Sequence[str] | None) -> dict[str, Any]:
    """Arrays of the dropout likelihood: one row per order (sorted by customer, time)."""
    _require(orders, "orders", ["order_id", "customer_id", "order_ts"])
    o = _select_orders(orders, statuses)
    o = o[o["order_ts"] < as_of][["order_id", "customer_id", "order_ts"]]
    if o.empty:
        raise ValueError(f"orders: no order before as_of={as_of.date()}")
    o = o.sort_values(["customer_id", "order_ts", "order_id"], kind="stable").reset_index(drop=True)
    counts = np.zeros((len(o), len(kinds)))
    if service_events is not None and len(service_events):
        _require(service_events, "service_events", ["customer_id", "order_id", "event_ts", "event_type"])
        ev = service_events.assign(event_ts=pd.to_datetime(service_events["event_ts"]))
        ev = ev[ev["event_ts"] < as_of]
        ev = ev.assign(kind=_event_kind(ev))
        ev = ev[ev["kind"].isin(list(kinds))]
        # events of a known order are dated to that order; others to the customer's latest order before them
        pos = pd.Series(np.arange(len(o)), index=o["order_id"].to_numpy())
        pos = pos[~pos.index.duplicated()]
        row = ev["order_id"].map(pos)
        loose = ev[row.isna()]
        if len(loose):
            lo = loose[["customer_id", "event_ts"]].assign(_i=np.arange(len(loose))).sort_values("event_ts")
            oo = o[["customer_id", "order_ts"]].assign(_row=np.arange(len(o))).sort_values("order_ts")
            m = pd.merge_asof(lo, oo, left_on="event_ts", right_on="order_ts", by="customer_id",
                              direction="backward").sort_values("_i")
            row.loc[row.isna()] = m["_row"].to_numpy()
        ok = row.notna().to_numpy()
        k_idx = pd.Index(list(kinds)).get_indexer(ev["kind"])
        np.add.at(counts, (row.to_numpy()[ok].astype(np.int64), k_idx[ok]), 1.0)
    codes, uniq = pd.factorize(o["customer_id"], sort=False)
    n = len(uniq)
    starts = np.r_[0, np.flatnonzero(np.diff(codes)) + 1]
    ends = np.r_[starts[1:], len(o)] - 1
    first = o.groupby(codes)["order_ts"].transform("min")
    t = _days(o["order_ts"] - first) / _DAYS_PER_YEAR
    t_end = _days(as_of - first.iloc[starts]) / _DAYS_PER_YEAR
    cum = pd.DataFrame(counts).groupby(codes).cumsum().to_numpy(float)
    dt = np.r_[np.diff(t), 0.0]
    dt[ends] = 0.0
    return dict(
        customer_id=uniq, n=n, starts=starts, ends=ends, N=cum, dt=dt,
        x=(ends - starts).astype(float), tx=t[ends], T=np.maximum(t_end, t[ends]), N_last=cum[ends],
        n_events=counts.sum(axis=0),
    )


_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)
_GL_U = (_GL_NODES + 1) / 2
_GL_LOGW = np.log(_GL_WEIGHTS / 2)


def _class_loglik(r: float, al: float, s: float, b: float, beta: np.ndarray, D: Mapping[str, Any],
                  grad: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-customer log-likelihood of one latent class and its gradient.

    The gradient columns are with respect to ``log r, log alpha, log s,
    log b`` and ``beta``.
    """
    N, dt, starts = D["N"], D["dt"], D["starts"]
    x, tx, T, Nx = D["x"], D["tx"], D["T"], D["N_last"]
    c = np.exp(N @ beta)
    A = np.add.reduceat(c * dt, starts)
    cx = np.exp(Nx @ beta)
    tau = np.maximum(T - tx, 1e-12)
    rx = r + x
    B1 = b + A + cx * tau
    t1 = -rx * np.log(al + T) + s * (np.log(b) - np.log(B1))
    u = tau[:, None] * _GL_U[None, :]
    La = np.log(al + tx[:, None] + u)
    Bu = b + A[:, None] + cx[:, None] * u
    li = -rx[:, None] * La - (s + 1) * np.log(Bu) + _GL_LOGW[None, :]
    m = li.max(axis=1)
    S = np.exp(li - m[:, None])
    Ssum = S.sum(axis=1)
    t2 = np.log(cx) + np.log(s) + s * np.log(b) + np.log(tau) + m + np.log(Ssum)
    tot = np.logaddexp(t1, t2)
    ll = special.gammaln(rx) - special.gammaln(r) + r * np.log(al) + tot
    if not grad:
        return ll, None
    P1 = np.exp(t1 - tot)
    P2 = 1.0 - P1
    q = S / Ssum[:, None]
    dr = special.digamma(rx) - special.digamma(r) + np.log(al) - P1 * np.log(al + T) - P2 * (q * La).sum(1)
    da = r / al - P1 * rx / (al + T) - P2 * rx * (q / (al + tx[:, None] + u)).sum(1)
    ds = P1 * (np.log(b) - np.log(B1)) + P2 * (1 / s + np.log(b) - (q * np.log(Bu)).sum(1))
    db = P1 * (s / b - s / B1) + P2 * (s / b - (s + 1) * (q / Bu).sum(1))
    dA = np.add.reduceat((c * dt)[:, None] * N, starts, axis=0)
    cxN = cx[:, None] * Nx
    dt1 = -s * (dA + tau[:, None] * cxN) / B1[:, None]
    qa = (q / Bu).sum(1)
    qu = (q * u / Bu).sum(1)
    dt2 = Nx - (s + 1) * (dA * qa[:, None] + cxN * qu[:, None])
    dbeta = P1[:, None] * dt1 + P2[:, None] * dt2
    g = np.column_stack([dr * r, da * al, ds * s, db * b, dbeta])
    return ll, g


def _unpack(theta: np.ndarray, K: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Q = np.exp(theta[: 4 * K].reshape(K, 4))  # r, mean rate, s, mean dropout
    nat = np.column_stack([Q[:, 0], Q[:, 0] / Q[:, 1], Q[:, 2], Q[:, 2] / Q[:, 3]])  # r, alpha, s, b
    logits = np.r_[0.0, theta[4 * K: 5 * K - 1]]
    lw = logits - special.logsumexp(logits)
    return nat, lw, theta[5 * K - 1:]


def _mixture_nll(theta: np.ndarray, D: Mapping[str, Any], K: int) -> tuple[float, np.ndarray]:
    nat, lw, beta = _unpack(theta, K)
    outs = [_class_loglik(*nat[k], beta, D) for k in range(K)]
    L = np.column_stack([lw[k] + outs[k][0] for k in range(K)])
    tot = special.logsumexp(L, axis=1)
    gam = np.exp(L - tot[:, None])
    g_cls = []
    for k in range(K):
        gk = gam[:, k] @ outs[k][1][:, :4]
        g_cls += [gk[0] + gk[1], -gk[1], gk[2] + gk[3], -gk[3]]
    g_w = (gam - np.exp(lw)[None, :]).sum(0)[1:]
    g_b = sum(gam[:, k] @ outs[k][1][:, 4:] for k in range(K))
    val = -float(tot.sum())
    grad = -np.r_[g_cls, g_w, g_b]
    if not np.isfinite(val) or not np.all(np.isfinite(grad)):
        return 1e300, np.zeros_like(theta)
    return val, grad


def dropout_loglik(
    params: Mapping[str, float],
    hazard_ratios: Mapping[str, float] | Sequence[float],
    orders: pd.DataFrame,
    service_events: pd.DataFrame | None,
    *,
    as_of: Any,
    kinds: Sequence[str] = FAILURE_KINDS,
    statuses: Sequence[str] | None = None,
) -> pd.Series:
    """Per-customer log-likelihood of the one-class failure-dropout model.

    Parameters
    ----------
    params : mapping
        ``r, alpha, s, beta`` (Gamma purchase and dropout rates per year).
    hazard_ratios : mapping or sequence
        Hazard ratio per kind (in the order of ``kinds`` for a sequence).
    orders, service_events, as_of, kinds, statuses
        As in :func:`fit_dropout_model`.

    Returns
    -------
    Series
        Log-likelihood per customer (indexed by ``customer_id``).
    """
    end = _timestamp(as_of, "as_of")
    D = _histories(orders, service_events, end, kinds, statuses)
    if isinstance(hazard_ratios, Mapping):
        hr = np.array([hazard_ratios[k] for k in kinds], float)
    else:
        hr = np.asarray(hazard_ratios, float)
    ll, _ = _class_loglik(params["r"], params["alpha"], params["s"], params["beta"], np.log(hr), D, grad=False)
    return pd.Series(ll, index=pd.Index(D["customer_id"], name="customer_id"), name="loglik")


def fit_dropout_model(
    orders: pd.DataFrame,
    service_events: pd.DataFrame | None,
    *,
    as_of: Any,
    n_classes: int = 2,
    kinds: Sequence[str] = FAILURE_KINDS,
    statuses: Sequence[str] | None = None,
    ci: float = 0.95,
) -> DropoutFit:
    """Fit a Pareto/NBD model whose dropout hazard rises with service failures.

    Parameters
    ----------
    orders : DataFrame
        The ``orders`` table (``order_id, customer_id, order_ts``; ``status``
        if ``statuses`` is given).
    service_events : DataFrame or None
        The ``service_events`` table.
    as_of : date-like
        End of the observation period (orders and events before it are used).
    n_classes : int
        Latent classes of (purchase rate, dropout rate) customers, 1-3. Two
        classes let heavy buyers have systematically lower dropout rates
        (see Notes); one class is the classic Pareto/NBD heterogeneity.
    kinds : sequence of str
        Failure kinds (default :data:`FAILURE_KINDS`).
    statuses : sequence of str or None
        Order statuses that count as signs of life. Default ``None``: every
        order, because a cancelled order still shows the customer was there.
    ci : float
        Level of the Wald confidence intervals.

    Returns
    -------
    DropoutFit
        Kinds without any observed failure get a NaN hazard ratio.

    Notes
    -----
    **Model.** Time runs in years from each customer's first order. While
    alive, customer *i* orders as a Poisson process with rate ``lambda_i``;
    after the *k*-th order the customer's dropout hazard is
    ``mu_i * exp(beta' N_ik)``, where ``N_ik`` counts the failures of each
    kind on orders 1..k (a failure is dated to its order). ``exp(beta)`` are
    the churn hazard ratios. Within latent class *c*,
    ``lambda ~ Gamma(r_c, alpha_c)`` and ``mu ~ Gamma(s_c, b_c)``
    independently; class shares ``pi_c``.

    **Likelihood.** With ``x`` repeat orders at ``t_1 < ... < t_x``,
    follow-up ``T``, hazard multipliers ``c_k = exp(beta' N_k)``,
    exposure ``A = sum_{k<x} c_k (t_{k+1} - t_k)`` and ``tau = T - t_x``,
    given ``lambda, mu``

    ``L = lambda^x e^{-lambda t_x - mu A} [e^{-(lambda + mu c_x) tau}
    + int_0^tau mu c_x e^{-(lambda + mu c_x) u} du]``

    (alive throughout, or dead at ``t_x + u`` before the next order).
    Integrating the Gammas out gives, per class,

    ``L = Gamma(r+x) alpha^r / Gamma(r) {(alpha+T)^{-(r+x)} (b/(b+A+c_x tau))^s
    + c_x s b^s int_0^tau (alpha+t_x+u)^{-(r+x)} (b+A+c_x u)^{-(s+1)} du}``,

    the Pareto/NBD likelihood (Schmittlein, Morrison & Colombo 1987) when
    ``beta = 0``. The integral is computed by 16-point Gauss-Legendre
    quadrature; the log-likelihood and its analytic gradient are maximised
    by L-BFGS-B; standard errors come from the numerically differentiated
    gradient (observed information).

    **Why not a Cox model on observed churn.** Observed churn (a long gap
    after the last order) mixes dying with slow buying, and heavy buyers
    accumulate more failures *and* have lower dropout rates. A Cox model of
    inactivity on failure counts is attenuated towards 1 (a failure's effect
    is diluted by the gap noise and confounded by purchase frequency). The
    joint model separates purchase and dropout processes and integrates out
    each customer's unobserved ``lambda_i, mu_i`` (frailty), so it targets
    the hazard ratio of the latent lifetime itself. A failure is randomised
    per order given the order's channel and category, so its effect is
    identified by comparing what happens after orders with and without it.

    **Remaining bias.** (i) One class assumes ``lambda`` and ``mu``
    independent; when heavy buyers churn less (as in the synthetic data and
    in reality), the one-class fit is biased towards 1 (about -10% on the
    log scale); two classes remove most of it. On 40,000-customer
    simulations of the classroom preset (three seeds) with a planted ratio
    of 2.0 for price-change cancellations, two classes gave 1.99, 1.93 and
    2.48 (standard error of the log ratio 0.08), one class 1.89, 1.81 and
    2.35, and the naive Cox model of observed churn 1.42, 1.34 and 1.56.
    (ii) Seasonality of purchases and loyalty/campaign effects on the
    purchase rate are ignored. (iii) A failure is dated to its order, not to
    the event (days later). (iv) With a few hundred failures of a kind the
    sampling error is large (standard error of the log ratio about 0.2 with
    5,000 customers) and the maximum-likelihood estimate is biased away
    from 1 in small samples: read the confidence interval.

    Examples
    --------
    >>> import crmlab
    >>> d = crmlab.make_retail_crm("tiny", seed=1)
    >>> fit = fit_dropout_model(d.orders, d.service_events, as_of="2025-07-01", n_classes=1)
    >>> list(fit.hazard_ratios.columns)
    ['hazard_ratio', 'ci_low', 'ci_high', 'se_log', 'n_events']
    """
    end = _timestamp(as_of, "as_of")
    if n_classes not in (1, 2, 3):
        raise ValueError(f"n_classes: must be 1, 2 or 3 (got {n_classes!r})")
    if not 0 < ci < 1:
        raise ValueError(f"ci: must be in (0, 1) (got {ci!r})")
    kinds = list(kinds)
    D = _histories(orders, service_events, end, kinds, statuses)
    if D["n"] < 50:
        raise ValueError(f"orders: at least 50 customers are needed to fit the dropout model (found {D['n']})")
    seen = D["n_events"] > 0  # a kind that never happened has no estimable effect: leave it out, report NaN
    D = dict(D, N=D["N"][:, seen], N_last=D["N_last"][:, seen])
    nb = int(seen.sum())
    bounds_cls = [(-5.0, 5.0), (-8.0, 5.0), (-5.0, 9.0), (-8.0, 5.0)]
    rate0 = max(D["x"].sum() / max(D["T"].sum(), 1e-9), 0.05)
    th1 = np.r_[0.0, np.log(rate0), 0.0, np.log(0.5), np.zeros(nb)]
    res = optimize.minimize(_mixture_nll, th1, args=(D, 1), jac=True, method="L-BFGS-B",
                            bounds=bounds_cls + [(-5.0, 5.0)] * nb)
    K = 1
    if n_classes > 1:
        # start the mixture from the one-class fit, classes spread along "heavy buyers churn less"
        K = n_classes
        spread = np.linspace(-0.75, 0.75, K)
        Q = np.array([res.x[:4] + [0.0, sp, 0.0, -sp] for sp in spread])
        start = np.r_[Q.ravel(), np.zeros(K - 1), res.x[4:]]
        res = optimize.minimize(_mixture_nll, start, args=(D, K), jac=True, method="L-BFGS-B",
                                bounds=bounds_cls * K + [(-8.0, 8.0)] * (K - 1) + [(-5.0, 5.0)] * nb)
    theta = res.x
    se = _wald_se(theta, D, K)[5 * K - 1:]
    nat, lw, b_seen = _unpack(theta, K)
    beta = np.full(len(kinds), np.nan)
    beta[seen] = b_seen
    se_all = np.full(len(kinds), np.nan)
    se_all[seen] = se
    z = stats.norm.ppf(0.5 + ci / 2)
    hr = pd.DataFrame({
        "hazard_ratio": np.exp(beta),
        "ci_low": np.exp(beta - z * se_all),
        "ci_high": np.exp(beta + z * se_all),
        "se_log": se_all,
        "n_events": D["n_events"].astype(np.int64),
    }, index=pd.Index(kinds, name="kind"))
    classes = pd.DataFrame({
        "share": np.exp(lw), "r": nat[:, 0], "alpha": nat[:, 1], "s": nat[:, 2], "beta": nat[:, 3],
        "mean_purchase_rate": nat[:, 0] / nat[:, 1], "mean_dropout_rate": nat[:, 2] / nat[:, 3],
    }, index=pd.RangeIndex(K, name="latent_class"))
    return DropoutFit(hr, classes, -float(res.fun), int(D["n"]), bool(res.success), end, theta)


def _wald_se(theta: np.ndarray, D: Mapping[str, Any], K: int, h: float = 1e-4) -> np.ndarray:
    """Standard errors from the inverse of the numerically differentiated gradient."""
    p = len(theta)
    H = np.empty((p, p))
    for j in range(p):
        e = np.zeros(p)
        e[j] = h
        H[:, j] = (_mixture_nll(theta + e, D, K)[1] - _mixture_nll(theta - e, D, K)[1]) / (2 * h)
    H = (H + H.T) / 2
    try:
        cov = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        cov = np.linalg.pinv(H)
    d = np.diag(cov)
    return np.sqrt(np.where(d > 0, d, np.nan))


def failure_hazard_ratios(
    orders: pd.DataFrame,
    service_events: pd.DataFrame,
    *,
    as_of: Any,
    window_days: int | None = None,
    method: Literal["frailty", "cox", "cox_adjusted"] = "frailty",
    n_classes: int = 2,
    kinds: Sequence[str] = FAILURE_KINDS,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Churn hazard ratio of each kind of service failure, from observable data.

    Parameters
    ----------
    orders, service_events : DataFrame
        Tables of the data contract.
    as_of : date-like
        End of the observation period.
    window_days : int, optional
        Inactivity window; needed by the Cox methods (observed churn = the
        last order before a gap of at least ``window_days``).
    method : {"frailty", "cox", "cox_adjusted"}
        ``frailty`` (recommended): the Pareto/NBD model with failure-dependent
        dropout of :func:`fit_dropout_model`, which separates buying from
        dying and integrates out each customer's purchase and dropout rates.
        ``cox``: Cox model of observed churn on time-varying failure counts
        (counting-process layout, :func:`~crmlab.analysis.survival.counting_process`)
        - the naive analysis, attenuated. ``cox_adjusted``: the same plus
        ``log(1 + orders so far)`` as a time-varying covariate (adjusts for
        purchase frequency, but conditions on a variable the failures
        themselves affect).
    n_classes : int
        Latent classes of the frailty model.
    kinds : sequence of str
        Failure kinds.
    ci : float
        Confidence level.

    Returns
    -------
    DataFrame
        Indexed by ``kind``: ``hazard_ratio``, ``ci_low``, ``ci_high``,
        ``n_events`` and ``method``.

    Notes
    -----
    See :func:`fit_dropout_model` for the model, what it estimates and its
    remaining bias. In the Cox methods all orders (any status) count as
    activity and the churn time is the last order's time plus half a day, so
    that a failure on the last order is in force when churn happens.
    """
    if method == "frailty":
        fit = fit_dropout_model(orders, service_events, as_of=as_of, n_classes=n_classes, kinds=kinds, ci=ci)
        out = fit.hazard_ratios[["hazard_ratio", "ci_low", "ci_high", "n_events"]].copy()
    elif method in ("cox", "cox_adjusted"):
        if window_days is None:
            raise ValueError("window_days: required by the Cox methods")
        out = _cox_failure_hrs(orders, service_events, as_of=_timestamp(as_of, "as_of"),
                               window_days=_positive_int(window_days, "window_days"),
                               adjusted=method == "cox_adjusted", kinds=list(kinds), ci=ci)
    else:
        raise ValueError(f"method: must be 'frailty', 'cox' or 'cox_adjusted' (got {method!r})")
    out["method"] = method
    return out


def _cox_failure_hrs(orders: pd.DataFrame, service_events: pd.DataFrame, *, as_of: pd.Timestamp,
                     window_days: int, adjusted: bool, kinds: list[str], ci: float) -> pd.DataFrame:
    from .survival import counting_process, cox_hazard_ratios

    sf = survival_frame(orders, as_of=as_of, window_days=window_days, statuses=None)
    subjects = pd.DataFrame({"id": sf.index, "start": 0.0,
                             "stop": sf["duration_days"].to_numpy() + np.where(sf["churned"], 0.5, 0.0),
                             "event": sf["churned"].astype(int).to_numpy()})
    subjects = subjects[subjects["stop"] > 0]
    first = sf["first_order"]
    fc = failure_counts(service_events, kinds)
    o = orders[orders["customer_id"].isin(subjects["id"])]
    o = o.assign(order_ts=pd.to_datetime(o["order_ts"]))
    o = o.assign(time=_days(o["order_ts"] - o["customer_id"].map(first)))
    o = o[o["time"] >= 0]
    rows = []
    for k in kinds:
        n = fc[k].reindex(o["order_id"]).fillna(0).to_numpy(np.int64)
        sel = np.repeat(np.arange(len(o)), n)
        rows.append(pd.DataFrame({"id": o["customer_id"].to_numpy()[sel], "time": o["time"].to_numpy()[sel],
                                  "kind": k}))
    cov = list(kinds)
    if adjusted:
        rep = o[o["time"] > 0]
        rows.append(pd.DataFrame({"id": rep["customer_id"].to_numpy(), "time": rep["time"].to_numpy(),
                                  "kind": "repeat_orders"}))
        cov = cov + ["repeat_orders"]
    events = pd.concat(rows, ignore_index=True)
    cov = [k for k in cov if (events["kind"] == k).any()]  # a kind that never happened is not estimable
    if not cov:
        raise ValueError("service_events: no failure of the requested kinds among the customers")
    cp = counting_process(subjects, events, kinds=cov)
    if adjusted:
        cp["repeat_orders"] = np.log1p(cp["repeat_orders"])
    res = cox_hazard_ratios(cp, cov)
    z = stats.norm.ppf(0.5 + ci / 2)
    lo, hi = np.log(res["ci_low"]), np.log(res["ci_high"])
    se = (hi - lo) / (2 * stats.norm.ppf(0.975))
    b = np.log(res["hazard_ratio"])
    out = pd.DataFrame({"hazard_ratio": res["hazard_ratio"], "ci_low": np.exp(b - z * se),
                        "ci_high": np.exp(b + z * se)}).reindex(kinds)
    out["n_events"] = fc.sum().reindex(kinds).fillna(0).astype(np.int64).to_numpy()
    out.index.name = "kind"
    return out


# ============================================================================ BG/NBD
def rfm_summary(
    orders: pd.DataFrame,
    *,
    as_of: Any,
    time_unit_days: float = 7.0,
    statuses: Sequence[str] | None = ("completed",),
) -> pd.DataFrame:
    """Frequency, recency and age of each customer, in the BG/NBD convention.

    Parameters
    ----------
    orders : DataFrame
        The ``orders`` table.
    as_of : date-like
        End of the calibration period (orders strictly before it are used).
    time_unit_days : float
        Length of the time unit in days (7 = weeks, as in Fader, Hardie & Lee
        2005).
    statuses : sequence of str or None
        Statuses that count as purchases.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``frequency`` (repeat purchase days: the
        number of distinct days with a purchase minus one), ``recency``
        (time from the first to the last purchase day), ``T`` (time from the
        first purchase day to ``as_of``), and ``monetary`` (mean order value,
        if ``order_value`` is present). Times in units of ``time_unit_days``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "a", "b"], "status": "completed",
    ...     "order_ts": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 18:00", "2024-01-15 09:00",
    ...                                 "2024-01-08 12:00"])})
    >>> rfm_summary(orders, as_of="2024-01-29")[["frequency", "recency", "T"]].to_dict("index")
    {'a': {'frequency': 1.0, 'recency': 2.0, 'T': 4.0}, 'b': {'frequency': 0.0, 'recency': 0.0, 'T': 3.0}}
    """
    end = _timestamp(as_of, "as_of")
    if time_unit_days <= 0:
        raise ValueError(f"time_unit_days: must be > 0 (got {time_unit_days!r})")
    o = _select_orders(orders, statuses)
    o = o[o["order_ts"] < end]
    if o.empty:
        raise ValueError(f"orders: no purchase before as_of={end.date()}")
    o = o.assign(day=o["order_ts"].dt.normalize())
    g = o.groupby("customer_id")
    first, last = g["day"].min(), g["day"].max()
    out = pd.DataFrame({
        "frequency": (g["day"].nunique() - 1).astype(float),
        "recency": _days(last - first) / time_unit_days,
        "T": _days(end.normalize() - first) / time_unit_days,
    })
    if "order_value" in o.columns:
        out["monetary"] = g["order_value"].mean()
    out.index.name = "customer_id"
    return out


def _bgnbd_arrays(frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(frequency, float)
    tx = np.asarray(recency, float)
    TT = np.asarray(T, float)
    x, tx, TT = np.broadcast_arrays(x, tx, TT)
    if np.isnan(x).any() or np.isnan(tx).any() or np.isnan(TT).any():
        raise ValueError("frequency/recency/T: missing values")
    if (x < 0).any() or (tx < 0).any() or (tx > TT + 1e-9).any():
        raise ValueError("frequency/recency/T: need frequency >= 0 and 0 <= recency <= T")
    return x, tx, TT


def _params(params: Mapping[str, float], model: str | None) -> tuple[float, float, float, float, str]:
    try:
        r, al, a, b = (float(params[k]) for k in ("r", "alpha", "a", "b"))
    except KeyError as e:
        raise ValueError(f"params: missing BG/NBD parameter {e.args[0]!r} (need r, alpha, a, b)") from None
    if min(r, al, a, b) <= 0:
        raise ValueError("params: r, alpha, a and b must be > 0")
    m = model if model is not None else str(params.get("model", "bgnbd"))
    if m not in ("bgnbd", "mbgnbd"):
        raise ValueError(f"model: must be 'bgnbd' or 'mbgnbd' (got {m!r})")
    return r, al, a, b, m


def bgnbd_loglik(
    params: Mapping[str, float],
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    model: Literal["bgnbd", "mbgnbd"] | None = None,
) -> np.ndarray:
    """Individual log-likelihoods of the BG/NBD (or MBG/NBD) model.

    Parameters
    ----------
    params : mapping
        ``r, alpha`` (Gamma heterogeneity of the purchase rate) and ``a, b``
        (Beta heterogeneity of the dropout probability); may carry the
        ``model`` key set by :func:`bgnbd_fit`.
    frequency, recency, T : array-like
        Repeat purchases ``x``, time of the last purchase ``t_x`` and age
        ``T``, both measured from the first purchase (:func:`rfm_summary`).
    model : {"bgnbd", "mbgnbd"}, optional
        ``bgnbd``: a customer can drop out after each *repeat* purchase
        (Fader, Hardie & Lee 2005). ``mbgnbd``: also right after the first
        purchase (Batislam, Denizel & Filiztekin 2007). Default:
        ``params["model"]`` or ``bgnbd``.

    Returns
    -------
    ndarray

    Notes
    -----
    BG/NBD (FHL 2005, eq. 6), with ``G = Gamma(r+x) alpha^r / Gamma(r)``:

    ``L = G [B(a, b+x)/B(a, b) (alpha+T)^-(r+x)
    + [x > 0] B(a+1, b+x-1)/B(a, b) (alpha+t_x)^-(r+x)]``.

    MBG/NBD: ``L = G [B(a, b+x+1)/B(a, b) (alpha+T)^-(r+x)
    + B(a+1, b+x)/B(a, b) (alpha+t_x)^-(r+x)]``.

    Examples
    --------
    >>> p = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)   # CDNOW (Fader, Hardie & Lee 2005)
    >>> bgnbd_loglik(p, [0, 2], [0.0, 30.43], [38.86, 38.86]).round(4).tolist()
    [-0.5547, -9.4586]
    """
    r, al, a, b, m = _params(params, model)
    x, tx, TT = _bgnbd_arrays(frequency, recency, T)
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(al) - special.betaln(a, b)
    if m == "mbgnbd":
        t1 = special.betaln(a, b + x + 1) - (r + x) * np.log(al + TT)
        t2 = special.betaln(a + 1, b + x) - (r + x) * np.log(al + tx)
    else:
        t1 = special.betaln(a, b + x) - (r + x) * np.log(al + TT)
        with np.errstate(divide="ignore", invalid="ignore"):
            t2 = np.where(x > 0, special.betaln(a + 1, np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(al + tx),
                          -np.inf)
    return common + np.logaddexp(t1, t2)


def bgnbd_fit(
    rfm: pd.DataFrame,
    *,
    model: Literal["bgnbd", "mbgnbd"] = "bgnbd",
    init: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Maximum-likelihood fit of the BG/NBD (or MBG/NBD) model.

    Parameters
    ----------
    rfm : DataFrame
        Columns ``frequency``, ``recency``, ``T`` (:func:`rfm_summary`).
    model : {"bgnbd", "mbgnbd"}
        See :func:`bgnbd_loglik`.
    init : mapping, optional
        Starting values of ``r, alpha, a, b`` (default 1, mean T / 10, 1, 1).

    Returns
    -------
    dict
        ``r, alpha, a, b``, ``model``, ``loglik`` (total), ``n`` and
        ``converged``. Pass it as ``params`` to the other ``bgnbd_*``
        functions.

    Notes
    -----
    Maximises the sum of :func:`bgnbd_loglik` over the log parameters with
    L-BFGS-B (numerical gradient). On CDNOW (2,357 customers, 78 weeks) the
    published BG/NBD estimates are ``r = 0.243, alpha = 4.414, a = 0.793,
    b = 2.426`` with log-likelihood -9582.4.

    In the BG/NBD a customer without repeat purchases is alive with
    probability one (dropout happens only after a repeat purchase). Where
    most customers buy once - as in durable-goods retail - use
    ``model="mbgnbd"``, which lets customers drop out right after the first
    purchase.
    """
    _require(rfm, "rfm", ["frequency", "recency", "T"])
    x, tx, TT = _bgnbd_arrays(rfm["frequency"], rfm["recency"], rfm["T"])
    if len(x) < 20 or (x > 0).sum() < 5:
        raise ValueError("rfm: at least 20 customers, 5 of them with repeat purchases, are needed")
    _params(dict(r=1, alpha=1, a=1, b=1), model)
    p0 = dict(r=1.0, alpha=max(float(TT.mean()) / 10, 1e-3), a=1.0, b=1.0)
    if init is not None:
        p0.update({k: float(v) for k, v in init.items() if k in p0})
    keys = ("r", "alpha", "a", "b")

    def nll(th: np.ndarray) -> float:
        v = -bgnbd_loglik(dict(zip(keys, np.exp(th))), x, tx, TT, model=model).sum()
        return float(v) if np.isfinite(v) else 1e300

    res = optimize.minimize(nll, np.log([p0[k] for k in keys]), method="L-BFGS-B", bounds=[(-10, 10)] * 4)
    est = dict(zip(keys, np.exp(res.x).tolist()))
    return dict(**est, model=model, loglik=-float(res.fun), n=int(len(x)), converged=bool(res.success))


def bgnbd_p_alive(
    params: Mapping[str, float],
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    model: Literal["bgnbd", "mbgnbd"] | None = None,
) -> np.ndarray:
    """Probability that a customer is still alive at ``T``.

    Parameters
    ----------
    params : mapping
        ``r, alpha, a, b`` (:func:`bgnbd_fit`).
    frequency, recency, T : array-like
        As in :func:`bgnbd_loglik` (same time unit as the fit).
    model : {"bgnbd", "mbgnbd"}, optional
        Default: ``params["model"]`` or ``bgnbd``.

    Returns
    -------
    ndarray

    Notes
    -----
    BG/NBD (FHL 2005, eq. 11): ``P(alive) = 1 / (1 + [x > 0] a / (b + x - 1)
    * ((alpha + T) / (alpha + t_x))^(r + x))`` - equal to one for a customer
    without repeat purchases, however long ago the purchase was.
    MBG/NBD: ``1 / (1 + a / (b + x) ((alpha + T) / (alpha + t_x))^(r + x))``.

    Examples
    --------
    >>> p = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> bgnbd_p_alive(p, [2, 2], [30.0, 5.0], [38.86, 38.86]).round(3).tolist()
    [0.721, 0.124]
    """
    r, al, a, b, m = _params(params, model)
    x, tx, TT = _bgnbd_arrays(frequency, recency, T)
    growth = (r + x) * (np.log(al + TT) - np.log(al + tx))
    if m == "mbgnbd":
        return special.expit(-(np.log(a) - np.log(b + x) + growth))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + growth
    return np.where(x > 0, special.expit(-log_ratio), 1.0)


def bgnbd_expected_purchases(
    params: Mapping[str, float],
    t: Any,
    frequency: Any = None,
    recency: Any = None,
    T: Any = None,
    *,
    model: Literal["bgnbd", "mbgnbd"] | None = None,
) -> np.ndarray:
    """Expected number of purchases in a period of length ``t``.

    Without ``frequency, recency, T``: ``E[X(t)]``, the repeat purchases of
    a new customer over ``(0, t]`` (FHL 2005, eq. 9). With them: the
    conditional expectation of purchases in ``(T, T + t]`` given the
    customer's history (eq. 10). Both use the Gaussian hypergeometric
    function :func:`scipy.special.hyp2f1`.

    Notes
    -----
    BG/NBD: ``E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r
    2F1(r, b; a+b-1; t/(alpha+t))]``;
    MBG/NBD: ``b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))]``.
    The conditional versions replace ``r, b, alpha`` by ``r+x, b+x, alpha+T``
    and divide by ``1 / P(alive)``. Undefined for ``a = 1``.

    Examples
    --------
    >>> p = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> round(float(bgnbd_expected_purchases(p, 39.0)), 4)
    1.1967
    """
    r, al, a, b, m = _params(params, model)
    if abs(a - 1) < 1e-9:
        raise ValueError("params: the expected purchases formula is undefined for a = 1")
    tt = np.asarray(t, float)
    shift = 1.0 if m == "mbgnbd" else 0.0
    if frequency is None:
        lead = (b if m == "mbgnbd" else a + b - 1) / (a - 1)
        z = tt / (al + tt)
        return lead * (1 - (al / (al + tt)) ** r * special.hyp2f1(r, b + shift, a + b - 1 + shift, z))
    x, tx, TT = _bgnbd_arrays(frequency, recency, T)
    z = tt / (al + TT + tt)
    num = (a + b + x - 1 + shift) / (a - 1) * (
        1 - ((al + TT) / (al + TT + tt)) ** (r + x) * special.hyp2f1(r + x, b + x + shift, a + b + x - 1 + shift, z))
    return num * bgnbd_p_alive(params, x, tx, TT, model=m)


# ============================================================================ campaign
def _campaign(campaigns: pd.DataFrame, outcome: str) -> pd.DataFrame:
    _require(campaigns, "campaigns", ["customer_id", "treated", outcome])
    c = campaigns[campaigns["treated"].notna() & campaigns[outcome].notna()]
    tr = c["treated"].astype(bool)
    if tr.sum() < 2 or (~tr).sum() < 2:
        raise ValueError("campaigns: at least two treated and two control customers are needed")
    return c.assign(treated=tr.to_numpy(), _y=_binary(c[outcome].to_numpy(), outcome))


def _diff_in_means(y: np.ndarray, t: np.ndarray, z: float) -> dict[str, float]:
    y1, y0 = y[t], y[~t]
    n1, n0 = len(y1), len(y0)
    p1 = y1.mean() if n1 else np.nan
    p0 = y0.mean() if n0 else np.nan
    se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0) if n1 and n0 else np.nan
    ate = p1 - p0
    return dict(ate=float(ate), se=float(se), ci_low=float(ate - z * se), ci_high=float(ate + z * se),
                n_treated=int(n1), n_control=int(n0), rate_treated=float(p1), rate_control=float(p0))


def campaign_effect(campaigns: pd.DataFrame, *, ci: float = 0.95, outcome: str = "responded") -> dict[str, float]:
    """Average treatment effect of a randomised campaign (difference in means).

    Parameters
    ----------
    campaigns : DataFrame
        The ``campaigns`` table (``treated``, ``responded``).
    ci : float
        Confidence level.
    outcome : str
        Binary outcome column.

    Returns
    -------
    dict
        ``ate``, ``se``, ``ci_low``, ``ci_high``, ``n_treated``,
        ``n_control``, ``rate_treated``, ``rate_control``.

    Notes
    -----
    ``ATE_hat = p1 - p0``; with randomisation it is unbiased for the average
    effect on the targeted customers. Neyman's standard error
    ``sqrt(p1 (1 - p1) / n1 + p0 (1 - p0) / n0)`` and a normal interval.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": list("abcdefgh"), "treated": [True] * 4 + [False] * 4,
    ...                   "responded": [1, 1, 1, 0, 1, 0, 0, 0]})
    >>> round(campaign_effect(c)["ate"], 3)
    0.5
    """
    if not 0 < ci < 1:
        raise ValueError(f"ci: must be in (0, 1) (got {ci!r})")
    c = _campaign(campaigns, outcome)
    return _diff_in_means(c["_y"].to_numpy(), c["treated"].to_numpy(), stats.norm.ppf(0.5 + ci / 2))


def uplift_by_group(
    campaigns: pd.DataFrame,
    groups: str | pd.Series,
    *,
    ci: float = 0.95,
    outcome: str = "responded",
) -> pd.DataFrame:
    """Campaign uplift (treated minus control response rate) within groups.

    Parameters
    ----------
    campaigns : DataFrame
        The ``campaigns`` table.
    groups : str or Series
        A column of ``campaigns``, or a Series indexed by ``customer_id``
        (e.g. a segment, or a risk decile from a churn model).
    ci : float
        Confidence level.
    outcome : str
        Binary outcome column.

    Returns
    -------
    DataFrame
        Indexed by group: the fields of :func:`campaign_effect` with ``ate``
        renamed ``uplift``. Customers without a group are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": list("abcdefgh"), "treated": [True, False] * 4,
    ...                   "responded": [1, 0, 1, 0, 0, 1, 0, 1], "seg": list("xxxxyyyy")})
    >>> uplift_by_group(c, "seg")["uplift"].to_dict()
    {'x': 1.0, 'y': -1.0}
    """
    c = _campaign(campaigns, outcome)
    if isinstance(groups, str):
        if groups not in c.columns:
            raise ValueError(f"campaigns: missing group column: {groups}")
        g = c[groups]
    else:
        g = c["customer_id"].map(pd.Series(groups))
    z = stats.norm.ppf(0.5 + ci / 2)
    rows = {}
    for key in sorted(g.dropna().unique(), key=str):
        m = (g == key).to_numpy()
        rows[key] = _diff_in_means(c["_y"].to_numpy()[m], c["treated"].to_numpy()[m], z)
    if not rows:
        raise ValueError("groups: no campaign customer has a group value")
    out = pd.DataFrame.from_dict(rows, orient="index").rename(columns={"ate": "uplift"})
    out.index.name = "group"
    return out


def tlearner_uplift(
    features: pd.DataFrame,
    campaigns: pd.DataFrame,
    *,
    outcome: str = "responded",
    model: Literal["logistic", "gbm"] = "logistic",
    n_folds: int = 5,
    random_state: int = 0,
) -> pd.Series:
    """Cross-fitted T-learner uplift scores for the campaign's customers.

    Parameters
    ----------
    features : DataFrame
        Pre-campaign features indexed by ``customer_id`` (e.g.
        :func:`churn_features` at the send date).
    campaigns : DataFrame
        The ``campaigns`` table.
    outcome : str
        Binary outcome column.
    model : {"logistic", "gbm"}
        Response model (as in :func:`train_churn_model`).
    n_folds : int
        Folds of the cross-fitting.
    random_state : int
        Seed of the fold assignment (and of the gbm).

    Returns
    -------
    Series
        ``uplift`` indexed by ``customer_id``: ``P(respond | treated, x) -
        P(respond | control, x)``.

    Notes
    -----
    T-learner (Kunzel et al. 2019): one response model on the treated, one
    on the controls; the uplift is the difference of their predictions.
    Each customer's score comes from models fitted on the other folds, so
    evaluating the targeting on the same campaign (:func:`qini_table`,
    :func:`targeting_comparison`) is not flattered by over-fitting.
    """
    from sklearn.model_selection import StratifiedKFold

    c = _campaign(campaigns, outcome).drop_duplicates("customer_id").set_index("customer_id")
    idx = c.index.intersection(features.index)
    if len(idx) < 10 * n_folds:
        raise ValueError(f"features/campaigns: only {len(idx)} campaign customers have features")
    X = features.loc[idx]
    t = c.loc[idx, "treated"].to_numpy(bool)
    y = c.loc[idx, "_y"].to_numpy(int)
    strata = t.astype(int) * 2 + y
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=random_state)
    score = np.empty(len(idx))
    for tr, te in folds.split(X, strata):
        preds = []
        for arm in (True, False):
            sel = tr[t[tr] == arm]
            if len(np.unique(y[sel])) < 2:
                preds.append(np.full(len(te), y[sel].mean()))
                continue
            m = train_churn_model(X.iloc[sel], pd.Series(y[sel], index=X.index[sel]), model=model,
                                  random_state=random_state)
            preds.append(m.predict_proba(X.iloc[te])[:, 1])
        score[te] = preds[0] - preds[1]
    return pd.Series(score, index=idx, name="uplift")


def qini_table(
    campaigns: pd.DataFrame,
    score: pd.Series,
    n_bins: int = 10,
    *,
    outcome: str = "responded",
) -> pd.DataFrame:
    """Incremental responses when targeting the top of a score (uplift / Qini curve).

    Parameters
    ----------
    campaigns : DataFrame
        The randomised ``campaigns`` table.
    score : Series
        Targeting score indexed by ``customer_id`` (higher = target first).
    n_bins : int
        Number of equal-count bins.

    Returns
    -------
    DataFrame
        Indexed by ``bin`` (1 = highest scores): ``n``, ``uplift`` (treated
        minus control response rate in the bin), ``cum_share`` (share of
        customers targeted when the top bins are), ``cum_uplift`` (uplift
        among the targeted) and ``cum_incremental`` (``cum_uplift`` times the
        number targeted: extra responses if everyone targeted were treated).

    Notes
    -----
    Because treatment is randomised within every bin, the treated-minus-
    control difference among the customers a score would target estimates
    the uplift of targeting them (Radcliffe 2007).
    """
    c = _campaign(campaigns, outcome)
    s = c["customer_id"].map(pd.Series(score))
    c = c[s.notna().to_numpy()]
    s = s.dropna().to_numpy(float)
    if len(c) < n_bins * 4:
        raise ValueError(f"score: only {len(c)} campaign customers have a score")
    b = _bins_by_score(s, n_bins)
    y, t = c["_y"].to_numpy(), c["treated"].to_numpy()
    rows = []
    for k in range(1, n_bins + 1):
        m, cm = b == k, b <= k
        d, dc = _diff_in_means(y[m], t[m], 1.96), _diff_in_means(y[cm], t[cm], 1.96)
        rows.append(dict(bin=k, n=int(m.sum()), uplift=d["ate"], cum_share=cm.mean(), cum_uplift=dc["ate"],
                         cum_incremental=dc["ate"] * cm.sum()))
    return pd.DataFrame(rows).set_index("bin")


def targeting_comparison(
    campaigns: pd.DataFrame,
    risk_score: pd.Series,
    uplift_score: pd.Series,
    *,
    budget_share: float = 0.3,
    value_per_response: float = 500.0,
    cost_per_contact: float = 1.0,
    cost_per_redemption: float = 0.0,
    outcome: str = "responded",
) -> pd.DataFrame:
    """Profit of targeting the top ``budget_share`` by churn risk, by uplift, or at random.

    Parameters
    ----------
    campaigns : DataFrame
        The randomised ``campaigns`` table (the evaluation sample).
    risk_score : Series
        Churn risk by ``customer_id`` (e.g. :func:`predict_churn`).
    uplift_score : Series
        Predicted uplift by ``customer_id`` (e.g. :func:`tlearner_uplift`).
    budget_share : float
        Share of the campaign's customers that can be contacted.
    value_per_response : float
        Margin of one *incremental* response, yuan.
    cost_per_contact : float
        Cost of contacting one customer, yuan.
    cost_per_redemption : float
        Cost of an offer redeemed by a treated responder, yuan (paid to the
        customers who would have bought anyway too).
    outcome : str
        Binary outcome column.

    Returns
    -------
    DataFrame
        Indexed by ``strategy`` (``random``, ``risk``, ``uplift``):
        ``n_targeted``, ``uplift`` (estimated in the targeted group),
        ``ci_low``, ``ci_high``, ``incremental_responses``,
        ``response_rate_treated`` and ``profit``.

    Notes
    -----
    Targeting policy *P* contacts the set *S_P* of the top ``budget_share``
    customers by its score. Its profit is estimated on the randomised
    campaign as

    ``profit = |S| (uplift_S * value - cost_per_contact - p1_S * cost_per_redemption)``

    with ``uplift_S`` the treated-minus-control response rate within *S*
    and ``p1_S`` the treated response rate in *S*. Targeting by risk aims at
    the customers most likely to leave; targeting by uplift at those whose
    behaviour the offer changes most. The two need not coincide - high-risk
    customers may be unreachable, and some low-risk ones react badly
    ("sleeping dogs") - which is why uplift targeting usually earns more
    (Ascarza 2018). Scores must not be fitted on the evaluation sample
    (use cross-fitting, :func:`tlearner_uplift`). The ``random`` row targets
    everyone's average (the ATE) at the same budget.
    """
    if not 0 < budget_share <= 1:
        raise ValueError(f"budget_share: must be in (0, 1] (got {budget_share!r})")
    c = _campaign(campaigns, outcome)
    y, t = c["_y"].to_numpy(), c["treated"].to_numpy()
    n = len(c)
    k = max(int(round(budget_share * n)), 4)
    rows = {}
    d_all = _diff_in_means(y, t, 1.96)
    rows["random"] = dict(d_all, n_targeted=k)
    for name, sc in (("risk", risk_score), ("uplift", uplift_score)):
        s = c["customer_id"].map(pd.Series(sc)).to_numpy(float)
        if np.isnan(s).all():
            raise ValueError(f"{name}_score: no campaign customer has a score")
        s = np.where(np.isnan(s), -np.inf, s)
        top = np.argsort(-s, kind="stable")[:k]
        rows[name] = dict(_diff_in_means(y[top], t[top], 1.96), n_targeted=k)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out = out.rename(columns={"ate": "uplift", "rate_treated": "response_rate_treated"})
    out["incremental_responses"] = out["uplift"] * out["n_targeted"]
    out["profit"] = out["n_targeted"] * (out["uplift"] * value_per_response - cost_per_contact
                                         - out["response_rate_treated"] * cost_per_redemption)
    out.index.name = "strategy"
    return out[["n_targeted", "uplift", "ci_low", "ci_high", "incremental_responses",
                "response_rate_treated", "profit"]]


def retention_profit(n: Any, p_targeted: Any, gamma: Any, ltv: Any, cost: Any) -> Any:
    """Expected profit of a retention campaign.

    Parameters
    ----------
    n : float
        Customers in the base.
    p_targeted : float
        Share of them contacted.
    gamma : float
        Probability that a contacted customer is retained *because of* the
        offer (the uplift in retention).
    ltv : float
        Lifetime value of a retained customer, yuan.
    cost : float
        Cost per contacted customer (contact plus expected incentive), yuan.

    Returns
    -------
    float or ndarray
        ``n * p_targeted * (gamma * ltv - cost)``; arrays broadcast.

    Notes
    -----
    The campaign pays off when ``gamma * ltv > cost``: what matters is the
    *incremental* retention ``gamma`` among those contacted, not their churn
    risk (Neslin et al. 2006; Ascarza 2018).

    Examples
    --------
    >>> retention_profit(10_000, 0.1, 0.05, 2_000.0, 30.0)
    70000.0
    """
    vals = [np.asarray(v, float) for v in (n, p_targeted, gamma, ltv, cost)]
    if any(np.isnan(v).any() for v in vals):
        raise ValueError("retention_profit: arguments must not be missing")
    if (vals[0] < 0).any() or ((vals[1] < 0) | (vals[1] > 1)).any():
        raise ValueError("retention_profit: need n >= 0 and 0 <= p_targeted <= 1")
    out = vals[0] * vals[1] * (vals[2] * vals[3] - vals[4])
    return float(out) if out.ndim == 0 else out
