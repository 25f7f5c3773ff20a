"""The retail calendar: daily demand multipliers and category seasonality.

Demand on day *d* is ``base_rate * season[d]``. ``season`` is built from

* a weekly pattern (weekends busier),
* Chinese New Year (a shopping run-up in the three weeks before, a lull in
  the holiday week),
* the 618 mid-year festival (1-18 June, peak on the 18th),
* Double 11 (1-11 November, peak on the 11th) and Double 12,
* the Labour Day and National Day golden weeks,

and normalised to mean 1 over the simulated window, so that a customer's
purchase rate keeps its meaning (orders per year).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..domain import CHINESE_NEW_YEAR

__all__ = ["CNY", "daily_season", "SeasonClock", "month_category_effects"]

#: Chinese New Year's day (first day of the lunar year): the retail calendar of :mod:`crmlab.domain`.
CNY: dict[int, dt.date] = CHINESE_NEW_YEAR

# weekday multipliers, Monday first
_WEEKDAY = np.array([0.90, 0.88, 0.90, 0.93, 1.02, 1.25, 1.18])

#: (name, month, first day, last day, multiplier) of fixed-date festivals
_FESTIVALS = (
    ("labour_day", 5, 1, 5, 1.35),
    ("618_run_up", 6, 1, 17, 1.45),
    ("618", 6, 18, 18, 3.2),
    ("national_day", 10, 1, 7, 1.55),
    ("double11_run_up", 11, 1, 10, 1.6),
    ("double11", 11, 11, 11, 4.5),
    ("double11_tail", 11, 12, 14, 1.25),
    ("double12", 12, 12, 12, 1.8),
)


def daily_season(start: dt.date, n_days: int) -> np.ndarray:
    """Daily demand multipliers for ``n_days`` days from ``start`` (mean 1).

    Examples
    --------
    >>> import datetime as dt
    >>> s = daily_season(dt.date(2024, 1, 1), 366)
    >>> round(float(s.mean()), 6)
    1.0
    >>> bool(s[315] > 3 * s.mean())   # 2024-11-11
    True
    """
    days = np.arange(n_days)
    dates = np.datetime64(start) + days.astype("timedelta64[D]")
    weekday = (dates.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday
    m = _WEEKDAY[weekday].astype(float)
    ymd = dates.astype("datetime64[D]").astype(object)
    years = sorted({d.year for d in ymd} | {ymd[0].year - 1, ymd[-1].year + 1})
    months = np.array([d.month for d in ymd])
    mdays = np.array([d.day for d in ymd])
    for _, month, d0, d1, mult in _FESTIVALS:
        m[(months == month) & (mdays >= d0) & (mdays <= d1)] *= mult
    for y in years:
        if y not in CNY:
            continue
        cny = np.datetime64(CNY[y])
        rel = (dates - cny).astype(int)
        m[(rel >= -21) & (rel < -1)] *= 1.45  # new-year shopping: TVs, appliances as gifts
        m[(rel >= -1) & (rel <= 6)] *= 0.55  # the holiday week itself is quiet
    return m / m.mean()


class SeasonClock:
    """Maps calendar time to "season time" and back.

    A Poisson process with rate ``lam * season(t)`` is a unit-rate process in
    the cumulative intensity ``S(t) = integral of season``; drawing the next
    event at ``S^-1(S(t) + E / lam)`` with ``E ~ Exp(1)`` samples it exactly
    (time rescaling). Times are in days since the window start.
    """

    def __init__(self, season: np.ndarray):
        self.season = np.asarray(season, dtype=float)
        self.grid = np.arange(len(season) + 1, dtype=float)
        self.cum = np.concatenate([[0.0], np.cumsum(self.season)])
        self.horizon = float(len(season))

    def forward(self, t: np.ndarray) -> np.ndarray:
        """Cumulative season intensity ``S(t)``."""
        return np.interp(t, self.grid, self.cum)

    def inverse(self, s: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`forward`; values past the horizon map past it."""
        s = np.asarray(s, dtype=float)
        out = np.interp(s, self.cum, self.grid)
        over = s > self.cum[-1]
        if np.any(over):
            out = np.where(over, self.horizon + (s - self.cum[-1]), out)
        return out

    def at(self, t: np.ndarray) -> np.ndarray:
        """Season multiplier on the day of time ``t``."""
        idx = np.clip(np.floor(t).astype(np.int64), 0, len(self.season) - 1)
        return self.season[idx]


def month_category_effects(categories: tuple[str, ...]) -> np.ndarray:
    """Additive log-odds of each main category by calendar month (12 x k).

    Air conditioners sell in early summer, TVs before Chinese New Year and
    Double 11, laptops in the back-to-school season, phones with the autumn
    launches.
    """
    eff = np.zeros((12, len(categories)))
    col = {c: i for i, c in enumerate(categories)}
    if "ac" in col:
        eff[[4, 5, 6, 7], col["ac"]] = [0.6, 1.2, 1.3, 0.9]
        eff[[0, 1, 10, 11], col["ac"]] = -0.6
    if "tv" in col:
        eff[[0, 1, 10], col["tv"]] = [0.35, 0.3, 0.35]
    if "laptop" in col:
        eff[[7, 8], col["laptop"]] = 0.5
    if "phone" in col:
        eff[[8, 9], col["phone"]] = 0.35
    return eff
