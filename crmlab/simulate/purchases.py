"""The purchase process: orders, service failures and churn, customer by customer.

Generative model (a Pareto/NBD-style process with time-varying covariates)
--------------------------------------------------------------------------
While alive, customer *i* places orders as a Poisson process with rate

    lambda_i * season(t) * loyalty_i(t) * campaign_i(t)

where ``season`` is the retail calendar (Chinese New Year, 618, Double 11, ...),
``loyalty_i(t) = 1 + effect_i * fade(t - enrol_i)`` after enrolment (full effect
for ``loyalty_full_effect_days``, fading linearly to nothing at
``loyalty_fade_end_days``), and ``campaign_i(t)`` the retention offer's
multiplier during its response window for treated, eligible customers.

Customer *i* churns (dies, in BG/NBD language) with hazard

    mu_i * prod_k HR_k ** N_k(t)

where ``N_k(t)`` counts service failures of kind *k* experienced up to time *t*
(price-change cancellation, failed delivery, failed installation, expired
coupon, late delivery, unresolved complaint, follow-up call after a complaint)
and ``HR_k`` are the planted hazard ratios. Each order draws its own failures, so failures raise the hazard
from the moment they happen. Sampling is exact: the season is handled by time
rescaling (:class:`~crmlab.simulate.calendar.SeasonClock`), the loyalty and
campaign multipliers by thinning, and lifetimes by redrawing the exponential
residual life whenever the hazard changes (memorylessness).

At the campaign send date every customer still alive who is eligible (at least
one order, last order at least ``campaign_min_recency_days`` ago) and in the
treatment arm either churns at once with the segment's ``sleeping_dog_risk``
or gets the segment's ``campaign_multiplier`` for the response window.

Service promises and complaints
-------------------------------
Every order delivered to the home (online orders and big appliances bought in
a store, unless cancelled) carries the 12-hour delivery promise; it is missed
(a late delivery) with probability

    p_late_delivery * late_delivery_peak_rr ** peak * late_delivery_low_tier_rr ** low_tier

where ``peak`` marks orders placed in the air-conditioner peak season
(:data:`crmlab.domain.AC_PEAK_SEASON`) and ``low_tier`` customers in city
tiers 4-5; the channel plays no role. An installation is due for TVs, washers
and air conditioners that arrived; it fails (24-hour promise missed) with
probability ``p_failed_installation * installation_peak_rr ** peak``. After an
order with any failure the customer complains with probability
``complaint_given_failure`` (else ``complaint_baseline``); a complaint is
resolved with probability ``complaint_resolved``; a resolved complaint gets a
follow-up call (回访) from the call centre with probability ``p_followup`` (the
call centre reaches only some customers, at random). An unresolved complaint
multiplies the churn hazard by ``hr_unresolved_complaint``, a follow-up call by
``hr_followup``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config import Scenario
from ..domain import EVENT_TYPES, MAIN_CATEGORIES, PAYMENTS, in_ac_peak
from ..domain import ORDER_STATUSES as STATUS
from .calendar import SeasonClock, month_category_effects
from .catalog import BIG_CATEGORIES, INSTALL_CATEGORIES
from .customers import Latent

__all__ = ["OrderStream", "simulate_purchases", "hazard_log_multipliers"]

_LATE, _FDEL, _FINST, _PCC, _EXP, _COMP = range(6)

_PAY_ONLINE = np.array([0.38, 0.30, 0.10, 0.14, 0.0, 0.08])
_PAY_STORE = np.array([0.25, 0.27, 0.25, 0.05, 0.10, 0.08])

# hour-of-day profiles
_STORE_HOURS = np.zeros(24)
_STORE_HOURS[9:22] = [1, 3, 5, 6, 5, 5, 6, 7, 7, 7, 8, 6, 3]
_ONLINE_HOURS = np.array([3, 2, 1, 0.5, 0.3, 0.3, 0.6, 1.5, 2.5, 3, 3.5, 4, 4.5, 4, 3.5, 3.5, 3.5,
                          4, 4.5, 5.5, 6.5, 7.5, 7, 5], float)
EVENING_HOURS = (19, 23)


def hazard_log_multipliers(scenario: Scenario) -> np.ndarray:
    """log hazard ratio per event code (complaint counts only when unresolved)."""
    return np.log(
        np.array(
            [
                scenario.hr_late_delivery,
                scenario.hr_failed_delivery,
                scenario.hr_failed_installation,
                scenario.hr_price_change_cancel,
                scenario.hr_expired_coupon,
                scenario.hr_unresolved_complaint,
            ]
        )
    )


@dataclass
class OrderStream:
    """Orders and service events of one chunk, as arrays (local customer index)."""

    cust: list = field(default_factory=list)
    t: list = field(default_factory=list)
    channel: list = field(default_factory=list)
    store: list = field(default_factory=list)
    category: list = field(default_factory=list)
    status: list = field(default_factory=list)
    coupon: list = field(default_factory=list)
    payment: list = field(default_factory=list)
    ev_order: list = field(default_factory=list)
    ev_type: list = field(default_factory=list)
    ev_t: list = field(default_factory=list)
    ev_resolved: list = field(default_factory=list)
    ev_value: list = field(default_factory=list)
    ev_followup: list = field(default_factory=list)
    delivered: list = field(default_factory=list)
    install: list = field(default_factory=list)
    category_prob_sum: np.ndarray | None = None
    evening_prob: list = field(default_factory=list)
    n: int = 0

    def arrays(self) -> dict[str, np.ndarray]:
        cat = lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt)  # noqa: E731
        return dict(
            cust=cat(self.cust, np.int64), t=cat(self.t, float), channel=cat(self.channel, np.int8),
            store=cat(self.store, np.int64), category=cat(self.category, np.int8),
            status=cat(self.status, np.int8), coupon=cat(self.coupon, bool), payment=cat(self.payment, np.int8),
            ev_order=cat(self.ev_order, np.int64), ev_type=cat(self.ev_type, np.int8), ev_t=cat(self.ev_t, float),
            ev_resolved=cat(self.ev_resolved, np.int8), ev_value=cat(self.ev_value, float),
            ev_followup=cat(self.ev_followup, np.int8), delivered=cat(self.delivered, bool),
            install=cat(self.install, bool),
        )


@dataclass
class CustomerOutcome:
    """Latent outcomes of the purchase process per customer (local index)."""

    death_day: np.ndarray  # inf if alive at the end of the window (or never bought)
    alive_at_campaign: np.ndarray
    campaign_eligible: np.ndarray
    sleeping_dog_churned: np.ndarray
    hazard_multiplier: np.ndarray  # at the end
    hazard_at_campaign: np.ndarray  # multiplier when the campaign was sent (1 if not alive then)
    n_orders: np.ndarray


def _gumbel_argmax(rng: np.random.Generator, logits: np.ndarray) -> np.ndarray:
    return (logits - np.log(-np.log(rng.random(logits.shape)))).argmax(axis=1)


class _Process:
    def __init__(self, scenario: Scenario, rng: np.random.Generator, latent: Latent, clock: SeasonClock,
                 store_open_day: np.ndarray, store_fallback: np.ndarray, month_of_day: np.ndarray,
                 peak_day: np.ndarray, low_tier: np.ndarray):
        self.sc, self.rng, self.lt, self.clock = scenario, rng, latent, clock
        self.store_open_day, self.store_fallback = store_open_day, store_fallback
        self.month_of_day = month_of_day
        self.peak_day, self.low_tier = peak_day, low_tier
        self.log_hr_followup = float(np.log(scenario.hr_followup))
        self.T = float(scenario.n_days)
        self.month_eff = month_category_effects(MAIN_CATEGORIES)
        self.logHR = hazard_log_multipliers(scenario)
        self.cat_big = np.isin(np.array(MAIN_CATEGORIES), BIG_CATEGORIES)
        self.cat_install = np.isin(np.array(MAIN_CATEGORIES), INSTALL_CATEGORIES)
        self.evening_cols = np.isin(np.array(MAIN_CATEGORIES), ("phone", "accessory"))
        self.out = OrderStream()
        self.out.category_prob_sum = np.zeros(len(MAIN_CATEGORIES))
        n = len(latent)
        self.H = np.zeros(n)  # log hazard multiplier
        self.n_orders = np.zeros(n, np.int64)
        self.last = np.full(n, -np.inf)

    # ------------------------------------------------------------------ orders
    def place(self, ci: np.ndarray, t: np.ndarray, first: bool) -> None:
        """Draw the attributes and service failures of orders (ci[j] at t[j])."""
        sc, rng, lt = self.sc, self.rng, self.lt
        m = len(ci)
        if m == 0:
            return
        day = np.minimum(t.astype(np.int64), int(self.T) - 1)
        # channel
        if first:
            channel = lt.signup_channel[ci].astype(np.int64)
            channel = np.where((channel == 0) & ~lt.province_store[ci], 1, channel)
        else:
            logits = lt.channel_logit[ci].copy()
            logits[:, 2] += sc.app_share_trend * t / self.T
            logits[~lt.province_store[ci], 0] = -np.inf
            channel = _gumbel_argmax(rng, logits)
        online = channel != 0
        # hour of day
        u = rng.random(m)
        hour = np.where(
            online,
            np.searchsorted(np.cumsum(_ONLINE_HOURS) / _ONLINE_HOURS.sum(), u),
            np.searchsorted(np.cumsum(_STORE_HOURS) / _STORE_HOURS.sum(), u),
        ).clip(0, 23)
        t_exact = day + (hour + rng.random(m)) / 24.0
        # main category: segment taste + month + evening effect for online orders
        month = self.month_of_day[day]
        logits = lt.category_logit[ci] + self.month_eff[month]
        evening = online & (hour >= EVENING_HOURS[0]) & (hour <= EVENING_HOURS[1])
        logits[np.ix_(evening, self.evening_cols)] += sc.basket_evening_boost
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        self.out.category_prob_sum += p.sum(axis=0)
        cat = (np.cumsum(p, axis=1) < rng.random(m)[:, None]).sum(axis=1).clip(0, len(MAIN_CATEGORIES) - 1)
        # store
        store = np.where(online, -1, lt.home_store[ci])
        closed = (store >= 0) & (self.store_open_day[np.maximum(store, 0)] > day)
        store = np.where(closed, self.store_fallback[np.maximum(store, 0)], store)
        # payment and coupon
        pay = np.where(online, _gumbel_argmax(rng, np.log(_PAY_ONLINE + 1e-12)[None, :].repeat(m, 0)),
                       _gumbel_argmax(rng, np.log(_PAY_STORE + 1e-12)[None, :].repeat(m, 0)))
        coupon = rng.random(m) < np.where(online, sc.p_coupon, sc.p_coupon / 2)
        # service failures
        U = rng.random((m, 9))
        peak = self.peak_day[day]
        p_late = sc.p_late_delivery * np.where(peak, sc.late_delivery_peak_rr, 1.0) * np.where(
            self.low_tier[ci], sc.late_delivery_low_tier_rr, 1.0)
        p_finst = sc.p_failed_installation * np.where(peak, sc.installation_peak_rr, 1.0)
        pcc = online & (U[:, 0] < sc.p_price_change_cancel)
        delivered = (online | self.cat_big[cat]) & ~pcc
        late = delivered & (U[:, 1] < p_late)
        fdel = delivered & (U[:, 2] < sc.p_failed_delivery)
        install = self.cat_install[cat] & ~pcc & ~fdel
        finst = install & (U[:, 3] < p_finst)
        expired = online & (U[:, 4] < sc.p_expired_coupon)
        coupon = coupon & ~expired
        fail = late | fdel | finst | pcc | expired
        complaint = U[:, 5] < np.where(fail, sc.complaint_given_failure, sc.complaint_baseline)
        resolved = complaint & (U[:, 6] < sc.complaint_resolved)
        followup = resolved & (U[:, 8] < sc.p_followup)
        returned = ~pcc & (U[:, 7] < np.where(finst | fdel, 0.25, sc.p_return))
        status = np.where(pcc, 1, np.where(returned, 2, 0))
        # record the orders
        base = self.out.n
        oid = base + np.arange(m)
        o = self.out
        o.cust.append(ci)
        o.t.append(t_exact)
        o.channel.append(channel)
        o.store.append(store)
        o.category.append(cat)
        o.status.append(status)
        o.coupon.append(coupon)
        o.payment.append(pay)
        o.evening_prob.append(evening)
        o.delivered.append(delivered)
        o.install.append(install)
        o.n += m
        # events
        ts = {
            _LATE: t_exact + 0.5 + rng.random(m) * 2.0,
            _FDEL: t_exact + 1.0 + rng.random(m) * 2.0,
            _FINST: t_exact + 1.0 + rng.random(m) * 3.0,
            _PCC: t_exact + rng.random(m) * 2.0,
            _EXP: t_exact + rng.random(m) * 0.01,
        }
        values = {
            _PCC: np.round(np.clip(rng.normal(200, 60, m), 50, None)),
            _EXP: np.array([20.0, 50.0, 100.0, 200.0])[rng.integers(0, 4, m)],
        }
        last_fail_t = np.full(m, -np.inf)
        for code, mask in ((_LATE, late), (_FDEL, fdel), (_FINST, finst), (_PCC, pcc), (_EXP, expired)):
            k = np.flatnonzero(mask)
            if len(k) == 0:
                continue
            o.ev_order.append(oid[k])
            o.ev_type.append(np.full(len(k), code))
            o.ev_t.append(ts[code][k])
            o.ev_resolved.append(np.full(len(k), -1))
            o.ev_value.append(values[code][k] if code in values else np.full(len(k), np.nan))
            o.ev_followup.append(np.full(len(k), -1, np.int8))
            last_fail_t[k] = np.maximum(last_fail_t[k], ts[code][k])
        k = np.flatnonzero(complaint)
        if len(k):
            when = np.where(np.isfinite(last_fail_t[k]), last_fail_t[k], t_exact[k] + rng.random(len(k)) * 10)
            o.ev_order.append(oid[k])
            o.ev_type.append(np.full(len(k), _COMP))
            o.ev_t.append(when + rng.random(len(k)) * 3.0)
            o.ev_resolved.append(resolved[k].astype(np.int8))
            o.ev_value.append(np.full(len(k), np.nan))
            o.ev_followup.append(followup[k].astype(np.int8))
        # hazard update (complaints count only when unresolved; a follow-up call counts on its own)
        x = np.column_stack([late, fdel, finst, pcc, expired, complaint & ~resolved]).astype(float)
        self.H[ci] += x @ self.logHR + followup * self.log_hr_followup  # ci holds each customer at most once per call
        self.n_orders[ci] += 1
        self.last[ci] = np.maximum(self.last[ci], t_exact)

    # ------------------------------------------------------------------ loop
    def run(self) -> CustomerOutcome:
        sc, rng, lt, clock = self.sc, self.rng, self.lt, self.clock
        n = len(lt)
        T = self.T
        c = float(sc.campaign_day)
        c_end = c + sc.campaign_window_days
        lam = lt.purchase_rate / 365.25
        mu = lt.churn_hazard / 365.25
        eff = lt.loyalty_effect
        enrol = lt.enrol_day
        member = np.isfinite(enrol)
        loy_bound = np.where(member, np.maximum(1.0, 1.0 + eff), 1.0)
        camp_mult = lt.campaign_multiplier
        full, fade_end = float(sc.loyalty_full_effect_days), float(sc.loyalty_fade_end_days)

        death = np.full(n, np.inf)
        crossed = np.zeros(n, bool)
        alive_c = np.zeros(n, bool)
        eligible = np.zeros(n, bool)
        camp_on = np.zeros(n, bool)
        sd_churn = np.zeros(n, bool)
        h_at_c = np.ones(n)

        first = lt.first_order_day
        active = np.flatnonzero(np.isfinite(first) & (first < T))
        t_cur = first[active].copy()
        self.place(active, t_cur, first=True)
        t_cur = self.out.t[-1].copy() if len(active) else t_cur  # exact time incl. hour
        death[active] = t_cur + rng.exponential(size=len(active)) / (mu[active] * np.exp(self.H[active]))

        while active.size:
            i = active
            cb = np.where(camp_on[i] & (t_cur < c_end), np.maximum(camp_mult[i], 1.0), 1.0)
            bound = loy_bound[i] * cb
            e = rng.exponential(size=len(i))
            t_new = clock.inverse(clock.forward(t_cur) + e / (lam[i] * bound))
            nxt = np.minimum(t_new, death[i])
            # 1. the campaign send date is crossed while alive: truncate there
            cross = ~crossed[i] & (t_cur < c) & (nxt >= c)
            if cross.any():
                j = i[cross]
                crossed[j] = True
                alive_c[j] = True
                h_at_c[j] = np.exp(self.H[j])
                elig = (c - self.last[j]) >= sc.campaign_min_recency_days
                eligible[j] = elig
                tr = elig & lt.treated[j]
                dog = tr & (rng.random(len(j)) < lt.sleeping_dog_risk[j])
                death[j[dog]] = c
                sd_churn[j[dog]] = True
                camp_on[j[tr & ~dog]] = True
                t_cur[cross] = c
            rest = ~cross
            dies = rest & (t_new >= death[i])
            ends = rest & ~dies & (t_new >= T)
            prop = rest & ~dies & ~ends
            if prop.any():
                j = i[prop]
                tn = t_new[prop]
                d = tn - enrol[j]
                f = np.where(d < 0, 0.0, np.where(d < full, 1.0, np.clip((fade_end - d) / (fade_end - full), 0, 1)))
                mult = (1.0 + eff[j] * f) * np.where(camp_on[j] & (tn >= c) & (tn < c_end), camp_mult[j], 1.0)
                acc = rng.random(len(j)) * bound[prop] < mult
                t_cur[prop] = tn
                if acc.any():
                    ja = j[acc]
                    self.place(ja, tn[acc], first=False)
                    t_exact = self.out.t[-1]
                    # the order's exact time (with hour) may fall just past death/end: keep day-level time
                    sel = np.flatnonzero(prop)[acc]
                    t_cur[sel] = np.maximum(tn[acc], t_exact)
                    death[ja] = t_cur[sel] + rng.exponential(size=len(ja)) / (mu[ja] * np.exp(self.H[ja]))
            keep = ~(dies | ends)
            active = i[keep]
            t_cur = t_cur[keep]

        death[death >= T] = np.inf
        return CustomerOutcome(
            death_day=death,
            alive_at_campaign=alive_c,
            campaign_eligible=eligible,
            sleeping_dog_churned=sd_churn,
            hazard_multiplier=np.exp(self.H),
            hazard_at_campaign=h_at_c,
            n_orders=self.n_orders,
        )


def simulate_purchases(
    scenario: Scenario,
    rng: np.random.Generator,
    latent: Latent,
    clock: SeasonClock,
    stores: pd.DataFrame,
    city_tier: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], CustomerOutcome, np.ndarray]:
    """Run the purchase process for one chunk of customers.

    city_tier : ndarray, optional
        City tier (1-5) of each customer of the chunk (default: all tier 1);
        tiers 4-5 get ``late_delivery_low_tier_rr``.

    Returns
    -------
    orders : dict of arrays
        Order-level and event-level arrays (see :class:`OrderStream`), times
        in days since the window start.
    outcome : CustomerOutcome
        Latent churn and campaign outcomes per customer.
    category_prob_sum : ndarray
        Expected number of orders per main category (sum of the choice
        probabilities), used for the basket truth.
    """
    start = np.datetime64(scenario.start_date, "D")
    open_day = (stores["open_date"].to_numpy().astype("datetime64[D]") - start).astype(np.int64)
    # fallback store: the first store of the same city (opened before the window)
    first_in_city = stores.groupby("city", sort=False).cumcount().to_numpy() == 0
    city_first = pd.Series(np.flatnonzero(first_in_city), index=stores["city"].to_numpy()[first_in_city])
    fallback = city_first.reindex(stores["city"].to_numpy()).to_numpy(np.int64)
    days = start + np.arange(scenario.n_days).astype("timedelta64[D]")
    month_of_day = (days.astype("datetime64[M]").astype(np.int64) % 12).astype(np.int64)
    peak_day = in_ac_peak(days)
    tier = np.ones(len(latent), np.int64) if city_tier is None else np.asarray(city_tier)
    proc = _Process(scenario, rng, latent, clock, open_day, fallback, month_of_day, peak_day, tier >= 4)
    outcome = proc.run()
    return proc.out.arrays(), outcome, proc.out.category_prob_sum
