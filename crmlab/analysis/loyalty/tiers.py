"""Tier thresholds: do members bunch just above the spend that earns a higher tier?

:func:`tier_threshold_view` is the histogram of qualifying spend around the
threshold with a smooth polynomial counterfactual; :func:`bunching_estimate`
measures the excess mass above the threshold (and the missing mass below).
Bunching means members respond to tiers - and that a regression
discontinuity at the threshold would compare different kinds of members.

References
----------
Chetty, R., Friedman, J. N., Olsen, T. & Pistaferri, L. (2011). Adjustment costs,
firm responses, and micro vs. macro labor supply elasticities. *QJE* 126(2).
Kleven, H. J. (2016). Bunching. *Annual Review of Economics* 8.
McCrary, J. (2008). Manipulation of the running variable in the regression
discontinuity design. *Journal of Econometrics* 142(2).

Examples
--------
>>> import crmlab
>>> from crmlab.analysis.loyalty import bunching_estimate
>>> data = crmlab.make_retail_crm("tiny", seed=1)
>>> res = bunching_estimate(data.loyalty, data.truth["loyalty"]["tier_threshold"])
>>> sorted(res.to_dict())
['b', 'density_ratio', 'excess', 'excess_se', 'missing', 'p_value']
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..._checks import require_columns
from .._results import Result

__all__ = ["tier_threshold_view", "bunching_estimate", "Bunching"]


def tier_threshold_view(
    loyalty: pd.DataFrame,
    threshold: float,
    *,
    bin_width: float = 500.0,
    window: tuple[float, float] = (0.5, 1.75),
    excluded: tuple[float, float] = (0.75, 1.1),
    degree: int = 3,
) -> pd.DataFrame:
    """Histogram of qualifying spend around a tier threshold, with a smooth counterfactual.

    Parameters
    ----------
    loyalty : DataFrame
        Contract table ``loyalty`` with ``qualifying_spend``.
    threshold : float
        The tier threshold (yuan), e.g. ``truth["loyalty"]["tier_threshold"]``
        or the programme's published rule.
    bin_width : float
        Width of the histogram bins (yuan); the threshold is a bin edge.
    window : (float, float)
        Range of the histogram, as multiples of the threshold.
    excluded : (float, float)
        The manipulation region, as multiples of the threshold: bins inside
        it are left out of the polynomial fit (members just below may have
        topped up to just above).
    degree : int
        Degree of the polynomial in spend fitted, as a Poisson regression
        (log link: spend densities fall off roughly exponentially), to the
        bin counts outside the excluded region (Chetty et al. 2011;
        Kleven 2016).

    Returns
    -------
    DataFrame, one row per bin: ``bin_left, bin_right, count, counterfactual``
    (polynomial fit), ``excess`` (count - counterfactual), ``excluded``
    (bin in the manipulation region) and ``above`` (bin at or above the
    threshold).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> spend = rng.uniform(5000, 40000, 4000)
    >>> moved = (spend > 16000) & (spend < 20000) & (rng.random(4000) < 0.5)
    >>> spend[moved] = 20000 + rng.uniform(0, 800, moved.sum())
    >>> view = tier_threshold_view(pd.DataFrame({"qualifying_spend": spend}), 20000)
    >>> int(view.loc[view.bin_left == 20000, "excess"].round(-1).iloc[0]) > 100
    True
    """
    require_columns(loyalty, ["qualifying_spend"], table="loyalty")
    if threshold <= 0 or bin_width <= 0:
        raise ValueError("threshold and bin_width must be positive")
    lo_w, hi_w = window
    ex_lo, ex_hi = excluded
    if not (lo_w < ex_lo <= 1 <= ex_hi < hi_w):
        raise ValueError("need window[0] < excluded[0] <= 1 <= excluded[1] < window[1]")
    q = pd.to_numeric(loyalty["qualifying_spend"], errors="coerce").dropna().to_numpy(float)
    n_below = int(np.floor((1 - lo_w) * threshold / bin_width))
    n_above = int(np.ceil((hi_w - 1) * threshold / bin_width))
    edges = threshold + bin_width * np.arange(-n_below, n_above + 1)
    counts, _ = np.histogram(q, bins=edges)
    left, right = edges[:-1], edges[1:]
    mid = (left + right) / 2
    excl = (right > ex_lo * threshold) & (left < ex_hi * threshold)
    if (~excl).sum() <= degree + 1:
        raise ValueError("too few bins outside the excluded region for the polynomial fit")
    z = (mid - threshold) / threshold
    cf = _poisson_poly(z, counts, ~excl, degree)
    return pd.DataFrame({"bin_left": left, "bin_right": right, "count": counts, "counterfactual": cf,
                         "excess": counts - cf, "excluded": excl, "above": left >= threshold})


def _poisson_poly(z: np.ndarray, counts: np.ndarray, fit: np.ndarray, degree: int) -> np.ndarray:
    """Fitted counts of a Poisson regression of ``counts[fit]`` on a polynomial in ``z``."""
    import statsmodels.api as sm

    X = np.vander(z, degree + 1, increasing=True)
    res = sm.GLM(counts[fit], X[fit], family=sm.families.Poisson()).fit()
    return np.asarray(res.predict(X))


@dataclasses.dataclass(frozen=True, repr=False)
class Bunching(Result):
    """Excess mass at a tier threshold (:func:`bunching_estimate`).

    Attributes
    ----------
    excess : float
        Members above the threshold in the manipulation region beyond the counterfactual.
    excess_se : float
        Poisson standard error of ``excess``.
    missing : float
        Members missing below the threshold (less reliable: top-ups may
        overshoot past the excluded region).
    b : float
        ``excess`` divided by the counterfactual count of one bin at the
        threshold: Kleven's normalised bunching.
    density_ratio : float
        Count in the first bin above / count in the last bin below (about 1,
        or a bit below on a falling density, without manipulation).
    p_value : float
        One-sided binomial test that the first bin above holds more than
        half of the two bins around the threshold (a local, McCrary-style check).
    """

    excess: float
    excess_se: float
    missing: float
    b: float
    density_ratio: float
    p_value: float


def bunching_estimate(loyalty: pd.DataFrame, threshold: float, **kwargs: Any) -> Bunching:
    """Excess mass just above a tier threshold (bunching) and missing mass just below.

    Parameters
    ----------
    loyalty : DataFrame
        Contract table ``loyalty`` with ``qualifying_spend``.
    threshold : float
        The tier threshold (yuan).
    **kwargs
        Passed to :func:`tier_threshold_view` (``bin_width, window,
        excluded, degree``).

    Returns
    -------
    Bunching
        ``excess, excess_se, missing, b, density_ratio, p_value``.

    Notes
    -----
    With bunching, members just above the threshold are not comparable to
    members just below (they chose to get there), so a regression
    discontinuity at the tier threshold (gold vs standard) is invalid
    (McCrary 2008).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> spend = rng.uniform(5000, 40000, 4000)
    >>> bunching_estimate(pd.DataFrame({"qualifying_spend": spend}), 20000).excess < 60
    True
    """
    view = tier_threshold_view(loyalty, threshold, **kwargs)
    above = view["excluded"] & view["above"]
    below = view["excluded"] & ~view["above"]
    excess = float(view.loc[above, "excess"].sum())
    missing = float(-view.loc[below, "excess"].sum())
    first_above = view.loc[view["above"]].iloc[0]
    last_below = view.loc[~view["above"]].iloc[-1]
    n_up, n_down = int(first_above["count"]), int(last_below["count"])
    p_local = float(stats.binomtest(n_up, n_up + n_down, 0.5, alternative="greater").pvalue) if n_up + n_down else 1.0
    return Bunching(
        excess=excess,
        excess_se=float(np.sqrt(view.loc[above, "count"].sum() + view.loc[above, "counterfactual"].clip(lower=0).sum())),
        missing=missing,
        b=excess / float(first_above["counterfactual"]) if first_above["counterfactual"] > 0 else np.nan,
        density_ratio=float(n_up / n_down) if n_down > 0 else np.inf,
        p_value=p_local,
    )
