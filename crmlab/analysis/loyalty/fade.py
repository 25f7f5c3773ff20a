"""Does the loyalty effect fade? Early minus late months since enrolment, with an interval.

:func:`fade_effect` compares the mean lift of the imputation estimator of
:mod:`crmlab.analysis.loyalty.did` (month by month, as in its event study)
over the early months after enrolment with the late months; the interval
comes from the influence values of the monthly ratios.

Examples
--------
>>> import crmlab
>>> from crmlab.analysis.loyalty import fade_effect, monthly_panel
>>> data = crmlab.make_retail_crm("tiny", seed=1)
>>> panel = monthly_panel(data.orders, data.customers, data.loyalty, as_of="2025-12-31")
>>> f = fade_effect(panel)
>>> f.ci_low <= f.estimate <= f.ci_high
True
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np
import pandas as pd

from .._results import DEFAULT_CONFIDENCE, Result, z_value
from ._imputation import Imputer, cluster_se, resolve_lapse

__all__ = ["fade_effect", "FadeEffect"]


@dataclasses.dataclass(frozen=True, repr=False)
class FadeEffect(Result):
    """Does the lift fade? Early minus late event-study months (:func:`fade_effect`).

    Attributes
    ----------
    estimate : float
        Mean lift over the ``early`` months minus mean lift over the ``late``
        months since enrolment (positive: the effect fades).
    ci_low, ci_high : float
        Its confidence interval (delta method, influence values of the
        month-by-month ratios).
    confidence_level : float
    early, late : float
        The two means.
    months_early, months_late : list of int
        The event months with an estimate that enter each mean.
    """

    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    early: float
    late: float
    months_early: list
    months_late: list


def fade_effect(
    panel: pd.DataFrame,
    *,
    early: tuple[int, int] = (1, 5),
    late: tuple[int, int] = (6, 9),
    strata: str | Sequence[str] | None = None,
    lapse: bool | None = None,
    cluster: str | None = None,
    outcome: str = "orders",
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> FadeEffect:
    """Mean event-study lift in the early months after enrolment minus the late months.

    Each month's lift is the imputation estimate of
    :func:`~crmlab.analysis.loyalty.did.did_event_study`; the difference of
    the two means is linear in the month-by-month ratios,
    so its standard error follows from their influence values (they share
    the untreated model, so the months are correlated). Comparing point
    estimates month by month without this interval says nothing: the months
    are noisy.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`~crmlab.analysis.loyalty.panel.monthly_panel`.
    early, late : (int, int)
        First and last event month (inclusive) of each period.
    strata, lapse, cluster, outcome, confidence_level
        As in :func:`~crmlab.analysis.loyalty.did.did_effect`.

    Returns
    -------
    FadeEffect
        ``estimate, ci_low, ci_high`` (early minus late), ``early, late``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> n, T = 1500, 16
    >>> cid = np.repeat(np.arange(n), T); t = np.tile(np.arange(T), n)
    >>> rel = t - np.where(np.arange(n) < 750, 4, np.nan)[cid]
    >>> lam = rng.gamma(2.0, 0.5, n)[cid] * (1 + 0.6 * ((rel >= 0) & (rel <= 4)))
    >>> p = pd.DataFrame({"customer_id": cid, "month": pd.Timestamp("2024-01-01") + pd.to_timedelta(t * 31, "D"),
    ...                   "orders": rng.poisson(lam), "months_since_enrol": rel})
    >>> f = fade_effect(p, early=(0, 4), late=(5, 9))
    >>> f.ci_low < 0.6 < f.ci_high, f.ci_low > 0
    (True, True)
    """
    imp = Imputer.from_panel(panel, strata, outcome, cluster, lapse=resolve_lapse(panel, lapse))
    d = imp.design
    parts = {}
    for name, (lo, hi) in (("early", early), ("late", late)):
        ks, rs, ps = [], [], []
        for k in range(lo, hi + 1):
            post = np.flatnonzero(d.rel == k)
            if len(post) == 0:
                continue
            r, psi, _ = imp.influence(post)
            if np.isfinite(r):
                ks.append(k)
                rs.append(r)
                ps.append(psi)
        if not ks:
            raise ValueError(f"no event month {lo}..{hi} has an estimate")
        parts[name] = (ks, float(np.mean(rs)) - 1, np.mean(ps, axis=0))
    est = parts["early"][1] - parts["late"][1]
    se = cluster_se(parts["early"][2] - parts["late"][2], imp.clusters)
    z = z_value(confidence_level)
    return FadeEffect(estimate=float(est), ci_low=float(est - z * se), ci_high=float(est + z * se),
                      confidence_level=float(confidence_level), early=parts["early"][1], late=parts["late"][1],
                      months_early=parts["early"][0], months_late=parts["late"][0])
