"""Intervals of proportions shared by the analysis modules: Wilson's score interval and Newcombe's difference.

Private to :mod:`crmlab.analysis`; the public functions of the survey, basket
and seasonality modules use these for their shares.

Examples
--------
>>> from crmlab.analysis._proportions import newcombe_difference, wilson_interval
>>> [round(float(v), 4) for v in wilson_interval(56, 70)]
[0.6918, 0.877]
>>> [round(v, 4) for v in newcombe_difference(56, 70, 48, 80)]
[0.2, 0.0524, 0.3339]
"""

from __future__ import annotations

import numpy as np

from ._results import DEFAULT_CONFIDENCE, z_value

__all__ = ["wilson_interval", "newcombe_difference"]


def wilson_interval(k, n, confidence_level: float = DEFAULT_CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of ``k`` successes out of ``n`` (scalars or arrays; NaN where ``n`` is 0).

    Wilson, E. B. (1927). *Journal of the American Statistical Association* 22, 209-212.
    """
    k, n = np.asarray(k, float), np.asarray(n, float)
    z = z_value(confidence_level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        den = 1 + z**2 / n
        mid = (p + z**2 / (2 * n)) / den
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / den
    return mid - half, mid + half


def newcombe_difference(k1, n1, k2, n2, confidence_level: float = DEFAULT_CONFIDENCE) -> tuple[float, float, float]:
    """``k1/n1 - k2/n2`` with Newcombe's hybrid score interval (1998, method 10).

    Newcombe, R. G. (1998). Interval estimation for the difference between
    independent proportions. *Statistics in Medicine* 17, 873-890.
    """
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = (float(v) for v in wilson_interval(k1, n1, confidence_level))
    l2, u2 = (float(v) for v in wilson_interval(k2, n2, confidence_level))
    d = p1 - p2
    return float(d), float(d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)), float(d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))
