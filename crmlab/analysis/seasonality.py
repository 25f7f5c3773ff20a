"""Seasonality: daily orders and revenue, and festival effects with confidence intervals.

A retailer's year has peaks - the run-up to Chinese New Year (春节), 618 and
Double 11 (双十一) - and a chart of daily revenue makes them *look* obvious.
Whether a festival lifts demand, and by how much, is an estimate:

* :func:`daily_totals` - completed orders and revenue per calendar day
  (days without an order are 0);
* :func:`festival_effect` - demand in a window of days relative to baseline
  days, from a quasi-Poisson regression with a level and a linear trend per
  year and weekday effects (:class:`FestivalEffect`);
* :func:`cny_run_up` - the three weeks before Chinese New Year's Eve against
  the four weeks before them and the four weeks after the holiday week;
* :func:`festival_day_effect` - one festival day (618, Double 11) against the
  four weeks around its promotion period;
* :func:`share_shift` - how a share of orders (the app's, say) moved between
  the first and the last months of the data (:class:`ShareShift`).

Baselines leave out every promotion period of the retail calendar
(:data:`crmlab.domain.SALES_PERIODS`) and the Chinese New Year weeks, so one
festival does not become the baseline of another.

Examples
--------
>>> import numpy as np, pandas as pd
>>> days = pd.date_range("2024-01-01", "2024-12-31")
>>> lam = np.where((days >= "2024-01-19") & (days <= "2024-02-08"), 30.0, 20.0)
>>> daily = pd.DataFrame({"orders": np.random.default_rng(0).poisson(lam)}, index=days)
>>> e = cny_run_up(daily)
>>> bool(e.ci_low < 1.5 < e.ci_high), e.years
(True, (2024,))
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Sequence

import numpy as np
import pandas as pd

from .._checks import as_datetimes, check_confidence_level, require_columns
from ..domain import CHINESE_NEW_YEAR, COUNTED_STATUSES, FESTIVAL_DAYS, SALES_PERIODS, counted_orders, order_values
from ._proportions import newcombe_difference
from ._results import DEFAULT_CONFIDENCE, Result, z_value

__all__ = ["FestivalEffect", "ShareShift", "daily_totals", "festival_effect", "cny_run_up", "festival_day_effect",
           "in_sales_period", "share_shift"]


@dataclasses.dataclass(frozen=True, repr=False)
class FestivalEffect(Result):
    """Demand in a festival window relative to its baseline (:func:`festival_effect`).

    Attributes
    ----------
    festival : str
        What the window is (``"chinese_new_year_run_up"``, ``"double11"``, ...).
    column : str
        The daily measure (``"orders"`` or ``"revenue"``).
    estimate, ci_low, ci_high : float
        The ratio of expected daily demand in the window to the baseline (1 = no effect),
        with its quasi-Poisson Wald interval; NaN when no year has both window and baseline days.
    n_window_days, n_baseline_days : int
        Days used.
    mean_window, mean_baseline : float
        Raw mean per day (for reference: they ignore trend and weekdays).
    years : tuple of int
        Years that contribute.
    confidence_level : float
    """

    festival: str
    column: str
    estimate: float
    ci_low: float
    ci_high: float
    n_window_days: int
    n_baseline_days: int
    mean_window: float
    mean_baseline: float
    years: tuple
    confidence_level: float = DEFAULT_CONFIDENCE


def daily_totals(orders: pd.DataFrame, order_items: pd.DataFrame | None = None, *,
                 statuses: Sequence[str] | None = COUNTED_STATUSES) -> pd.DataFrame:
    """Orders and revenue per calendar day, every day from the first to the last order.

    Parameters
    ----------
    orders : DataFrame
        Orders with ``order_ts`` (and ``order_value``, or pass ``order_items``).
    order_items : DataFrame, optional
        Lines, to compute order values where ``order_value`` is missing.
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Orders that count.

    Returns
    -------
    DataFrame
        Indexed by day (``date``): ``orders`` and ``revenue`` (0 on days without an order).

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"order_ts": ["2024-01-01 10:00", "2024-01-03 12:00"], "status": "completed",
    ...                   "order_value": [100.0, 50.0]})
    >>> daily_totals(o)["orders"].tolist()
    [1, 0, 1]
    """
    require_columns(orders, ["order_ts"], table="orders")
    o = counted_orders(orders, statuses)
    if o.empty:
        raise ValueError("no counted order: cannot build a daily series")
    day = as_datetimes(o["order_ts"], "orders.order_ts").dt.normalize()
    value = order_values(o, order_items).to_numpy(float)
    idx = pd.date_range(day.min(), day.max(), name="date")
    g = pd.DataFrame({"day": day.to_numpy(), "value": value}).groupby("day")["value"]
    return pd.DataFrame({"orders": g.size().reindex(idx, fill_value=0).astype(np.int64),
                         "revenue": g.sum().reindex(idx, fill_value=0.0)}, index=idx)


def in_sales_period(days: pd.DatetimeIndex) -> np.ndarray:
    """True for days inside a promotion period (:data:`~crmlab.domain.SALES_PERIODS`) or the Chinese New Year
    weeks (three weeks before New Year's Eve to the end of the holiday week).

    Examples
    --------
    >>> in_sales_period(pd.DatetimeIndex(["2024-11-05", "2024-12-01", "2024-02-01"])).tolist()
    [True, False, True]
    """
    days = pd.DatetimeIndex(days)
    out = np.zeros(len(days), bool)
    for month, first, last in SALES_PERIODS.values():
        out |= (days.month == month) & (days.day >= first) & (days.day <= last)
    for year in set(days.year) | {y + 1 for y in days.year}:
        if year in CHINESE_NEW_YEAR:
            rel = (days - pd.Timestamp(CHINESE_NEW_YEAR[year])).days
            out |= (rel >= -22) & (rel <= 6)
    return out


def festival_effect(daily: pd.DataFrame, window: np.ndarray, baseline: np.ndarray, *, column: str = "orders",
                    festival: str = "festival", confidence_level: float = DEFAULT_CONFIDENCE) -> FestivalEffect:
    """Ratio of daily demand in ``window`` to ``baseline``, with a confidence interval.

    Parameters
    ----------
    daily : DataFrame
        Indexed by day, with ``column`` (:func:`daily_totals`).
    window, baseline : array of bool
        The festival days and the comparison days (one flag per row of ``daily``).
    column : str, default "orders"
    festival : str
        Name recorded on the result.
    confidence_level : float, default 0.95

    Returns
    -------
    FestivalEffect

    Notes
    -----
    A Poisson regression of the daily value on the window indicator, a level
    and a linear trend per calendar year, and weekday effects, on the window
    and baseline days; the ratio is ``exp(coefficient of the window)``. The
    dispersion is estimated from the Pearson chi-square (quasi-Poisson), so the
    interval accounts for days that vary more than Poisson counts (revenue, or
    customers who buy several times). Years with only window or only baseline
    days are left out.
    """
    import statsmodels.api as sm

    require_columns(daily, [column], table="daily")
    level = check_confidence_level(confidence_level)
    window, baseline = np.asarray(window, bool), np.asarray(baseline, bool) & ~np.asarray(window, bool)
    days = pd.DatetimeIndex(daily.index)
    years = [y for y in sorted(set(days.year)) if (window & (days.year == y)).any()
             and (baseline & (days.year == y)).any()]
    use = (window | baseline) & np.isin(days.year, years)
    y = daily[column].to_numpy(float)[use]
    nan = float("nan")
    if not years or y.sum() <= 0:
        return FestivalEffect(festival, column, nan, nan, nan, int((window & use).sum()), int((baseline & use).sum()),
                              nan, nan, tuple(years), level)
    d = days[use]
    cols = {"window": window[use].astype(float)}
    for yr in years:
        here = (d.year == yr).astype(float)
        t = (d - pd.Timestamp(yr, 7, 1)).days / 365.25
        cols[f"level_{yr}"], cols[f"trend_{yr}"] = here, here * t
    for wd in range(1, 7):
        cols[f"weekday_{wd}"] = (d.day_of_week == wd).astype(float)
    X = pd.DataFrame(cols)
    X = X.loc[:, X.abs().sum(axis=0) > 0]
    with warnings.catch_warnings():  # a noise-free series (the planted calendar) fits perfectly: not a problem
        warnings.simplefilter("ignore", category=getattr(sm.tools.sm_exceptions, "PerfectSeparationWarning", Warning))
        fit = sm.GLM(y, X, family=sm.families.Poisson()).fit(scale="X2")
    b, se = float(fit.params["window"]), float(fit.bse["window"])
    z = z_value(level)
    return FestivalEffect(festival, column, float(np.exp(b)), float(np.exp(b - z * se)), float(np.exp(b + z * se)),
                          int(window[use].sum()), int(baseline[use].sum()), float(y[window[use]].mean()),
                          float(y[baseline[use]].mean()), tuple(int(v) for v in years), level)


def cny_run_up(daily: pd.DataFrame, *, column: str = "orders", weeks: int = 3, baseline_weeks: int = 4,
               confidence_level: float = DEFAULT_CONFIDENCE) -> FestivalEffect:
    """The run-up to Chinese New Year: the ``weeks`` weeks before New Year's Eve against the weeks around them.

    The window is days -7*weeks-1 .. -2 relative to New Year's day (New
    Year's Eve, day -1, and the holiday week are quiet and left out); the
    baseline is the ``baseline_weeks`` weeks before the window and the
    ``baseline_weeks`` weeks after the holiday week (days +7 ..), without
    promotion periods (:func:`in_sales_period`). See :func:`festival_effect`.
    """
    days = pd.DatetimeIndex(daily.index)
    window, baseline = np.zeros(len(days), bool), np.zeros(len(days), bool)
    for year in sorted(set(days.year)):
        if year not in CHINESE_NEW_YEAR:
            continue
        rel = (days - pd.Timestamp(CHINESE_NEW_YEAR[year])).days
        first = -7 * weeks - 1
        window |= (rel >= first) & (rel <= -2)
        baseline |= ((rel >= first - 7 * baseline_weeks) & (rel < first)) | ((rel >= 7) & (rel < 7 + 7 * baseline_weeks))
    baseline &= ~in_sales_period(days)
    return festival_effect(daily, window, baseline, column=column, festival="chinese_new_year_run_up",
                           confidence_level=confidence_level)


def festival_day_effect(daily: pd.DataFrame, festival: str, *, column: str = "orders", baseline_weeks: int = 4,
                        confidence_level: float = DEFAULT_CONFIDENCE) -> FestivalEffect:
    """One festival day (``"618"``, ``"double11"``, ``"double12"``) against the weeks around its promotion period.

    The window is the festival day of every year; the baseline the
    ``baseline_weeks`` weeks before and after the festival's promotion period
    (:data:`~crmlab.domain.SALES_PERIODS`), without promotion periods. See
    :func:`festival_effect`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> days = pd.date_range("2024-09-01", "2025-01-31")
    >>> lam = np.where((days.month == 11) & (days.day == 11), 100.0, 20.0)
    >>> daily = pd.DataFrame({"orders": np.random.default_rng(1).poisson(lam)}, index=days)
    >>> e = festival_day_effect(daily, "double11")
    >>> bool(e.ci_low < 5 < e.ci_high), e.n_window_days
    (True, 1)
    """
    if festival not in FESTIVAL_DAYS:
        raise ValueError(f"festival must be one of {sorted(FESTIVAL_DAYS)}, got {festival!r}")
    month, day = FESTIVAL_DAYS[festival]
    _, first, last = SALES_PERIODS.get(festival, (month, day, day))
    days = pd.DatetimeIndex(daily.index)
    window = (days.month == month) & (days.day == day)
    baseline = np.zeros(len(days), bool)
    for year in sorted(set(days.year)):
        a, b = pd.Timestamp(year, month, first), pd.Timestamp(year, month, last)
        span = pd.Timedelta(weeks=baseline_weeks)
        baseline |= ((days >= a - span) & (days < a)) | ((days > b) & (days <= b + span))
    baseline &= ~in_sales_period(days)
    return festival_effect(daily, window, baseline, column=column, festival=festival,
                           confidence_level=confidence_level)


@dataclasses.dataclass(frozen=True, repr=False)
class ShareShift(Result):
    """A share of orders in the last months minus the first months (:func:`share_shift`).

    Attributes
    ----------
    estimate, ci_low, ci_high : float
        ``share_last - share_first`` with Newcombe's interval.
    share_first, share_last : float
    n_first, n_last : int
        Orders in the first and in the last months.
    months : int
    confidence_level : float
    """

    estimate: float
    ci_low: float
    ci_high: float
    share_first: float
    share_last: float
    n_first: int
    n_last: int
    months: int
    confidence_level: float = DEFAULT_CONFIDENCE


def share_shift(flag: Sequence[bool], dates: Sequence, *, months: int = 6,
                confidence_level: float = DEFAULT_CONFIDENCE) -> ShareShift:
    """How the share of flagged orders moved between the first and the last ``months`` months of the data.

    Parameters
    ----------
    flag : sequence of bool
        One per order (e.g. ``channel == "app"``).
    dates : sequence of dates
        The order dates.
    months : int, default 6
        Length of the two periods, in calendar months (the first and last
        months that have orders; partial months count as months).
    confidence_level : float, default 0.95

    Returns
    -------
    ShareShift

    Notes
    -----
    Newcombe's interval treats orders as independent; orders of one customer
    are correlated, so the interval is somewhat too narrow when customers buy
    often. For a trend over the whole window, plot the monthly shares.

    Examples
    --------
    >>> import pandas as pd
    >>> dates = pd.date_range("2024-01-01", periods=24, freq="MS").repeat(50)
    >>> app = [i % 50 < 10 + i // 50 for i in range(len(dates))]
    >>> s = share_shift(app, dates)
    >>> round(s.share_first, 2), round(s.share_last, 2), s.ci_low > 0
    (0.25, 0.61, True)
    """
    flag = np.asarray(flag, bool)
    month = as_datetimes(pd.Series(dates), "dates").dt.to_period("M")
    first, last = month.min(), month.max()
    a = (month <= first + (months - 1)).to_numpy()
    b = (month >= last - (months - 1)).to_numpy()
    if (a & b).any():
        raise ValueError(f"the data span fewer than {2 * months} months: the first and last {months} months overlap")
    k1, n1, k2, n2 = int(flag[b].sum()), int(b.sum()), int(flag[a].sum()), int(a.sum())
    d, lo, hi = newcombe_difference(k1, n1, k2, n2, confidence_level)
    return ShareShift(d, lo, hi, k2 / n2, k1 / n1, n2, n1, int(months), check_confidence_level(confidence_level))
