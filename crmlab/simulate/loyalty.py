"""The loyalty programme: staggered rollout, tiers with bunching, points and breakage.

Generative model
----------------
* **Rollout**: the programme launches city by city in three waves (fractions
  ``loyalty_waves`` of the window); the chain's home city pilots in wave 1,
  other cities are assigned to waves at random (bigger cities earlier).
* **Enrolment** (drawn with the customers) self-selects on the latent purchase
  rate; the programme's effect on purchase rate is planted in the purchase
  process (:mod:`crmlab.simulate.purchases`).
* **Tiers**: on 31 December each year, members whose completed spend over the
  previous 365 days reaches ``loyalty_tier_threshold`` become ``gold``
  (``platinum`` at three times the threshold). Members alive in December and
  within 75-100% of the threshold place a **top-up order** with probability
  ``loyalty_bunching_share`` that lifts them just over it - the bunching a
  regression-discontinuity analysis must notice.
* **Points**: completed orders earn ``floor(value * points_rate * 100)`` points
  (one point = 0.01 yuan at the default rate). Each lot either expires
  unredeemed after ``loyalty_points_expiry_days`` (probability = the member's
  breakage propensity, Beta-distributed with mean ``loyalty_breakage``) or is
  redeemed at a uniformly random time before that.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..config import Scenario
from ..domain import MAIN_CATEGORIES, TIERS
from .catalog import BASKET_RULES, DECOY_SUBCATEGORY

__all__ = ["simulate_rollout", "evaluation_days", "plan_topups", "assign_tiers", "simulate_ledger"]



def simulate_rollout(scenario: Scenario, rng: np.random.Generator, cities: pd.DataFrame) -> np.ndarray:
    """Launch day (days since start) of the programme in each city (row order of ``cities``)."""
    waves = np.array(scenario.loyalty_waves) * scenario.n_days
    tier = cities["tier"].to_numpy()
    # bigger cities tend to launch earlier: wave probabilities shift with tier
    p_early = np.array([0.6, 0.45, 0.3, 0.25, 0.2])[tier - 1]
    u = rng.random(len(cities))
    wave = np.where(u < p_early, 0, np.where(u < p_early + (1 - p_early) / 2, 1, 2))
    wave[cities["city"].to_numpy() == "nanjing"] = 0
    return np.floor(waves[wave])


def evaluation_days(scenario: Scenario) -> list[int]:
    """Tier evaluation days (31 December of each year inside the window)."""
    out = []
    for y in range(scenario.start_date.year, scenario.end_date.year + 1):
        d = (dt.date(y, 12, 31) - scenario.start_date).days
        if 365 <= d < scenario.n_days:
            out.append(d)
    return out


def _spend_12m(cust: np.ndarray, t: np.ndarray, value: np.ndarray, completed: np.ndarray, n: int, day: float) -> np.ndarray:
    sel = completed & (t > day - 365) & (t <= day)
    return np.bincount(cust[sel], weights=value[sel], minlength=n)


def plan_topups(
    scenario: Scenario,
    rng: np.random.Generator,
    products: pd.DataFrame,
    n: int,
    enrol_day: np.ndarray,
    death_day: np.ndarray,
    orders: dict[str, np.ndarray],
    order_value: np.ndarray,
) -> dict[str, np.ndarray]:
    """Top-up orders of members just below the gold threshold (bunching).

    Returns arrays ``cust, t, forced_sku`` (catalogue row of the item bought).
    """
    thr = scenario.loyalty_tier_threshold
    completed = orders["status"] == 0
    c0 = scenario.campaign_day - scenario.campaign_min_recency_days
    c1 = scenario.campaign_day + scenario.campaign_window_days
    sub = products["subcategory"].to_numpy()
    cat = products["category"].to_numpy()
    ok = np.isin(cat, MAIN_CATEGORIES) & ~np.isin(sub, [b for _, b in BASKET_RULES] + [DECOY_SUBCATEGORY])
    rows = np.flatnonzero(ok)
    rows = rows[np.argsort(products["list_price"].to_numpy()[rows], kind="stable")]
    prices = products["list_price"].to_numpy()[rows]
    out_c, out_t, out_s = [], [], []
    for E in evaluation_days(scenario):
        spend = _spend_12m(orders["cust"], orders["t"], order_value, completed, n, E - 31)
        cand = np.isfinite(enrol_day) & (enrol_day < E - 30) & (death_day > E - 30)
        cand &= (spend >= 0.75 * thr) & (spend < thr)
        cand &= rng.random(n) < scenario.loyalty_bunching_share
        idx = np.flatnonzero(cand)
        if len(idx) == 0:
            continue
        t = E - 30 + rng.random(len(idx)) * 29.5
        keep = ~((t >= c0) & (t < c1))
        idx, t = idx[keep], t[keep]
        gap = thr - spend[idx] + rng.random(len(idx)) * 0.05 * thr
        pos = np.searchsorted(prices, gap)  # first SKU at least as expensive as the gap
        pos = pos + rng.integers(0, 3, len(idx))
        fits = pos < len(rows)
        out_c.append(idx[fits])
        out_t.append(t[fits])
        out_s.append(rows[pos[fits]])
    cat_ = lambda xs, d: np.concatenate(xs).astype(d) if xs else np.zeros(0, d)  # noqa: E731
    return dict(cust=cat_(out_c, np.int64), t=cat_(out_t, float), forced_sku=cat_(out_s, np.int64))


def assign_tiers(
    scenario: Scenario,
    n: int,
    enrol_day: np.ndarray,
    orders: dict[str, np.ndarray],
    order_value: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tier, qualifying spend and evaluation day of the last evaluation, per customer.

    Members never evaluated (enrolled after the last 31 December) are
    ``standard`` with missing qualifying spend.
    """
    thr = scenario.loyalty_tier_threshold
    tier = np.zeros(n, np.int8)
    qual = np.full(n, np.nan)
    when = np.full(n, np.nan)
    completed = orders["status"] == 0
    for E in evaluation_days(scenario):
        spend = _spend_12m(orders["cust"], orders["t"], order_value, completed, n, E)
        m = np.isfinite(enrol_day) & (enrol_day <= E)
        tier[m] = np.where(spend[m] >= 3 * thr, 2, np.where(spend[m] >= thr, 1, 0))
        qual[m] = np.round(spend[m], 2)
        when[m] = E
    return tier, qual, when


def simulate_ledger(
    scenario: Scenario,
    rng: np.random.Generator,
    enrol_day: np.ndarray,
    breakage: np.ndarray,
    orders: dict[str, np.ndarray],
    order_value: np.ndarray,
) -> tuple[dict[str, np.ndarray], float, float]:
    """Points ledger rows and the expected breakage.

    Returns
    -------
    rows : dict of arrays ``cust, t, kind (0 earn, 1 redeem, 2 expire), points, order``
    expected_breakage_points : float
        Sum over lots of ``points * breakage_propensity``.
    points_total : float
        Sum of points earned.
    """
    T = float(scenario.n_days)
    cust = orders["cust"]
    earn = (orders["status"] == 0) & (orders["t"] >= enrol_day[cust])
    o = np.flatnonzero(earn)
    pts = np.floor(order_value[o] * scenario.loyalty_points_rate * 100).astype(np.int64)
    keep = pts > 0
    o, pts = o[keep], pts[keep]
    c = cust[o]
    t_earn = orders["t"][o] + 1e-4
    b = breakage[c]
    expires = rng.random(len(o)) < b
    exp_days = float(scenario.loyalty_points_expiry_days)
    t_settle = np.where(expires, t_earn + exp_days, t_earn + 7 + rng.random(len(o)) * (exp_days - 14))
    settled = t_settle < T
    s = np.flatnonzero(settled)
    rows = dict(
        cust=np.concatenate([c, c[s]]),
        t=np.concatenate([t_earn, t_settle[s]]),
        kind=np.concatenate([np.zeros(len(o), np.int8), np.where(expires[s], 2, 1).astype(np.int8)]),
        points=np.concatenate([pts, -pts[s]]),
        order=np.concatenate([o, o[s]]),
    )
    return rows, float((pts * b).sum()), float(pts.sum())
