"""Customers: latent traits (segment, purchase rate, lifetime, satisfaction) and the archive.

The latent traits drive every other table; they are returned separately
(:class:`Latent`) and only reach the user through the truth files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import Scenario
from ..domain import CHANNELS, MAIN_CATEGORIES
from .calendar import SeasonClock
from ._text import decode, format_ids
from .pii import draw_people

__all__ = ["Latent", "simulate_customers"]

#: purchase rate used as the reference point of loyalty self-selection (orders/year)
_REF_RATE = 1.5


@dataclass
class Latent:
    """Per-customer latent traits of one chunk (arrays of equal length)."""

    index: np.ndarray  # global customer index
    segment: np.ndarray  # int
    purchase_rate: np.ndarray  # orders / year while alive
    churn_hazard: np.ndarray  # base yearly hazard incl. satisfaction
    satisfaction: np.ndarray  # N(0, 1)
    premium: np.ndarray  # price-tier preference
    category_logit: np.ndarray  # n x len(MAIN_CATEGORIES)
    channel_logit: np.ndarray  # n x 3
    city_index: np.ndarray  # row of the cities table
    signup_day: np.ndarray  # float days since start
    first_order_day: np.ndarray  # float days since start (inf: never buys)
    signup_channel: np.ndarray  # int into CHANNELS
    enrol_day: np.ndarray  # float days since start, inf if never enrols in the window
    loyalty_effect: np.ndarray  # relative lift while enrolled
    treated: np.ndarray  # bool: assigned to the campaign's treatment arm (if eligible)
    campaign_multiplier: np.ndarray
    sleeping_dog_risk: np.ndarray
    redemption_breakage: np.ndarray  # probability a points lot expires unredeemed
    home_store: np.ndarray  # int store row or -1
    province_store: np.ndarray  # bool: a store in the home province

    def __len__(self) -> int:
        return len(self.index)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def simulate_customers(
    scenario: Scenario,
    rng: np.random.Generator,
    pii_rng: np.random.Generator,
    *,
    offset: int,
    n: int,
    cities: pd.DataFrame,
    stores: pd.DataFrame,
    clock: SeasonClock,
    launch_day: np.ndarray,
) -> tuple[pd.DataFrame, Latent]:
    """Draw ``n`` customers (global indices ``offset .. offset+n-1``).

    Generative model
    ----------------
    * segment ``s ~ Categorical(share)``; demographics (age, gender, city tier)
      depend on the segment; the city is drawn within the tier by population.
    * purchase rate ``lambda ~ Gamma(shape_s, mean_s)`` orders per year.
    * latent satisfaction ``u ~ N(0, 1)``; churn hazard
      ``mu = hazard_s * exp(satisfaction_churn_effect * u)`` per year.
    * signup day follows the seasonal demand curve over the window (less the
      last 30 days); store sign-ups buy the same day, online sign-ups with
      probability 0.6 the same day, otherwise after ``Exp(14 days)``;
      ``never_buy_share`` never buy.
    * loyalty enrolment: once the programme has launched in the customer's city,
      the customer enrols with probability
      ``sigmoid(logit(enrol_base) + selection * log(lambda / 1.5))`` after an
      ``Exp(enrol_delay)`` wait - heavier buyers self-select into the programme.
    * campaign arm ``treated ~ Bernoulli(campaign_treated_share)`` is drawn for
      everyone; it only matters for customers the campaign later targets.
    """
    segs = scenario.segments
    S = len(segs)
    share = np.array([s.share for s in segs], float)
    seg = rng.choice(S, size=n, p=share / share.sum())

    def per_seg(attr: str) -> np.ndarray:
        return np.array([getattr(s, attr) for s in segs], float)[seg]

    # --- geography ---------------------------------------------------------------
    tiers = cities["tier"].to_numpy()
    pop = cities["population_m"].to_numpy(float)
    tier_w = np.array([s.tier_weights for s in segs], float)  # S x 5
    pop_in_tier = np.array([pop[tiers == t].sum() for t in range(1, 6)])
    pop_in_tier[pop_in_tier == 0] = np.inf
    city_p = tier_w[:, tiers - 1] * (pop / pop_in_tier[tiers - 1])[None, :]  # S x C
    city_p /= city_p.sum(axis=1, keepdims=True)
    cum = np.cumsum(city_p, axis=1)
    u = rng.random(n)
    city_idx = np.minimum((cum[seg] < u[:, None]).sum(axis=1), len(cities) - 1)

    # --- latent behaviour ----------------------------------------------------
    shape = per_seg("purchase_shape")
    lam = rng.gamma(shape, per_seg("purchase_rate") / shape)
    lam = np.maximum(lam, 0.02)
    sat = rng.standard_normal(n)
    mu = per_seg("churn_hazard") * np.exp(scenario.satisfaction_churn_effect * sat)
    noise = scenario.within_segment_noise
    premium = per_seg("premium") + rng.normal(0, 0.6 * noise, n)
    cat_w = np.log(np.array([s.category_weights for s in segs], float) + 1e-9)
    cat_logit = cat_w[seg] + rng.normal(0, 0.35 * noise, (n, len(MAIN_CATEGORIES)))
    ch_w = np.log(np.array([s.channel_weights for s in segs], float) + 1e-9)
    ch_logit = ch_w[seg] + rng.normal(0, 0.5 * noise, (n, 3))

    # --- signup and first order --------------------------------------------------
    T = scenario.n_days
    s_hi = clock.forward(np.array([T - 30.0]))[0]
    signup = clock.inverse(rng.random(n) * s_hi)
    trend = scenario.app_share_trend * signup / T
    logits = ch_logit + np.column_stack([np.zeros(n), np.zeros(n), trend])
    g = logits - np.log(-np.log(rng.random((n, 3))))  # Gumbel-max
    signup_channel = g.argmax(axis=1)
    delay = np.where(
        (signup_channel == 0) | (rng.random(n) < 0.6), rng.random(n) * 0.5, rng.exponential(14.0, n)
    )
    first_order = signup + delay
    never = rng.random(n) < scenario.never_buy_share
    first_order = np.where(never | (first_order >= T), np.inf, first_order)

    # --- demographics ----------------------------------------------------------------
    age = np.clip(np.round(rng.normal(per_seg("age_mean"), 8.0 * scenario.within_segment_noise)), 18, 80)
    birth_year = (scenario.start_date.year - age).astype(np.int64)
    female = rng.random(n) < per_seg("female_share")
    gender = np.where(female, "female", "male")

    # --- loyalty enrolment (self-selection on the latent purchase rate) ----------
    base = scenario.loyalty_enrol_base
    p_enrol = _sigmoid(np.log(base / (1 - base)) + scenario.loyalty_selection * np.log(lam / _REF_RATE))
    enrols = rng.random(n) < p_enrol
    enrol_day = np.maximum(launch_day[city_idx], signup) + rng.exponential(scenario.loyalty_enrol_delay_days, n)
    enrol_day = np.where(enrols & (enrol_day < T), enrol_day, np.inf)

    # --- campaign arm and response traits ----------------------------------------------
    treated = rng.random(n) < scenario.campaign_treated_share
    b = scenario.loyalty_breakage
    conc = 4.0
    breakage = rng.beta(max(b * conc, 1e-3), max((1 - b) * conc, 1e-3), n)

    # --- home store ------------------------------------------------------------------
    # a random store of the home city if there is one, else the province's first store
    home = _home_stores(cities, stores, city_idx, rng.random(n))
    province_store = home >= 0

    # --- the archive -------------------------------------------------------------------
    idx = offset + np.arange(n)
    zh = scenario.locale == "zh_CN"

    def city_col(name: str):
        return cities[name].array.take(city_idx)

    df = pd.DataFrame(
        {
            "customer_id": format_ids("C", idx + 1, 7),
            "signup_date": _to_dates(scenario.start_date, signup),
            "signup_channel": decode(CHANNELS, signup_channel),
            "gender": decode(("female", "male"), (~female).astype(np.int64)),
            "birth_year": birth_year,
            "province": city_col("province"),
            "province_name": city_col("province_name_zh" if zh else "province_name_en"),
            "city": city_col("city"),
            "city_name": city_col("city_name_zh" if zh else "city_name_en"),
            "city_tier": cities["tier"].to_numpy()[city_idx].astype(np.int64),
            "is_member": np.isfinite(enrol_day),
        }
    )
    if scenario.pii:
        people = draw_people(pii_rng, n, locale=scenario.locale, gender=gender, birth_year=birth_year,
                             city=cities["city"].to_numpy()[city_idx])
        for col in ("name", "phone", "email"):
            df[col] = people[col].array
    latent = Latent(
        index=idx,
        segment=seg,
        purchase_rate=lam,
        churn_hazard=mu,
        satisfaction=sat,
        premium=premium,
        category_logit=cat_logit,
        channel_logit=ch_logit,
        city_index=city_idx,
        signup_day=signup,
        first_order_day=first_order,
        signup_channel=signup_channel,
        enrol_day=enrol_day,
        loyalty_effect=per_seg("loyalty_effect"),
        treated=treated,
        campaign_multiplier=per_seg("campaign_multiplier"),
        sleeping_dog_risk=per_seg("sleeping_dog_risk"),
        redemption_breakage=breakage,
        home_store=home,
        province_store=province_store,
    )
    return df, latent


def _home_stores(cities: pd.DataFrame, stores: pd.DataFrame, city_idx: np.ndarray, pick: np.ndarray) -> np.ndarray:
    """Home store row per customer: a store of the home city chosen by ``pick`` in [0, 1), else the first
    store (lowest row) of the home province, else -1."""
    n_cities = len(cities)
    codes = pd.Index(cities["city"])
    s_city = codes.get_indexer(stores["city"])
    known = np.flatnonzero(s_city >= 0)
    rows_by_city = known[np.argsort(s_city[known], kind="stable")]  # store rows grouped by city, in row order
    count = np.bincount(s_city[known], minlength=n_cities)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    cnt = count[city_idx]
    home = np.full(len(city_idx), -1, dtype=np.int64)
    has = np.flatnonzero(cnt > 0)
    if len(has):
        k = np.minimum((pick[has] * cnt[has]).astype(int), cnt[has] - 1)
        home[has] = rows_by_city[first[city_idx[has]] + k]
    missing = home < 0
    if missing.any():
        prov_first = pd.Series(np.arange(len(stores))).groupby(stores["province"].to_numpy()).first()
        by_city = pd.Series(cities["province"].to_numpy()).map(prov_first).fillna(-1).to_numpy(np.int64)
        home[missing] = by_city[city_idx[missing]]
    return home


def _to_dates(start: dt.date, days: np.ndarray) -> np.ndarray:
    """Days since ``start`` (floats) -> datetime64[s] at midnight."""
    d = np.floor(np.asarray(days)).astype("int64")
    return (np.datetime64(start, "D") + d.astype("timedelta64[D]")).astype("datetime64[s]")
