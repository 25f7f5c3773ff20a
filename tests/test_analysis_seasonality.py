"""Tests of crmlab.analysis.seasonality and the retail calendar of crmlab.domain: festival effects recovered
from simulated Poisson days, and the planted Chinese New Year run-up recovered from the classroom preset."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab import domain
from crmlab.analysis import seasonality as S
from crmlab.simulate import calendar


def _poisson_days(effect: float = 1.5, seed: int = 0, growth: float = 0.5) -> pd.DataFrame:
    """Two years of Poisson days with a weekday pattern, growth, and a run-up before each New Year."""
    days = pd.date_range("2024-01-01", "2025-12-31")
    weekday = np.array([0.9, 0.9, 0.9, 0.95, 1.0, 1.25, 1.2])[days.day_of_week]
    level = 20 * np.exp(growth * (days - days[0]).days / 365.25)
    run_up = np.zeros(len(days), bool)
    for y in (2024, 2025):
        rel = (days - pd.Timestamp(domain.CHINESE_NEW_YEAR[y])).days
        run_up |= (rel >= -22) & (rel <= -2)
    lam = level * weekday * np.where(run_up, effect, 1.0)
    return pd.DataFrame({"orders": np.random.default_rng(seed).poisson(lam)}, index=days)


def test_doctests():
    for mod in (S, domain):
        r = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert r.failed == 0 and r.attempted >= 2, (mod.__name__, r)


def test_calendar_is_the_domain_calendar():
    assert calendar.CNY is domain.CHINESE_NEW_YEAR
    f = domain.festival_dates("2024-06-01", "2025-02-28")
    assert f["festival"].tolist() == ["618", "double11", "double12", "chinese_new_year"]
    assert f["date"].iloc[-1] == pd.Timestamp("2025-01-29")


def test_cny_run_up_recovers_the_effect_with_growth_and_weekdays():
    hits, est = 0, []
    for seed in range(40):
        e = S.cny_run_up(_poisson_days(1.5, seed))
        est.append(e.estimate)
        hits += e.ci_low <= 1.5 <= e.ci_high
    assert abs(np.mean(est) - 1.5) < 0.02, np.mean(est)
    assert hits >= 35, hits
    none = S.cny_run_up(_poisson_days(1.0, 7))
    assert none.ci_low < 1 < none.ci_high or abs(none.estimate - 1) < 0.1
    e = S.cny_run_up(_poisson_days(1.5, 1))
    assert e.years == (2024, 2025) and e.n_window_days == 42 and e.festival == "chinese_new_year_run_up"


def test_festival_day_effect_and_baseline_excludes_promotions():
    days = pd.date_range("2024-08-01", "2025-01-31")
    lam = np.full(len(days), 30.0)
    lam[S.in_sales_period(days)] = 300.0  # promotion periods must not enter the baseline
    lam[(days.month == 11) & (days.day == 11)] = 120.0
    daily = pd.DataFrame({"orders": np.random.default_rng(2).poisson(lam)}, index=days)
    e = S.festival_day_effect(daily, "double11")
    assert e.ci_low < 4 < e.ci_high and e.n_window_days == 1
    with pytest.raises(ValueError, match="festival"):
        S.festival_day_effect(daily, "christmas")
    no_cny = S.cny_run_up(daily.loc["2024-08-01":"2024-10-31"])
    assert np.isnan(no_cny.estimate) and not no_cny.years


def test_daily_totals_counts_completed_orders_every_day():
    o = pd.DataFrame({"order_ts": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 11:00", "2024-01-04 09:00"]),
                      "status": ["completed", "cancelled", "completed"], "order_value": [10.0, 99.0, 5.0]})
    d = S.daily_totals(o)
    assert d["orders"].tolist() == [1, 0, 0, 1] and d["revenue"].tolist() == [10.0, 0.0, 0.0, 5.0]


def test_share_shift():
    dates = pd.date_range("2024-01-01", periods=24, freq="MS").repeat(100)
    flag = np.r_[np.tile(np.arange(100) < 30, 12), np.tile(np.arange(100) < 45, 12)]
    s = S.share_shift(flag, dates, months=6)
    assert (s.share_first, s.share_last) == pytest.approx((0.30, 0.45)) and s.ci_low > 0
    with pytest.raises(ValueError, match="overlap"):
        S.share_shift(flag[:600], dates[:600], months=6)


@pytest.mark.slow
def test_planted_cny_run_up_recovered_on_classroom_seeds():
    """The estimator applied to the planted calendar is the truth the notebook records; intervals cover it."""
    hits = 0
    for seed in (1, 2, 3, 4, 5):
        d = crmlab.make_retail_crm("classroom", seed=seed)
        daily = S.daily_totals(d.orders)
        sc = d.truth["scenario"]
        days = pd.date_range(sc["start"], sc["end"])
        planted = pd.DataFrame({"orders": calendar.daily_season(days[0].date(), len(days))}, index=days)
        truth = S.cny_run_up(planted.reindex(daily.index)).estimate
        e = S.cny_run_up(daily)
        assert 1.3 < truth < 1.6 and e.ci_low > 1, (seed, truth, e)
        hits += e.ci_low <= truth <= e.ci_high
    assert hits >= 4, hits
