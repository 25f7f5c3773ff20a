"""The customer x month panel of purchasing around loyalty enrolment, and the naive comparison.

:func:`monthly_panel` turns the contract tables ``orders``, ``customers`` and
``loyalty`` into one row per customer and calendar month with the customer's
orders, spend, enrolment month and pre-treatment profile; every estimator of
:mod:`crmlab.analysis.loyalty` works on it. :func:`naive_member_effect` is the
comparison a dashboard shows (members vs non-members after launch), which
mixes the programme's effect with self-selection.

The small helpers :func:`month_index`, :func:`month_start` and
:func:`check_panel` are shared by the other modules of the package.

Examples
--------
>>> import crmlab
>>> from crmlab.analysis.loyalty import monthly_panel, naive_member_effect
>>> data = crmlab.make_retail_crm("tiny", seed=1)
>>> panel = monthly_panel(data.orders, data.customers, data.loyalty, as_of="2025-06-30")
>>> naive = naive_member_effect(panel)
>>> naive.rate_lift > 0  # members out-buy non-members, whatever the programme does
True
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..._checks import as_datetimes, as_timestamp, require_columns
from ...domain import COUNTED_STATUSES, counted_orders
from .._results import DEFAULT_CONFIDENCE, Estimate, Result, z_value

__all__ = ["monthly_panel", "naive_member_effect", "rate_ratio", "NaiveComparison", "PANEL_COLUMNS"]

#: Columns every estimator needs in a panel (:func:`monthly_panel` has more).
PANEL_COLUMNS: tuple[str, ...] = ("customer_id", "month", "orders", "months_since_enrol")


# ============================================================================ helpers
def month_index(values: Any, name: str) -> np.ndarray:
    """Months since year 0 (``year * 12 + month - 1``) as floats; NaN for missing dates.

    Parameters
    ----------
    values : array-like of dates
        Datetimes, or ISO 8601 text (anything else is an error, see
        :func:`crmlab._checks.as_datetimes`).
    name : str
        Column name used in error messages, e.g. ``"orders.order_ts"``.

    Examples
    --------
    >>> month_index(["2024-01-15", None, "2024-03-01"], "month")
    array([24288.,    nan, 24290.])
    """
    ts = as_datetimes(pd.Series(values), name)
    return (ts.dt.year * 12 + ts.dt.month - 1).to_numpy(dtype=float)


def month_start(index: np.ndarray) -> np.ndarray:
    """Inverse of :func:`month_index`: the first day of each month (``datetime64[s]``, NaT for NaN).

    Examples
    --------
    >>> month_start(np.array([24288.0, np.nan])).astype(str).tolist()
    ['2024-01-01T00:00:00', 'NaT']
    """
    idx = np.asarray(index, dtype=float)
    ok = np.isfinite(idx)
    months = np.where(ok, idx, 0).astype(np.int64) - (1970 * 12)
    out = months.astype("datetime64[M]").astype("datetime64[s]")
    return np.where(ok, out, np.datetime64("NaT", "s"))


def check_panel(panel: Any) -> pd.DataFrame:
    """Check that ``panel`` is a non-empty DataFrame with the :data:`PANEL_COLUMNS`; return it."""
    return require_columns(panel, PANEL_COLUMNS, table="panel", non_empty=True)


# ============================================================================ panel
def monthly_panel(
    orders: pd.DataFrame,
    customers: pd.DataFrame,
    loyalty: pd.DataFrame,
    *,
    as_of: Any,
    statuses: Sequence[str] | None = COUNTED_STATUSES,
) -> pd.DataFrame:
    """Customer x calendar-month panel of purchasing around loyalty enrolment.

    A customer enters the panel in the month *after* her first order (the
    first order is the acquisition, not repeat behaviour, and the customer is
    known and "at risk" for every day of the following months) and stays until
    the last complete month on or before ``as_of``. Customers without orders
    are not in the panel; orders without a customer or a time are ignored.

    Parameters
    ----------
    orders : DataFrame
        Contract table ``orders``: ``customer_id, order_ts``, ``status``
        (used by ``statuses``) and, for spend, ``order_value``.
    customers : DataFrame
        Contract table ``customers``: ``customer_id``; ``city``,
        ``city_tier`` and ``birth_year`` are used when present.
    loyalty : DataFrame
        Contract table ``loyalty``: ``customer_id, enrol_date``;
        ``city_launch_date`` (with ``customers.city``) gives each city's
        launch month.
    as_of : date-like
        Last day of data (inclusive). Months ending after it are left out.
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        The orders that count (:func:`crmlab.domain.counted_orders`): only
        they make a customer's first order, her monthly ``orders`` and
        ``spend``. ``None`` counts every order.

    Returns
    -------
    DataFrame, one row per customer and month, with columns

    ``customer_id, month`` (first day of the month), ``orders`` (counted
    orders placed in the month), ``spend`` (their value, yuan; NaN without
    ``order_value``), ``first_month`` (month of the first order),
    ``enrol_month`` (NaT for non-members), ``months_since_enrol`` (event
    time; NaN for non-members), ``member`` (ever enrolled),
    ``launch_month`` (programme launch in the customer's city; NaT if
    unknown), ``city`` (when ``customers`` has it), ``city_tier``,
    ``age_band``, ``first_value_band`` (tercile of the first order's value),
    ``tier_group`` and ``profile`` (``age_band|tier group|first_value_band``,
    a pre-treatment customer profile to use as ``strata``).

    Notes
    -----
    Event time is counted in calendar months: ``months_since_enrol = 0`` is
    the month of enrolment, only partly exposed (enrolment falls on a random
    day of it), so the full-effect window of a programme whose effect lasts
    ~180 days is months 1..5.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"],
    ...     "order_ts": pd.to_datetime(["2024-01-05", "2024-03-02", "2024-01-20"]),
    ...     "status": ["completed"] * 3, "order_value": [100.0, 50.0, 80.0]})
    >>> customers = pd.DataFrame({"customer_id": ["A", "B"]})
    >>> loyalty = pd.DataFrame({"customer_id": ["A"], "enrol_date": pd.to_datetime(["2024-03-01"])})
    >>> p = monthly_panel(orders, customers, loyalty, as_of="2024-03-31")
    >>> print(p[["customer_id", "month", "orders", "months_since_enrol"]].to_string(index=False))
    customer_id      month  orders  months_since_enrol
              A 2024-02-01       0                -1.0
              A 2024-03-01       1                 0.0
              B 2024-02-01       0                 NaN
              B 2024-03-01       0                 NaN
    """
    require_columns(orders, ["customer_id", "order_ts"], table="orders")
    require_columns(customers, ["customer_id"], table="customers")
    require_columns(loyalty, ["customer_id", "enrol_date"], table="loyalty")
    as_of = as_timestamp(as_of, "as_of", normalize=True)
    o = counted_orders(orders, statuses)
    ts = as_datetimes(o["order_ts"], "orders.order_ts")
    o = o[ts.notna() & o["customer_id"].notna() & (ts < as_of + pd.Timedelta(days=1))]
    if o.empty:
        raise ValueError("orders has no counted rows on or before as_of")
    last = (as_of.year * 12 + as_of.month - 1) - (0 if (as_of + pd.Timedelta(days=1)).day == 1 else 1)

    om = month_index(o["order_ts"], "orders.order_ts").astype(np.int64)
    cid, ids = pd.factorize(o["customer_id"], sort=True)
    first = np.full(len(ids), np.iinfo(np.int64).max)
    np.minimum.at(first, cid, om)
    start = first + 1
    n_rows = np.maximum(last - start + 1, 0)
    unit = np.repeat(np.arange(len(ids)), n_rows)
    month = start[unit] + (np.arange(n_rows.sum()) - np.repeat(np.cumsum(n_rows) - n_rows, n_rows))

    has_value = "order_value" in o.columns
    value = pd.to_numeric(o["order_value"], errors="coerce").to_numpy(float) if has_value else np.zeros(len(o))
    base = int(first.min())
    width = int(last - base + 2)
    rkey = unit * width + (month - base)
    okey = cid * width + (om - base)
    pos = np.searchsorted(rkey, okey)
    inside = (pos < len(rkey)) & (rkey[np.minimum(pos, len(rkey) - 1)] == okey) if len(rkey) else np.zeros(len(okey), bool)
    n_orders = np.bincount(pos[inside], minlength=len(rkey)).astype(np.int64)
    spend = np.bincount(pos[inside], weights=np.nan_to_num(value)[inside], minlength=len(rkey))
    if not has_value:
        spend = np.full(len(rkey), np.nan)

    panel = pd.DataFrame({
        "customer_id": ids.to_numpy()[unit],
        "month": month_start(month),
        "orders": n_orders,
        "spend": np.round(spend, 2),
        "first_month": month_start(first[unit]),
    })
    enrol = pd.Series(month_index(loyalty["enrol_date"], "loyalty.enrol_date"),
                      index=loyalty["customer_id"].to_numpy())
    enrol = enrol[~enrol.index.duplicated()]
    em = enrol.reindex(ids).to_numpy()[unit]
    panel["enrol_month"] = month_start(em)
    panel["months_since_enrol"] = month - em
    panel["member"] = np.isfinite(em)
    panel = panel.join(_customer_attributes(o, customers, loyalty, ids, first), on="customer_id")
    return panel


def _customer_attributes(o: pd.DataFrame, customers: pd.DataFrame, loyalty: pd.DataFrame,
                         ids: pd.Index, first: np.ndarray) -> pd.DataFrame:
    """Pre-treatment attributes per customer: tier, age band, first-order value band, launch month."""
    c = customers.drop_duplicates("customer_id").set_index("customer_id").reindex(ids)
    out = pd.DataFrame(index=pd.Index(ids, name="customer_id"))
    # launch month per city, from the members' rows
    launch = pd.Series(np.nan, index=ids)
    if "city_launch_date" in loyalty.columns and "city" in c.columns:
        city_of = customers.drop_duplicates("customer_id").set_index("customer_id")["city"]
        lm = pd.Series(month_index(loyalty["city_launch_date"], "loyalty.city_launch_date"),
                       index=loyalty["customer_id"].to_numpy())
        by_city = lm.groupby(city_of.reindex(lm.index).to_numpy()).min()
        launch = c["city"].map(by_city).astype(float)
    out["launch_month"] = month_start(launch.to_numpy(float))
    if "city" in c.columns:
        out["city"] = c["city"].to_numpy()
    tier = pd.to_numeric(c["city_tier"], errors="coerce") if "city_tier" in c.columns else pd.Series(np.nan, index=ids)
    out["city_tier"] = tier.astype("Int64").to_numpy()
    tier_group = np.where(tier.isna(), "tier?", np.where(tier <= 2, "tier1-2", "tier3-5"))
    first_year = (first // 12).astype(float)
    by = pd.to_numeric(c["birth_year"], errors="coerce").to_numpy(float) if "birth_year" in c.columns \
        else np.full(len(ids), np.nan)
    age = first_year - by
    age_band = np.select([age < 35, age < 45, age >= 45], ["<35", "35-44", "45+"], default="age?")
    out["age_band"] = age_band
    # value of the first order (sum if several on the first day)
    if "order_value" in o.columns:
        oo = o.assign(_d=as_datetimes(o["order_ts"], "orders.order_ts").dt.normalize())
        fday = oo.groupby("customer_id")["_d"].transform("min")
        fv = oo[oo["_d"] == fday].groupby("customer_id")["order_value"].sum().reindex(ids)
        ranks = fv.rank(method="first", pct=True).to_numpy(float)
        band = np.select([ranks <= 1 / 3, ranks <= 2 / 3, ranks <= 1], ["low", "mid", "high"], default="value?")
    else:
        band = np.full(len(ids), "value?")
    out["first_value_band"] = band
    out["tier_group"] = tier_group
    out["profile"] = pd.Series(age_band, index=out.index) + "|" + tier_group + "|" + band
    return out


# ============================================================================ naive
@dataclasses.dataclass(frozen=True, repr=False)
class NaiveComparison(Result):
    """Members' vs non-members' purchasing after launch (:func:`naive_member_effect`).

    Attributes
    ----------
    member_rate, nonmember_rate : float
        Orders per customer-month.
    rate_lift : float
        ``member_rate / nonmember_rate - 1``.
    member_spend, nonmember_spend : float
        Spend per customer-month (NaN without spend).
    spend_lift : float
        ``member_spend / nonmember_spend - 1``.
    n_members, n_nonmembers : int
        Customers behind each rate.
    ci_low, ci_high : float
        Confidence interval of ``rate_lift`` (delta method on the log ratio,
        customers as clusters).
    confidence_level : float
    """

    member_rate: float
    nonmember_rate: float
    rate_lift: float
    member_spend: float
    nonmember_spend: float
    spend_lift: float
    n_members: int
    n_nonmembers: int
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    confidence_level: float = DEFAULT_CONFIDENCE


def naive_member_effect(panel: pd.DataFrame, *, confidence_level: float = DEFAULT_CONFIDENCE) -> NaiveComparison:
    """Members' vs non-members' purchasing after launch: the naive comparison.

    Members' customer-months from enrolment on are compared with non-members'
    customer-months from their city's launch on (all months when the launch
    month is unknown).

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`monthly_panel`.
    confidence_level : float, default 0.95
        Confidence level of the interval of ``rate_lift``.

    Returns
    -------
    NaiveComparison
        ``member_rate, nonmember_rate`` (orders per customer-month),
        ``rate_lift`` with ``ci_low, ci_high``, ``member_spend,
        nonmember_spend, spend_lift`` (spend per customer-month) and
        ``n_members, n_nonmembers``.

    Notes
    -----
    This is what a dashboard shows and it mixes the programme's effect with
    self-selection: members would have bought more anyway.

    Examples
    --------
    >>> import pandas as pd, numpy as np
    >>> p = pd.DataFrame({"customer_id": ["A", "A", "B", "B"], "month": pd.to_datetime(["2024-01-01", "2024-02-01"] * 2),
    ...     "orders": [1, 3, 1, 1], "spend": [10.0, 30.0, 10.0, 10.0],
    ...     "months_since_enrol": [-1.0, 0.0, np.nan, np.nan], "launch_month": pd.to_datetime(["2024-01-01"] * 4)})
    >>> res = naive_member_effect(p)
    >>> res.member_rate, res.nonmember_rate, res.rate_lift, res.n_members
    (3.0, 1.0, 2.0, 1)
    """
    check_panel(panel)
    rel = panel["months_since_enrol"].to_numpy(float)
    member_rows = rel >= 0
    non = ~np.isfinite(rel)
    if "launch_month" in panel.columns:
        lm = as_datetimes(panel["launch_month"], "panel.launch_month")
        after = (as_datetimes(panel["month"], "panel.month") >= lm).to_numpy() | lm.isna().to_numpy()
        non &= after
    if not member_rows.any() or not non.any():
        raise ValueError("panel needs member months after enrolment and non-member months after launch")
    y = panel["orders"].to_numpy(float)
    s = panel["spend"].to_numpy(float) if "spend" in panel.columns else np.full(len(panel), np.nan)
    member_rate, nonmember_rate = float(y[member_rows].mean()), float(y[non].mean())
    se_log = np.sqrt(_log_mean_var(panel, y, member_rows) + _log_mean_var(panel, y, non))
    ratio = member_rate / nonmember_rate
    z = z_value(confidence_level)
    ci = (ratio * np.exp(-z * se_log) - 1, ratio * np.exp(z * se_log) - 1) if np.isfinite(se_log) else (np.nan, np.nan)
    member_spend, nonmember_spend = float(s[member_rows].mean()), float(s[non].mean())
    return NaiveComparison(
        member_rate=member_rate,
        nonmember_rate=nonmember_rate,
        rate_lift=member_rate / nonmember_rate - 1,
        member_spend=member_spend,
        nonmember_spend=nonmember_spend,
        spend_lift=member_spend / nonmember_spend - 1,
        n_members=int(panel.loc[member_rows, "customer_id"].nunique()),
        n_nonmembers=int(panel.loc[non, "customer_id"].nunique()),
        ci_low=float(ci[0]),
        ci_high=float(ci[1]),
        confidence_level=float(confidence_level),
    )


def _log_mean_var(panel: pd.DataFrame, y: np.ndarray, rows: np.ndarray) -> float:
    """Variance of the log of a mean over ``rows``, customers as clusters (delta method)."""
    ids = panel["customer_id"].to_numpy()[rows]
    yy = y[rows]
    m = yy.mean()
    if m <= 0:
        return float("nan")
    g = pd.DataFrame({"c": ids, "y": yy}).groupby("c", sort=False)["y"].agg(["sum", "size"])
    resid = (g["sum"] - m * g["size"]).to_numpy(float)
    n = len(resid)
    return float((resid ** 2).sum() * n / max(n - 1, 1) / (m * len(yy)) ** 2)


def rate_ratio(panel: pd.DataFrame, rows_a: Any, rows_b: Any, *, outcome: str = "orders",
               confidence_level: float = DEFAULT_CONFIDENCE) -> Estimate:
    """Mean ``outcome`` per customer-month of rows ``a`` over rows ``b``, minus 1, with an interval.

    The interval is symmetric on the log scale (delta method, customers as
    clusters; the two sets of rows must come from different customers).

    Parameters
    ----------
    panel : DataFrame
        A panel (:func:`monthly_panel`).
    rows_a, rows_b : boolean arrays
        The two sets of customer-months (e.g. members in the six months
        before they joined, and never-members).
    outcome : str
    confidence_level : float, default 0.95

    Returns
    -------
    Estimate
        ``estimate = mean_a / mean_b - 1`` with ``ci_low, ci_high``.

    Examples
    --------
    >>> p = pd.DataFrame({"customer_id": ["A", "A", "B", "B", "C", "C"], "orders": [2, 2, 1, 1, 0, 2],
    ...                   "month": pd.to_datetime(["2024-01-01", "2024-02-01"] * 3),
    ...                   "months_since_enrol": [-2.0, -1.0, np.nan, np.nan, np.nan, np.nan]})
    >>> m = p["months_since_enrol"].notna().to_numpy()
    >>> round(rate_ratio(p, m, ~m).estimate, 3)
    1.0
    """
    check_panel(panel)
    a, b = np.asarray(rows_a, bool), np.asarray(rows_b, bool)
    if not a.any() or not b.any():
        raise ValueError("both sets of rows must be non-empty")
    y = pd.to_numeric(panel[outcome], errors="coerce").to_numpy(float)
    ma, mb = float(y[a].mean()), float(y[b].mean())
    r = ma / mb if mb > 0 else float("nan")
    se = np.sqrt(_log_mean_var(panel, y, a) + _log_mean_var(panel, y, b))
    z = z_value(confidence_level)
    if not (np.isfinite(se) and np.isfinite(r)):
        return Estimate(r - 1, float("nan"), float("nan"), float(confidence_level))
    return Estimate(r - 1, float(r * np.exp(-z * se) - 1), float(r * np.exp(z * se) - 1), float(confidence_level))
