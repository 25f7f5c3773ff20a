import datetime as dt

import numpy as np

from crmlab.simulate.calendar import CNY, SeasonClock, daily_season


def test_mean_one_and_festival_peaks():
    start = dt.date(2024, 1, 1)
    s = daily_season(start, 731)
    assert abs(s.mean() - 1) < 1e-12
    d11 = (dt.date(2024, 11, 11) - start).days
    d618 = (dt.date(2024, 6, 18) - start).days
    assert s[d11] == s.max()
    assert s[d618] > 2.5 * np.median(s)
    cny = (CNY[2024] - start).days
    assert s[cny + 2] < np.median(s)  # the holiday week is quiet
    assert s[cny - 10] > np.median(s)  # the run-up is busy


def test_clock_inverse_is_inverse():
    s = daily_season(dt.date(2024, 1, 1), 400)
    clock = SeasonClock(s)
    t = np.linspace(0, 399.9, 1001)
    assert np.allclose(clock.inverse(clock.forward(t)), t, atol=1e-9)
    assert clock.inverse(np.array([clock.cum[-1] + 5]))[0] == 405


def test_time_rescaling_reproduces_the_seasonal_rate():
    """Events drawn through the clock land on days in proportion to the season."""
    s = daily_season(dt.date(2024, 1, 1), 366)
    clock = SeasonClock(s)
    rng = np.random.default_rng(0)
    u = rng.random(400_000) * clock.cum[-1]
    days = np.floor(clock.inverse(u)).astype(int)
    counts = np.bincount(days, minlength=366)
    expected = s / s.sum() * len(u)
    nov11 = (dt.date(2024, 11, 11) - dt.date(2024, 1, 1)).days
    assert abs(counts[nov11] / expected[nov11] - 1) < 0.05
    assert np.corrcoef(counts, expected)[0, 1] > 0.99
