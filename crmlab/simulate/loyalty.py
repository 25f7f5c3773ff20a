"""The loyalty programme: staggered rollout, tiers with bunching, points and breakage.

Generative model
----------------
* **Rollout**: the programme launches city by city in three waves (fractions
  ``loyalty_waves`` of the window); the chain's home city pilots in wave 1,
  other cities are assigned to waves at random (bigger cities earlier).
* **Enrolment** (drawn with the customers) self-selects on the latent purchase
  rate; the programme's effect on purchase rate is planted in the purchase
  process (:mod:`crmlab.simulate.purchases`). Customers enrol only while
  alive: an enrolment drawn after the customer's latent churn day does not
  happen (:func:`enrol_while_alive`; the purchase path up to the churn day is
  that of a non-member either way).
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

Truth
-----
:func:`effect_truth` computes, from the latent purchase rates, churn days and
enrolment days, the quantities the lesson's estimators target (see its
docstring): the members' lift over months 1-5 after enrolment (the
difference-in-differences estimand), the lift by month since enrolment (the
event study), the city-launch intention-to-treat effect and its per-member
scaling; :func:`bunching_truth` the number of members the top-ups moved just
above the gold threshold.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..config import Scenario
from ..domain import MAIN_CATEGORIES, TIERS
from .catalog import BASKET_RULES, DECOY_SUBCATEGORY

__all__ = ["simulate_rollout", "evaluation_days", "plan_topups", "assign_tiers", "simulate_ledger",
           "enrol_while_alive", "effect_truth", "bunching_truth", "DID_MONTHS", "EVENT_MONTHS", "FADE_MONTHS", "LAUNCH_MONTHS",
           "BUNCHING_REGION"]

#: Months after the enrolment month averaged by the DiD truth (``truth.loyalty.att``).
DID_MONTHS: tuple[int, int] = (1, 5)
#: Months since enrolment of the event-study truth (``truth.loyalty.att_by_event_month``).
EVENT_MONTHS: tuple[int, int] = (0, 9)
#: Early (full effect) and late (fading) months since enrolment of the fade truth
#: (``truth.loyalty.fade_early_minus_late``).
FADE_MONTHS: tuple[tuple[int, int], tuple[int, int]] = ((1, 5), (6, 9))
#: Months since the city's launch month of the launch-design truth (``truth.loyalty.launch_*``).
LAUNCH_MONTHS: tuple[int, int] = (0, 6)
#: Region just above the gold threshold (multiples of it) of the bunching truth
#: (``truth.loyalty.bunching_excess``; the default manipulation region of
#: :func:`crmlab.analysis.loyalty.tier_threshold_view` above the threshold).
BUNCHING_REGION: tuple[float, float] = (1.0, 1.1)


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
    # points post a few seconds after the order, but never past the window's last second (an order in
    # the last seconds of the window would otherwise earn its points on the day after the window)
    t_earn = np.minimum(orders["t"][o] + 1e-4, T - 1e-9)
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


def enrol_while_alive(enrol_day: np.ndarray, death_day: np.ndarray) -> np.ndarray:
    """Enrolment days, with enrolments on or after the latent churn day removed (``inf``).

    Enrolment is drawn with the customer, before the purchase process decides
    when she lapses; a customer who has lapsed does not walk into a store to
    join. Her purchases up to the churn day are those of a non-member either
    way (the programme acts only after enrolment), so dropping the enrolment
    afterwards is an exact draw of "enrols only while alive".

    Examples
    --------
    >>> enrol_while_alive(np.array([10.0, 50.0, np.inf, 5.0]), np.array([np.inf, 20.0, 3.0, 5.0])).tolist()
    [10.0, inf, inf, inf]
    """
    enrol_day = np.asarray(enrol_day, float)
    return np.where(np.isfinite(enrol_day) & (enrol_day < np.asarray(death_day, float)), enrol_day, np.inf)


def _month_starts(scenario: Scenario) -> tuple[np.ndarray, int]:
    """Day (since start) on which each calendar month of the window starts, plus one past the end.

    Also the month index (``year * 12 + month - 1``) of the first month.
    """
    s, e = scenario.start_date, scenario.end_date
    m0 = s.year * 12 + s.month - 1
    m1 = e.year * 12 + e.month - 1
    days = [(dt.date(m // 12, m % 12 + 1, 1) - s).days for m in range(m0, m1 + 2)]
    return np.array(days, float), m0


class _Intensity:
    """Integrals of the season intensity ``s(t)`` (piecewise constant by day) over intervals."""

    def __init__(self, season: np.ndarray):
        self.s = np.asarray(season, float)
        d = np.arange(len(self.s), dtype=float)
        self.S = np.concatenate([[0.0], np.cumsum(self.s)])
        self.G = np.concatenate([[0.0], np.cumsum(self.s * (d + 0.5))])

    def _at(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = np.clip(t, 0.0, float(len(self.s)))
        d = np.minimum(np.floor(t).astype(np.int64), len(self.s) - 1)
        sd = self.s[d]
        return self.S[d] + sd * (t - d), self.G[d] + sd * (t * t - d * d) / 2

    def integral(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(int_a^b s(t) dt, int_a^b t s(t) dt)``, zero where ``b <= a``."""
        a = np.asarray(a, float)
        b = np.maximum(np.asarray(b, float), a)
        Sa, Ga = self._at(a)
        Sb, Gb = self._at(b)
        return Sb - Sa, Gb - Ga

    def weighted(self, a: np.ndarray, b: np.ndarray, enrol: np.ndarray, full: float,
                 fade_end: float) -> tuple[np.ndarray, np.ndarray]:
        """``(int_a^b s dt, int_a^b s(t) fade(t - enrol) dt)`` with the programme's fade profile."""
        base, _ = self.integral(a, b)
        e = np.where(np.isfinite(enrol), enrol, np.inf)
        on, _ = self.integral(np.maximum(a, e), np.minimum(b, e + full))
        i0, i1 = self.integral(np.maximum(a, e + full), np.minimum(b, e + fade_end))
        with np.errstate(invalid="ignore"):
            lin = np.where(np.isfinite(e), ((fade_end + e) * i0 - i1) / (fade_end - full), 0.0)
        return base, np.where(np.isfinite(e), on, 0.0) + lin


def effect_truth(
    scenario: Scenario,
    season: np.ndarray,
    *,
    rate: np.ndarray,
    effect: np.ndarray,
    enrol_day: np.ndarray,
    death_day: np.ndarray,
    launch_day: np.ndarray,
    last_launch_day: float,
    campaign_multiplier: np.ndarray,
    order_cust: np.ndarray,
    order_t: np.ndarray,
    order_completed: np.ndarray,
    topup: np.ndarray,
) -> dict[str, np.ndarray]:
    """Sums behind the loyalty truth of one chunk of customers (added over chunks, then divided).

    The lesson's estimators work on the customer x month panel of counted
    (completed) orders, which starts in the month after a customer's first
    counted order and ends with the window's last month. Their targets are
    ratios ``sum E[Y(1)] / sum E[Y(0)] - 1`` over sets of customer-months,
    where ``E[Y(0)]`` of a customer-month is ``rate * integral of season *
    campaign multiplier`` (the retention offer's multiplier during its window
    for the customers who got it) over the days of the month on which the customer is
    alive (before her latent churn day: the sample's realised lifetimes), and
    ``E[Y(1)] - E[Y(0)]`` adds the programme's lift ``effect * fade(t -
    enrol)`` on those days plus the realised top-up orders (a programme
    effect too; divided by the share of orders that complete, since only
    completed orders count):

    * ``did``: members' months 1-5 after the enrolment month
      (:data:`DID_MONTHS`), for members with a panel month before enrolment
      (the baseline of the imputation difference-in-differences);
    * ``es``: the same by month since enrolment, months 0-9
      (:data:`EVENT_MONTHS`; month 0 is only partly exposed);
    * ``itt``: every panel customer (member or not) with a panel month before
      her city's launch month, in months 0-6 after it (:data:`LAUNCH_MONTHS`)
      and before the last city's launch month (later months have no
      not-yet-launched city to compare with); ``itt_den_member`` sums
      ``E[Y(0)]`` over the months in which she is enrolled (enrolled by the
      end of the month), the denominator of the per-member (Wald) scaling.

    Returns
    -------
    dict of arrays: ``did_num, did_den`` (scalars as 0-d arrays), ``es_num,
    es_den`` (one entry per event month), ``itt_num, itt_den,
    itt_den_member``.
    """
    n = len(rate)
    lam = np.asarray(rate, float) / 365.25
    starts, _ = _month_starts(scenario)
    n_months = len(starts) - 1
    month_of = lambda t: np.searchsorted(starts, t, side="right") - 1  # noqa: E731
    full, fade_end = float(scenario.loyalty_full_effect_days), float(scenario.loyalty_fade_end_days)
    intensity = _Intensity(season)
    c0 = float(scenario.campaign_day)
    c1 = c0 + scenario.campaign_window_days
    camp = np.asarray(campaign_multiplier, float)

    done = np.asarray(order_completed, bool)
    first = np.full(n, np.inf)
    np.minimum.at(first, order_cust[done], order_t[done])
    first_m = np.where(np.isfinite(first), month_of(np.where(np.isfinite(first), first, 0.0)), 10 ** 6)
    q = float(done[~topup].mean()) if (~topup).any() else 1.0

    def expected(cust: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """E[Y(0)] and E[Y(1)] - E[Y(0)] (planted lift only) of customer-months."""
        a, b = starts[m], np.minimum(starts[m + 1], death_day[cust])
        base, lift = intensity.weighted(a, b, enrol_day[cust], full, fade_end)
        ca, cb = np.maximum(a, c0), np.minimum(b, c1)
        cbase, clift = intensity.weighted(ca, cb, enrol_day[cust], full, fade_end)
        extra = camp[cust] - 1.0
        base, lift = base + extra * cbase, lift + extra * clift
        return lam[cust] * base, lam[cust] * effect[cust] * lift

    top_m = month_of(order_t[topup])
    top_c = order_cust[topup]
    top_key = pd.Series(1.0, index=top_c * (n_months + 1) + top_m).groupby(level=0).sum()

    def topups(cust: np.ndarray, m: np.ndarray) -> np.ndarray:
        return top_key.reindex(cust * (n_months + 1) + m).fillna(0.0).to_numpy() / q

    def rows(cust: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = np.maximum(hi - lo + 1, 0)
        c = np.repeat(cust, k)
        m = np.repeat(lo, k) + (np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k))
        return c, m

    out: dict[str, np.ndarray] = {}
    member = np.isfinite(enrol_day)
    em = np.where(member, month_of(np.where(member, enrol_day, 0.0)), 10 ** 6)
    # members with a baseline month: enrolment month >= first counted order month + 2
    base_ok = member & (em >= first_m + 2)
    e_lo, e_hi = EVENT_MONTHS
    ids = np.flatnonzero(base_ok)
    c, m = rows(ids, em[ids] + e_lo, np.minimum(em[ids] + e_hi, n_months - 1))
    y0, lift = expected(c, m)
    lift = lift + topups(c, m)
    k = m - em[c]
    out["es_den"] = np.bincount(k - e_lo, weights=y0, minlength=e_hi - e_lo + 1)
    out["es_num"] = np.bincount(k - e_lo, weights=lift, minlength=e_hi - e_lo + 1)
    d_lo, d_hi = DID_MONTHS
    sel = (k >= d_lo) & (k <= d_hi)
    out["did_den"] = np.array(y0[sel].sum())
    out["did_num"] = np.array(lift[sel].sum())

    # launch design: customers in the panel before their city's launch month
    lm = month_of(np.asarray(launch_day, float))
    last_launch = int(month_of(np.array([float(last_launch_day)]))[0])
    l_lo, l_hi = LAUNCH_MONTHS
    ids = np.flatnonzero(lm >= first_m + 2)
    c, m = rows(ids, lm[ids] + l_lo, np.minimum(lm[ids] + l_hi, min(last_launch, n_months) - 1))
    y0, lift = expected(c, m)
    lift = lift + topups(c, m)
    enrolled = em[c] <= m
    out["itt_den"] = np.array(y0.sum())
    out["itt_num"] = np.array(lift.sum())
    out["itt_den_member"] = np.array(y0[enrolled].sum())

    return out


def bunching_truth(scenario: Scenario, qual: np.ndarray, evald: np.ndarray, order_cust: np.ndarray,
                   order_t: np.ndarray, order_value: np.ndarray, topup: np.ndarray,
                   region: tuple[float, float] = BUNCHING_REGION) -> float:
    """Members the top-ups moved into the region just above the gold threshold (last evaluation).

    The estimand of :func:`crmlab.analysis.loyalty.bunching_estimate`: its
    excess is the count of members whose qualifying spend of the last tier
    evaluation lies in ``[region[0], region[1]) x threshold`` minus the count
    that would lie there without the top-up orders. Members are counted with
    their qualifying spend with and without their top-ups of that
    evaluation's window (365 days up to the evaluation day).

    Examples
    --------
    >>> from crmlab.config import get_scenario
    >>> sc = get_scenario("tiny")
    >>> d = float(evaluation_days(sc)[-1])
    >>> bunching_truth(sc, np.array([20500.0, 23000.0, 20100.0]), np.array([d, d, d]),
    ...                np.array([0, 1, 2]), np.array([d - 5] * 3), np.array([900.0, 4000.0, 50.0]),
    ...                np.array([True, True, True]))
    1.0
    """
    thr = float(scenario.loyalty_tier_threshold)
    lo, hi = region[0] * thr, region[1] * thr
    qual = np.asarray(qual, float)
    ev = np.asarray(evald, float)
    tc, tt, tv = order_cust[topup], order_t[topup], order_value[topup]
    in_window = (tt <= ev[tc]) & (tt > ev[tc] - 365)
    added = np.bincount(tc[in_window], weights=tv[in_window], minlength=len(qual))
    has = added > 0
    with_top = (qual[has] >= lo) & (qual[has] < hi)
    without = (qual[has] - added[has] >= lo) & (qual[has] - added[has] < hi)
    return float(with_top.sum() - without.sum())
