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
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError(f"{name}: {value!r} is not an ISO date (YYYY-MM-DD)") from None


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

    # --- data faults ------------------------------------------------------------
    faults: bool = False

    # ------------------------------------------------------------------------
    def __post_init__(self) -> None:
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
        """Raise :class:`ScenarioError` naming the first invalid field."""

        def need(cond: bool, name: str, why: str) -> None:
            if not cond:
                raise ScenarioError(f"{name}: {why} (got {getattr(self, name)!r})")

        need(isinstance(self.seed, int) and not isinstance(self.seed, bool) and self.seed >= 0,
             "seed", "must be a non-negative integer")
        need(isinstance(self.n_customers, int) and 50 <= self.n_customers <= 20_000_000,
             "n_customers", "must be an integer between 50 and 20,000,000")
        start, end = self.start_date, self.end_date
        need(dt.date(2011, 1, 1) <= start and end <= dt.date(2030, 12, 31),
             "start", "the window must lie within 2011-01-01 .. 2030-12-31 (holiday calendar)")
        need((end - start).days >= 364, "end", "the window must span at least one year")
        need(self.locale in ("zh_CN", "en_US"), "locale", "must be 'zh_CN' or 'en_US'")
        need(isinstance(self.n_stores, int) and 1 <= self.n_stores <= 5000,
             "n_stores", "must be an integer between 1 and 5000")
        need(0 <= self.within_segment_noise <= 5, "within_segment_noise", "must be in [0, 5]")
        need(isinstance(self.chunk_size, int) and self.chunk_size >= 100,
             "chunk_size", "must be an integer >= 100")
        need(len(self.segments) >= 2, "segments", "needs at least two segments")
        names = [s.name for s in self.segments]
        need(len(set(names)) == len(names), "segments", "segment names must be unique")
        for s in self.segments:
            if not (s.share > 0 and s.purchase_rate > 0 and s.purchase_shape > 0 and s.churn_hazard > 0):
                raise ScenarioError(f"segments: {s.name}: share, purchase_rate, purchase_shape and churn_hazard must be > 0")
            if len(s.category_weights) != len(MAIN_CATEGORIES) or min(s.category_weights) < 0:
                raise ScenarioError(f"segments: {s.name}: category_weights needs {len(MAIN_CATEGORIES)} non-negative weights")
            if len(s.channel_weights) != 3 or min(s.channel_weights) < 0:
                raise ScenarioError(f"segments: {s.name}: channel_weights needs 3 non-negative weights")
            if len(s.tier_weights) != 5 or min(s.tier_weights) < 0:
                raise ScenarioError(f"segments: {s.name}: tier_weights needs 5 non-negative weights")
            if not (0 <= s.sleeping_dog_risk <= 1 and s.loyalty_effect > -1 and s.campaign_multiplier > 0):
                raise ScenarioError(f"segments: {s.name}: sleeping_dog_risk in [0, 1], loyalty_effect > -1, campaign_multiplier > 0")
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name.startswith("hr_"):
                need(isinstance(v, (int, float)) and 0.1 <= v <= 20, f.name, "hazard ratios must be in [0.1, 20]")
            if f.name.startswith("p_") or f.name in (
                "never_buy_share", "complaint_given_failure", "complaint_baseline", "complaint_resolved",
                "survey_response_rate", "campaign_treated_share", "loyalty_enrol_base",
                "loyalty_breakage", "loyalty_points_rate", "loyalty_bunching_share",
                "basket_background_rate", "basket_decoy_rate",
            ):
                need(isinstance(v, (int, float)) and 0 <= v <= 1, f.name, "must be a probability in [0, 1]")
        need(0.3 <= self.survey_top2box <= 0.95, "survey_top2box", "must be in [0.3, 0.95]")
        need(-60 <= self.survey_nps_target <= 80, "survey_nps_target", "must be in [-60, 80]")
        need(len(self.driver_weights) == 4 and min(self.driver_weights) >= 0 and sum(self.driver_weights) > 0,
             "driver_weights", "needs 4 non-negative weights (advertising, price, service, quality)")
        need(len(self.basket_rule_confidence) == 4 and all(0 <= c <= 1 for c in self.basket_rule_confidence),
             "basket_rule_confidence", "needs 4 probabilities (tv, ac, phone, laptop rules)")
        need(len(self.loyalty_waves) == 3 and all(0 < w < 1 for w in self.loyalty_waves)
             and list(self.loyalty_waves) == sorted(self.loyalty_waves),
             "loyalty_waves", "needs 3 increasing fractions of the window in (0, 1)")
        need(0 < self.loyalty_full_effect_days <= self.loyalty_fade_end_days,
             "loyalty_fade_end_days", "must be >= loyalty_full_effect_days > 0")
        need(self.loyalty_tier_threshold > 0, "loyalty_tier_threshold", "must be > 0")
        need(30 <= self.churn_window_days <= 730, "churn_window_days", "must be in [30, 730] days")
        need(0 < self.campaign_day and self.campaign_day + self.campaign_window_days < self.n_days,
             "campaign_date", "the campaign and its response window must lie inside the window")
        need(0 < self.survey_day and self.survey_day + self.survey_days < self.n_days,
             "survey_start", "the survey fielding period must lie inside the window")
        need(1 <= self.survey_days <= 120, "survey_days", "must be in [1, 120]")
        need(isinstance(self.faults, bool), "faults", "must be True or False")

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
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ScenarioError(f"unknown scenario field(s): {', '.join(sorted(unknown))}")
        kw = dict(d)
        if "segments" in kw:
            kw["segments"] = tuple(
                Segment(**{k: tuple(v) if isinstance(v, list) else v for k, v in s.items()})
                for s in kw["segments"]
            )
        for k, v in list(kw.items()):
            if isinstance(v, list):
                kw[k] = tuple(v)
        return cls(**kw)

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
    if preset not in PRESETS:
        raise ScenarioError(f"unknown preset {preset!r}; choose one of: {', '.join(PRESETS)}")
    known = {f.name for f in dataclasses.fields(Scenario)}
    unknown = set(overrides) - known
    if unknown:
        raise ScenarioError(f"unknown scenario field(s): {', '.join(sorted(unknown))}")
    return Scenario(**{**PRESETS[preset], **overrides})
