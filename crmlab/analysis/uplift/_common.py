"""Shared parts of the uplift methods: the campaign frame, the difference in means, the arm bootstrap.

Private to :mod:`crmlab.analysis.uplift`.

Examples
--------
>>> import numpy as np
>>> from crmlab.analysis.uplift._common import diff_in_means
>>> round(diff_in_means(np.array([1, 1, 0, 0.0]), np.array([True, True, False, False]), 0.95).ate, 2)
1.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import require_columns
from .._churn_common import binary
from .._results import DEFAULT_CONFIDENCE, Result, z_value

__all__ = ["CampaignEffect", "TABLE_FIELDS", "campaign_frame", "diff_in_means", "effect_row", "arm_weights",
           "percentile_ci"]


@dataclass(frozen=True, repr=False)
class CampaignEffect(Result):
    """Average treatment effect of a randomised campaign (:func:`campaign_effect`).

    Attributes
    ----------
    ate : float
        Treated minus control response rate.
    se : float
        Neyman standard error.
    ci_low, ci_high : float
        Normal confidence interval.
    n_treated, n_control : int
    rate_treated, rate_control : float
        Response rates.
    confidence_level : float
    """

    ate: float
    se: float
    ci_low: float
    ci_high: float
    n_treated: int
    n_control: int
    rate_treated: float
    rate_control: float
    confidence_level: float = DEFAULT_CONFIDENCE

    @property
    def estimate(self) -> float:
        """The ATE under the name every estimate has (so claims accept a campaign effect as it is)."""
        return self.ate

    def excludes(self, null: float = 0.0) -> bool:
        """True when the interval lies entirely above or below ``null``."""
        return bool(self.ci_low > null or self.ci_high < null)


TABLE_FIELDS = ["ate", "se", "ci_low", "ci_high", "n_treated", "n_control", "rate_treated", "rate_control"]


def campaign_frame(campaigns: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The usable campaign rows: ``treated`` as bool and the outcome as 0/1 in ``_y``."""
    require_columns(campaigns, ["customer_id", "treated", outcome], table="campaigns", non_empty=True)
    c = campaigns[campaigns["treated"].notna() & campaigns[outcome].notna()]
    tr = c["treated"].astype(bool)
    if tr.sum() < 2 or (~tr).sum() < 2:
        raise ValueError("campaigns: at least two treated and two control customers are needed")
    return c.assign(treated=tr.to_numpy(), _y=binary(c[outcome].to_numpy(), outcome))


def diff_in_means(y: np.ndarray, t: np.ndarray, confidence_level: float) -> CampaignEffect:
    """Treated minus control mean of ``y`` with Neyman's standard error and a normal interval."""
    z = z_value(confidence_level)
    y1, y0 = y[t], y[~t]
    n1, n0 = len(y1), len(y0)
    p1 = y1.mean() if n1 else np.nan
    p0 = y0.mean() if n0 else np.nan
    se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0) if n1 and n0 else np.nan
    ate = p1 - p0
    return CampaignEffect(ate=float(ate), se=float(se), ci_low=float(ate - z * se), ci_high=float(ate + z * se),
                          n_treated=int(n1), n_control=int(n0), rate_treated=float(p1), rate_control=float(p0),
                          confidence_level=float(confidence_level))


def effect_row(e: CampaignEffect) -> dict[str, Any]:
    """The table fields of an effect (a row of :func:`~crmlab.analysis.uplift.uplift_by_group`)."""
    return {k: getattr(e, k) for k in TABLE_FIELDS}


def arm_weights(rng: np.random.Generator, t: np.ndarray, size: int) -> np.ndarray:
    """Bootstrap counts (``size`` x customers), resampling treated and control customers separately."""
    w = np.zeros((size, len(t)))
    for arm in (t, ~t):
        k = int(arm.sum())
        if k:
            w[:, arm] = rng.multinomial(k, np.full(k, 1.0 / k), size=size)
    return w


def percentile_ci(draws: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of each column of ``draws`` (replicates x quantities); NaN draws ignored."""
    a = (1 - level) / 2 * 100
    with np.errstate(all="ignore"):
        return np.nanpercentile(draws, a, axis=0), np.nanpercentile(draws, 100 - a, axis=0)
