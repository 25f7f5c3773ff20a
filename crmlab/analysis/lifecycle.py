"""The multichannel customer and the customer lifecycle: channel mix, the silo effect, cohorts, win-back.

The course names four stages of customer relationship management - 客户获取
(acquisition), 客户保留 (retention), 客户提升 (development, e.g. up-sell) and
客户挽回 (win-back) - and warns of the silo effect (筒仓效应): each channel's
system sees only its own customers. These estimators work on the ``orders``
table (counted orders only, :func:`crmlab.domain.counted_orders`) and, for
cohorts, on ``customers.signup_date``.

* :func:`channel_profile` - per customer: orders, spend, channels used and the
  channel type (store only, web only, app only, multichannel);
  :func:`value_by_type` - a value by channel type with t intervals;
  :func:`multichannel_premium` - how much more multichannel customers spend,
  raw and with the number of orders held fixed (log-linear regression).
* :func:`category_mix` - category shares of sales by store format or city tier.
* :func:`silo_view` - each channel's system on its own against the unified
  view: customers, value per customer, share lapsed; :func:`silo_false_lapsed`
  - the share of a system's "lapsed" customers who still buy elsewhere.
* :func:`retention_curve` - share of a cohort with a counted order in each
  period after signup; :func:`retention_difference` - two cohorts compared;
  :func:`revenue_by_customer_age` - revenue of new and returning customers by year.
* :func:`winback` - lapsed customers, their past value and the mean
  probability that they are still "alive" (BG/NBD family), with an interval.

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis.lifecycle import channel_profile
>>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "channel": ["store", "app", "web"],
...                        "order_ts": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-02-01"]),
...                        "order_value": [100.0, 50.0, 80.0], "status": "completed"})
>>> channel_profile(orders)[["n_orders", "spend", "channel_type"]]
             n_orders  spend  channel_type
customer_id                               
a                   2  150.0  multichannel
b                   1   80.0      web_only
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._checks import as_timestamp, require_columns
from ..domain import COUNTED_STATUSES, counted_orders, line_values, order_values
from ._proportions import newcombe_difference, wilson_interval
from ._results import DEFAULT_CONFIDENCE, Estimate, Result, t_value, z_value
from .clv.bgnbd import BGNBD, MBGNBD, rfm_summary

__all__ = ["CHANNELS", "CHANNEL_TYPES", "channel_profile", "value_by_type", "Premium", "multichannel_premium",
           "category_mix", "silo_view", "silo_false_lapsed", "retention_curve", "retention_difference",
           "revenue_by_customer_age", "WinBack", "winback"]

#: The sales channels of the orders table.
CHANNELS: tuple[str, ...] = ("store", "web", "app")
#: Channel types of a customer, from the channels of their counted orders.
CHANNEL_TYPES: tuple[str, ...] = ("store_only", "web_only", "app_only", "multichannel")


def _counted(orders: pd.DataFrame, statuses: Sequence[str] | None, columns: Sequence[str] = ()) -> pd.DataFrame:
    require_columns(orders, ["customer_id", "order_ts", *columns], table="orders")
    o = counted_orders(orders, statuses)
    o = o[o["customer_id"].notna()]
    value = order_values(o).to_numpy() if "order_value" in o.columns else np.nan
    return o.assign(order_ts=pd.to_datetime(o["order_ts"]), value=value)


def channel_profile(orders: pd.DataFrame, *, statuses: Sequence[str] | None = COUNTED_STATUSES) -> pd.DataFrame:
    """One row per customer with a counted order: value, channels used and channel type.

    Parameters
    ----------
    orders : DataFrame
        ``customer_id, order_ts, channel`` and ``order_value`` (``status`` if present).
    statuses : sequence of str or None
        Statuses that count as purchases.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``n_orders``, ``spend`` (sum of order
        values), ``spend_per_order``, ``n_channels``, ``channel_type`` (one of
        :data:`CHANNEL_TYPES`: ``"<channel>_only"`` for one channel, else
        ``"multichannel"``), ``first_order``, ``last_order``.

    Examples
    --------
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "a"], "channel": ["app", "app", "app"],
    ...                        "order_ts": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-03-01"]),
    ...                        "order_value": [10.0, 20.0, 30.0]})
    >>> channel_profile(orders).loc["a", ["n_orders", "spend_per_order", "channel_type"]].astype(str).tolist()
    ['3', '20.0', 'app_only']
    """
    o = _counted(orders, statuses, ["channel"])
    g = o.groupby("customer_id", sort=True)
    n_channels = g["channel"].nunique()
    only = g["channel"].first().astype(str) + "_only"
    out = pd.DataFrame({
        "n_orders": g.size().astype("int64"),
        "spend": g["value"].sum(),
        "n_channels": n_channels.astype("int64"),
        "channel_type": only.where(n_channels == 1, "multichannel"),
        "first_order": g["order_ts"].min(),
        "last_order": g["order_ts"].max(),
    })
    out.insert(2, "spend_per_order", out["spend"] / out["n_orders"])
    out.index.name = "customer_id"
    return out


def _t_interval(x: np.ndarray, confidence_level: float) -> tuple[float, float, float]:
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return np.nan, np.nan, np.nan
    m = float(x.mean())
    if len(x) < 2:
        return m, np.nan, np.nan
    half = t_value(confidence_level, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return m, m - half, m + half


def value_by_type(profile: pd.DataFrame, value: str = "spend", *, by: str = "channel_type",
                  confidence_level: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Mean of a per-customer value by group (channel type by default), with t intervals.

    Parameters
    ----------
    profile : DataFrame
        From :func:`channel_profile` (or any per-customer table).
    value : str
        Column to average (``"spend"``, ``"n_orders"``, ``"spend_per_order"`` ...).
    by : str
        Grouping column.
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        One row per group: ``n`` customers, ``mean``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> p = pd.DataFrame({"channel_type": ["app_only"] * 3 + ["multichannel"] * 2,
    ...                   "spend": [10.0, 20.0, 30.0, 100.0, 100.0]})
    >>> value_by_type(p)[["n", "mean"]]
                  n   mean
    channel_type          
    app_only      3   20.0
    multichannel  2  100.0
    """
    require_columns(profile, [value, by], table="profile")
    rows = {}
    for g, part in profile.groupby(by, sort=True):
        m, lo, hi = _t_interval(part[value].to_numpy(float), confidence_level)
        rows[g] = {"n": len(part), "mean": m, "ci_low": lo, "ci_high": hi}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = by
    return out.astype({"n": "int64"})


@dataclasses.dataclass(frozen=True)
class Premium(Result):
    """Spend of multichannel customers relative to single-channel customers.

    Attributes
    ----------
    estimate : float
        Relative difference ``exp(beta) - 1`` of the multichannel coefficient
        of the log-spend regression (0.25 = 25% more).
    ci_low, ci_high : float
        Its interval (from the coefficient's robust HC1 interval).
    confidence_level : float
    adjusted : bool
        Whether ``log(n_orders)`` was in the regression (spend compared at the
        same number of orders).
    n : int
        Customers in the regression.
    order_elasticity : float
        Coefficient of ``log(n_orders)`` (NaN if not adjusted).
    """

    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    adjusted: bool
    n: int
    order_elasticity: float


def multichannel_premium(profile: pd.DataFrame, *, adjust: bool = True,
                         confidence_level: float = DEFAULT_CONFIDENCE) -> Premium:
    """How much more multichannel customers spend: ``log(spend) ~ multichannel [+ log(n_orders)]``.

    Multichannel customers buy more often - a customer with one order cannot
    be multichannel - so the raw comparison (``adjust=False``) mixes "buys in
    several channels" with "buys more often". With ``adjust=True`` the
    comparison is made at the same number of orders.

    Parameters
    ----------
    profile : DataFrame
        From :func:`channel_profile` (``spend``, ``n_orders``, ``channel_type``).
        Customers with a spend of zero or less are left out.
    adjust : bool, default True
    confidence_level : float, default 0.95

    Returns
    -------
    Premium

    Examples
    --------
    >>> p = pd.DataFrame({"channel_type": ["multichannel", "app_only"] * 20, "n_orders": [2, 1] * 20,
    ...                   "spend": [200.0, 100.0] * 20})
    >>> p.loc[[0, 1], "spend"] *= 1.1
    >>> round(multichannel_premium(p, adjust=False).estimate, 2)  # twice the spend
    1.0
    """
    import statsmodels.api as sm

    require_columns(profile, ["spend", "n_orders", "channel_type"], table="profile")
    p = profile[profile["spend"] > 0]
    X = pd.DataFrame({"const": 1.0, "multichannel": (p["channel_type"] == "multichannel").astype(float)})
    if adjust:
        X["log_orders"] = np.log(p["n_orders"].astype(float))
    fit = sm.OLS(np.log(p["spend"].astype(float)).to_numpy(), X.to_numpy()).fit(cov_type="HC1")
    b, se = float(fit.params[1]), float(fit.bse[1])
    z = z_value(confidence_level)
    return Premium(float(np.expm1(b)), float(np.expm1(b - z * se)), float(np.expm1(b + z * se)), confidence_level,
                   adjust, int(len(p)), float(fit.params[2]) if adjust else float("nan"))


def category_mix(orders: pd.DataFrame, order_items: pd.DataFrame, products: pd.DataFrame, by: pd.Series | str, *,
                 statuses: Sequence[str] | None = COUNTED_STATUSES) -> pd.DataFrame:
    """Share of each category in the sales of each group (store format, city tier ...).

    Parameters
    ----------
    orders : DataFrame
        ``order_id`` (and ``status``); rows with a missing group are left out.
    order_items, products : DataFrame
        Lines (``order_id, sku, quantity, unit_price, discount``) and ``sku, category``.
    by : str or Series
        A column of ``orders`` or values aligned with it.
    statuses : sequence of str or None

    Returns
    -------
    DataFrame
        Rows: groups; columns: categories; values: share of the group's net
        line value (each row sums to 1).

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": ["o1", "o2"], "format": ["community", "flagship"]})
    >>> items = pd.DataFrame({"order_id": ["o1", "o1", "o2"], "sku": ["s1", "s2", "s1"], "quantity": 1,
    ...                       "unit_price": [30.0, 10.0, 50.0]})
    >>> products = pd.DataFrame({"sku": ["s1", "s2"], "category": ["tv", "accessory"]})
    >>> category_mix(orders, items, products, "format")
    category   accessory   tv
    format                   
    community       0.25  0.75
    flagship        0.00  1.00
    """
    require_columns(orders, ["order_id"], table="orders")
    require_columns(products, ["sku", "category"], table="products")
    groups = orders[by] if isinstance(by, str) else pd.Series(by, index=orders.index)
    keep = counted_orders(orders.assign(_group=groups.to_numpy()), statuses)
    keep = keep[keep["_group"].notna()]
    lines = order_items[order_items["order_id"].isin(keep["order_id"])]
    frame = pd.DataFrame({"group": lines["order_id"].map(keep.set_index("order_id")["_group"]).to_numpy(),
                          "category": lines["sku"].map(products.set_index("sku")["category"]).to_numpy(),
                          "value": line_values(lines).to_numpy()})
    table = frame.pivot_table(index="group", columns="category", values="value", aggfunc="sum", fill_value=0.0)
    table = table.div(table.sum(axis=1), axis=0)
    table.index.name = by if isinstance(by, str) else getattr(by, "name", None)
    table.columns.name = "category"
    return table


def _through(o: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """The orders placed up to and including the day of ``end``."""
    return o[o["order_ts"] < end.normalize() + pd.Timedelta(days=1)]


def _lapsed(last: pd.Series, end: pd.Timestamp, window_days: int) -> pd.Series:
    """Lapsed: the date of the last order is at least ``window_days`` days before the date of ``end``."""
    return (end.normalize() - last.dt.normalize()) >= pd.Timedelta(days=window_days)


def silo_view(orders: pd.DataFrame, *, as_of: Any, window_days: int = 365,
              statuses: Sequence[str] | None = COUNTED_STATUSES,
              confidence_level: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """What each channel's own system sees, next to the unified view.

    A channel's system knows only the orders placed in that channel: its
    "customers" are the customers with an order there, and it calls a customer
    lapsed when their last order *in that channel* is at least ``window_days``
    before ``as_of``.

    Parameters
    ----------
    orders : DataFrame
        ``customer_id, order_ts, channel, order_value`` (``status``).
    as_of : date-like
        The day of the analysis: orders up to and including that day are used.
    window_days : int, default 365
    statuses : sequence of str or None
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        Rows: each channel, then ``"unified"``. Columns: ``n_customers``,
        ``spend_per_customer``, ``n_lapsed``, ``lapsed_share`` with Wilson
        ``ci_low``/``ci_high``.

    Examples
    --------
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "channel": ["store", "app", "store"],
    ...                        "order_ts": pd.to_datetime(["2023-01-10", "2024-06-01", "2024-05-01"]),
    ...                        "order_value": [100.0, 50.0, 80.0]})
    >>> silo_view(orders, as_of="2024-12-31")[["n_customers", "n_lapsed", "lapsed_share"]]
             n_customers  n_lapsed  lapsed_share
    app                1         0           0.0
    store              2         1           0.5
    unified            2         0           0.0
    """
    end = as_timestamp(as_of, "as_of")
    o = _counted(orders, statuses, ["channel"])
    o = _through(o, end)
    rows = {}
    parts = [(str(ch), o[o["channel"] == ch]) for ch in sorted(o["channel"].dropna().unique())] + [("unified", o)]
    for name, part in parts:
        g = part.groupby("customer_id")
        lapsed = _lapsed(g["order_ts"].max(), end, window_days)
        rows[name] = {"n_customers": int(len(lapsed)), "spend_per_customer": float(g["value"].sum().mean()),
                      "n_lapsed": int(lapsed.sum())}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out["lapsed_share"] = out["n_lapsed"] / out["n_customers"]
    lo, hi = wilson_interval(out["n_lapsed"].to_numpy(), out["n_customers"].to_numpy(), confidence_level)
    out["ci_low"], out["ci_high"] = lo, hi
    return out


@dataclasses.dataclass(frozen=True)
class FalseLapsed(Result):
    """Customers a channel's system calls lapsed although they still buy in another channel.

    Attributes
    ----------
    channel : str
    estimate : float
        Share of the channel's customers that its system calls lapsed but the
        unified view calls active. Among the channel's customers, this is also
        the silo's lapsed share minus the unified view's lapsed share (unified
        lapsed implies silo lapsed).
    ci_low, ci_high : float
        Wilson interval.
    confidence_level : float
    n_customers : int
        The channel's customers.
    n_silo_lapsed : int
        Customers the channel's system calls lapsed.
    n_active_elsewhere : int
        Of these, customers with an order in another channel within the window.
    share_of_lapsed : float
        ``n_active_elsewhere / n_silo_lapsed``: how many of the system's "lapsed"
        customers are not lost at all (channel shift).
    """

    channel: str
    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    n_customers: int
    n_silo_lapsed: int
    n_active_elsewhere: int
    share_of_lapsed: float


def silo_false_lapsed(orders: pd.DataFrame, *, as_of: Any, channel: str = "store", window_days: int = 365,
                      statuses: Sequence[str] | None = COUNTED_STATUSES,
                      confidence_level: float = DEFAULT_CONFIDENCE) -> FalseLapsed:
    """The silo effect in one number: customers "lapsed" in one system but active in another channel.

    Parameters
    ----------
    orders : DataFrame
        As in :func:`silo_view`.
    as_of : date-like
    channel : str, default "store"
    window_days : int, default 365
    statuses : sequence of str or None
    confidence_level : float, default 0.95

    Returns
    -------
    FalseLapsed

    Examples
    --------
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "channel": ["store", "app", "store", "store"],
    ...                        "order_ts": pd.to_datetime(["2023-01-10", "2024-06-01", "2023-05-01", "2024-07-01"]),
    ...                        "order_value": 1.0})
    >>> r = silo_false_lapsed(orders, as_of="2024-12-31")
    >>> r.n_customers, r.n_silo_lapsed, r.n_active_elsewhere, round(r.estimate, 3)
    (3, 2, 1, 0.333)
    """
    end = as_timestamp(as_of, "as_of")
    o = _counted(orders, statuses, ["channel"])
    o = _through(o, end)
    silo_last = o[o["channel"] == channel].groupby("customer_id")["order_ts"].max()
    if silo_last.empty:
        raise ValueError(f"orders: no counted order in channel {channel!r} up to as_of")
    all_last = o.groupby("customer_id")["order_ts"].max().reindex(silo_last.index)
    silo_lapsed = _lapsed(silo_last, end, window_days)
    elsewhere = silo_lapsed & ~_lapsed(all_last, end, window_days)
    k, n = int(elsewhere.sum()), int(len(silo_last))
    lo, hi = wilson_interval(k, n, confidence_level)
    n_l = int(silo_lapsed.sum())
    return FalseLapsed(channel, k / n, float(lo), float(hi), confidence_level, n, n_l, k,
                       k / n_l if n_l else float("nan"))


def retention_curve(orders: pd.DataFrame, customers: pd.DataFrame, *, as_of: Any, by: str | pd.Series | None = None,
                    period_days: int = 91, n_periods: int = 8, statuses: Sequence[str] | None = COUNTED_STATUSES,
                    confidence_level: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Share of each cohort with a counted order in each period after signup.

    Period ``k`` (1, 2, ...) covers the days ``[(k-1) * period_days, k * period_days)``
    after the customer's ``signup_date``. A customer counts in period ``k``
    only if the whole period lies before ``as_of`` (later periods are not yet
    observed for recent signups).

    Parameters
    ----------
    orders : DataFrame
        ``customer_id, order_ts`` (``status``).
    customers : DataFrame
        ``customer_id, signup_date`` and the cohort column.
    as_of : date-like
    by : str or Series, optional
        Cohort: a column of ``customers`` (``"signup_channel"``), values aligned
        with it, or the special values ``"signup_quarter"`` / ``"signup_year"``.
        Default: one cohort ``"all"``.
    period_days : int, default 91 (a quarter)
    n_periods : int, default 8
    statuses : sequence of str or None
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        Long format, one row per cohort and period observed: ``cohort``,
        ``period``, ``n`` (customers observed), ``k`` (with an order),
        ``share`` with Wilson ``ci_low``/``ci_high``.

    Examples
    --------
    >>> customers = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": pd.to_datetime(["2024-01-01"] * 2)})
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...                        "order_ts": pd.to_datetime(["2024-01-02", "2024-04-15", "2024-01-03"])})
    >>> retention_curve(orders, customers, as_of="2024-07-15")[["period", "n", "k", "share"]]
       period  n  k  share
    0       1  2  2    1.0
    1       2  2  1    0.5
    """
    end = as_timestamp(as_of, "as_of")
    require_columns(customers, ["customer_id", "signup_date"], table="customers")
    signup = pd.to_datetime(customers["signup_date"])
    if by is None:
        cohort = pd.Series("all", index=customers.index)
    elif isinstance(by, str) and by in ("signup_quarter", "signup_year"):
        cohort = signup.dt.to_period("Q" if by == "signup_quarter" else "Y").astype(str)
    elif isinstance(by, str):
        require_columns(customers, [by], table="customers")
        cohort = customers[by]
    else:
        cohort = pd.Series(np.asarray(by), index=customers.index)
    cust = pd.DataFrame({"customer_id": customers["customer_id"].to_numpy(), "signup": signup.to_numpy(),
                         "cohort": cohort.to_numpy()}).dropna(subset=["signup", "cohort"])
    o = _counted(orders, statuses)
    o = o[o["order_ts"] < end].merge(cust, on="customer_id")
    o["period"] = ((o["order_ts"] - o["signup"]).dt.days // period_days + 1).astype("int64")
    active = o.loc[o["period"] >= 1, ["customer_id", "period"]].drop_duplicates()
    rows = []
    for k in range(1, n_periods + 1):
        observed = cust[cust["signup"] + pd.Timedelta(days=k * period_days) <= end]
        if observed.empty:
            continue
        hit = observed["customer_id"].isin(active.loc[active["period"] == k, "customer_id"])
        for c, h in hit.groupby(observed["cohort"].to_numpy(), sort=True):
            rows.append({"cohort": c, "period": k, "n": int(len(h)), "k": int(h.sum())})
    out = pd.DataFrame(rows, columns=["cohort", "period", "n", "k"])
    out["share"] = out["k"] / out["n"]
    lo, hi = wilson_interval(out["k"].to_numpy(), out["n"].to_numpy(), confidence_level)
    out["ci_low"], out["ci_high"] = lo, hi
    return out.sort_values(["cohort", "period"], kind="stable").reset_index(drop=True)


def retention_difference(curve: pd.DataFrame, a: Any, b: Any, period: int, *,
                         confidence_level: float = DEFAULT_CONFIDENCE) -> Estimate:
    """Retention of cohort ``a`` minus cohort ``b`` in one period, with Newcombe's interval.

    Examples
    --------
    >>> curve = pd.DataFrame({"cohort": ["app", "store"], "period": [2, 2], "n": [200, 200], "k": [80, 50]})
    >>> e = retention_difference(curve, "app", "store", 2)
    >>> round(e.estimate, 2), e.excludes(0)
    (0.15, True)
    """
    row = curve.set_index(["cohort", "period"])
    ka, na = row.loc[(a, period), ["k", "n"]]
    kb, nb = row.loc[(b, period), ["k", "n"]]
    est, lo, hi = newcombe_difference(float(ka), float(na), float(kb), float(nb), confidence_level)
    return Estimate(est, lo, hi, confidence_level)


def revenue_by_customer_age(orders: pd.DataFrame, *, statuses: Sequence[str] | None = COUNTED_STATUSES,
                            n_boot: int = 400, seed: int = 0,
                            confidence_level: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Revenue per calendar year from new customers (first counted order that year) and returning ones.

    The returning customers' revenue is what retention contributes; the new
    customers' revenue what acquisition contributes. In the first year of the
    data every customer is "new" (earlier purchases are not recorded).

    Parameters
    ----------
    orders : DataFrame
    statuses : sequence of str or None
    n_boot : int, default 400
        Bootstrap resamples of the year's customers for the interval of
        ``returning_share``.
    seed : int
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        One row per year: ``new_customers``, ``returning_customers``,
        ``new_revenue``, ``returning_revenue``, ``returning_share`` (of the
        year's revenue) with a percentile bootstrap ``ci_low``/``ci_high``.

    Examples
    --------
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "order_value": [10.0, 30.0, 20.0, 10.0],
    ...                        "order_ts": pd.to_datetime(["2024-03-01", "2025-02-01", "2024-05-01", "2025-06-01"])})
    >>> revenue_by_customer_age(orders, n_boot=50)[["new_customers", "returning_revenue", "returning_share"]]
          new_customers  returning_revenue  returning_share
    year                                                  
    2024              2                0.0             0.00
    2025              1               30.0             0.75
    """
    o = _counted(orders, statuses)
    first_year = o.groupby("customer_id")["order_ts"].min().dt.year
    o = o.assign(year=o["order_ts"].dt.year.to_numpy())
    o["returning"] = o["customer_id"].map(first_year).to_numpy() < o["year"].to_numpy()
    rng = np.random.default_rng(seed)
    alpha = (1 - confidence_level) / 2
    rows = {}
    for year, part in o.groupby("year", sort=True):
        per = part.groupby(["customer_id", "returning"])["value"].sum().reset_index()
        ret = per["returning"].to_numpy(bool)
        val = per["value"].to_numpy(float)
        share = float(val[ret].sum() / val.sum()) if val.sum() > 0 else float("nan")
        if ret.any() and (~ret).any():
            idx = rng.integers(0, len(val), size=(n_boot, len(val)))
            v, r = val[idx], ret[idx]
            boot = (v * r).sum(axis=1) / v.sum(axis=1)
            lo, hi = np.quantile(boot, [alpha, 1 - alpha])
        else:
            lo = hi = share
        rows[int(year)] = {"new_customers": int((~ret).sum()), "returning_customers": int(ret.sum()),
                           "new_revenue": float(val[~ret].sum()), "returning_revenue": float(val[ret].sum()),
                           "returning_share": share, "ci_low": float(lo), "ci_high": float(hi)}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "year"
    return out


def _parameter_variance(model_cls: type, params: dict, lapsed: pd.DataFrame, rfm: pd.DataFrame, *,
                        n_draws: int = 200, seed: int = 0) -> float:
    """Variance of the lapsed customers' mean P(alive) due to the estimated parameters.

    Draws log-parameters from the normal approximation (inverse of the numerical
    Hessian of the log-likelihood at the estimate) and recomputes the mean. NaN
    when the observed information is not positive definite.
    """
    keys = ("r", "alpha", "a", "b")
    theta = np.log([params[k] for k in keys])
    cols = (rfm["frequency"], rfm["recency"], rfm["T"])

    def ll(th: np.ndarray) -> float:
        return float(model_cls.from_params(*np.exp(th)).loglik(*cols).sum())

    h, k = 1e-3, len(theta)
    hess = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h, np.eye(k)[j] * h
            v = (ll(theta + ei + ej) - ll(theta + ei - ej) - ll(theta - ei + ej) + ll(theta - ei - ej)) / (4 * h * h)
            hess[i, j] = hess[j, i] = v
    info = -(hess + hess.T) / 2
    if not np.all(np.isfinite(info)) or np.linalg.eigvalsh(info).min() <= 0:
        return float("nan")  # the likelihood is flat in some direction (small data): no interval
    cov = np.linalg.inv(info)
    draws = np.clip(np.random.default_rng(seed).multivariate_normal(theta, cov, size=n_draws), -10, 10)
    lcols = (lapsed["frequency"], lapsed["recency"], lapsed["T"])
    means = [float(np.mean(model_cls.from_params(*np.exp(d)).p_alive(*lcols))) for d in draws]
    return float(np.var(means, ddof=1))


@dataclasses.dataclass(frozen=True)
class WinBack(Result):
    """Lapsed customers and the share of them still "alive" (客户挽回).

    Attributes
    ----------
    estimate : float
        Mean P(alive) among the lapsed customers: the share expected to be
        still alive - the winnable share.
    ci_low, ci_high : float
        Normal interval for the *realised* share alive among these customers.
        Two sources of variation are added: each customer is alive with
        probability ``p_i`` (variance ``sum p_i (1 - p_i) / n**2``), and the
        model's four parameters are estimated (the variance of the mean
        ``p_i`` over parameter draws from the normal approximation of the
        log-parameters, with the observed information as precision). NaN when
        the likelihood is too flat to give that information (small data).
    confidence_level : float
    model : str
        ``"mbgnbd"`` or ``"bgnbd"``.
    n_customers : int
        Customers with a counted order before ``as_of``.
    n_lapsed : int
    past_value : float
        Total spend of the lapsed customers.
    customers : DataFrame
        Per customer: ``frequency, recency, T`` (weeks), ``spend``, ``lapsed``
        and ``p_alive``.
    """

    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    model: str
    n_customers: int
    n_lapsed: int
    past_value: float
    customers: pd.DataFrame


def winback(orders: pd.DataFrame, *, as_of: Any, window_days: int = 365, model: str = "mbgnbd",
            statuses: Sequence[str] | None = COUNTED_STATUSES,
            confidence_level: float = DEFAULT_CONFIDENCE) -> WinBack:
    """Lapsed customers (last counted order ``window_days`` or more before ``as_of``) and their P(alive).

    Parameters
    ----------
    orders : DataFrame
        ``customer_id, order_ts, order_value`` (``status``).
    as_of : date-like
    window_days : int, default 365
    model : {"mbgnbd", "bgnbd"}
        The modified BG/NBD lets a customer die after the first purchase too;
        the BG/NBD gives every one-time buyer P(alive) = 1, however long ago.
    statuses : sequence of str or None
    confidence_level : float, default 0.95

    Returns
    -------
    WinBack

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> ids = np.repeat([f"c{i}" for i in range(60)], 3)
    >>> ts = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, len(ids)), unit="D")
    >>> orders = pd.DataFrame({"customer_id": ids, "order_ts": ts, "order_value": 100.0})
    >>> w = winback(orders, as_of="2026-01-01")
    >>> w.n_lapsed == int(w.customers["lapsed"].sum()), 0 <= w.estimate <= 1
    (True, True)
    """
    if model not in ("mbgnbd", "bgnbd"):
        raise ValueError(f"model must be 'mbgnbd' or 'bgnbd', got {model!r}")
    end = as_timestamp(as_of, "as_of")
    o = _counted(orders, statuses)
    o = _through(o, end)
    rfm = rfm_summary(o.drop(columns=["status"], errors="ignore"), as_of=end.normalize() + pd.Timedelta(days=1),
                      statuses=None)
    fit = (MBGNBD() if model == "mbgnbd" else BGNBD()).fit(rfm["frequency"], rfm["recency"], rfm["T"])
    g = o.groupby("customer_id")
    table = rfm[["frequency", "recency", "T"]].assign(
        spend=g["value"].sum().reindex(rfm.index).to_numpy(),
        lapsed=_lapsed(g["order_ts"].max().reindex(rfm.index), end, window_days).to_numpy(),
        p_alive=fit.p_alive(rfm["frequency"], rfm["recency"], rfm["T"]))
    pa = table.loc[table["lapsed"], "p_alive"].to_numpy(float)
    if len(pa) == 0:
        est = lo = hi = float("nan")
    else:
        est = float(pa.mean())
        lapsed = table["lapsed"].to_numpy(bool)
        param_var = _parameter_variance(type(fit), fit.params_, rfm.loc[lapsed], rfm, seed=0)
        se = float(np.sqrt(np.sum(pa * (1 - pa)) / len(pa) ** 2 + param_var))
        z = z_value(confidence_level)
        lo, hi = max(est - z * se, 0.0), min(est + z * se, 1.0)
    return WinBack(est, lo, hi, confidence_level, model, int(len(table)), int(len(pa)),
                   float(table.loc[table["lapsed"], "spend"].sum()), table)
