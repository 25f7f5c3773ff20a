"""Scenarios: every rate and effect size the simulator plants, in one frozen object.

A :class:`Scenario` fully determines a dataset: the same scenario (including its
``seed``) always produces byte-identical tables. Presets give sensible starting
points; any field can be overridden::

    >>> from crmlab.config import Scenario, get_scenario
    >>> sc = get_scenario("tiny", seed=3)
    >>> sc.n_customers, sc.seed
    (800, 3)
    >>> sc.replace(hr_price_change_cancel=3.0).hr_price_change_cancel
    3.0

Invalid values raise :class:`ScenarioError` with a message naming the field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import numbers
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from .domain import CATEGORIES, MAIN_CATEGORIES

__all__ = [
    "Scenario",
    "Segment",
    "ScenarioError",
    "PRESETS",
    "DEFAULT_SEGMENTS",
    "CATEGORIES",
    "get_scenario",
    "FIELD_RULES",
    "OPTIONAL_FIELDS",
]



class ScenarioError(ValueError):
    """A scenario field has an invalid value (the message names the field)."""


@dataclass(frozen=True)
class Segment:
    """One latent customer segment and the behaviour it plants.

    Parameters
    ----------
    name : str
        snake_case code of the segment.
    share : float
        Share of customers in this segment (shares are renormalised).
    purchase_rate : float
        Mean purchase rate of a live customer, orders per year (Gamma mean).
    purchase_shape : float
        Gamma shape of the purchase rate within the segment (lower = more spread).
    churn_hazard : float
        Base yearly hazard of churning (lifetime ~ exponential), before
        service failures and satisfaction act on it.
    premium : float
        Price-tier preference; higher means more expensive SKUs within a category.
    category_weights : tuple of float
        Relative weight of each main category (order of ``MAIN_CATEGORIES``).
    channel_weights : tuple of float
        Relative weight of (store, web, app) at the start of the window.
    loyalty_effect : float
        Relative lift in purchase rate while enrolled in the loyalty programme
        (before fading).
    campaign_multiplier : float
        Multiplier on the purchase rate during the retention campaign's response
        window for treated customers (> 1 responsive, 1 = indifferent).
    sleeping_dog_risk : float
        Probability that a treated, eligible customer of this segment churns on
        receiving the offer ("sleeping dogs").
    age_mean : float
        Mean age of customers in the segment (years).
    female_share : float
        Share of female customers.
    tier_weights : tuple of float
        Relative weight of city tiers 1..5 where the segment lives.
    """

    name: str
    share: float
    purchase_rate: float
    purchase_shape: float
    churn_hazard: float
    premium: float
    category_weights: tuple[float, ...]
    channel_weights: tuple[float, float, float]
    loyalty_effect: float
    campaign_multiplier: float
    sleeping_dog_risk: float
    age_mean: float
    female_share: float
    tier_weights: tuple[float, float, float, float, float]


# category order:        tv    fridge washer ac    phone laptop small acc
DEFAULT_SEGMENTS: tuple[Segment, ...] = (
    Segment(
        name="bargain_hunters",
        share=0.25,
        purchase_rate=1.6,
        purchase_shape=2.0,
        churn_hazard=0.55,
        premium=-1.0,
        category_weights=(0.04, 0.02, 0.03, 0.04, 0.22, 0.04, 0.36, 0.25),
        channel_weights=(0.10, 0.20, 0.70),
        loyalty_effect=0.35,
        campaign_multiplier=3.0,
        sleeping_dog_risk=0.0,
        age_mean=26.0,
        female_share=0.62,
        tier_weights=(0.04, 0.10, 0.22, 0.32, 0.32),
    ),
    Segment(
        name="family_upgraders",
        share=0.20,
        purchase_rate=1.1,
        purchase_shape=2.0,
        churn_hazard=0.40,
        premium=0.2,
        category_weights=(0.27, 0.20, 0.19, 0.19, 0.03, 0.02, 0.07, 0.03),
        channel_weights=(0.75, 0.13, 0.12),
        loyalty_effect=0.3,
        campaign_multiplier=2.0,
        sleeping_dog_risk=0.0,
        age_mean=40.0,
        female_share=0.55,
        tier_weights=(0.08, 0.25, 0.35, 0.22, 0.10),
    ),
    Segment(
        name="tech_enthusiasts",
        share=0.15,
        purchase_rate=3.0,
        purchase_shape=2.5,
        churn_hazard=0.30,
        premium=0.7,
        category_weights=(0.03, 0.01, 0.01, 0.02, 0.40, 0.30, 0.05, 0.18),
        channel_weights=(0.05, 0.55, 0.40),
        loyalty_effect=0.05,
        campaign_multiplier=1.3,
        sleeping_dog_risk=0.0,
        age_mean=25.0,
        female_share=0.18,
        tier_weights=(0.35, 0.40, 0.15, 0.07, 0.03),
    ),
    Segment(
        name="premium_loyalists",
        share=0.07,
        purchase_rate=3.6,
        purchase_shape=3.0,
        churn_hazard=0.15,
        premium=1.5,
        category_weights=(0.20, 0.14, 0.12, 0.14, 0.15, 0.12, 0.08, 0.05),
        channel_weights=(0.60, 0.10, 0.30),
        loyalty_effect=0.0,
        campaign_multiplier=1.0,
        sleeping_dog_risk=0.45,
        age_mean=47.0,
        female_share=0.45,
        tier_weights=(0.55, 0.30, 0.10, 0.04, 0.01),
    ),
    Segment(
        name="occasional_shoppers",
        share=0.33,
        purchase_rate=0.45,
        purchase_shape=2.0,
        churn_hazard=0.80,
        premium=-0.4,
        category_weights=(0.12, 0.08, 0.08, 0.10, 0.12, 0.04, 0.36, 0.10),
        channel_weights=(0.45, 0.45, 0.10),
        loyalty_effect=0.4,
        campaign_multiplier=2.5,
        sleeping_dog_risk=0.0,
        age_mean=58.0,
        female_share=0.50,
        tier_weights=(0.02, 0.06, 0.17, 0.35, 0.40),
    ),
)


def _date(value: str, name: str) -> dt.date:
    if not isinstance(value, str):
        raise ScenarioError(f"{name}: must be an ISO date text 'YYYY-MM-DD' (got {value!r})")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ScenarioError(f"{name}: {value!r} is not an ISO date (YYYY-MM-DD)") from None


# ----------------------------------------------------------------------------- field rules
def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    if not isinstance(v, numbers.Real) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(float(v))
    except (OverflowError, ValueError):
        return False


@dataclass(frozen=True)
class _Rule:
    """Type and range of one numeric scenario field: ``kind`` int or float, ``lo``..``hi`` (open ends marked)."""

    kind: str
    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False
    desc: str = ""

    def text(self) -> str:
        if self.desc:
            return self.desc
        what = "an integer" if self.kind == "int" else "a number"
        lo = f"{self.lo:,}" if self.kind == "int" else f"{self.lo:g}"
        hi = f"{self.hi:,}" if self.kind == "int" else f"{self.hi:g}"
        return f"must be {what} in {'(' if self.lo_open else '['}{lo}, {hi}{')' if self.hi_open else ']'}"

    def ok(self, v: Any) -> bool:
        if not (_is_int(v) if self.kind == "int" else _is_number(v)):
            return False
        lo_ok = v > self.lo if self.lo_open else v >= self.lo
        hi_ok = v < self.hi if self.hi_open else v <= self.hi
        return bool(lo_ok and hi_ok)


_P = _Rule("float", 0, 1)
#: Type and range of every numeric scenario field (the fields not listed here
#: are dates, the locale, flags, tuples and the segments, checked in
#: :meth:`Scenario.validate`).
FIELD_RULES: dict[str, _Rule] = {
    "seed": _Rule("int", 0, 2**128 - 1, desc="must be a non-negative integer below 2**128"),
    "n_customers": _Rule("int", 50, 20_000_000),
    "n_stores": _Rule("int", 1, 5000),
    "chunk_size": _Rule("int", 100, 10_000_000),
    "never_buy_share": _Rule("float", 0, 0.9),
    "within_segment_noise": _Rule("float", 0, 5),
    "app_share_trend": _Rule("float", -5, 5),
    "satisfaction_churn_effect": _Rule("float", -3, 3),
    "churn_window_days": _Rule("int", 30, 730),
    **{f"hr_{k}": _Rule("float", 0.1, 20) for k in ("price_change_cancel", "failed_delivery", "failed_installation",
                                                   "unresolved_complaint", "expired_coupon", "late_delivery", "followup")},
    **{f"p_{k}": _P for k in ("price_change_cancel", "late_delivery", "failed_delivery", "failed_installation",
                              "expired_coupon", "coupon", "return", "followup")},
    **{k: _Rule("float", 0.1, 20) for k in ("late_delivery_peak_rr", "late_delivery_low_tier_rr",
                                             "installation_peak_rr")},
    "complaint_given_failure": _P,
    "complaint_baseline": _P,
    "complaint_resolved": _P,
    "survey_days": _Rule("int", 1, 120),
    "survey_response_rate": _Rule("float", 0, 1, lo_open=True),
    "survey_top2box": _Rule("float", 0.3, 0.95),
    "survey_nps_target": _Rule("float", -60, 80),
    "campaign_window_days": _Rule("int", 1, 365),
    "campaign_min_recency_days": _Rule("int", 0, 730),
    "campaign_treated_share": _Rule("float", 0, 1, lo_open=True, hi_open=True),
    "campaign_offer_value": _Rule("float", 0, 100_000),
    "campaign_contact_cost": _Rule("float", 0, 10_000),
    "loyalty_enrol_base": _Rule("float", 0, 1, lo_open=True, hi_open=True),
    "loyalty_selection": _Rule("float", -5, 5),
    "loyalty_enrol_delay_days": _Rule("float", 0, 730),
    "loyalty_full_effect_days": _Rule("int", 1, 3650),
    "loyalty_fade_end_days": _Rule("int", 1, 3650),
    "loyalty_points_rate": _P,
    "loyalty_breakage": _P,
    "loyalty_points_expiry_days": _Rule("int", 1, 3650),
    "loyalty_tier_threshold": _Rule("float", 0, 1e8, lo_open=True),
    "loyalty_bunching_share": _P,
    "basket_background_rate": _P,
    "basket_decoy_rate": _P,
    "basket_extra_items": _Rule("float", 0, 20),
    "basket_evening_boost": _Rule("float", 0, 5),
    "upsell_log_odds_per_year": _Rule("float", -5, 5),
    "wallet_share_base_log_odds": _Rule("float", -6, 6),
    "wallet_share_log_odds_per_log_rate": _Rule("float", -5, 5),
    "wallet_share_log_odds_per_sat_sd": _Rule("float", -5, 5),
    "wallet_share_precision": _Rule("float", 0.1, 1000),
    "stores_visited_rate": _Rule("float", 0, 20),
}
#: Scenario fields that may be ``None`` (meaning: the documented default).
OPTIONAL_FIELDS: frozenset[str] = frozenset({"survey_start", "campaign_date"})
_SEGMENT_RULES: dict[str, _Rule] = {
    "share": _Rule("float", 0, 1e6, lo_open=True),
    "purchase_rate": _Rule("float", 0, 365, lo_open=True),
    "purchase_shape": _Rule("float", 0, 100, lo_open=True),
    "churn_hazard": _Rule("float", 0, 50, lo_open=True),
    "premium": _Rule("float", -5, 5),
    "loyalty_effect": _Rule("float", -1, 10, lo_open=True),
    "campaign_multiplier": _Rule("float", 0, 50, lo_open=True),
    "sleeping_dog_risk": _P,
    "age_mean": _Rule("float", 18, 80),
    "female_share": _P,
}
_SEGMENT_WEIGHTS = {"category_weights": len(MAIN_CATEGORIES), "channel_weights": 3, "tier_weights": 5}
_SNAKE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _weights_ok(v: Any, n: int, *, probabilities: bool = False) -> bool:
    if not isinstance(v, (tuple, list)) or len(v) != n or not all(_is_number(x) and x >= 0 for x in v):
        return False
    return all(x <= 1 for x in v) if probabilities else sum(v) > 0


def _segment_problem(i: int, s: Any) -> str | None:
    """Why segment number ``i`` is invalid, or None."""
    if not isinstance(s, Segment):
        return f"segments[{i}]: must be a segment (an object with the fields of crmlab.config.Segment), got {s!r}"
    where = f"segments[{i}] ({s.name!r})" if isinstance(s.name, str) else f"segments[{i}]"
    if not isinstance(s.name, str) or not _SNAKE.match(s.name):
        return f"{where}.name: must be a snake_case code such as 'bargain_hunters' (got {s.name!r})"
    for name, rule in _SEGMENT_RULES.items():
        v = getattr(s, name)
        if not rule.ok(v):
            return f"{where}.{name}: {rule.text()} (got {v!r})"
    for name, n in _SEGMENT_WEIGHTS.items():
        v = getattr(s, name)
        if not _weights_ok(v, n):
            return f"{where}.{name}: needs {n} non-negative weights, not all zero (got {v!r})"
    return None


def _segments_from(value: Any, where: str = "segments") -> Any:
    """Segments given as dicts (JSON) become :class:`Segment` objects; anything else is left for validation."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        return value
    names = {f.name for f in dataclasses.fields(Segment)}
    out = []
    for i, s in enumerate(value):
        if isinstance(s, Mapping):
            missing = sorted(names - set(s))
            unknown = sorted(str(k) for k in set(s) - names)
            if unknown:
                raise ScenarioError(f"{where}[{i}]: unknown field(s) {', '.join(unknown)}")
            if missing:
                raise ScenarioError(f"{where}[{i}]: missing field(s) {', '.join(missing)} (a segment needs all of "
                                    f"{', '.join(sorted(names))})")
            s = Segment(**{k: tuple(v) if isinstance(v, list) else v for k, v in s.items()})
        out.append(s)
    return tuple(out)


@dataclass(frozen=True)
class Scenario:
    """Everything that determines a synthetic dataset.

    Dates are ISO strings (``"YYYY-MM-DD"``) so that a scenario round-trips
    through JSON unchanged. All rates are per order unless stated otherwise;
    hazard ratios multiply the yearly churn hazard from the moment the event
    happens, and combine multiplicatively.

    Parameters
    ----------
    seed : int
        Root of every random stream (``numpy.random.SeedSequence``).
    n_customers : int
        Number of registered customers.
    start, end : str
        First and last day of the simulated window (inclusive).
    locale : {"zh_CN", "en_US"}
        Locale of names, phone numbers, e-mails and city display names.
    pii : bool
        Include direct identifiers (name, phone, email) in ``customers``.
    n_stores : int
        Number of physical stores.
    chunk_size : int
        Customers simulated per independent random stream; part of the
        scenario because it fixes the random streams (changing it changes
        the data, not its distribution).
    never_buy_share : float
        Share of registered customers who never place an order.
    within_segment_noise : float
        Scales the spread of customer traits inside a segment (price tier sd
        0.6, category and channel taste sd 0.35 and 0.5, age sd 8 years at
        1.0; default 0.6): lower makes segments easier to recover, higher harder.
    hr_* : float
        Planted hazard ratios of churn for each kind of service failure.
    p_* : float
        Per-order probabilities of service events.
    complaint_given_failure : float
        Probability that a customer who experienced a failure complains
        (TARP-style: about half complain to front-line staff).
    complaint_resolved : float
        Probability that a complaint is resolved.
    late_delivery_peak_rr, late_delivery_low_tier_rr : float
        Relative risk of a late delivery (12-hour promise missed) in the
        air-conditioner peak season (:data:`crmlab.domain.AC_PEAK_SEASON`) and
        for customers in city tiers 4-5; the two multiply. The tier effect is
        off by default (1.0): the segments live in different city tiers and
        churn at different rates, so a tier effect makes late deliveries more
        frequent among customers who churn more anyway, which biases the churn
        lesson's hazard ratio of late delivery upwards (about 1.3 for a planted
        1.15 with 1.6 here).
    installation_peak_rr : float
        Relative risk of a failed installation (24-hour promise missed) in the
        air-conditioner peak season.
    p_followup : float
        Probability that a resolved complaint gets a follow-up call (回访)
        from the call centre.
    hr_followup : float
        Churn hazard ratio of a follow-up call after a complaint.
    satisfaction_churn_effect : float
        Log-hazard change of churn per standard deviation of latent
        satisfaction (negative: satisfied customers stay).
    churn_window_days : int
        The inactivity window the truth file recommends for defining churn.
    survey_* : various
        Survey fielding and the planted key-driver weights.
    campaign_* : various
        The randomized retention campaign.
    loyalty_* : various
        The loyalty programme: rollout, self-selection, fading effect, tiers,
        points and breakage.
    basket_* : various
        Planted cross-sell rules and the decoy item.
    upsell_log_odds_per_year : float
        Up-sell (购买升级): per year since a customer's signup, the log-odds of
        each next price tier (:func:`crmlab.domain.price_tiers`) of the main item
        of an order in a tiered category rise by this much (an
        adjacent-category logit shift on top of the customer's stable price
        preference; 0 turns it off). See :mod:`crmlab.simulate.items`.
    wallet_share_base_log_odds, wallet_share_log_odds_per_log_rate, wallet_share_log_odds_per_sat_sd : float
        Share of wallet (钱包份额): each customer's latent share of their 3C and
        appliance spending that goes to the retailer is Beta distributed with
        mean ``m``, ``logit(m) = base + per_log_rate * log(segment purchase_rate /
        1.5) + per_sat_sd * u`` (``u`` the latent satisfaction, sd 1). See
        :mod:`crmlab.simulate.wallet`.
    wallet_share_precision : float
        Precision ``a + b`` of that Beta (lower: more spread around the mean).
    stores_visited_rate : float
        Other 3C retailers visited in the last month ~ Poisson(rate * (1 -
        share)); the survey's ``stores_visited`` is 1 + that, capped at 6.
    faults : bool
        Add realistic data faults (missing ids, negative-quantity cancellation
        lines, duplicate rows, mixed date formats) for cleaning practice.
    """

    seed: int = 0
    n_customers: int = 5_000
    start: str = "2024-01-01"
    end: str = "2025-12-31"
    locale: str = "zh_CN"
    pii: bool = True
    n_stores: int = 60
    chunk_size: int = 50_000
    segments: tuple[Segment, ...] = DEFAULT_SEGMENTS
    never_buy_share: float = 0.06
    within_segment_noise: float = 0.6
    app_share_trend: float = 0.8

    # --- churn: hazard ratios planted on the latent lifetime -------------------
    hr_price_change_cancel: float = 2.0
    hr_failed_delivery: float = 1.8
    hr_failed_installation: float = 1.8
    hr_unresolved_complaint: float = 1.6
    hr_expired_coupon: float = 1.3
    hr_late_delivery: float = 1.15
    satisfaction_churn_effect: float = -0.6
    churn_window_days: int = 365

    # --- service events ---------------------------------------------------------
    p_price_change_cancel: float = 0.025
    p_late_delivery: float = 0.08
    p_failed_delivery: float = 0.03
    p_failed_installation: float = 0.06
    p_expired_coupon: float = 0.05
    p_coupon: float = 0.22
    p_return: float = 0.03
    complaint_given_failure: float = 0.5
    complaint_baseline: float = 0.01
    complaint_resolved: float = 0.6
    late_delivery_peak_rr: float = 1.8
    late_delivery_low_tier_rr: float = 1.0
    installation_peak_rr: float = 3.0
    p_followup: float = 0.5
    hr_followup: float = 0.6

    # --- survey -------------------------------------------------------------------
    survey_start: str | None = None  # default: 40% into the window
    survey_days: int = 14
    survey_response_rate: float = 0.40
    driver_weights: tuple[float, float, float, float] = (0.10, 0.15, 0.40, 0.35)
    survey_top2box: float = 0.65
    survey_nps_target: float = 30.0

    # --- retention campaign ---------------------------------------------------
    campaign_date: str | None = None  # default: 150 days before the end
    campaign_window_days: int = 60
    campaign_min_recency_days: int = 90
    campaign_treated_share: float = 0.5
    campaign_offer_value: float = 50.0
    campaign_contact_cost: float = 1.0

    # --- loyalty programme ----------------------------------------------------
    loyalty_waves: tuple[float, float, float] = (0.35, 0.50, 0.65)
    loyalty_enrol_base: float = 0.35
    loyalty_selection: float = 1.4
    loyalty_enrol_delay_days: float = 45.0
    loyalty_full_effect_days: int = 180
    loyalty_fade_end_days: int = 270
    loyalty_points_rate: float = 0.01
    loyalty_breakage: float = 0.25
    loyalty_points_expiry_days: int = 365
    loyalty_tier_threshold: float = 20_000.0
    loyalty_bunching_share: float = 0.6

    # --- market basket ----------------------------------------------------------
    basket_rule_confidence: tuple[float, float, float, float] = (0.35, 0.60, 0.35, 0.18)
    basket_background_rate: float = 0.02
    basket_decoy_rate: float = 0.16
    basket_extra_items: float = 0.25
    basket_evening_boost: float = 0.8

    # --- lifecycle: up-sell and share of wallet -----------------------------------
    upsell_log_odds_per_year: float = 0.3
    wallet_share_base_log_odds: float = -0.3
    wallet_share_log_odds_per_log_rate: float = 0.5
    wallet_share_log_odds_per_sat_sd: float = 0.5
    wallet_share_precision: float = 4.0
    stores_visited_rate: float = 3.0

    # --- data faults ------------------------------------------------------------
    faults: bool = False

    # ------------------------------------------------------------------------
    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name == "segments":
                object.__setattr__(self, "segments", _segments_from(v))
            elif isinstance(v, list):
                object.__setattr__(self, f.name, tuple(v))
        self.validate()

    # derived dates -----------------------------------------------------------
    @property
    def start_date(self) -> dt.date:
        return _date(self.start, "start")

    @property
    def end_date(self) -> dt.date:
        return _date(self.end, "end")

    @property
    def n_days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def campaign_day(self) -> int:
        """Campaign send date, as days since ``start``."""
        if self.campaign_date is not None:
            return (_date(self.campaign_date, "campaign_date") - self.start_date).days
        return self.n_days - 150

    @property
    def survey_day(self) -> int:
        """First fielding day of the survey, as days since ``start``."""
        if self.survey_start is not None:
            return (_date(self.survey_start, "survey_start") - self.start_date).days
        return int(0.4 * self.n_days)

    # validation --------------------------------------------------------------
    def validate(self) -> None:
        """Raise :class:`ScenarioError` naming the first invalid field.

        Every field is type- and range-checked (:data:`FIELD_RULES` for the
        numbers; ISO dates; the locale; flags; tuples of weights or
        probabilities; each segment's fields), then the fields that depend on
        each other (the window, the campaign and survey dates, the loyalty
        fade).
        """

        def need(cond: bool, name: str, why: str) -> None:
            if not cond:
                raise ScenarioError(f"{name}: {why} (got {getattr(self, name)!r})")

        for name, rule in FIELD_RULES.items():
            need(rule.ok(getattr(self, name)), name, rule.text())
        for name in ("pii", "faults"):
            need(isinstance(getattr(self, name), bool), name, "must be true or false")
        need(isinstance(self.locale, str) and self.locale in ("zh_CN", "en_US"), "locale", "must be 'zh_CN' or 'en_US'")
        for name in ("start", "end"):
            need(isinstance(getattr(self, name), str), name, "must be an ISO date text 'YYYY-MM-DD'")
        for name in OPTIONAL_FIELDS:
            v = getattr(self, name)
            need(v is None or isinstance(v, str), name, "must be an ISO date text 'YYYY-MM-DD' or null (the default)")
            if v is not None:
                _date(v, name)
        start, end = self.start_date, self.end_date
        if not (dt.date(2011, 1, 1) <= start and end <= dt.date(2030, 12, 31)):
            raise ScenarioError(f"start, end: the window must lie within 2011-01-01 .. 2030-12-31 (holiday calendar) "
                                f"(got {self.start} .. {self.end})")
        if (end - start).days < 364:
            raise ScenarioError(f"start, end: the window must span at least one year (got {self.start} .. {self.end})")
        need(_weights_ok(self.driver_weights, 4), "driver_weights",
             "needs 4 non-negative weights (advertising, price, service, quality), not all zero")
        need(_weights_ok(self.basket_rule_confidence, 4, probabilities=True), "basket_rule_confidence",
             "needs 4 probabilities in [0, 1] (tv, ac, phone, laptop rules)")
        need(isinstance(self.loyalty_waves, (tuple, list)) and len(self.loyalty_waves) == 3
             and all(_is_number(w) and 0 < w < 1 for w in self.loyalty_waves)
             and list(self.loyalty_waves) == sorted(self.loyalty_waves),
             "loyalty_waves", "needs 3 increasing fractions of the window in (0, 1)")
        need(isinstance(self.segments, tuple), "segments",
             "must be a list of segments (objects with the fields of crmlab.config.Segment)")
        need(2 <= len(self.segments) <= 20, "segments", "needs 2 to 20 segments")
        for i, seg in enumerate(self.segments):
            why = _segment_problem(i, seg)
            if why:
                raise ScenarioError(why)
        names = [s.name for s in self.segments]
        need(len(set(names)) == len(names), "segments", "segment names must be unique")
        need(self.loyalty_full_effect_days <= self.loyalty_fade_end_days,
             "loyalty_fade_end_days", "must be >= loyalty_full_effect_days")
        when = f"campaign_date {self.campaign_date or 'default'} = day {self.campaign_day} of {self.n_days}"
        if not (0 < self.campaign_day and self.campaign_day + self.campaign_window_days < self.n_days):
            raise ScenarioError(f"campaign_date, campaign_window_days: the campaign and its response window must lie "
                                f"inside the window start .. end (got {when}, campaign_window_days "
                                f"{self.campaign_window_days})")
        if self.campaign_day - self.campaign_min_recency_days <= 0:
            raise ScenarioError(f"campaign_min_recency_days: the campaign must come more than this many days after "
                                f"start (got {self.campaign_min_recency_days}, {when})")
        if not (0 < self.survey_day and self.survey_day + self.survey_days < self.n_days):
            raise ScenarioError(f"survey_start, survey_days: the survey fielding period must lie inside the window "
                                f"start .. end (got survey_start {self.survey_start or 'default'} = day "
                                f"{self.survey_day} of {self.n_days}, survey_days {self.survey_days})")

    # conveniences ------------------------------------------------------------
    def replace(self, **changes: Any) -> "Scenario":
        """Return a copy with some fields changed (validated)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ScenarioError(f"unknown scenario field(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists, segments become dicts)."""
        return json.loads(json.dumps(dataclasses.asdict(self)))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Scenario":
        """Inverse of :meth:`to_dict`; unknown keys raise :class:`ScenarioError`."""
        if not isinstance(d, Mapping):
            raise ScenarioError(f"a scenario must be a JSON object of field: value pairs, got {type(d).__name__} "
                                f"{d!r:.60}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ScenarioError(f"unknown scenario field(s): {', '.join(sorted(map(str, unknown)))}")
        return cls(**dict(d))

    @property
    def segment_names(self) -> list[str]:
        return [s.name for s in self.segments]


#: Named starting points. ``classroom`` is the committed teaching dataset.
PRESETS: dict[str, dict[str, Any]] = {
    "tiny": dict(n_customers=800, n_stores=12, start="2024-01-01", end="2025-06-30"),
    "classroom": dict(n_customers=5_000, n_stores=60),
    "research": dict(n_customers=100_000, n_stores=400, start="2023-01-01", end="2025-12-31"),
    "large": dict(n_customers=1_000_000, n_stores=1_500, start="2023-01-01", end="2025-12-31"),
}


def get_scenario(preset: str | Scenario = "classroom", **overrides: Any) -> Scenario:
    """Build a :class:`Scenario` from a preset name plus field overrides.

    Parameters
    ----------
    preset : str or Scenario
        One of ``PRESETS`` (``tiny``, ``classroom``, ``research``, ``large``),
        or an existing scenario to modify.
    **overrides
        Scenario fields to change, e.g. ``seed=3, n_customers=2000``.
        ``None`` values are ignored, so CLI options can be passed straight in.

    Raises
    ------
    ScenarioError
        Unknown preset, unknown field or invalid value.
    """
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if isinstance(preset, Scenario):
        return preset.replace(**overrides)
    if not isinstance(preset, str) or preset not in PRESETS:
        raise ScenarioError(f"unknown preset {preset!r}; choose one of: {', '.join(PRESETS)}")
    known = {f.name for f in dataclasses.fields(Scenario)}
    unknown = set(overrides) - known
    if unknown:
        raise ScenarioError(f"unknown scenario field(s): {', '.join(sorted(unknown))}")
    return Scenario(**{**PRESETS[preset], **overrides})
